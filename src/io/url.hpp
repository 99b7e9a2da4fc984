// Transport URLs: "tcp://HOST:PORT" and "ws://HOST:PORT/PATH". HOST is an IPv4 literal, an
// IPv6 literal in brackets ("[::1]") or a DNS name. Bounded and strict: no user info, no
// query or fragment, printable ASCII only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace zmesh::io {

enum class TransportScheme { tcp, ws };

struct TransportUrl {
  TransportScheme scheme = TransportScheme::tcp;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  std::string path = "/";  // ws only; always starts with '/'

  // Canonical text form; IPv6 hosts get their brackets back.
  std::string to_string() const;
  // "host:port" as it goes into an HTTP Host header.
  std::string authority() const;
};

inline constexpr std::size_t kMaxUrlBytes = 512;

Result<TransportUrl> parse_transport_url(std::string_view url);
const char* scheme_name(TransportScheme scheme);

}  // namespace zmesh::io
