// Whole nodes in the simulator: NodeCore with real link handshakes, the DHT, the onion service
// and the stream workload over simulated connections (src/sim/node_simulator.hpp).
#include <gtest/gtest.h>

#include "sim/node_simulator.hpp"
#include "sim/sim_clock.hpp"
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


// --- the transports, on two nodes: node 1 has node 0 as its configured peer ---

struct Pair {
  WholeNodeConfig config;
  NodeSimulator sim;
  explicit Pair(const LinkProfile& link, std::uint64_t seed = 3) : sim(seed) {
    sim.set_default_link(link);
    sim.add_node(config, {});
    sim.add_node(config, {0});
  }
  bool linked() {
    WholeNode* a = sim.node(0);
    WholeNode* b = sim.node(1);
    return a && b && a->core().is_up(b->id()) && b->core().is_up(a->id());
  }
  // Sends `count` pings of growing sizes from node 1 to node 0; the number that came back intact.
  std::size_t pings(std::size_t count) {
    node::PingService& ping = sim.node(1)->ping();
    const NodeId peer = sim.node(0)->id();
    for (std::size_t i = 0; i < count; ++i) {
      Bytes payload(100 + 97 * i, static_cast<std::uint8_t>(i));
      EXPECT_TRUE(ping.ping(sim::node_time(sim.now()), peer, payload).ok());
    }
    sim.at(sim.now(), [](NodeSimulator& s) { (void)s.node(1); });  // drains what the pings queued
    sim.run_for(20 * kSecond);
    std::size_t ok = 0;
    while (auto result = ping.poll_result()) ok += result->status == node::PingStatus::ok;
    return ok;
  }
};

TEST(WholeNodeTransport, JitterAndLossNeverReorderOrLoseAConnectionsMessages) {
  // The link layer authenticates every cell with a counter nonce: one reordered or lost
  // message would fail the link. 40 ms of jitter on 10 ms latency and 30 % loss must do neither.
  Pair pair({.latency = 10 * kMillisecond, .jitter = 40 * kMillisecond, .loss = 0.3});
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 30 * kSecond));
  EXPECT_EQ(pair.pings(60), 60u);
  EXPECT_GT(pair.sim.stats().retransmissions, 10u);
  EXPECT_EQ(pair.sim.node(0)->core().counters().links_failed, 0u);
  EXPECT_EQ(pair.sim.node(1)->core().counters().links_failed, 0u);
}

TEST(WholeNodeTransport, ACrashedNodesPeerSeesItsConnectionClose) {
  Pair pair({.latency = 10 * kMillisecond});
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 10 * kSecond));
  EXPECT_EQ(pair.sim.open_connections(), 1u);
  pair.sim.crash(0);
  pair.sim.run_for(15 * kMillisecond);  // one latency: the kernel's FIN
  EXPECT_EQ(pair.sim.node(1)->core().peer_count(), 0u);
  EXPECT_EQ(pair.sim.open_connections(), 0u);
  // Node 1 keeps dialling its configured peer: each attempt fails after the dial timeout
  // while node 0 is down, and the link comes back once it restarts with the same identity.
  pair.sim.run_for(30 * kSecond);
  EXPECT_GE(pair.sim.stats().dials_failed, 1u);
  const NodeId before = pair.sim.node_id(0);
  pair.sim.restart(0);
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 120 * kSecond));
  EXPECT_EQ(pair.sim.node_id(0), before);
}

TEST(WholeNodeTransport, APartitionStallsConnectionsAndBreaksThemOnlyAfterTheTransportTimeout) {
  Pair pair({.latency = 10 * kMillisecond});
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 10 * kSecond));
  pair.sim.partition({{0}});
  EXPECT_FALSE(pair.sim.can_reach(0, 1));
  node::PingService& ping = pair.sim.node(1)->ping();
  ASSERT_TRUE(ping.ping(sim::node_time(pair.sim.now()), pair.sim.node(0)->id(), Bytes(500, 7)).ok());
  pair.sim.at(pair.sim.now(), [](NodeSimulator& s) { (void)s.node(1); });
  pair.sim.run_for(5 * kSecond);
  EXPECT_FALSE(ping.poll_result().has_value());  // held at the cut, not lost
  EXPECT_GT(pair.sim.stats().messages_stalled, 0u);
  pair.sim.heal();
  pair.sim.run_for(1 * kSecond);
  auto result = ping.poll_result();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, node::PingStatus::ok);  // delivered after the heal, intact
  EXPECT_EQ(pair.sim.stats().connections_broken, 0u);
  EXPECT_TRUE(pair.linked());

  pair.sim.partition({{0}});  // this time longer than the transport timeout (30 s)
  pair.sim.run_for(31 * kSecond);
  EXPECT_EQ(pair.sim.stats().connections_broken, 1u);
  EXPECT_EQ(pair.sim.open_connections(), 0u);
  pair.sim.heal();
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 120 * kSecond));  // redialled
}

TEST(WholeNodeTransport, AFrozenNodeReceivesNothingUntilThawed) {
  Pair pair({.latency = 10 * kMillisecond});
  ASSERT_TRUE(pair.sim.run_until_true([&] { return pair.linked(); }, 10 * kSecond));
  pair.sim.freeze(0);
  node::PingService& ping = pair.sim.node(1)->ping();
  ASSERT_TRUE(ping.ping(sim::node_time(pair.sim.now()), pair.sim.node(0)->id(), Bytes(64, 1)).ok());
  pair.sim.at(pair.sim.now(), [](NodeSimulator& s) { (void)s.node(1); });
  pair.sim.run_for(2 * kSecond);
  EXPECT_EQ(pair.sim.node(0)->ping().counters().requests_answered, 0u);
  EXPECT_EQ(pair.sim.open_connections(), 1u);  // a hung process keeps its sockets
  pair.sim.thaw(0);
  pair.sim.run_for(1 * kSecond);
  EXPECT_EQ(pair.sim.node(0)->ping().counters().requests_answered, 1u);
}

// --- faults in a mesh ---

TEST(WholeNodes, StreamsCompleteAfterACircuitRelayCrashesAndAPartitionHeals) {
  ScenarioOptions o = small(2);
  Scenario scenario(o);
  NodeSimulator& sim = scenario.sim();
  // Before the clients' streams: cut a third of the relays off for 10 s (under the transport
  // timeout: connections stall, none breaks), then crash a relay that carries a client circuit.
  const TimeUs t0 = scenario.clients_start() - 20 * kSecond;
  std::vector<NodeIndex> cut;
  for (NodeIndex i = 1; i < o.nodes; i += 3)
    if (!scenario.is_client(i)) cut.push_back(i);
  sim.at(t0, [cut](NodeSimulator& s) { s.partition({cut}); });
  sim.at(t0 + 10 * kSecond, [](NodeSimulator& s) { s.heal(); });
  NodeIndex victim = 0;
  sim.at(t0 + 15 * kSecond, [&](NodeSimulator& s) {
    for (NodeIndex i = 1; i < o.nodes && victim == 0; ++i) {
      WholeNode* n = s.node(i);
      if (n && !scenario.is_client(i) && n->onion().status().circuits_middle > 0) victim = i;
    }
    if (victim != 0) s.crash(victim);
  });
  const ScenarioReport r = scenario.run();
  ASSERT_NE(victim, 0u) << "no relay carried a client circuit";
  EXPECT_FALSE(sim.is_up(victim));
  EXPECT_EQ(r.sim.crashes, 1u);
  EXPECT_GT(r.sim.messages_stalled, 0u);
  EXPECT_EQ(r.sim.connections_broken, 0u);
  ASSERT_TRUE(r.finished) << describe(r);
  EXPECT_EQ(r.tally.streams.completed, r.streams_planned) << describe(r);
  EXPECT_EQ(r.tally.streams.corrupted, 0u);
}

// --- determinism ---

ScenarioOptions tiny(std::uint64_t seed) {
  ScenarioOptions o;
  o.nodes = 20;
  o.clients = 2;
  o.exits = 3;
  o.seed = seed;
  o.settle = 15 * kSecond;
  o.link.jitter = 8 * kMillisecond;
  o.link.loss = 0.02;
  return o;
}

TEST(WholeNodes, TheSameSeedGivesTheSameTraceHashAndADifferentSeedAnother) {
  const ScenarioReport first = Scenario(tiny(7)).run();
  const ScenarioReport second = Scenario(tiny(7)).run();
  const ScenarioReport other = Scenario(tiny(8)).run();
  ASSERT_TRUE(first.finished) << describe(first);
  EXPECT_EQ(first.tally.streams.completed, 2u) << describe(first);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.sim, second.sim);
  EXPECT_EQ(first.virtual_end, second.virtual_end);
  EXPECT_NE(first.trace_hash, other.trace_hash);
}

}  // namespace
}  // namespace zmesh::sim

namespace zmesh::sim {
namespace {

// The simulator-only crypto stand-ins run the same protocol: streams still complete byte-exact,
// runs still replay, and the trace differs from real crypto (other key and signature bytes).
TEST(WholeNodes, SimulatedCryptoCarriesStreamsAndReplays) {
  ScenarioOptions o = tiny(7);
  o.simulated_crypto = true;
  const ScenarioReport first = Scenario(o).run();
  const ScenarioReport second = Scenario(o).run();
  ASSERT_TRUE(first.finished) << describe(first);
  EXPECT_EQ(first.tally.streams.completed, 2u) << describe(first);
  EXPECT_EQ(first.tally.streams.corrupted, 0u);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_NE(first.trace_hash, Scenario(tiny(7)).run().trace_hash);
  EXPECT_FALSE(crypto::SimulatedCryptoForSimulatorOnly::active());  // the scenario's scope ended with it
}

}  // namespace
}  // namespace zmesh::sim
