#include "dht/contact.hpp"

#include "util/net_address.hpp"

namespace zmesh::dht {
namespace {

// Strips a scheme ("tcp://", "wss://") and a path.
std::string_view strip_scheme(std::string_view address) {
  const auto scheme = address.find("://");
  if (scheme != std::string_view::npos) address.remove_prefix(scheme + 3);
  const auto slash = address.find('/');
  if (slash != std::string_view::npos) address = address.substr(0, slash);
  return address;
}

}  // namespace

std::string address_prefix(std::string_view address) {
  address = strip_scheme(address);
  const auto parsed = parse_host_port(address, PortRule::optional);
  if (!parsed.ok()) return "host:" + std::string(address);  // e.g. "signal:<id>"
  if (!parsed->ip) return "host:" + parsed->host;
  const IpAddress network = network_key(*parsed->ip, 24, 48);
  const ByteArray<16>& b = network.bytes;
  if (network.family == IpFamily::v4)
    return "v4:" + std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]);
  // The three leading groups, each followed by ':' ("2001:db8:1:"): the key's text form.
  static const char kHex[] = "0123456789abcdef";
  std::string out = "v6:";
  for (int group = 0; group < 3; ++group) {
    const unsigned value = static_cast<unsigned>(b[2 * group] << 8 | b[2 * group + 1]);
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (value >> shift) & 0xfu;
      if (nibble == 0 && !started && shift != 0) continue;
      out.push_back(kHex[nibble]);
      started = true;
    }
    out.push_back(':');
  }
  return out;
}

std::uint32_t address_prefix_key(std::string_view address) {
  std::uint32_t hash = 2166136261u;
  for (char c : address_prefix(address)) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace zmesh::dht
