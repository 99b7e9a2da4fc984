// The simulator's own guarantees: exact latency, jitter bounds, tie order, serialization
// delay and queue drops, loss rate, partitions, crashes and restarts.
#include <gtest/gtest.h>

#include "sim/scripted_core.hpp"
#include "sim/simulator.hpp"

namespace zmesh::sim {
namespace {

using testing::payload_of;
using testing::Receipt;
using testing::ScriptedCore;
using testing::ScriptedSend;

LinkProfile fixed_latency(DurationUs latency) {
  LinkProfile p;
  p.latency = latency;
  return p;
}

// Two nodes: node 0 runs `script`, node 1 logs what it gets.
struct Pair {
  explicit Pair(std::vector<ScriptedSend> script, std::uint64_t seed = 1) : sim(seed) {
    sim.add_node([script](const NodeContext&) { return std::make_unique<ScriptedCore>(script, nullptr); });
    sim.add_node([this](const NodeContext& ctx) {
      incarnations.push_back(ctx.incarnation);
      return std::make_unique<ScriptedCore>(std::vector<ScriptedSend>{}, &received);
    });
  }
  Simulator sim;
  std::vector<Receipt> received;
  std::vector<std::uint32_t> incarnations;
};

TEST(Simulator, MessageArrivesExactlyOneLatencyLater) {
  Pair p({{0, 1, payload_of(10)}, {5 * kMillisecond, 1, payload_of(20)}});
  p.sim.set_default_link(fixed_latency(37 * kMillisecond));
  p.sim.run_until(1 * kSecond);
  ASSERT_EQ(p.received.size(), 2u);
  EXPECT_EQ(p.received[0].at, 37 * kMillisecond);
  EXPECT_EQ(p.received[0].from, 0u);
  EXPECT_EQ(p.received[0].payload.size(), 10u);
  EXPECT_EQ(p.received[1].at, 42 * kMillisecond);
  EXPECT_EQ(p.sim.stats().messages_delivered, 2u);
  EXPECT_EQ(p.sim.stats().bytes_delivered, 30u);
  EXPECT_EQ(p.sim.now(), 1 * kSecond);
}

TEST(Simulator, PerLinkProfileOverridesTheDefault) {
  Pair p({{0, 1, payload_of(1)}});
  p.sim.set_default_link(fixed_latency(10 * kMillisecond));
  p.sim.set_link(0, 1, fixed_latency(250 * kMillisecond));
  p.sim.run_until(1 * kSecond);
  ASSERT_EQ(p.received.size(), 1u);
  EXPECT_EQ(p.received[0].at, 250 * kMillisecond);
}

TEST(Simulator, JitterStaysWithinItsBoundAndSpreads) {
  std::vector<ScriptedSend> script;
  for (int i = 0; i < 2000; ++i) script.push_back({0, 1, payload_of(4)});
  Pair p(script);
  LinkProfile link = fixed_latency(10 * kMillisecond);
  link.jitter = 5 * kMillisecond;
  p.sim.set_default_link(link);
  p.sim.run_until(1 * kSecond);
  ASSERT_EQ(p.received.size(), 2000u);
  TimeUs lo = kNever, hi = 0;
  for (const auto& r : p.received) {
    lo = std::min(lo, r.at);
    hi = std::max(hi, r.at);
  }
  EXPECT_GE(lo, 10 * kMillisecond);
  EXPECT_LE(hi, 15 * kMillisecond);
  EXPECT_LT(lo, 10 * kMillisecond + 100);  // 2000 draws cover the range
  EXPECT_GT(hi, 15 * kMillisecond - 100);
}

TEST(Simulator, SimultaneousMessagesArriveInSendOrder) {
  std::vector<ScriptedSend> script;
  for (int i = 0; i < 300; ++i) script.push_back({0, 1, Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)}});
  Pair p(script);
  p.sim.set_default_link(fixed_latency(1 * kMillisecond));
  p.sim.run_until(1 * kSecond);
  ASSERT_EQ(p.received.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(p.received[i].at, 1 * kMillisecond);
    EXPECT_EQ(p.received[i].payload, (Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)}));
  }
}

TEST(Simulator, SlowLinkSerializesABurst) {
  std::vector<ScriptedSend> script;
  for (int i = 0; i < 10; ++i) script.push_back({0, 1, payload_of(1000)});
  Pair p(script);
  LinkProfile link = fixed_latency(1 * kMillisecond);
  link.bandwidth_bytes_per_s = 10'000;  // 1000 bytes take 100 ms
  link.queue_limit_bytes = 1'000'000;
  p.sim.set_default_link(link);
  p.sim.run_until(5 * kSecond);
  ASSERT_EQ(p.received.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p.received[i].at, (i + 1) * 100 * kMillisecond + 1 * kMillisecond) << i;
  EXPECT_EQ(p.sim.stats().dropped_queue_full, 0u);
}

TEST(Simulator, QueueOverflowIsCountedAndTheQueueDrains) {
  std::vector<ScriptedSend> script;
  for (int i = 0; i < 10; ++i) script.push_back({0, 1, payload_of(1000)});
  script.push_back({2 * kSecond, 1, payload_of(1000)});  // after the queue has drained
  Pair p(script);
  LinkProfile link = fixed_latency(1 * kMillisecond);
  link.bandwidth_bytes_per_s = 10'000;
  link.queue_limit_bytes = 5000;  // room for five 1000-byte messages
  p.sim.set_default_link(link);
  p.sim.run_until(5 * kSecond);
  EXPECT_EQ(p.sim.stats().dropped_queue_full, 5u);
  ASSERT_EQ(p.received.size(), 6u);
  EXPECT_EQ(p.received[4].at, 501 * kMillisecond);
  EXPECT_EQ(p.received[5].at, 2 * kSecond + 101 * kMillisecond);
  EXPECT_EQ(p.sim.stats().messages_sent, 11u);
}

TEST(Simulator, LossRateMatchesTheProfile) {
  std::vector<ScriptedSend> script;
  const int n = 20000;
  for (int i = 0; i < n; ++i) script.push_back({i * 10, 1, payload_of(8)});
  Pair p(script, 42);
  LinkProfile link = fixed_latency(1 * kMillisecond);
  link.loss = 0.2;
  p.sim.set_default_link(link);
  p.sim.run_until(10 * kSecond);
  const auto& s = p.sim.stats();
  EXPECT_EQ(s.messages_sent, static_cast<std::uint64_t>(n));
  EXPECT_EQ(s.messages_delivered + s.dropped_loss, s.messages_sent);
  EXPECT_EQ(p.received.size(), s.messages_delivered);
  const double loss = static_cast<double>(s.dropped_loss) / n;
  EXPECT_NEAR(loss, 0.2, 0.015);  // about five standard deviations
}

TEST(Simulator, PartitionDropsCrossTrafficAndHealRestoresIt) {
  Simulator sim(3);
  std::vector<std::vector<Receipt>> logs(4);
  for (int i = 0; i < 4; ++i)
    sim.add_node([&logs, i](const NodeContext&) { return std::make_unique<ScriptedCore>(std::vector<ScriptedSend>{}, &logs[i]); });
  sim.set_default_link(fixed_latency(10 * kMillisecond));
  sim.run_until(1 * kMillisecond);
  sim.partition({{0, 1}, {2, 3}});
  EXPECT_TRUE(sim.can_reach(0, 1));
  EXPECT_FALSE(sim.can_reach(0, 2));
  sim.send_raw(0, 1, payload_of(1));
  sim.send_raw(0, 2, payload_of(1));
  sim.send_raw(3, 1, payload_of(1));
  sim.run_for(100 * kMillisecond);
  EXPECT_EQ(logs[1].size(), 1u);
  EXPECT_TRUE(logs[2].empty());
  EXPECT_EQ(sim.stats().dropped_partition, 2u);

  sim.heal();
  sim.send_raw(0, 2, payload_of(1));
  // A message in flight when the cut happens is lost on arrival.
  sim.send_raw(0, 3, payload_of(1));
  sim.at(sim.now() + 5 * kMillisecond, [](Simulator& s) { s.partition({{3}}); });
  sim.run_for(100 * kMillisecond);
  EXPECT_EQ(logs[2].size(), 1u);
  EXPECT_TRUE(logs[3].empty());
  EXPECT_EQ(sim.stats().dropped_partition, 3u);
}

TEST(Simulator, CrashDropsInFlightMessagesAndRestartBuildsAFreshCore) {
  Pair p({{0, 1, payload_of(3)}, {20 * kMillisecond, 1, payload_of(4)}});
  p.sim.set_default_link(fixed_latency(10 * kMillisecond));
  p.sim.crash_at(5 * kMillisecond, 1);
  p.sim.restart_at(6 * kMillisecond, 1);
  p.sim.run_until(1 * kSecond);
  // The first message was in flight across the crash; the second was sent to the new core.
  ASSERT_EQ(p.received.size(), 1u);
  EXPECT_EQ(p.received[0].at, 30 * kMillisecond);
  EXPECT_EQ(p.received[0].payload.size(), 4u);
  EXPECT_EQ(p.incarnations, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(p.sim.stats().dropped_node_down, 1u);
  EXPECT_EQ(p.sim.stats().crashes, 1u);
  EXPECT_EQ(p.sim.stats().restarts, 1u);
}

TEST(Simulator, MessagesToADownNodeOrNoNodeAreDropped) {
  Pair p({{10 * kMillisecond, 1, payload_of(1)}});
  p.sim.run_until(1 * kMillisecond);
  p.sim.crash(1);
  EXPECT_FALSE(p.sim.is_up(1));
  EXPECT_EQ(p.sim.core(1), nullptr);
  p.sim.send_raw(0, 99, payload_of(1));
  p.sim.run_until(1 * kSecond);
  EXPECT_TRUE(p.received.empty());
  EXPECT_EQ(p.sim.stats().dropped_node_down, 1u);
  EXPECT_EQ(p.sim.stats().dropped_no_route, 1u);
}

// A broken core that always wants a timeout "now" must not stall virtual time.
class SpinningCore final : public Core {
 public:
  void on_start(TimeUs) override {}
  void on_receive(TimeUs, PeerHandle, ByteView) override {}
  void on_timeout(TimeUs) override { ++timeouts; }
  TimeUs next_deadline() const override { return 0; }
  std::optional<Transmit> poll_transmit() override { return std::nullopt; }
  int timeouts = 0;
};

TEST(Simulator, ACoreThatAlwaysWantsATimeoutCannotStallTime) {
  Simulator sim(1);
  sim.add_node([](const NodeContext&) { return std::make_unique<SpinningCore>(); });
  sim.run_until(100);
  EXPECT_EQ(sim.core_as<SpinningCore>(0)->timeouts, 101);  // once per microsecond, 0..100
}

// A core commanded from outside its own events: what it queues waits for the driver.
class CommandedCore final : public Core {
 public:
  void on_start(TimeUs) override {}
  void on_receive(TimeUs now, PeerHandle from, ByteView) override { received.push_back({now, from}); }
  void on_timeout(TimeUs now) override {
    fired_at = now;
    deadline = kNever;
  }
  TimeUs next_deadline() const override { return deadline; }
  std::optional<Transmit> poll_transmit() override { return outbox.pop(); }
  Outbox outbox;
  TimeUs deadline = kNever;
  TimeUs fired_at = -1;
  std::vector<std::pair<TimeUs, PeerHandle>> received;
};

TEST(Simulator, AnActionThatCommandsACoreGetsItsMessagesSentAndTimerArmed) {
  Simulator sim(4);
  for (int i = 0; i < 2; ++i) sim.add_node([](const NodeContext&) { return std::make_unique<CommandedCore>(); });
  sim.set_default_link(fixed_latency(10 * kMillisecond));
  sim.at(5 * kMillisecond, [](Simulator& s) {
    auto* core = s.core_as<CommandedCore>(0);
    core->outbox.push(1, payload_of(2));
    core->deadline = s.now() + 50 * kMillisecond;
  });
  sim.run_until(1 * kSecond);
  // Sent when the action ran (no later event on node 0 was needed), and the timer was armed.
  ASSERT_EQ(sim.core_as<CommandedCore>(1)->received.size(), 1u);
  EXPECT_EQ(sim.core_as<CommandedCore>(1)->received[0], std::make_pair(TimeUs{15 * kMillisecond}, PeerHandle{0}));
  EXPECT_EQ(sim.core_as<CommandedCore>(0)->fired_at, 55 * kMillisecond);
}

TEST(Simulator, SameSeedSameTraceDifferentSeedDifferentTrace) {
  auto run = [](std::uint64_t seed) {
    Simulator sim(seed);
    LinkProfile link = fixed_latency(5 * kMillisecond);
    link.jitter = 3 * kMillisecond;
    link.loss = 0.1;
    sim.set_default_link(link);
    for (int i = 0; i < 20; ++i) {
      std::vector<ScriptedSend> script;
      for (int k = 0; k < 50; ++k) script.push_back({k * kMillisecond, static_cast<PeerHandle>((i + k) % 20), payload_of(k + 1, static_cast<std::uint8_t>(i))});
      sim.add_node([script](const NodeContext&) { return std::make_unique<ScriptedCore>(script, nullptr, true); });
    }
    sim.crash_at(20 * kMillisecond, 3);
    sim.restart_at(40 * kMillisecond, 3);
    sim.run_until(1 * kSecond);
    return std::make_pair(sim.trace_hash_hex(), sim.stats());
  };
  auto a = run(7), b = run(7), c = run(8);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.first, c.first);
  EXPECT_GT(a.second.messages_delivered, 0u);
  EXPECT_GT(a.second.dropped_loss, 0u);
}

}  // namespace
}  // namespace zmesh::sim
