#include "io/url.hpp"

#include "util/net_address.hpp"

namespace zmesh::io {

const char* scheme_name(TransportScheme scheme) { return scheme == TransportScheme::tcp ? "tcp" : "ws"; }

std::string TransportUrl::authority() const { return format_host_port(host, port); }

std::string TransportUrl::to_string() const {
  std::string out = std::string(scheme_name(scheme)) + "://" + authority();
  if (scheme == TransportScheme::ws) out += path;
  return out;
}

namespace {

Error bad(std::string_view url, const std::string& why) {
  return make_error(Errc::invalid_argument, "bad transport URL '" + std::string(url.substr(0, 80)) + "': " + why);
}

// RFC 3986 §3.3 path characters, minus '%' decoding (we never decode; the path is compared as-is).
bool is_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~!$&'()*+,;=:@/%").find(c) != std::string_view::npos;
}

}  // namespace

Result<TransportUrl> parse_transport_url(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return bad(url, "too long");
  TransportUrl out;
  std::string_view rest;
  if (url.substr(0, 6) == "tcp://") {
    out.scheme = TransportScheme::tcp;
    rest = url.substr(6);
  } else if (url.substr(0, 5) == "ws://") {
    out.scheme = TransportScheme::ws;
    rest = url.substr(5);
  } else {
    return bad(url, "scheme must be tcp:// or ws://");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (out.scheme == TransportScheme::tcp && slash != std::string_view::npos && path != "/") {
    return bad(url, "tcp URLs have no path");
  }
  for (char c : path) {
    if (!is_path_char(c)) return bad(url, "invalid character in path (no query or fragment allowed)");
  }
  out.path = std::string(path);

  auto host_port = parse_host_port(authority);
  if (!host_port.ok()) return bad(url, host_port.error().message);
  out.host = std::move(host_port->host);
  if (out.host.size() > 253) return bad(url, "host too long");  // RFC 1035 §2.3.4 in text form
  out.port = *host_port->port;
  return out;
}

}  // namespace zmesh::io
