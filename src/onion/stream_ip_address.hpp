// IPv4 and IPv6 addresses as the stream layer sees them: stream targets (BEGIN, SOCKS5) and
// exit-policy rules. Text forms are parsed strictly and printed canonically (RFC 5952 for
// IPv6) by our own code, so that native, WASM and fuzz builds agree byte for byte; nothing
// here resolves names or touches a socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

enum class IpFamily : std::uint8_t { v4 = 4, v6 = 6 };

struct IpAddress {
  IpFamily family = IpFamily::v4;
  ByteArray<16> bytes{};  // network order; an IPv4 address uses the first 4 bytes, the rest stay 0

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  static IpAddress from_bytes(ByteView raw);  // 4 bytes: IPv4, 16 bytes: IPv6 (else aborts)

  std::size_t size() const { return family == IpFamily::v4 ? 4 : 16; }
  ByteView view() const { return ByteView(bytes).first(size()); }
  // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) becomes a.b.c.d; anything else is returned unchanged.
  // Exit policies match on the unmapped form, so a resolver answering with a mapped address
  // cannot slip past an IPv4 rule.
  IpAddress unmapped() const;
  // "192.0.2.1"; IPv6 in RFC 5952 form ("2001:db8::1", "::ffff:192.0.2.1"), without brackets.
  std::string to_string() const;

  bool operator==(const IpAddress&) const = default;
};

// Strict literals, no brackets, no zone ids: IPv4 is four decimal octets without leading
// zeros ("010.0.0.1" is refused, since some resolvers read it as octal); IPv6 is RFC 4291 §2.2
// text (hex groups, at most one "::", an optional trailing dotted IPv4 part).
Result<IpAddress> parse_ipv4(std::string_view text);
Result<IpAddress> parse_ipv6(std::string_view text);
// Either of the two, chosen by the presence of ':'.
Result<IpAddress> parse_ip_address(std::string_view text);

// True when a and b have the same family and agree on their first prefix_bits bits
// (prefix_bits <= 32 for IPv4, <= 128 for IPv6).
bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix_bits);
// a with every bit after the first prefix_bits cleared.
IpAddress masked(const IpAddress& a, unsigned prefix_bits);

}  // namespace zmesh::onion
