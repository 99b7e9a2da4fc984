#include "io/url.hpp"

#include <charconv>

namespace zmesh::io {

const char* scheme_name(TransportScheme scheme) { return scheme == TransportScheme::tcp ? "tcp" : "ws"; }

std::string TransportUrl::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string TransportUrl::to_string() const {
  std::string out = std::string(scheme_name(scheme)) + "://" + authority();
  if (scheme == TransportScheme::ws) out += path;
  return out;
}

namespace {

Error bad(std::string_view url, const char* why) {
  return make_error(Errc::invalid_argument, "bad transport URL '" + std::string(url.substr(0, 80)) + "': " + why);
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
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

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(url, "unterminated IPv6 literal");
    out.host = std::string(authority.substr(1, close - 1));
    for (char c : out.host) {
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return bad(url, "invalid IPv6 literal");
    }
    if (authority.substr(close + 1, 1) != ":") return bad(url, "missing port");
    port_text = authority.substr(close + 2);
  } else {
    std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) return bad(url, "missing port");
    out.host = std::string(authority.substr(0, colon));
    for (char c : out.host) {
      if (!is_host_char(c)) return bad(url, "invalid character in host");
    }
    port_text = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.host.size() > 253) return bad(url, "host empty or too long");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return bad(url, "invalid port");
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace zmesh::io
