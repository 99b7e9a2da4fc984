// The local control API of a node (status, commands from the `zmesh` CLI): a tiny HTTP/1.1
// server with JSON bodies. Loopback-only unless explicitly allowed, and even then it refuses
// requests whose Host header is not a loopback name, which stops DNS-rebinding pages in a
// local browser from reaching it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "io/http_server.hpp"

namespace zmesh::io {

struct ControlServerOptions {
  bool allow_non_loopback = false;       // binding elsewhere than 127.0.0.0/8 or ::1 needs this
  bool check_host_header = true;         // Host must be localhost / a loopback literal
  std::size_t max_connections = 64;
  std::size_t max_body_bytes = 1 << 20;
  DurationUs request_timeout = 10 * kSecond;
};

// JSON helpers for handlers.
HttpResponse json_response(int status, const nlohmann::json& body);
// Parses the request body; Errc::malformed when it is not JSON (handlers answer 400).
Result<nlohmann::json> parse_json_body(const HttpRequest& request);

class ControlServer {
 public:
  using Handler = HttpServer::Handler;

  // `address`: "127.0.0.1:PORT" / "[::1]:PORT" (port 0 picks one).
  static Result<std::unique_ptr<ControlServer>> start(EventLoop& loop, std::string_view address,
                                                      ControlServerOptions options = {});

  // Exact path match; method "GET", "POST", ... A handler that throws answers 500.
  void route(std::string method, std::string path, Handler handler);
  // Answered later through the Responder (HttpServer::route_async); 504 after answer_timeout.
  void route_async(std::string method, std::string path, HttpServer::AsyncHandler handler, DurationUs answer_timeout);

  const SocketAddress& local_address() const { return http_->local_address(); }
  // "http://127.0.0.1:PORT"
  std::string url() const;
  std::size_t connection_count() const { return http_->connection_count(); }

 private:
  ControlServer() = default;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace zmesh::io
