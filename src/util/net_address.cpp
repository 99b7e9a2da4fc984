#include "util/net_address.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

namespace zmesh {
namespace {

Error bad_address(std::string_view text, const std::string& why) {
  return make_error(Errc::malformed, "bad IP address \"" + std::string(text.substr(0, 64)) + "\": " + why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One side of a "::" (or the whole address): colon-separated hex groups, the last of which may
// be a dotted IPv4 part worth two groups (RFC 4291 §2.2, form 3).
Status parse_groups(std::string_view whole, std::string_view part, bool v4_tail_allowed, std::vector<std::uint16_t>& out) {
  if (part.empty()) return {};
  while (true) {
    const auto colon = part.find(':');
    const std::string_view piece = part.substr(0, colon);
    const bool last = colon == std::string_view::npos;
    if (piece.empty()) return bad_address(whole, "empty group");
    if (piece.find('.') != std::string_view::npos) {
      if (!last || !v4_tail_allowed) return bad_address(whole, "an embedded IPv4 part must come last");
      ZM_TRY(IpAddress v4, parse_ipv4(piece));
      out.push_back(static_cast<std::uint16_t>(v4.bytes[0] << 8 | v4.bytes[1]));
      out.push_back(static_cast<std::uint16_t>(v4.bytes[2] << 8 | v4.bytes[3]));
    } else {
      if (piece.size() > 4) return bad_address(whole, "a group has more than 4 hex digits");
      unsigned value = 0;
      for (char c : piece) {
        const int digit = hex_value(c);
        if (digit < 0) return bad_address(whole, std::string("unexpected character '") + c + "'");
        value = value << 4 | static_cast<unsigned>(digit);
      }
      out.push_back(static_cast<std::uint16_t>(value));
    }
    if (out.size() > 8) return bad_address(whole, "more than 8 groups");
    if (last) return {};
    part.remove_prefix(colon + 1);
    if (part.empty()) return bad_address(whole, "ends with a single ':'");
  }
}

std::string hex_group(std::uint16_t group) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (group >> shift) & 0xfu;
    if (nibble != 0 || started || shift == 0) {
      out.push_back(kDigits[nibble]);
      started = true;
    }
  }
  return out;
}

bool mapped(const ByteArray<16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

std::string format_v6(const ByteArray<16>& b) {
  if (mapped(b)) return "::ffff:" + IpAddress::v4(b[12], b[13], b[14], b[15]).to_string();  // RFC 5952 §5
  std::array<std::uint16_t, 8> groups{};
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<std::uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  int best_start = -1, best_length = 1;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) { ++i; continue; }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) { best_start = i; best_length = j - i; }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    out += hex_group(groups[i]);
  }
  return out;
}

}  // namespace

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress out;
  out.bytes[0] = a;
  out.bytes[1] = b;
  out.bytes[2] = c;
  out.bytes[3] = d;
  return out;
}

IpAddress IpAddress::from_bytes(ByteView raw) {
  if (raw.size() != 4 && raw.size() != 16) std::abort();  // programming error: callers pass fixed-size fields
  IpAddress out;
  out.family = raw.size() == 4 ? IpFamily::v4 : IpFamily::v6;
  for (std::size_t i = 0; i < raw.size(); ++i) out.bytes[i] = raw[i];
  return out;
}

IpAddress IpAddress::unmapped() const {
  if (!is_v4_mapped()) return *this;
  return v4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

bool IpAddress::is_v4_mapped() const { return family == IpFamily::v6 && mapped(bytes); }

bool IpAddress::is_unspecified() const {
  const IpAddress a = unmapped();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a.bytes[i] != 0) return false;
  return true;
}

bool IpAddress::is_loopback() const {
  const IpAddress a = unmapped();
  if (a.family == IpFamily::v4) return a.bytes[0] == 127;
  for (int i = 0; i < 15; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[15] == 1;
}

bool IpAddress::is_private() const {
  const IpAddress a = unmapped();
  if (a.family == IpFamily::v6) return (a.bytes[0] & 0xfe) == 0xfc;
  return a.bytes[0] == 10 || (a.bytes[0] == 172 && (a.bytes[1] & 0xf0) == 16) || (a.bytes[0] == 192 && a.bytes[1] == 168);
}

bool IpAddress::is_link_local() const {
  const IpAddress a = unmapped();
  if (a.family == IpFamily::v6) return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
  return a.bytes[0] == 169 && a.bytes[1] == 254;
}

std::string IpAddress::to_string() const {
  if (family == IpFamily::v6) return format_v6(bytes);
  return std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." + std::to_string(bytes[2]) + "." +
         std::to_string(bytes[3]);
}

Result<IpAddress> parse_ipv4(std::string_view text) {
  IpAddress out;
  std::string_view rest = text;
  for (int octet = 0; octet < 4; ++octet) {
    const auto dot = rest.find('.');
    if ((octet < 3) == (dot == std::string_view::npos)) return bad_address(text, "expected four dot-separated numbers");
    const std::string_view digits = rest.substr(0, dot);
    if (digits.empty() || digits.size() > 3) return bad_address(text, "each part must have 1 to 3 digits");
    if (digits.size() > 1 && digits[0] == '0') return bad_address(text, "leading zeros are ambiguous (octal)");
    unsigned value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return bad_address(text, std::string("unexpected character '") + c + "'");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return bad_address(text, "a part is above 255");
    out.bytes[octet] = static_cast<std::uint8_t>(value);
    if (dot != std::string_view::npos) rest.remove_prefix(dot + 1);
  }
  return out;
}

Result<IpAddress> parse_ipv6(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return bad_address(text, "wrong length for IPv6");
  const auto gap = text.find("::");
  if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos)
    return bad_address(text, "more than one \"::\"");
  std::vector<std::uint16_t> head, tail;
  if (gap == std::string_view::npos) {
    ZM_CHECK(parse_groups(text, text, true, head));
    if (head.size() != 8) return bad_address(text, "needs 8 groups (or \"::\")");
  } else {
    ZM_CHECK(parse_groups(text, text.substr(0, gap), false, head));
    ZM_CHECK(parse_groups(text, text.substr(gap + 2), true, tail));
    if (head.size() + tail.size() > 7) return bad_address(text, "\"::\" must stand for at least one group");
  }
  IpAddress out;
  out.family = IpFamily::v6;
  std::size_t g = 0;
  for (auto v : head) {
    out.bytes[2 * g] = static_cast<std::uint8_t>(v >> 8);
    out.bytes[2 * g + 1] = static_cast<std::uint8_t>(v);
    ++g;
  }
  g = 8 - tail.size();
  for (auto v : tail) {
    out.bytes[2 * g] = static_cast<std::uint8_t>(v >> 8);
    out.bytes[2 * g + 1] = static_cast<std::uint8_t>(v);
    ++g;
  }
  return out;
}

Result<IpAddress> parse_ip_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
  return parse_ipv4(text);
}

bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix_bits) {
  if (a.family != b.family || prefix_bits > 8 * a.size()) return false;
  return masked(a, prefix_bits) == masked(b, prefix_bits);
}

IpAddress masked(const IpAddress& a, unsigned prefix_bits) {
  IpAddress out = a;
  for (std::size_t i = 0; i < out.bytes.size(); ++i) {
    const unsigned first_bit = static_cast<unsigned>(8 * i);
    if (prefix_bits >= first_bit + 8) continue;
    const unsigned keep = prefix_bits > first_bit ? prefix_bits - first_bit : 0;
    out.bytes[i] = static_cast<std::uint8_t>(out.bytes[i] & (0xff00u >> keep));
  }
  return out;
}

namespace {

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

std::string quoted(std::string_view text) { return "\"" + std::string(text.substr(0, 64)) + "\""; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "[...]" around an IPv6 literal: the literal, or an error naming what is wrong.
Result<std::string_view> strip_brackets(std::string_view text) {
  if (text.size() < 2 || text.back() != ']') return invalid("unclosed '[' in " + quoted(text));
  return text.substr(1, text.size() - 2);
}

Result<IpAddress> parse_literal_v6(std::string_view text) {
  if (text.find('%') != std::string_view::npos) return invalid("zone ids (\"%...\") are not supported: " + quoted(text));
  auto parsed = parse_ipv6(text);
  if (!parsed.ok()) return invalid(parsed.error().message);
  return parsed;
}

}  // namespace

std::string IpPrefix::to_string() const {
  const std::string address = network.to_string();
  return bits == 8 * network.size() ? address : address + "/" + std::to_string(bits);
}

Result<IpPrefix> parse_ip_prefix(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  const bool bracketed = !host.empty() && host.front() == '[';
  Result<IpAddress> address = invalid("");
  if (bracketed) {
    ZM_TRY(std::string_view inner, strip_brackets(host));
    address = parse_literal_v6(inner);
  } else {
    address = parse_ip_address(host);
  }
  if (!address.ok()) return invalid(address.error().message);
  const unsigned max_bits = static_cast<unsigned>(8 * address->size());
  unsigned bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const std::string range = " (a prefix length, 0.." + std::to_string(max_bits) + ")";
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), is_digit))
      return invalid("bad mask " + quoted(digits) + range);
    bits = static_cast<unsigned>(std::stoul(std::string(digits)));
    if (bits > max_bits) return invalid("mask " + std::to_string(bits) + " above " + std::to_string(max_bits) + range);
  }
  IpPrefix prefix{masked(*address, bits), bits};
  if (!(prefix.network == *address)) {
    const std::string network = prefix.network.to_string();
    return invalid("address has bits set beyond /" + std::to_string(bits) + "; did you mean " +
                   (bracketed ? "[" + network + "]" : network) + "/" + std::to_string(bits) + "?");
  }
  return prefix;
}

IpAddress network_key(const IpAddress& address, unsigned v4_bits, unsigned v6_bits) {
  const IpAddress a = address.unmapped();
  return masked(a, a.family == IpFamily::v4 ? v4_bits : v6_bits);
}

Result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit))
    return invalid("bad port " + quoted(text.substr(0, 16)) + " (1 to 5 digits)");
  const unsigned long port = std::stoul(std::string(text));
  if (port > 65535) return invalid("bad port " + quoted(text) + " (port " + std::to_string(port) + " above 65535)");
  return static_cast<std::uint16_t>(port);
}

bool is_valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostNameBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  std::string_view last = name;
  if (last.back() == '.') last.remove_suffix(1);  // a fully qualified "example.org."
  last = last.substr(last.rfind('.') == std::string_view::npos ? 0 : last.rfind('.') + 1);
  return last.empty() || !std::all_of(last.begin(), last.end(), is_digit);
}

std::string HostPort::to_string() const {
  if (port) return format_host_port(host, *port);
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  const std::string h(host);
  return (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

Result<HostPort> parse_host_port(std::string_view text, PortRule rule) {
  HostPort out;
  std::string_view host = text;
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return invalid("unclosed '[' in " + quoted(text));
    host = text.substr(0, close + 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalid("expected ':PORT' after ']' in " + quoted(text));
      port_text = rest.substr(1);
    }
    ZM_TRY(std::string_view inner, strip_brackets(host));
    ZM_TRY(IpAddress v6, parse_literal_v6(inner));
    out.host = std::string(inner);
    out.ip = v6;
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
    }
    if (host.find(':') != std::string_view::npos)
      return invalid("IPv6 addresses need brackets, e.g. [::1]:80, got " + quoted(text));
    if (host.empty()) return invalid("empty host in " + quoted(text));
    if (auto v4 = parse_ipv4(host); v4.ok()) {
      out.ip = *v4;
    } else if (!is_valid_host_name(host)) {
      // Text ending in a number is an attempt at an IPv4 literal: say why it is not one.
      return invalid(host.find_first_not_of("0123456789.") == std::string_view::npos ? v4.error().message
                                                                                     : "bad host name " + quoted(host));
    }
    out.host = std::string(host);
  }
  if (port_text) {
    ZM_TRY(out.port, parse_port(*port_text));
  } else if (rule == PortRule::required) {
    return invalid("expected HOST:PORT, got " + quoted(text));
  }
  return out;
}

}  // namespace zmesh
