// The heartbeat service (src/health) running on many simulated nodes: delivery under loss,
// failure detection within its bound, recovery after restart and after a partition heals,
// and determinism of whole runs.
#include <gtest/gtest.h>

#include "health/heartbeat.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace zmesh::sim {
namespace {

using health::HeartbeatConfig;
using health::HeartbeatService;

struct Mesh {
  Mesh(std::uint32_t nodes, std::uint32_t degree, std::uint64_t seed, LinkProfile link, HeartbeatConfig config = {})
      : sim(seed), config(config) {
    SeededRandom topology_random(seed ^ 0x70701097);
    graph = ring_with_chords(nodes, degree, topology_random);
    sim.set_default_link(link);
    sim.add_nodes(nodes, [this](const NodeContext& ctx) {
      const auto& adj = graph[ctx.index];
      return std::make_unique<HeartbeatService>(std::vector<PeerHandle>(adj.begin(), adj.end()), this->config, ctx.random);
    });
  }
  HeartbeatService& hb(NodeIndex n) { return *sim.core_as<HeartbeatService>(n); }

  Simulator sim;
  HeartbeatConfig config;
  Adjacency graph;
};

LinkProfile wan(double loss) {
  LinkProfile link;
  link.latency = 20 * kMillisecond;
  link.jitter = 10 * kMillisecond;
  link.loss = loss;
  return link;
}

TEST(HeartbeatMesh, ThousandNodesUnderLossSeeEveryNeighbourAlive) {
  const double loss = 0.02;
  Mesh mesh(1000, 8, 2024, wan(loss));
  mesh.sim.run_until(60 * kSecond);

  const SimStats& s = mesh.sim.stats();
  std::uint64_t pings = 0, pongs = 0, pongs_sent = 0, edges = 0;
  for (NodeIndex n = 0; n < 1000; ++n) {
    const auto& c = mesh.hb(n).counters();
    pings += c.pings_sent;
    pongs += c.pongs_received;
    pongs_sent += c.pongs_sent;
    edges += mesh.graph[n].size();
    EXPECT_EQ(c.malformed, 0u);
    EXPECT_EQ(mesh.hb(n).suspected_count(), 0u) << "node " << n;
    for (const auto& nb : mesh.hb(n).neighbours()) {
      // RTT = two one-way delays of 20..30 ms each.
      ASSERT_GE(nb.srtt_us(), 40 * kMillisecond) << n << "->" << nb.peer;
      ASSERT_LE(nb.srtt_us(), 60 * kMillisecond) << n << "->" << nb.peer;
    }
  }
  // Every node ticks once per second after a random phase: 59 or 60 rounds per neighbour.
  EXPECT_GE(pings, edges * 59);
  EXPECT_LE(pings, edges * 60);
  EXPECT_EQ(s.messages_sent, pings + pongs_sent);  // the service sends nothing else
  // Observed loss matches the profile: ~1.9M messages, so 0.2 percentage points is >10 sigma.
  const double observed = static_cast<double>(s.dropped_loss) / static_cast<double>(s.messages_sent);
  EXPECT_NEAR(observed, loss, 0.002);
  // Nothing else drops, and everything not lost is delivered or still in flight.
  EXPECT_EQ(s.dropped_total(), s.dropped_loss);
  EXPECT_LE(s.messages_sent - s.messages_delivered - s.dropped_loss, mesh.sim.pending_events());
  // A pong needs both the ping and itself to survive: (1 - loss)^2 of the pings.
  const double pong_rate = static_cast<double>(pongs) / static_cast<double>(pings);
  EXPECT_NEAR(pong_rate, (1 - loss) * (1 - loss), 0.003);
}

TEST(HeartbeatMesh, CrashedNodeIsSuspectedWithinTheBoundAndRecoversAfterRestart) {
  HeartbeatConfig config;  // 1 s interval, suspect after 3 silent intervals
  Mesh mesh(200, 6, 5, wan(0.01), config);
  const NodeIndex victim = 17;
  const TimeUs crash_at = 10 * kSecond;
  const DurationUs max_one_way = 30 * kMillisecond;
  const TimeUs bound = crash_at + max_one_way + (config.suspect_after_missed + 1) * config.interval;

  mesh.sim.run_until(crash_at);
  for (auto n : mesh.graph[victim]) ASSERT_FALSE(mesh.hb(n).is_suspected(victim));
  mesh.sim.crash(victim);
  // Not before the victim has been silent for (suspect_after_missed - 1) full intervals.
  mesh.sim.run_until(crash_at + (config.suspect_after_missed - 1) * config.interval);
  for (auto n : mesh.graph[victim]) EXPECT_FALSE(mesh.hb(n).is_suspected(victim)) << "early suspicion by " << n;
  mesh.sim.run_until(bound);
  for (auto n : mesh.graph[victim]) EXPECT_TRUE(mesh.hb(n).is_suspected(victim)) << "neighbour " << n;
  // No one else is suspected.
  for (NodeIndex n = 0; n < 200; ++n) {
    if (n == victim) continue;
    for (const auto& nb : mesh.hb(n).neighbours()) {
      if (nb.peer == victim) continue;
      EXPECT_FALSE(nb.suspected) << n << " suspects " << nb.peer;
    }
  }

  const TimeUs restart_at = 20 * kSecond;
  mesh.sim.run_until(restart_at);
  mesh.sim.restart(victim);
  // The restarted node pings within one interval; its neighbours hear it one delay later.
  mesh.sim.run_until(restart_at + config.interval + max_one_way + 1);
  for (auto n : mesh.graph[victim]) EXPECT_FALSE(mesh.hb(n).is_suspected(victim)) << "neighbour " << n;
  // Fresh state: one or two rounds since the restart, not the twenty before the crash.
  EXPECT_GE(mesh.hb(victim).counters().pings_sent, mesh.graph[victim].size());
  EXPECT_LE(mesh.hb(victim).counters().pings_sent, 2 * mesh.graph[victim].size());
  EXPECT_GT(mesh.sim.stats().dropped_node_down, 0u);
}

TEST(HeartbeatMesh, PartitionIsDetectedOnBothSidesAndHealRecovers) {
  HeartbeatConfig config;
  Mesh mesh(100, 6, 11, wan(0.0), config);
  std::vector<NodeIndex> left, right;
  for (NodeIndex n = 0; n < 100; ++n) (n < 50 ? left : right).push_back(n);
  auto side = [](NodeIndex n) { return n < 50; };

  mesh.sim.run_until(5 * kSecond);
  mesh.sim.partition({left, right});
  mesh.sim.run_for(30 * kMillisecond + (config.suspect_after_missed + 1) * config.interval);
  std::size_t cross_edges = 0;
  for (NodeIndex n = 0; n < 100; ++n) {
    for (const auto& nb : mesh.hb(n).neighbours()) {
      const bool across = side(n) != side(static_cast<NodeIndex>(nb.peer));
      cross_edges += across;
      EXPECT_EQ(nb.suspected, across) << n << " -> " << nb.peer;
    }
  }
  EXPECT_GT(cross_edges, 0u);
  EXPECT_GT(mesh.sim.stats().dropped_partition, 0u);

  mesh.sim.heal();
  mesh.sim.run_for(config.interval + 30 * kMillisecond + 1);
  for (NodeIndex n = 0; n < 100; ++n) EXPECT_EQ(mesh.hb(n).suspected_count(), 0u) << "node " << n;
}

TEST(HeartbeatMesh, GarbageIsCountedAndIgnored) {
  Mesh mesh(10, 4, 3, wan(0.0));
  mesh.sim.run_until(1 * kSecond);
  SeededRandom junk(99);
  for (int i = 0; i < 200; ++i) {
    Bytes b(junk.uniform(40));
    junk.fill(b);
    if (b.size() >= 2) b[0] = 7;  // not version 1: garbage for sure
    mesh.sim.send_raw(1, 0, b);
  }
  mesh.sim.run_until(10 * kSecond);
  EXPECT_EQ(mesh.hb(0).counters().malformed, 200u);
  EXPECT_EQ(mesh.hb(0).suspected_count(), 0u);
  EXPECT_GT(mesh.hb(0).counters().pongs_received, 0u);
}

TEST(HeartbeatMesh, WholeRunsAreReproducibleFromTheSeed) {
  auto run = [](std::uint64_t seed) {
    Mesh mesh(100, 6, seed, wan(0.05));
    mesh.sim.crash_at(3 * kSecond, 5);
    mesh.sim.restart_at(8 * kSecond, 5);
    mesh.sim.at(4 * kSecond, [](Simulator& s) { s.partition({{1, 2, 3}}); });
    mesh.sim.at(6 * kSecond, [](Simulator& s) { s.heal(); });
    mesh.sim.run_until(15 * kSecond);
    return std::make_pair(mesh.sim.trace_hash_hex(), mesh.sim.stats());
  };
  auto a = run(1234), b = run(1234), c = run(1235);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.first, c.first);
  EXPECT_NE(a.second, c.second);
}

// A fixed scenario's hash, pinned. Native and WebAssembly builds run this same test, so they
// must agree byte for byte: nothing in the simulator or the heartbeat may depend on the
// platform (hash-map order, pointer values, floating-point library calls). Update the value
// only for a deliberate change to event order, link model, seeding or the heartbeat format.
TEST(HeartbeatMesh, PinnedScenarioHasThePinnedTraceHash) {
  Mesh mesh(50, 6, 77, wan(0.03));
  mesh.sim.crash_at(2 * kSecond, 7);
  mesh.sim.restart_at(6 * kSecond, 7);
  mesh.sim.run_until(10 * kSecond);
  EXPECT_EQ(mesh.sim.trace_hash_hex(), "24319206aad634b454284763fa4760f3038760ba551893c0d058cc5d8c666c15");
}

}  // namespace
}  // namespace zmesh::sim
