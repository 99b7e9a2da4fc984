// Whole nodes in the simulator: NodeCore with real link handshakes, the DHT, the onion service
// and the stream workload over simulated connections (src/sim/node_simulator.hpp).
#include <gtest/gtest.h>

#include "sim/whole_node_scenario.hpp"

namespace zmesh::sim {
namespace {

ScenarioOptions small(std::uint64_t seed) {
  ScenarioOptions o;
  o.nodes = 50;
  o.clients = 5;
  o.exits = 5;
  o.seed = seed;
  o.streams_per_client = 2;
  o.request_bytes = 30'000;
  o.response_bytes = 70'000;
  o.duration = 5 * 60 * kSecond;
  return o;
}

std::string describe(const ScenarioReport& r) {
  return "streams " + std::to_string(r.tally.streams.completed) + "/" + std::to_string(r.streams_planned) +
         " failed " + std::to_string(r.tally.streams.failed) + " (" + r.tally.streams.last_failure + ") lookups " +
         std::to_string(r.tally.lookups_ok) + "/" + std::to_string(r.lookups_planned) + " joined " +
         std::to_string(r.nodes_joined) + "/" + std::to_string(r.nodes_up) + " circuits " +
         std::to_string(r.services.circuits_built) + " events " + std::to_string(r.sim.events);
}

TEST(WholeNodes, FiftyNodesCarryStreamsByteExactThroughThreeHops) {
  Scenario scenario(small(1));
  const ScenarioReport r = scenario.run();
  ASSERT_TRUE(r.finished) << describe(r);
  EXPECT_EQ(r.nodes_joined, 50u) << describe(r);
  EXPECT_EQ(r.tally.streams.completed, 10u) << describe(r);
  EXPECT_EQ(r.tally.streams.failed, 0u) << describe(r);
  EXPECT_EQ(r.tally.streams.corrupted, 0u);
  EXPECT_EQ(r.tally.streams.bytes_sent, 10u * 30'000);
  EXPECT_EQ(r.tally.streams.bytes_received, 10u * 70'000);
  EXPECT_EQ(r.tally.streams.served, 10u);  // the exits saw every request intact
  EXPECT_EQ(r.tally.lookups_ok, 10u) << describe(r);
  EXPECT_GE(r.services.circuits_built, 5u);
}

}  // namespace
}  // namespace zmesh::sim
