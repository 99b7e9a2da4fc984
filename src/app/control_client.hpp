// A small blocking HTTP/1.1 client for the node's control API, used by the `zmesh status` and
// `zmesh ping` commands (one request per connection, as the server answers Connection: close).
// Loopback or whatever address the operator gives; `localhost` means 127.0.0.1.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::app {

struct ControlReply {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
};

// `address`: HOST:PORT ("127.0.0.1:7070", "[::1]:7070", "localhost:7070"). `body` empty for
// none. Errors: connection refused / timeout / a response that is not HTTP.
Result<ControlReply> control_request(std::string_view address, std::string_view method, std::string_view path,
                                     const std::string& body, DurationUs timeout);

// The same, but a non-2xx answer becomes an error carrying the server's "error" text.
Result<nlohmann::json> control_call(std::string_view address, std::string_view method, std::string_view path,
                                    const std::string& body, DurationUs timeout);

}  // namespace zmesh::app
