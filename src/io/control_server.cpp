#include "io/control_server.hpp"

#include <exception>

#include "util/log.hpp"

namespace zmesh::io {

HttpResponse json_response(int status, const nlohmann::json& body) {
  // error_handler::replace: invalid UTF-8 in a string becomes U+FFFD instead of throwing.
  return HttpResponse::text(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                            "application/json");
}

Result<nlohmann::json> parse_json_body(const HttpRequest& request) {
  // allow_exceptions = false: a parse error yields a "discarded" value instead of throwing.
  auto value = nlohmann::json::parse(request.body, nullptr, false);
  if (value.is_discarded()) return make_error(Errc::malformed, "request body is not valid JSON");
  return value;
}

namespace {

// "HOST:PORT" with HOST an IP literal or "localhost" (taken as 127.0.0.1).
Result<SocketAddress> listen_address(std::string_view text) {
  ZM_TRY(HostPort parsed, parse_host_port(text));
  if (parsed.host == "localhost") return SocketAddress::from_ip(IpAddress::v4(127, 0, 0, 1), *parsed.port);
  if (!parsed.ip) return make_error(Errc::invalid_argument, "not an IP address: " + parsed.host);
  return SocketAddress::from_ip(*parsed.ip, *parsed.port);
}

// Host header (RFC 7230 §5.4: host [":" port]): "localhost", "127.0.0.1", "[::1]", with or
// without a port.
bool is_loopback_host_header(std::string_view host) {
  auto parsed = parse_host_port(host, PortRule::optional);
  return parsed.ok() && (parsed->host == "localhost" || (parsed->ip && parsed->ip->is_loopback()));
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::start(EventLoop& loop, std::string_view address_text,
                                                            ControlServerOptions options) {
  ZM_TRY(SocketAddress address, listen_address(address_text));
  if (!address.is_loopback() && !options.allow_non_loopback) {
    return make_error(Errc::invalid_argument, "control server refuses non-loopback address " + address.to_string() +
                                                  " (set allow_non_loopback to override)");
  }
  std::unique_ptr<ControlServer> server(new ControlServer());
  HttpServerOptions http;
  http.max_connections = options.max_connections;
  http.max_body_bytes = options.max_body_bytes;
  http.request_timeout = options.request_timeout;
  http.stream.send_buffer_bytes = std::max<std::size_t>(http.stream.send_buffer_bytes, 4 << 20);
  ZM_TRY(server->http_, HttpServer::open(loop, address, http));
  if (options.check_host_header) {
    server->http_->set_filter([](const HttpRequest& request) -> std::optional<HttpResponse> {
      auto host = request.headers.get("host");
      if (host && is_loopback_host_header(*host)) return std::nullopt;
      return json_response(403, {{"error", "Host must be a loopback name"}});
    });
  }
  return server;
}

void ControlServer::route(std::string method, std::string path, Handler handler) {
  http_->route(std::move(method), std::move(path), [handler = std::move(handler)](const HttpRequest& request) {
    // nlohmann::json throws on type errors (e.g. reading a string as a number); a handler bug or
    // odd input must cost one request, never the node.
    try {
      return handler(request);
    } catch (const std::exception& e) {
      log::warn("control", std::string("handler failed: ") + e.what());
      return json_response(500, {{"error", "internal error"}});
    }
  });
}

void ControlServer::route_async(std::string method, std::string path, HttpServer::AsyncHandler handler,
                                DurationUs answer_timeout) {
  http_->route_async(
      std::move(method), std::move(path),
      [handler = std::move(handler)](const HttpRequest& request, HttpServer::Responder respond) {
        try {
          handler(request, respond);
        } catch (const std::exception& e) {  // as in route(): one failed request, never the node
          log::warn("control", std::string("handler failed: ") + e.what());
          respond(json_response(500, {{"error", "internal error"}}));
        }
      },
      answer_timeout);
}

std::string ControlServer::url() const { return "http://" + local_address().to_string(); }

}  // namespace zmesh::io
