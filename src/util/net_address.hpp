// Network addresses as text: IPv4 and IPv6 literals, "HOST:PORT" / "[V6]:PORT", prefixes and the
// network key of diversity rules. The one place that parses and prints them, so that the
// transports, the control API, the options, path selection, the DHT's Sybil limits, exit
// policies and stream targets agree on what an address is.
//
// Pure: no sockets, no resolver, no locale, so native, WebAssembly and fuzz builds agree byte
// for byte. Text is parsed strictly and printed canonically (RFC 5952 for IPv6).
//
// Not for: URLs (io/url.hpp splits off the scheme and path, then calls parse_host_port here),
// name resolution (io/socket.hpp), or the sockaddr form (io::SocketAddress).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh {

enum class IpFamily : std::uint8_t { v4 = 4, v6 = 6 };

struct IpAddress {
  IpFamily family = IpFamily::v4;
  ByteArray<16> bytes{};  // network order; an IPv4 address uses the first 4 bytes, the rest stay 0

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  static IpAddress from_bytes(ByteView raw);  // 4 bytes: IPv4, 16 bytes: IPv6 (else aborts)

  std::size_t size() const { return family == IpFamily::v4 ? 4 : 16; }
  ByteView view() const { return ByteView(bytes).first(size()); }
  // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) becomes a.b.c.d; anything else is returned unchanged.
  // Exit policies and diversity rules look at the unmapped form, so that a mapped address
  // cannot slip past an IPv4 rule.
  IpAddress unmapped() const;
  // "192.0.2.1"; IPv6 in RFC 5952 form ("2001:db8::1", "::ffff:192.0.2.1"), without brackets.
  std::string to_string() const;

  // Classification. IPv4-mapped IPv6 addresses are classified as the IPv4 address they carry.
  bool is_v4_mapped() const;    // ::ffff:0:0/96
  bool is_unspecified() const;  // 0.0.0.0, ::
  bool is_loopback() const;     // 127.0.0.0/8, ::1
  bool is_private() const;      // RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 4193 unique local fc00::/7
  bool is_link_local() const;   // 169.254.0.0/16 (RFC 3927), fe80::/10

  bool operator==(const IpAddress&) const = default;
};

// Strict literals, no brackets, no zone ids: IPv4 is four decimal octets without leading
// zeros ("010.0.0.1" is refused, since inet_aton and some resolvers read it as octal); IPv6 is
// RFC 4291 §2.2 text (hex groups, at most one "::", an optional trailing dotted IPv4 part).
// Errc::malformed with the reason.
Result<IpAddress> parse_ipv4(std::string_view text);
Result<IpAddress> parse_ipv6(std::string_view text);
// Either of the two, chosen by the presence of ':'.
Result<IpAddress> parse_ip_address(std::string_view text);

// True when a and b have the same family and agree on their first prefix_bits bits
// (prefix_bits <= 32 for IPv4, <= 128 for IPv6).
bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix_bits);
// a with every bit after the first prefix_bits cleared.
IpAddress masked(const IpAddress& a, unsigned prefix_bits);

// A network in CIDR notation: "10.0.0.0/8", "2001:db8::/32" (RFC 4632, RFC 4291 §2.3).
struct IpPrefix {
  IpAddress network;  // host bits zero
  unsigned bits = 0;  // 0..32 / 0..128

  bool contains(const IpAddress& address) const { return same_prefix(network, address, bits); }
  // "10.0.0.0/8", "2001:db8::/32"; a full-length prefix prints as the bare address.
  std::string to_string() const;
  bool operator==(const IpPrefix&) const = default;
};

// "ADDRESS[/BITS]" with ADDRESS an IPv4 literal, an IPv6 literal or a bracketed one
// ("[2001:db8::]/32"); without "/BITS" the prefix is the whole address. Host bits beyond the
// mask are refused (a typo, e.g. "10.1.2.3/8" meant "10.0.0.0/8"), with the suggestion in the
// message. Errc::invalid_argument.
Result<IpPrefix> parse_ip_prefix(std::string_view text);

// The network an address is counted in by diversity rules (relays on one path, DHT contacts
// per bucket): the first v4_bits of an IPv4 address (mapped ones unmapped first), or the first
// v6_bits of an IPv6 one. Tor's path selection uses /16 and /32 (EnforceDistinctSubnets);
// Mainline DHT's Sybil brake /24 and /48.
IpAddress network_key(const IpAddress& address, unsigned v4_bits, unsigned v6_bits);

// A port: 1 to 5 decimal digits, 0..65535 (0 asks the OS to pick one when listening; callers
// that dial refuse it). Errc::invalid_argument, "bad port \"x\" (why)".
Result<std::uint16_t> parse_port(std::string_view text);

// Host names as DNS and /etc/hosts use them: 1..255 bytes of letters, digits, '-', '_' and
// '.', and not ending in a numeric label (RFC 1123 §2.1: such text is an IPv4 address, and a
// resolver would read "010.1.2.3" or "1.2.3" its own way).
bool is_valid_host_name(std::string_view name);
inline constexpr std::size_t kMaxHostNameBytes = 255;

enum class PortRule : std::uint8_t { required, optional };

struct HostPort {
  std::string host;             // as written, IPv6 without brackets: "::1", "192.0.2.1", "relay.example"
  std::optional<IpAddress> ip;  // set when host is an IP literal
  std::optional<std::uint16_t> port;  // always set with PortRule::required

  // "relay.example:80", "[2001:db8::1]:443"; without the ":PORT" when there is none.
  std::string to_string() const;
};

// "HOST:PORT", "[IPV6]:PORT" (RFC 3986 §3.2.2 authority without user info), and with
// PortRule::optional also "HOST" and "[IPV6]" (as HTTP's Host header). HOST is an IP literal
// or a valid host name; an IPv6 literal needs brackets (else "::1:80" is ambiguous), zone ids
// ("fe80::1%eth0") are refused. Errc::invalid_argument, the message says what is wrong.
Result<HostPort> parse_host_port(std::string_view text, PortRule rule = PortRule::required);

// "HOST:PORT" with brackets around a host containing ':' (an IPv6 literal).
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace zmesh
