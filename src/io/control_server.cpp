#include "io/control_server.hpp"

#include <charconv>
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

Result<SocketAddress> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
      return make_error(Errc::invalid_argument, "expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return make_error(Errc::invalid_argument, "expected HOST:PORT");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return make_error(Errc::invalid_argument, "invalid port");
  }
  return SocketAddress::from_ip(host, static_cast<std::uint16_t>(port));
}

// Host header host part: "localhost", "127.0.0.1", "[::1]" with an optional port.
bool is_loopback_host_header(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    std::size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    name = name.substr(1, close - 1);
  } else if (std::size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  if (name == "localhost") return true;
  auto address = SocketAddress::from_ip(name, 0);
  return address.ok() && address.value().is_loopback();
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::start(EventLoop& loop, std::string_view address_text,
                                                            ControlServerOptions options) {
  ZM_TRY(SocketAddress address, parse_host_port(address_text));
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
