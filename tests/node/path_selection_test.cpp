// Path selection (node/path_selection.hpp) and onion key rotation (node/onion_key_rotation.hpp):
// the rules a bug would quietly break, checked over many seeded draws.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "node/onion_key_rotation.hpp"
#include "node/path_selection.hpp"

namespace zmesh::node {
namespace {

constexpr UnixSeconds kNow = 1'750'000'000;

// Unsigned descriptors are enough: path selection trusts the directory to have verified them.
NodeDescriptor relay(std::uint8_t id, std::string address, std::uint32_t bandwidth, bool exit = false) {
  static SeededRandom random(1);
  static const OnionKeyPair key = OnionKeyPair::generate(random, kNow - kHour);
  NodeDescriptor d;
  d.node_id.bytes[0] = id;
  d.capabilities = capability::relay | (exit ? capability::exit : 0);
  d.bandwidth_kib_per_s = bandwidth;
  d.onion_keys = {key.public_part()};
  d.addresses = {TransportAddress{TransportKind::tcp, std::move(address)}};
  return d;
}

PathConstraints three_hops(std::uint8_t self = 0xff) {
  PathConstraints c;
  c.hops = 3;
  c.self.bytes[0] = self;
  c.now = kNow;
  return c;
}

TEST(PathSelection, ParsesIpv4FromTransportAddresses) {
  EXPECT_EQ(transport_ipv4({TransportKind::tcp, "192.0.2.7:4433"}), 0xC0000207u);
  EXPECT_EQ(transport_ipv4({TransportKind::ws, "ws://198.51.100.1:80/zmesh"}), 0xC6336401u);
  EXPECT_FALSE(transport_ipv4({TransportKind::tcp, "relay.example:4433"}));
  EXPECT_FALSE(transport_ipv4({TransportKind::tcp, "[2001:db8::1]:4433"}));
  EXPECT_FALSE(transport_ipv4({TransportKind::tcp, "256.0.0.1:1"}));
  EXPECT_FALSE(transport_ipv4({TransportKind::webrtc, "signal:abcd"}));
  EXPECT_TRUE(ipv4_slash16_networks(relay(1, "127.0.0.1:1", 1)).empty());  // loopback: no family
  EXPECT_EQ(ipv4_slash16_networks(relay(1, "10.1.2.3:1", 1)), std::vector<std::uint16_t>{0x0A01});
}

TEST(PathSelection, DistinctRelaysNeverSelfExitLastAndNoSharedSlash16) {
  std::vector<NodeDescriptor> relays = {
      relay(1, "10.1.0.1:1", 100),       relay(2, "10.1.200.9:1", 100),  // same /16 as 1
      relay(3, "10.2.0.1:1", 100),       relay(4, "10.3.0.1:1", 100, true),
      relay(5, "10.1.5.5:1", 100, true),  // exit sharing 1's /16
      relay(0xff, "10.9.0.1:1", 100000, true),  // ourselves: never chosen, however heavy
  };
  SeededRandom random(42);
  for (int draw = 0; draw < 2000; ++draw) {
    auto path = select_path(relays, three_hops(), random);
    ASSERT_TRUE(path.ok()) << path.error().describe();
    ASSERT_EQ(path->size(), 3u);
    std::set<std::size_t> distinct(path->begin(), path->end());
    EXPECT_EQ(distinct.size(), 3u);
    EXPECT_TRUE(relays[path->back()].has(capability::exit));
    std::set<std::uint16_t> networks;
    for (std::size_t i : *path) {
      EXPECT_NE(relays[i].node_id.bytes[0], 0xff);
      for (std::uint16_t n : ipv4_slash16_networks(relays[i])) EXPECT_TRUE(networks.insert(n).second) << "shared /16";
    }
  }
}

TEST(PathSelection, LoopbackRelaysMakeALocalMesh) {
  std::vector<NodeDescriptor> relays = {relay(1, "127.0.0.1:4001", 1), relay(2, "127.0.0.1:4002", 1),
                                        relay(3, "127.0.0.1:4003", 1, true)};
  SeededRandom random(3);
  auto path = select_path(relays, three_hops(), random);
  ASSERT_TRUE(path.ok()) << path.error().describe();
  EXPECT_EQ(path->back(), 2u);
}

TEST(PathSelection, RefusesWhatCannotBeSatisfied) {
  SeededRandom random(4);
  std::vector<NodeDescriptor> no_exit = {relay(1, "10.1.0.1:1", 1), relay(2, "10.2.0.1:1", 1), relay(3, "10.3.0.1:1", 1)};
  EXPECT_EQ(select_path(no_exit, three_hops(), random).error().code, Errc::not_found);
  std::vector<NodeDescriptor> one_network = {relay(1, "10.1.0.1:1", 1), relay(2, "10.1.0.2:1", 1),
                                             relay(3, "10.1.0.3:1", 1, true)};
  auto crowded = select_path(one_network, three_hops(), random);
  ASSERT_FALSE(crowded.ok());
  EXPECT_NE(crowded.error().message.find("/16"), std::string::npos);
  PathConstraints bad = three_hops();
  bad.hops = 4;
  EXPECT_EQ(select_path(no_exit, bad, random).error().code, Errc::invalid_argument);
  // An expired onion key takes the relay out.
  std::vector<NodeDescriptor> stale = {relay(1, "10.1.0.1:1", 1, true)};
  PathConstraints later = three_hops();
  later.hops = 1;
  later.now = kNow + 30 * kDay;
  EXPECT_EQ(select_path(stale, later, random).error().code, Errc::not_found);
}

TEST(PathSelection, WeightsByAdvertisedBandwidth) {
  // Three exits with 1 : 3 : 6 bandwidth, one-hop paths: the draws follow the weights.
  std::vector<NodeDescriptor> exits = {relay(1, "10.1.0.1:1", 1000, true), relay(2, "10.2.0.1:1", 3000, true),
                                       relay(3, "10.3.0.1:1", 6000, true)};
  PathConstraints one = three_hops();
  one.hops = 1;
  SeededRandom random(99);
  std::map<std::size_t, int> counts;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) ++counts[select_path(exits, one, random)->front()];
  EXPECT_NEAR(counts[0] / double(kDraws), 0.1, 0.015);
  EXPECT_NEAR(counts[1] / double(kDraws), 0.3, 0.02);
  EXPECT_NEAR(counts[2] / double(kDraws), 0.6, 0.02);
  // A huge self-reported figure is capped.
  exits[0].bandwidth_kib_per_s = 0xffffffffu;
  counts.clear();
  for (int i = 0; i < kDraws; ++i) ++counts[select_path(exits, one, random)->front()];
  EXPECT_NEAR(counts[0] / double(kDraws), double(kMaxPathWeightKibPerS) / (kMaxPathWeightKibPerS + 9000), 0.01);
  // No figure (0, older descriptors) weighs like the default a node advertises, not like 1.
  exits = {relay(1, "10.1.0.1:1", 0, true), relay(2, "10.2.0.1:1", kDefaultBandwidthKibPerS, true)};
  counts.clear();
  for (int i = 0; i < kDraws; ++i) ++counts[select_path(exits, one, random)->front()];
  EXPECT_NEAR(counts[0] / double(kDraws), 0.5, 0.02);
}

TEST(OnionKeyRotation, GeneratesBeforeTheEndAndRetiresAfterGrace) {
  SeededRandom random(8);
  OnionKeyRotationConfig config;  // 7-day keys, 1 day lead, 10 minutes grace
  std::vector<OnionKeyPair> keys;
  keys.push_back(OnionKeyPair::generate(random, kNow, config.lifetime));
  EXPECT_FALSE(plan_onion_key_rotation(keys, kNow, config).any());
  const UnixSeconds lead_point = kNow + config.lifetime - config.lead;
  EXPECT_EQ(next_onion_key_rotation(keys, config), lead_point);
  EXPECT_FALSE(plan_onion_key_rotation(keys, lead_point - 1, config).generate);
  EXPECT_TRUE(plan_onion_key_rotation(keys, lead_point, config).generate);
  keys.push_back(OnionKeyPair::generate(random, lead_point, config.lifetime));
  EXPECT_FALSE(plan_onion_key_rotation(keys, lead_point, config).any());
  // The old key stays through its grace, then goes.
  const UnixSeconds old_end = keys[0].valid_until;
  EXPECT_EQ(next_onion_key_rotation(keys, config), old_end + config.grace);
  EXPECT_TRUE(plan_onion_key_rotation(keys, old_end + config.grace - 1, config).retire.empty());
  const auto plan = plan_onion_key_rotation(keys, old_end + config.grace, config);
  ASSERT_EQ(plan.retire.size(), 1u);
  EXPECT_EQ(plan.retire[0], keys[0].id());
  EXPECT_FALSE(plan.generate);
  EXPECT_TRUE(plan_onion_key_rotation({}, kNow, config).generate);
}

}  // namespace
}  // namespace zmesh::node
