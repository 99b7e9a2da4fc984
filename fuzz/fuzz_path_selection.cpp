// Path selection (src/node/path_selection.hpp) over descriptors whose addresses come from the
// input: each line is one relay, "<flags> <address>" where flags' first character picks the
// capabilities (bit 0 relay, bit 1 exit) and its second the bandwidth. Addresses are peer
// input (signed, but written by whoever runs the relay), so transport_ipv4 must never crash;
// and any path returned must keep the rules: the hop count asked for, distinct relays, never
// ourselves, an exit last, no two hops in one IPv4 /16.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "fuzz_check.hpp"
#include "node/path_selection.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::node;

constexpr UnixSeconds kNow = 1'750'000'000;

const OnionPublicKey& onion_key() {
  static const OnionPublicKey key = [] {
    SeededRandom random(1);
    return OnionKeyPair::generate(random, kNow - kHour).public_part();
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<NodeDescriptor> relays;
  while (!input.empty() && relays.size() < 64) {
    const std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (line.size() < 3) continue;
    NodeDescriptor d;
    d.node_id.bytes[0] = static_cast<std::uint8_t>(relays.size());
    d.capabilities = static_cast<std::uint8_t>(line[0]) & 3u;
    d.bandwidth_kib_per_s = static_cast<std::uint8_t>(line[1]) * 1000u;
    d.onion_keys = {onion_key()};
    d.addresses = {TransportAddress{TransportKind::tcp, std::string(line.substr(2))}};
    (void)transport_ipv4(d.addresses[0]);
    relays.push_back(std::move(d));
  }
  SeededRandom random(size);
  for (std::size_t hops = 1; hops <= 3; ++hops) {
    PathConstraints constraints;
    constraints.hops = hops;
    constraints.self.bytes[0] = 0;  // the first relay plays ourselves
    constraints.now = kNow;
    auto path = select_path(relays, constraints, random);
    if (!path.ok()) {
      FUZZ_CHECK(!path.error().message.empty());
      continue;
    }
    FUZZ_CHECK(path->size() == hops);
    FUZZ_CHECK((relays[path->back()].capabilities & capability::exit) != 0);
    std::set<std::size_t> distinct;
    std::set<std::uint16_t> networks;
    for (std::size_t i : *path) {
      FUZZ_CHECK(i < relays.size() && i != 0);
      FUZZ_CHECK(distinct.insert(i).second);
      for (std::uint16_t n : ipv4_slash16_networks(relays[i])) FUZZ_CHECK(networks.insert(n).second);
    }
  }
  return 0;
}
