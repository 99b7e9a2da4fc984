#include <gtest/gtest.h>

#include "link/session.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

using test::make_sessions;
using test::pattern_bytes;
using test::pump;

constexpr Channel kChannel = 5;

std::optional<LinkMessage> deliver(LinkSession& from, LinkSession& to, ByteView message, TimeUs now = 1) {
  EXPECT_TRUE(from.send(now, kChannel, message).ok());
  EXPECT_TRUE(pump(from, to, now));
  return to.poll_message();
}

TEST(LinkSession, RoundTripsBoundarySizes) {
  auto s = make_sessions();
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kCellPayloadBytes - 1, kCellPayloadBytes,
                           kCellPayloadBytes + 1, 2 * kCellPayloadBytes, kMaxMessageBytes - 1, kMaxMessageBytes}) {
    const Bytes message = pattern_bytes(size, static_cast<std::uint8_t>(size));
    auto got = deliver(*s.a, *s.b, message);
    ASSERT_TRUE(got.has_value()) << size;
    EXPECT_EQ(got->channel, kChannel);
    EXPECT_EQ(got->payload, message) << size;
    auto back = deliver(*s.b, *s.a, message);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->payload, message);
  }
  EXPECT_FALSE(s.b->poll_message().has_value());
}

TEST(LinkSession, EveryTransportMessageIsWholeCells) {
  SessionConfig config;
  config.max_cells_per_transmit = 4;
  auto s = make_sessions(config);
  ASSERT_TRUE(s.a->send(0, kChannel, pattern_bytes(10 * kCellPayloadBytes, 1)).ok());
  std::size_t cells = 0;
  while (auto message = s.a->poll_transmit()) {
    ASSERT_EQ(message->size() % kCellWireBytes, 0u);
    ASSERT_LE(message->size(), 4 * kCellWireBytes);
    cells += message->size() / kCellWireBytes;
    ASSERT_TRUE(s.b->on_receive(0, *message).ok());
  }
  EXPECT_EQ(cells, 10u);
  EXPECT_EQ(s.a->counters().cells_sent, 10u);
  EXPECT_EQ(s.a->counters().bytes_sent, 10 * kCellWireBytes);
  EXPECT_EQ(s.b->counters().cells_received, 10u);
  EXPECT_EQ(s.b->counters().messages_received, 1u);
}

TEST(LinkSession, OversizedMessageAndLinkChannelsAreRefused) {
  auto s = make_sessions();
  auto big = s.a->send(0, kChannel, Bytes(kMaxMessageBytes + 1));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Errc::too_large);
  EXPECT_EQ(s.a->queued_cells(), 0u);
  EXPECT_EQ(s.a->send(0, kCellPadding, Bytes(3)).error().code, Errc::invalid_argument);
  EXPECT_EQ(s.a->send(0, kCellClose, Bytes(3)).error().code, Errc::invalid_argument);
  EXPECT_EQ(s.a->state(), SessionState::open);
}

TEST(LinkSession, FullSendQueueRefusesWithoutQueueingPart) {
  SessionConfig config;
  config.max_queued_cells = 10;
  auto s = make_sessions(config);
  ASSERT_TRUE(s.a->send(0, kChannel, Bytes(8 * kCellPayloadBytes)).ok());
  auto refused = s.a->send(0, kChannel, Bytes(3 * kCellPayloadBytes));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);
  EXPECT_EQ(s.a->queued_cells(), 8u);
  ASSERT_TRUE(pump(*s.a, *s.b, 0));
  ASSERT_TRUE(s.a->send(0, kChannel, Bytes(3 * kCellPayloadBytes)).ok()) << "room again after draining";
}

TEST(LinkSession, PaddingCellsAreDroppedButCounted) {
  auto s = make_sessions();
  ASSERT_TRUE(s.a->send_padding(0).ok());
  ASSERT_TRUE(s.a->send(0, kChannel, Bytes{9}).ok());
  ASSERT_TRUE(s.a->send_padding(0).ok());
  ASSERT_TRUE(pump(*s.a, *s.b, 0));
  auto got = s.b->poll_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->payload, Bytes{9});
  EXPECT_FALSE(s.b->poll_message().has_value());
  EXPECT_EQ(s.b->counters().padding_cells_received, 2u);
  EXPECT_EQ(s.b->counters().cells_received, 3u);
}

TEST(LinkSession, RekeysEveryNCellsInBothDirections) {
  SessionConfig config;
  config.rekey_after_cells = 3;
  auto s = make_sessions(config);
  for (int i = 0; i < 40; ++i) {
    const Bytes message = pattern_bytes(static_cast<std::size_t>(i) * 400, static_cast<std::uint8_t>(i));
    auto got = deliver(*s.a, *s.b, message);
    ASSERT_TRUE(got.has_value()) << i;
    ASSERT_EQ(got->payload, message);
    auto back = deliver(*s.b, *s.a, message);
    ASSERT_TRUE(back.has_value());
  }
  EXPECT_GT(s.a->counters().rekeys_sent, 10u);
  EXPECT_EQ(s.a->counters().rekeys_sent, s.b->counters().rekeys_received);
  EXPECT_EQ(s.b->counters().rekeys_sent, s.a->counters().rekeys_received);
}

TEST(LinkSession, RekeysAfterTheIntervalEvenWhenIdle) {
  SessionConfig config;
  config.rekey_interval = 5 * kSecond;
  config.keepalive_interval = 60 * kSecond;
  config.idle_timeout = 120 * kSecond;
  auto s = make_sessions(config);
  EXPECT_EQ(s.a->next_deadline(), 5 * kSecond);
  s.a->on_timeout(5 * kSecond);
  EXPECT_EQ(s.a->counters().rekeys_sent, 1u);
  ASSERT_TRUE(pump(*s.a, *s.b, 5 * kSecond));
  EXPECT_EQ(s.b->counters().rekeys_received, 1u);
  auto got = deliver(*s.a, *s.b, Bytes{1, 2}, 6 * kSecond);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(s.a->next_deadline(), 10 * kSecond);
}

TEST(LinkSession, KeepAliveAndIdleTimeout) {
  SessionConfig config;
  config.keepalive_interval = 15 * kSecond;
  config.idle_timeout = 60 * kSecond;
  auto s = make_sessions(config);
  // Both sides exchange keep-alives every 15 s: nobody idles out.
  TimeUs now = 0;
  for (int i = 0; i < 10; ++i) {
    now = std::min(s.a->next_deadline(), s.b->next_deadline());
    s.a->on_timeout(now);
    s.b->on_timeout(now);
    ASSERT_TRUE(pump(*s.a, *s.b, now));
    ASSERT_TRUE(pump(*s.b, *s.a, now));
  }
  EXPECT_EQ(s.a->state(), SessionState::open);
  EXPECT_GE(s.b->counters().padding_cells_received, 9u);
  // b goes silent: a fails after 60 s and tells b why.
  const TimeUs silent_since = now;
  while (s.a->state() == SessionState::open) {
    now = s.a->next_deadline();
    s.a->on_timeout(now);
    while (s.a->poll_transmit()) {
    }
  }
  EXPECT_EQ(now, silent_since + 60 * kSecond);
  EXPECT_EQ(s.a->state(), SessionState::failed);
  EXPECT_EQ(s.a->error()->code, Errc::timeout);
  EXPECT_EQ(s.a->next_deadline(), kNever);
}

TEST(LinkSession, IdleFailureSendsACloseCellThePeerReads) {
  SessionConfig config;
  config.idle_timeout = 30 * kSecond;
  config.keepalive_interval = 100 * kSecond;
  auto s = make_sessions(config);
  s.a->on_timeout(30 * kSecond);
  ASSERT_EQ(s.a->state(), SessionState::failed);
  ASSERT_TRUE(pump(*s.a, *s.b, 30 * kSecond));
  EXPECT_EQ(s.b->state(), SessionState::closed_by_peer);
  ASSERT_TRUE(s.b->peer_close().has_value());
  EXPECT_EQ(s.b->peer_close()->reason, static_cast<std::uint8_t>(CloseReason::idle_timeout));
}

TEST(LinkSession, CloseCarriesReasonAndStopsBothSides) {
  auto s = make_sessions();
  ASSERT_TRUE(s.a->send(0, kChannel, Bytes{1}).ok());
  s.a->close(0, CloseReason::shutting_down, "bye");
  EXPECT_EQ(s.a->state(), SessionState::closed);
  EXPECT_EQ(s.a->send(0, kChannel, Bytes{2}).error().code, Errc::closed);
  ASSERT_TRUE(pump(*s.a, *s.b, 0));
  ASSERT_TRUE(s.b->poll_message().has_value()) << "data before the close is delivered";
  EXPECT_EQ(s.b->state(), SessionState::closed_by_peer);
  EXPECT_EQ(s.b->peer_close()->reason, static_cast<std::uint8_t>(CloseReason::shutting_down));
  EXPECT_EQ(s.b->peer_close()->text, "bye");
  EXPECT_EQ(s.b->send(0, kChannel, Bytes{3}).error().code, Errc::closed);
  EXPECT_EQ(s.b->next_deadline(), kNever);
}

TEST(LinkSession, UndrainedReceiveQueueFailsTheSession) {
  SessionConfig config;
  config.max_delivered_messages = 4;
  auto s = make_sessions(config);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(s.a->send(0, kChannel, Bytes{1}).ok());
    ASSERT_TRUE(pump(*s.a, *s.b, 0));
  }
  ASSERT_TRUE(s.a->send(0, kChannel, Bytes{1}).ok());
  EXPECT_FALSE(pump(*s.a, *s.b, 0));
  EXPECT_EQ(s.b->error()->code, Errc::limit_exceeded);
}

// Property: random message sizes and channels, random batching, both directions, with
// rekeying every 7 cells; everything arrives intact and in order.
TEST(LinkSession, PropertyRandomMessagesArriveIntactAndInOrder) {
  SeededRandom random(2024);
  SessionConfig config;
  config.rekey_after_cells = 7;
  config.max_cells_per_transmit = 1 + random.uniform(8);
  auto s = make_sessions(config, 5);
  struct Sent {
    Channel channel;
    Bytes payload;
  };
  for (int round = 0; round < 300; ++round) {
    LinkSession& from = (round % 3 == 0) ? *s.b : *s.a;
    LinkSession& to = (round % 3 == 0) ? *s.a : *s.b;
    std::vector<Sent> sent;
    const std::size_t batch = 1 + random.uniform(4);
    for (std::size_t i = 0; i < batch; ++i) {
      const std::size_t size = random.uniform(4) == 0 ? random.uniform(kMaxMessageBytes + 1) : random.uniform(3000);
      Sent m{static_cast<Channel>(kFirstAppChannel + random.uniform(254)), Bytes(size)};
      random.fill(m.payload);
      ASSERT_TRUE(from.send(round, m.channel, m.payload).ok());
      sent.push_back(std::move(m));
      if (random.uniform(5) == 0) {
        ASSERT_TRUE(from.send_padding(round).ok());
      }
    }
    ASSERT_TRUE(pump(from, to, round));
    for (const Sent& m : sent) {
      auto got = to.poll_message();
      ASSERT_TRUE(got.has_value()) << "round " << round;
      ASSERT_EQ(got->channel, m.channel);
      ASSERT_EQ(got->payload, m.payload);
    }
    ASSERT_FALSE(to.poll_message().has_value());
  }
  EXPECT_EQ(s.a->counters().bytes_sent, s.b->counters().bytes_received);
  EXPECT_EQ(s.b->counters().bytes_sent, s.a->counters().bytes_received);
}

}  // namespace
}  // namespace zmesh::link
