// The health service (heartbeats on channel 5): its rules against a scripted host, and two
// NodeCores over MemNet measuring their RTT, suspecting a frozen peer within a bound,
// shrugging off garbage, and forgetting a peer that went down.
#include <gtest/gtest.h>

#include <cstdio>

#include "health/heartbeat_message.hpp"
#include "node/health_service.hpp"
#include "node/link_manager.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node {
namespace {

using health::HeartbeatMessage;
using health::HeartbeatType;

// Records sends and log lines; every peer is up.
class ScriptedHost final : public ServiceHost {
 public:
  struct Sent {
    NodeId to;
    HeartbeatMessage message;
  };
  std::vector<Sent> sent;
  std::vector<std::pair<log::Level, std::string>> lines;
  bool refuse_sends = false;
  NodeId self;

  Status send(Now, const NodeId& peer, link::Channel channel, ByteView message) override {
    EXPECT_EQ(channel, kChannelHealth);
    if (refuse_sends) return make_error(Errc::limit_exceeded, "link send queue full");
    auto decoded = health::decode_heartbeat(message);
    EXPECT_TRUE(decoded.ok());
    sent.push_back({peer, decoded.value()});
    return {};
  }
  Result<bool> connect(Now, const NodeId&, std::string_view) override { return false; }
  bool is_up(const NodeId&) const override { return true; }
  LinkManager& links() override { return links_; }
  const NodeId& self_id() const override { return self; }
  void log(log::Level level, std::string text) override { lines.emplace_back(level, std::move(text)); }
  std::vector<Sent> take() { return std::exchange(sent, {}); }

 private:
  LinkManager links_{*this};  // every peer is up here: sends go straight to send()
};

NodeId node_id(std::uint8_t b) {
  NodeId id;
  id.bytes.fill(b);
  return id;
}

PeerInfo info(const NodeId& id) { return PeerInfo{id, "mem", Direction::outbound, "x"}; }

Bytes pong_for(const HeartbeatMessage& ping) { return health::encode(HeartbeatMessage{HeartbeatType::pong, ping.sequence, ping.sent_at}); }

struct Scripted {
  Scripted() : service(random) { service.on_attach(host); }
  // Runs the next round; returns its pings.
  std::vector<ScriptedHost::Sent> round() {
    now = service.next_deadline();
    service.on_timeout(test::at(now));
    return host.take();
  }
  SeededRandom random{7};
  ScriptedHost host;
  HealthService service;
  TimeUs now = 0;
};

TEST(HealthService, OneTimerForAllPeersAtARandomPhaseAndNoneWhenAlone) {
  Scripted s;
  EXPECT_EQ(s.service.next_deadline(), kNever);
  s.service.on_peer_up(test::at(10 * kSecond), info(node_id(1)));
  const TimeUs first = s.service.next_deadline();
  EXPECT_GE(first, 10 * kSecond);
  EXPECT_LT(first, 11 * kSecond);
  s.service.on_peer_up(test::at(10 * kSecond + 5), info(node_id(2)));
  s.service.on_peer_up(test::at(10 * kSecond + 9), info(node_id(3)));
  EXPECT_EQ(s.service.next_deadline(), first) << "later peers join the same round";
  s.service.on_timeout(test::at(first - 1));
  EXPECT_TRUE(s.host.sent.empty()) << "early wake-up: nothing";
  const auto pings = s.round();
  ASSERT_EQ(pings.size(), 3u);
  for (const auto& p : pings) {
    EXPECT_EQ(p.message.type, HeartbeatType::ping);
    EXPECT_EQ(p.message.sequence, 1u);
    EXPECT_EQ(p.message.sent_at, first);
  }
  EXPECT_EQ(s.service.next_deadline(), first + kSecond);
  // A driver late by 3.5 intervals gets one round, not a burst of four.
  s.service.on_timeout(test::at(first + 4500 * kMillisecond));
  EXPECT_EQ(s.host.take().size(), 3u);
  EXPECT_EQ(s.service.next_deadline(), first + 5500 * kMillisecond);
  for (std::uint8_t b : {1, 2, 3}) s.service.on_peer_down(test::at(s.now), node_id(b));
  EXPECT_EQ(s.service.next_deadline(), kNever);
  EXPECT_EQ(s.service.counters().rounds, 2u);
}

TEST(HealthService, AnswersPingsAndAcceptsOnlyFreshExactEchoes) {
  Scripted s;
  const NodeId peer = node_id(1);
  // Anyone up may ask, tracked or not: the pong echoes the ping.
  s.service.on_message(test::at(5), node_id(9), health::encode(HeartbeatMessage{HeartbeatType::ping, 41, 77}));
  auto sent = s.host.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, node_id(9));
  EXPECT_EQ(sent[0].message, (HeartbeatMessage{HeartbeatType::pong, 41, 77}));

  s.service.on_peer_up(test::at(0), info(peer));
  const auto ping = s.round()[0].message;
  const TimeUs t = s.now;
  // Forged time, unknown round, from an untracked peer: not accepted.
  s.service.on_message(test::at(t + 1), peer, health::encode(HeartbeatMessage{HeartbeatType::pong, ping.sequence, ping.sent_at - 1}));
  s.service.on_message(test::at(t + 1), peer, health::encode(HeartbeatMessage{HeartbeatType::pong, ping.sequence + 1, ping.sent_at}));
  s.service.on_message(test::at(t + 1), node_id(9), pong_for(ping));
  EXPECT_EQ(s.service.counters().stale_pongs, 2u);
  EXPECT_EQ(s.service.counters().from_untracked, 1u);
  EXPECT_EQ(s.service.peer(t, peer)->heartbeats, 0u);
  // The true echo: an RTT sample. A duplicate of it: stale.
  s.service.on_message(test::at(t + 12 * kMillisecond), peer, pong_for(ping));
  s.service.on_message(test::at(t + 13 * kMillisecond), peer, pong_for(ping));
  EXPECT_EQ(s.service.counters().pongs_received, 1u);
  EXPECT_EQ(s.service.counters().stale_pongs, 3u);
  auto h = s.service.peer(t + 13 * kMillisecond, peer);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rtt_us, 12 * kMillisecond);
  EXPECT_EQ(h->srtt_us, 12 * kMillisecond);
  EXPECT_EQ(h->jitter_us, 6 * kMillisecond);  // RFC 6298 §2.2: R/2
  EXPECT_EQ(h->heartbeats, 1u);
  EXPECT_EQ(h->silent_us, 1 * kMillisecond);
  // A pong for a round older than the rounds remembered is stale, even if never answered.
  const auto old_ping = ping;
  for (std::size_t i = 0; i < kHealthRoundsRemembered; ++i) s.round();
  s.service.on_message(test::at(s.now + 1), peer, pong_for(old_ping));
  EXPECT_EQ(s.service.counters().stale_pongs, 4u);
  // A peer that comes up cannot answer a round from before it was up.
  const auto last = s.round()[0].message;
  s.service.on_peer_up(test::at(s.now + 1), info(node_id(2)));
  s.service.on_message(test::at(s.now + 2), node_id(2), pong_for(last));
  EXPECT_EQ(s.service.counters().stale_pongs, 5u);
  EXPECT_EQ(s.service.counters().pongs_received, 1u);
}

TEST(HealthService, SuspectsASilentPeerLogsOnceAndRecovers) {
  Scripted s;
  const NodeId steady = node_id(1), silent = node_id(2);
  s.service.on_peer_up(test::at(0), info(steady));
  s.service.on_peer_up(test::at(0), info(silent));
  // 20 rounds: both answer after 30 ms.
  for (int i = 0; i < 20; ++i) {
    for (const auto& p : s.round()) s.service.on_message(test::at(s.now + 30 * kMillisecond), p.to, pong_for(p.message));
  }
  EXPECT_EQ(s.service.peer(s.now, silent)->heartbeats, 20u);
  // Now `silent` stops answering; phi crosses 8 about 2.52 s after its last pong (1 s mean +
  // 1 s pause + 5.23 x the 100 ms floor) and the next round reports it.
  const TimeUs last_pong = s.now + 30 * kMillisecond;
  TimeUs suspected_at = kNever;
  for (int i = 0; i < 10 && suspected_at == kNever; ++i) {
    for (const auto& p : s.round()) {
      if (p.to == steady) s.service.on_message(test::at(s.now + 30 * kMillisecond), p.to, pong_for(p.message));
    }
    if (s.service.peer(s.now, silent)->suspected) suspected_at = s.now;
  }
  EXPECT_GE(suspected_at, last_pong + 2520 * kMillisecond);
  EXPECT_LE(suspected_at, last_pong + 2520 * kMillisecond + kSecond);
  EXPECT_GE(s.service.peer(suspected_at, silent)->phi, 8.0);
  EXPECT_FALSE(s.service.peer(suspected_at, steady)->suspected);
  EXPECT_EQ(s.service.suspected_count(), 1u);
  ASSERT_EQ(s.host.lines.size(), 1u);
  EXPECT_EQ(s.host.lines[0].first, log::Level::warn);
  EXPECT_NE(s.host.lines[0].second.find("peer " + silent.short_hex() + " suspected"), std::string::npos) << s.host.lines[0].second;
  // Still pinged while suspected; still reported once.
  const auto pings = s.round();
  EXPECT_EQ(pings.size(), 2u);
  EXPECT_EQ(s.service.counters().suspicions, 1u);
  // Its ping (not even a pong) clears the suspicion at once.
  s.service.on_message(test::at(s.now + 1), silent, health::encode(HeartbeatMessage{HeartbeatType::ping, 1, 0}));
  EXPECT_FALSE(s.service.peer(s.now + 1, silent)->suspected);
  EXPECT_EQ(s.service.counters().recoveries, 1u);
  ASSERT_EQ(s.host.lines.size(), 2u);
  EXPECT_NE(s.host.lines[1].second.find("recovered"), std::string::npos);
}

TEST(HealthService, IsBoundedAndCountsWhatItCannotDo) {
  HealthConfig config;
  config.max_peers = 3;
  SeededRandom random(1);
  HealthService service(random, config);
  ScriptedHost host;
  service.on_attach(host);
  for (std::uint8_t b = 1; b <= 10; ++b) service.on_peer_up(test::at(0), info(node_id(b)));
  EXPECT_EQ(service.tracked_peers(), 3u);
  EXPECT_EQ(service.counters().peers_not_tracked, 7u);
  host.refuse_sends = true;
  service.on_timeout(test::at(service.next_deadline()));
  service.on_message(test::at(service.next_deadline()), node_id(9), health::encode(HeartbeatMessage{HeartbeatType::ping, 1, 0}));
  EXPECT_EQ(service.counters().send_failures, 4u);
  EXPECT_EQ(service.counters().pings_sent + service.counters().pongs_sent, 0u);
  // A peer that goes down is forgotten, and its slot is free again.
  service.on_peer_down(test::at(1), node_id(1));
  EXPECT_FALSE(service.peer(1, node_id(1)));
  service.on_peer_up(test::at(1), info(node_id(10)));
  EXPECT_TRUE(service.peer(1, node_id(10)));
  // Garbage: counted, nothing else.
  SeededRandom junk(3);
  for (int i = 0; i < 2000; ++i) {
    Bytes b(junk.uniform(20));
    junk.fill(b);
    if (!b.empty()) b[0] = 0x7f;  // not version 1
    service.on_message(test::at(2), node_id(2), b);
  }
  EXPECT_EQ(service.counters().malformed, 2000u);
  EXPECT_EQ(service.counters().pings_received + service.counters().pongs_received + service.counters().stale_pongs, 1u);
}

// A HealthService that can also send arbitrary bytes on channel 5 (a peer gone bad).
class GarbageSender final : public Service {
 public:
  explicit GarbageSender(HealthService& inner) : inner_(inner) {}
  Channel channel() const override { return inner_.channel(); }
  const char* name() const override { return "health+garbage"; }
  void on_attach(ServiceHost& host) override {
    host_ = &host;
    inner_.on_attach(host);
  }
  void on_peer_up(Now now, const PeerInfo& peer) override { inner_.on_peer_up(now, peer); }
  void on_peer_down(Now now, const NodeId& peer) override { inner_.on_peer_down(now, peer); }
  void on_message(Now now, const NodeId& from, ByteView message) override { inner_.on_message(now, from, message); }
  TimeUs next_deadline() const override { return inner_.next_deadline(); }
  void on_timeout(Now now) override { inner_.on_timeout(now); }
  void send_garbage(Now now, const NodeId& to, ByteView bytes) { ASSERT_TRUE(host_->send(now, to, channel(), bytes).ok()); }

 private:
  HealthService& inner_;
  ServiceHost* host_ = nullptr;
};

constexpr DurationUs kLatency = 5 * kMillisecond;

// Node a (mem://a) and node b, linked, each with a HealthService; b's can send garbage.
struct HealthPair {
  explicit HealthPair(std::uint64_t seed = 21)
      : net(seed, kLatency), random_a(seed + 1), random_b(seed + 2), health_a(random_a), health_b(random_b), garbage(health_b) {
    a = net.add_node(0, {}, {"mem://a"}, {&health_a});
    b = net.add_node(1, test::with_peers({"mem://a"}), {}, {&garbage});
    net.start_all();
    EXPECT_TRUE(net.run_until_true([&] { return net.linked(a, b); }, 5 * kSecond));
  }
  test::MemNet net;
  SeededRandom random_a, random_b;
  HealthService health_a, health_b;
  GarbageSender garbage;
  test::MemNet::NodeIndex a = 0, b = 0;
};

TEST(HealthServiceOverMemNet, LinkedNodesMeasureTwiceTheLatency) {
  HealthPair p;
  p.net.run_for(30 * kSecond);
  for (auto [service, other] : {std::pair{&p.health_a, p.b}, std::pair{&p.health_b, p.a}}) {
    auto h = service->peer(p.net.now(), p.net.id(other));
    ASSERT_TRUE(h);
    EXPECT_GE(h->heartbeats, 29u);
    EXPECT_LE(h->heartbeats, 31u);
    // Request one way, answer the other: 2 x 5 ms; the link adds no queueing at this rate.
    EXPECT_GE(h->srtt_us, 2 * kLatency);
    EXPECT_LE(h->srtt_us, 2 * kLatency + kMillisecond);
    EXPECT_EQ(h->rtt_us, h->srtt_us);
    EXPECT_LE(h->jitter_us, 100);  // RTTVAR decays from R/2 towards 0 on a steady link
    EXPECT_FALSE(h->suspected);
    EXPECT_LT(h->phi, 1.0);
    const auto& c = service->counters();
    EXPECT_EQ(c.pings_sent, c.rounds);
    EXPECT_EQ(c.malformed + c.stale_pongs + c.send_failures + c.suspicions, 0u);
  }
  EXPECT_EQ(p.health_a.counters().pongs_sent, p.health_b.counters().pings_received);
}

TEST(HealthServiceOverMemNet, FrozenPeerIsSuspectedWithinTheBound) {
  HealthPair p;
  p.net.run_for(20 * kSecond);
  ASSERT_EQ(p.health_a.suspected_count(), 0u);
  const TimeUs frozen_at = p.net.now();
  p.net.freeze(p.b);
  // b's last pong left at most one interval before the freeze. phi reaches 8 about 2.52 s
  // after the last pong (steady 1 s arrivals, 1 s pause, 100 ms std-dev floor), and a round
  // notices it within one more interval: suspected between frozen_at + 1.52 s and + 3.53 s.
  p.net.run_for(1500 * kMillisecond);
  EXPECT_EQ(p.health_a.suspected_count(), 0u) << "too early";
  ASSERT_TRUE(p.net.run_until_true([&] { return p.health_a.suspected_count() == 1; }, 3 * kSecond));
  const DurationUs detection = p.net.now() - frozen_at;
  EXPECT_LE(detection, 3530 * kMillisecond);
  std::printf("frozen peer suspected %.3f s after the freeze\n", static_cast<double>(detection) / kSecond);
  const auto h = p.health_a.peer(p.net.now(), p.net.id(p.b));
  ASSERT_TRUE(h && h->suspected);
  EXPECT_GE(h->phi, 8.0);
  EXPECT_EQ(p.net.log_lines_containing(p.a, "health: peer " + p.net.id(p.b).short_hex() + " suspected"), 1u) << p.net.logs(p.a);
  EXPECT_EQ(p.health_a.counters().suspicions, 1u);
  // Reported, not acted on: the link stays up until NodeCore's own idle timeout.
  p.net.run_for(10 * kSecond);
  EXPECT_TRUE(p.net.core(p.a).is_up(p.net.id(p.b)));
  EXPECT_EQ(p.health_a.counters().suspicions, 1u);
}

TEST(HealthServiceOverMemNet, GarbageOnChannelFiveIsCountedAndChangesNothingElse) {
  // Twin runs from the same seed; one of them gets garbage from b at 10 s.
  auto run = [](bool garbage) {
    HealthPair p;
    p.net.run_for(10 * kSecond);
    if (garbage) {
      SeededRandom junk(5);
      for (int i = 0; i < 300; ++i) {
        Bytes bytes(1 + junk.uniform(60));
        junk.fill(bytes);
        if (bytes.size() == health::HeartbeatMessage::kEncodedBytes) bytes.push_back(0);  // never valid
        p.garbage.send_garbage(p.net.core_now(), p.net.id(p.a), bytes);
      }
    }
    p.net.run_for(10 * kSecond);
    return std::make_pair(p.health_a.counters(), p.health_a.peers(p.net.now()));
  };
  const auto clean = run(false);
  const auto dirty = run(true);
  EXPECT_EQ(clean.first.malformed, 0u);
  EXPECT_EQ(dirty.first.malformed, 300u);
  HealthCounters expected = clean.first;
  expected.malformed = 300;
  EXPECT_TRUE(expected == dirty.first) << "only the malformed counter moved";
  ASSERT_EQ(clean.second.size(), 1u);
  ASSERT_EQ(dirty.second.size(), 1u);
  const PeerHealth& x = clean.second[0];
  const PeerHealth& y = dirty.second[0];
  EXPECT_EQ(x.heartbeats, y.heartbeats);
  EXPECT_EQ(x.srtt_us, y.srtt_us);
  EXPECT_EQ(x.jitter_us, y.jitter_us);
  EXPECT_EQ(x.phi, y.phi);
  EXPECT_FALSE(y.suspected);
}

TEST(HealthServiceOverMemNet, PeerDownErasesItsState) {
  HealthPair p;
  p.net.run_for(5 * kSecond);
  ASSERT_EQ(p.health_a.tracked_peers(), 1u);
  p.net.crash(p.b);
  ASSERT_TRUE(p.net.run_until_true([&] { return !p.net.core(p.a).is_up(p.net.id(p.b)); }, 1 * kSecond));
  EXPECT_EQ(p.health_a.tracked_peers(), 0u);
  EXPECT_FALSE(p.health_a.peer(p.net.now(), p.net.id(p.b)));
  EXPECT_EQ(p.health_a.next_deadline(), kNever) << "no peer, no timer";
  EXPECT_EQ(p.health_a.counters().suspicions, 0u);
}

}  // namespace
}  // namespace zmesh::node
