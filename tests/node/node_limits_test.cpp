// NodeCore under hostile or broken peers: limits, handshake timeout, rate limiting, garbage,
// silent peers, backpressure and bounded logging. Raw MemNet endpoints play the attacker.
#include <gtest/gtest.h>

#include "link/link.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node {
namespace {

using test::MemNet;
using test::with_peers;

std::string remote(int i) { return "192.0.2." + std::to_string(i) + ":5000"; }

TEST(NodeLimits, PeerLimitRefusesExtraPeers) {
  MemNet net;
  NodeConfig small;
  small.max_peers = 2;
  const auto a = net.add_node(0, small, {"mem://a"});
  for (std::size_t i = 1; i <= 3; ++i) net.add_node(i, with_peers({"mem://a"}));
  net.start_all();
  net.run_for(10 * kSecond);
  EXPECT_EQ(net.core(a).peer_count(), 2u);
  EXPECT_GE(net.core(a).counters().refused_peer_limit, 1u);
  EXPECT_GE(net.log_lines_containing(a, "peer limit reached (2)"), 1u) << net.logs(a);
}

// Half-open connections (transport up, never a byte) hold a handshake slot for at most the
// handshake timeout; beyond max_handshakes, new transports are refused at once.
TEST(NodeLimits, HalfOpenConnectionsAreBoundedAndTimedOut) {
  MemNet net(2, 1 * kMillisecond);
  NodeConfig config;
  config.max_handshakes = 4;
  config.handshake_timeout = 3 * kSecond;
  const auto a = net.add_node(0, config, {"mem://a"});
  net.start(a);
  const TimeUs opened = net.now();
  std::vector<MemNet::RawId> raws;
  for (int i = 0; i < 6; ++i) raws.push_back(net.open_raw(a, remote(i)));
  EXPECT_EQ(net.core(a).connection_count(), 4u);
  net.run_for(10 * kMillisecond);
  EXPECT_FALSE(net.raw(raws[3]).closed);
  EXPECT_TRUE(net.raw(raws[4]).closed) << "refused: too many handshakes";
  EXPECT_TRUE(net.raw(raws[5]).closed);
  EXPECT_EQ(net.core(a).counters().refused_handshake_limit, 2u);
  EXPECT_EQ(net.log_lines_containing(a, "too many handshakes in progress (4)"), 1u) << "refusals are summarised";

  net.run_for(4 * kSecond);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(net.raw(raws[i]).closed) << i;
    EXPECT_LE(net.raw(raws[i]).closed_at - opened, config.handshake_timeout + 2 * kMillisecond);
    EXPECT_GE(net.raw(raws[i]).closed_at - opened, config.handshake_timeout);
  }
  EXPECT_EQ(net.core(a).connection_count(), 0u);
  EXPECT_EQ(net.log_lines_containing(a, "dropped during the handshake: timeout: link handshake timed out"), 4u)
      << net.logs(a);

  // A good peer gets in once the slots are free.
  const auto b = net.add_node(1, with_peers({"mem://a"}));
  net.start(b);
  EXPECT_TRUE(net.run_until_true([&] { return net.linked(a, b); }, 2 * kSecond));
}

TEST(NodeLimits, HandshakesPerAddressAreRateLimited) {
  MemNet net(3, 1 * kMillisecond);
  NodeConfig config;
  config.handshake_rate = {1.0, 3.0, 64};
  const auto a = net.add_node(0, config, {"mem://a"});
  net.start(a);
  std::vector<MemNet::RawId> same;
  for (int i = 0; i < 5; ++i) same.push_back(net.open_raw(a, "192.0.2.1:" + std::to_string(1000 + i)));
  const auto other = net.open_raw(a, "192.0.2.2:1000");
  net.run_for(10 * kMillisecond);
  EXPECT_EQ(net.core(a).counters().refused_rate_limited, 2u);
  EXPECT_FALSE(net.raw(same[2]).closed);
  EXPECT_TRUE(net.raw(same[3]).closed);
  EXPECT_TRUE(net.raw(same[4]).closed);
  EXPECT_FALSE(net.raw(other).closed);
  EXPECT_EQ(net.log_lines_containing(a, "refused mem inbound 192.0.2.1:1003: handshake rate limit"), 1u) << net.logs(a);
  net.run_for(1 * kSecond);  // one token back
  const auto later = net.open_raw(a, "192.0.2.1:2000");
  net.run_for(10 * kMillisecond);
  EXPECT_FALSE(net.raw(later).closed);
}

// Handshake message 1 as a real initiator would send it.
Bytes real_message1(std::uint64_t seed) {
  SeededRandom random(seed);
  auto link = link::Link::dial(test::identity(5), random, {}, 0);
  return *link.poll_transmit();
}

// Every kind of garbage is dropped at once, with one log line naming the connection, while a
// good peer keeps pinging without loss.
TEST(NodeLimits, GarbagePeersAreDroppedAndOthersUnaffected) {
  MemNet net(4, 1 * kMillisecond);
  const auto nodes = net.add_linked_pair();
  const auto a = nodes.first;
  const auto b = nodes.second;

  SeededRandom random(8);
  Bytes noise(500);
  random.fill(noise);
  Bytes wrong_version = real_message1(1);
  wrong_version[0] = 9;
  const Bytes msg1 = real_message1(2);
  const Bytes truncated(msg1.begin(), msg1.begin() + 600);
  Bytes oversized(70000, 0x01);
  std::vector<Bytes> attacks = {noise, wrong_version, truncated, oversized, Bytes{}};

  std::size_t pings_ok = 0;
  std::vector<MemNet::RawId> raws;
  for (std::size_t i = 0; i < attacks.size(); ++i) {
    raws.push_back(net.open_raw(a, remote(static_cast<int>(10 + i))));
    net.send_raw(raws.back(), attacks[i]);
    ASSERT_TRUE(net.ping(b).ping(net.core_now(), net.id(a), noise).ok());
    net.run_for(20 * kMillisecond);
    while (auto r = net.ping(b).poll_result()) pings_ok += r->status == PingStatus::ok;
  }
  // A valid message 1 followed by garbage instead of message 3.
  const auto staged = net.open_raw(a, remote(20));
  net.send_raw(staged, msg1);
  net.run_for(20 * kMillisecond);
  ASSERT_EQ(net.raw(staged).received.size(), 1u) << "a answered message 2";
  Bytes forged3(5375, 0x42);  // right version, type and length; contents that do not decrypt
  forged3[0] = 0x01;
  forged3[1] = 0x03;
  net.send_raw(staged, forged3);
  // A peer that closes in the middle of the handshake.
  const auto quitter = net.open_raw(a, remote(21));
  net.send_raw(quitter, msg1);
  net.close_raw(quitter);
  net.run_for(20 * kMillisecond);

  for (std::size_t i = 0; i < raws.size(); ++i) {
    EXPECT_TRUE(net.raw(raws[i]).closed) << "attack " << i;
    EXPECT_EQ(net.log_lines_containing(a, remote(static_cast<int>(10 + i)) + "): dropped during the handshake"), 1u)
        << "attack " << i << "\n" << net.logs(a);
  }
  EXPECT_TRUE(net.raw(staged).closed);
  EXPECT_EQ(net.log_lines_containing(a, remote(20) + "): dropped during the handshake: verification failed: handshake identity failed to decrypt"), 1u) << net.logs(a);
  EXPECT_EQ(net.log_lines_containing(a, remote(21) + "): transport closed during the handshake"), 1u) << net.logs(a);
  EXPECT_EQ(net.core(a).connection_count(), 1u);
  EXPECT_EQ(net.core(a).counters().handshake_failures, attacks.size() + 2);
  EXPECT_EQ(pings_ok, attacks.size());
  EXPECT_TRUE(net.linked(a, b));
}

// A raw peer that completes a real handshake and then sends a tampered cell is dropped as a
// peer (one line), and services see it come and go.
TEST(NodeLimits, BadCellAfterTheHandshakeDropsThePeer) {
  MemNet net(5, 1 * kMillisecond);
  const auto a = net.add_node(0, {}, {"mem://a"});
  net.start(a);
  SeededRandom random(12);
  auto attacker = link::Link::dial(test::identity(5), random, {}, net.now());
  const auto raw = net.open_raw(a, remote(30));
  std::size_t seen = 0;
  auto exchange = [&] {
    while (auto m = attacker.poll_transmit()) net.send_raw(raw, *m);
    net.run_for(10 * kMillisecond);
    while (seen < net.raw(raw).received.size()) (void)attacker.on_receive(net.now(), net.raw(raw).received[seen++]);
  };
  exchange();
  exchange();
  ASSERT_TRUE(attacker.is_open());
  net.run_for(10 * kMillisecond);
  ASSERT_TRUE(net.core(a).is_up(test::identity(5).id)) << net.logs(a);
  ASSERT_TRUE(attacker.send(net.now(), kChannelPing, as_bytes("x")).ok());
  Bytes cell = *attacker.poll_transmit();
  cell[100] ^= 1;
  net.send_raw(raw, cell);
  net.run_for(10 * kMillisecond);
  EXPECT_TRUE(net.raw(raw).closed);
  EXPECT_FALSE(net.core(a).is_up(test::identity(5).id));
  EXPECT_EQ(net.log_lines_containing(a, "): dropped: verification failed: cell authentication failed"), 1u) << net.logs(a);
  EXPECT_EQ(net.core(a).counters().links_failed, 1u);
}

// Idle links stay up on keep-alive padding; a peer that goes silent is dropped after the
// idle timeout, with one line, and the configured side starts redialling.
TEST(NodeLimits, KeepAlivesHoldIdleLinksAndSilentPeersAreDropped) {
  MemNet net(6, 1 * kMillisecond);
  NodeConfig fast;
  fast.keepalive_interval = 2 * kSecond;
  fast.idle_timeout = 6 * kSecond;
  NodeConfig fast_peer = fast;
  fast_peer.peers = {"mem://a"};
  const auto a = net.add_node(0, fast, {"mem://a"});
  const auto b = net.add_node(1, fast_peer);
  net.start_all();
  ASSERT_TRUE(net.run_until_true([&] { return net.linked(a, b); }, 2 * kSecond));
  net.run_for(60 * kSecond);  // no application traffic at all
  ASSERT_TRUE(net.linked(a, b));
  EXPECT_EQ(net.core(a).counters().links_opened, 1u);
  EXPECT_GE(net.core(a).peer_stats(net.core_now())[0].cells_in, 25u) << "padding every 2 s";

  net.freeze(b);
  const TimeUs frozen_at = net.now();
  ASSERT_TRUE(net.run_until_true([&] { return !net.core(a).is_up(net.id(b)); }, 20 * kSecond));
  EXPECT_LE(net.now() - frozen_at, fast.idle_timeout + 50 * kMillisecond);
  EXPECT_GE(net.now() - frozen_at, fast.idle_timeout - fast.keepalive_interval);
  EXPECT_EQ(net.log_lines_containing(a, "dropped: timeout: link idle"), 1u) << net.logs(a);
  EXPECT_EQ(net.core(a).connection_count(), 0u);
}

// The driver says a transport is full: NodeCore holds the cells in the link's bounded queue,
// services get limit_exceeded once it is full, and everything flows again once writable.
TEST(NodeLimits, BackpressureHoldsCellsInTheBoundedLinkQueue) {
  MemNet net(7, 1 * kMillisecond);
  const auto nodes = net.add_linked_pair();
  const auto a = nodes.first;
  const auto b = nodes.second;
  const ConnectionId connection = net.core(b).peer_stats(net.core_now())[0].connection;
  net.core(b).on_transport_blocked(connection);
  const Bytes payload(20000, 0x5a);  // 20 cells each
  std::size_t accepted = 0;
  for (;;) {
    auto id = net.ping(b).ping(net.core_now(), net.id(a), payload);
    if (!id.ok()) {
      EXPECT_EQ(id.error().code, Errc::limit_exceeded) << id.error().describe();
      break;
    }
    ASSERT_LT(++accepted, 1000u);
  }
  EXPECT_EQ(accepted, 1024u / 20) << "the link queue (1024 cells) bounds what a blocked transport holds";
  EXPECT_FALSE(net.core(b).poll_action()) << "nothing produced for a blocked transport";
  net.core(b).on_transport_writable(net.core_now(), connection);
  std::size_t ok = 0;
  ASSERT_TRUE(net.run_until_true(
      [&] {
        while (auto r = net.ping(b).poll_result()) ok += r->status == PingStatus::ok;
        return ok == accepted;
      },
      5 * kSecond));
}

TEST(NodeLimits, LogQueueIsBounded) {
  SeededRandom random(1);
  NodeConfig config;
  config.max_log_lines = 4;
  config.handshake_rate.per_second = 0;
  NodeCore core(test::identity(0), random, config);
  core.on_start(test::at(0));
  for (ConnectionId id = 1; id <= 20; ++id) {
    core.on_transport_opened(test::at(0), id, {Direction::inbound, "tcp", remote(static_cast<int>(id)), 0});
    core.on_transport_data(test::at(0), id, Bytes{1, 2, 3});
  }
  std::size_t lines = 0;
  while (auto action = core.poll_action()) lines += std::holds_alternative<LogLine>(*action);
  EXPECT_EQ(lines, 4u);
  EXPECT_EQ(core.counters().log_lines_dropped, 16u);
  core.log(log::Level::info, "after the burst");
  std::vector<std::string> texts;
  while (auto action = core.poll_action())
    if (auto* line = std::get_if<LogLine>(&*action)) texts.push_back(line->text);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0], "16 log lines dropped (log queue full)");
  EXPECT_EQ(texts[1], "after the burst");
}

}  // namespace
}  // namespace zmesh::node
