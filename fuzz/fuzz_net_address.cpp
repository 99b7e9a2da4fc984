// The net-address parsers (src/util/net_address.hpp) on arbitrary text: they never crash, and
// what parses prints to text that parses back to the same value (an IP literal to its RFC 5952
// form and back, a HostPort through to_string(), a prefix through to_string()). Classification
// of a mapped address equals that of the IPv4 address it carries.
// Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes a few typical addresses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "seed_writer.hpp"
#include "util/net_address.hpp"

namespace {

using namespace zmesh;

void write_address_seeds(const char* dir) {
  const char* seeds[][2] = {
      {"v4_port", "192.0.2.7:4433"},   {"v6_port", "[2001:db8::1]:443"}, {"name_port", "relay.example:80"},
      {"mapped", "[::ffff:127.0.0.1]:1"}, {"prefix_v4", "10.0.0.0/8"},   {"prefix_v6", "[2001:db8::]/32"},
      {"zone", "[fe80::1%eth0]:80"},
  };
  for (const auto& [name, text] : seeds) fuzz::write_seed(dir, name, as_bytes(text));
}

void check_ip(const IpAddress& a) {
  auto again = parse_ip_address(a.to_string());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == a);
  FUZZ_CHECK(again->to_string() == a.to_string());
  if (a.is_v4_mapped()) {
    const IpAddress v4 = a.unmapped();
    FUZZ_CHECK(v4.family == IpFamily::v4);
    FUZZ_CHECK(a.is_loopback() == v4.is_loopback() && a.is_private() == v4.is_private());
    FUZZ_CHECK(a.is_unspecified() == v4.is_unspecified() && a.is_link_local() == v4.is_link_local());
  }
  for (unsigned bits : {0u, 16u, 24u, 32u, 48u, 128u}) {
    const IpAddress key = network_key(a, bits, bits);
    FUZZ_CHECK(network_key(key, bits, bits) == key);  // idempotent
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_address_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto a = parse_ip_address(text); a.ok()) check_ip(*a);
  for (PortRule rule : {PortRule::required, PortRule::optional}) {
    auto hp = parse_host_port(text, rule);
    if (!hp.ok()) {
      FUZZ_CHECK(!hp.error().message.empty());
      continue;
    }
    FUZZ_CHECK(rule == PortRule::optional || hp->port.has_value());
    FUZZ_CHECK(hp->ip.has_value() || is_valid_host_name(hp->host));
    if (hp->ip) check_ip(*hp->ip);
    auto again = parse_host_port(hp->to_string(), rule);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->host == hp->host && again->ip == hp->ip && again->port == hp->port);
  }
  if (auto prefix = parse_ip_prefix(text); prefix.ok()) {
    FUZZ_CHECK(masked(prefix->network, prefix->bits) == prefix->network);
    FUZZ_CHECK(prefix->contains(prefix->network));
    auto again = parse_ip_prefix(prefix->to_string());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *prefix);
  }
  return 0;
}
