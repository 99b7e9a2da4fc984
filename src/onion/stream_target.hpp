// Where a stream goes: an IPv4 or IPv6 address, or a domain name that the exit resolves
// (DNS is resolved at the exit, never at the client, so the client's resolver learns nothing;
// docs/protocol/streams.md). One binary encoding serves both BEGIN messages and SOCKS5
// requests, since RFC 1928 §4 already defines a good one: ATYP, address, port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/net_address.hpp"
#include "util/result.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::onion {

// Wire values are RFC 1928's ATYP values.
enum class TargetKind : std::uint8_t { ipv4 = 1, domain = 3, ipv6 = 4 };

inline constexpr std::size_t kMaxDomainBytes = 255;
inline constexpr std::size_t kMaxEncodedTargetBytes = 1 + 1 + kMaxDomainBytes + 2;

struct StreamTarget {
  TargetKind kind = TargetKind::ipv4;
  IpAddress ip;        // kind ipv4 / ipv6
  std::string domain;  // kind domain
  std::uint16_t port = 0;

  static StreamTarget to_ip(const IpAddress& address, std::uint16_t port);
  static StreamTarget to_domain(std::string name, std::uint16_t port);

  // port != 0; ip's family matches kind; a domain is valid (is_valid_domain).
  Status check() const;
  // The address or name without port ("2001:db8::1", "example.org").
  std::string host() const;
  // "example.org:443", "192.0.2.1:80", "[2001:db8::1]:443".
  std::string describe() const;

  bool operator==(const StreamTarget&) const = default;
};

// 1..255 bytes of letters, digits, '-', '_' and '.': what DNS names and local host names use.
// Anything else (spaces, control characters, '%', '/', ...) is refused so that a hostile name
// cannot reach logs, status pages or the exit's resolver.
bool is_valid_domain(std::string_view name);

// "host:port" with an IPv4 literal, a bracketed IPv6 literal or a domain name.
Result<StreamTarget> parse_stream_target(std::string_view text);

// ATYP (1 byte), address (4 bytes | length byte + name | 16 bytes), port (2 bytes, big-endian).
void encode_target(wire::Writer& out, const StreamTarget& target);
// Errc::truncated when the input ends early (a streaming parser waits for more bytes),
// Errc::malformed for an unknown ATYP, Errc::invalid_argument when the target fails check().
Result<StreamTarget> decode_target(wire::Reader& in);

}  // namespace zmesh::onion
