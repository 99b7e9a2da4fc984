// Issue 11's "must show": 1,000 whole nodes (link handshakes, DHT with signed descriptors,
// onion relays) where 100 clients build 3-hop circuits and carry streams byte-exact, checked
// at both ends; and the same seed gives the same trace hash twice. Runs on the simulator-only
// crypto stand-ins (the protocol is unchanged; see simulated_crypto.hpp). About 2-3 CPU
// minutes per run since nodes close the links they no longer use, send their descriptor over
// each new link and join with one lookup (docs/simulator.md, "How 1,000 nodes fit").
#include <gtest/gtest.h>

#include "sim/whole_node_scenario.hpp"

namespace zmesh::sim {
namespace {

ScenarioOptions thousand() {
  ScenarioOptions o;
  o.nodes = 1000;
  o.clients = 100;
  o.seed = 11;
  o.request_bytes = 20'000;
  o.response_bytes = 60'000;
  o.simulated_crypto = true;
  return o;
}

void expect_every_stream_byte_exact(const ScenarioReport& r) {
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
  EXPECT_GE(r.services.descriptor_publishes, 1000u);
}

TEST(WholeNodesLarge, AThousandNodesAHundredClientsStreamsByteExactThroughThreeHopsTwiceWithOneTrace) {
  const ScenarioReport first = Scenario(thousand()).run();
  expect_every_stream_byte_exact(first);
  if (HasFatalFailure()) return;  // the replay would only double a failing run's minutes
  const ScenarioReport second = Scenario(thousand()).run();
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.sim, second.sim);
}

}  // namespace
}  // namespace zmesh::sim
