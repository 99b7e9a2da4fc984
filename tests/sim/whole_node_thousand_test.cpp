// Issue 11's "must show": 1,000 whole nodes (link handshakes, DHT with signed descriptors,
// onion relays) where 100 clients build 3-hop circuits and carry streams byte-exact, checked
// at both ends; and the same seed gives the same trace hash. Its own binary and the ctest
// label `sim_large` (minutes of CPU, mostly ML-DSA in link handshakes): docs/simulator.md.
#include <gtest/gtest.h>

#include "sim/whole_node_scenario.hpp"

namespace zmesh::sim {
namespace {

TEST(WholeNodesLarge, AThousandNodesAHundredClientsStreamsByteExactThroughThreeHops) {
  ScenarioOptions o;
  o.nodes = 1000;
  o.clients = 100;
  o.seed = 11;
  o.request_bytes = 20'000;
  o.response_bytes = 60'000;
  Scenario scenario(o);
  const ScenarioReport r = scenario.run();
  ASSERT_TRUE(r.finished) << r.tally.streams.completed << "/" << r.streams_planned << " " << r.tally.streams.last_failure;
  EXPECT_EQ(r.nodes_joined, 1000u);
  EXPECT_EQ(r.tally.streams.opened, 100u);
  EXPECT_EQ(r.tally.streams.completed, 100u) << r.tally.streams.last_failure;
  EXPECT_EQ(r.tally.streams.failed, 0u);
  EXPECT_EQ(r.tally.streams.corrupted, 0u);
  EXPECT_EQ(r.tally.streams.served, 100u);  // every request arrived intact at its exit
  EXPECT_EQ(r.tally.streams.bytes_sent, 100u * 20'000);
  EXPECT_EQ(r.tally.streams.bytes_received, 100u * 60'000);
  EXPECT_GE(r.services.circuits_built, 100u);
  EXPECT_EQ(r.tally.lookups_ok, 200u);
  EXPECT_EQ(r.services.descriptor_publishes >= 1000u, true);
}

}  // namespace
}  // namespace zmesh::sim
