// RFC 6455 §4 opening handshake, sans-IO: the client's upgrade request, the server's checks and
// 101 response, the client's checks of that response. SHA-1 and base64 come from OpenSSL.
#pragma once

#include <string>
#include <string_view>

#include "io/http.hpp"
#include "runtime/random.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::ws {

std::string base64_encode(ByteView data);
Result<Bytes> base64_decode(std::string_view text);

// §4.1: a nonce of 16 random bytes, base64-encoded.
std::string make_client_key(RandomSource& random);
// §4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_key(std::string_view client_key);

std::string build_client_request(std::string_view authority, std::string_view path, std::string_view key,
                                 std::string_view subprotocol);

struct UpgradeDecision {
  bool accepted = false;
  HttpResponse response;  // 101 when accepted, otherwise the error to send before closing
  std::string error;
};

// §4.2.1 server-side checks. zMesh peers must offer `subprotocol`; no extension is accepted.
UpgradeDecision evaluate_upgrade(const HttpRequest& request, std::string_view subprotocol);

// §4.1 client-side checks of the server's response (status 101, headers, accept key, protocol).
Status check_upgrade_response(const HttpResponse& response, std::string_view key, std::string_view subprotocol);

}  // namespace zmesh::io::ws
