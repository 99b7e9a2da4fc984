// WebRTC signaling relayed by a common neighbour (channel 4): the codec, and three NodeCores
// over MemNet (A and C both linked to R only) passing signals through R, with the relay's
// checks: unknown recipients answered "unreachable", a per-neighbour rate limit, bounded queues.
#include <gtest/gtest.h>

#include "node/mem_net.hpp"
#include "node/signaling_relay.hpp"

namespace zmesh::node {
namespace {

TEST(SignalingRelayMessage, RoundTripAndLayout) {
  NodeId peer;
  for (std::size_t i = 0; i < peer.bytes.size(); ++i) peer.bytes[i] = static_cast<std::uint8_t>(i);
  const Bytes wire = encode_relay_message(RelayKind::deliver, peer, 0x0102030405060708, as_bytes("{}"));
  ASSERT_EQ(wire.size(), kRelayHeaderBytes + 2);
  EXPECT_EQ(wire[0], 2);
  EXPECT_EQ(wire[1], 0);
  EXPECT_EQ(wire[32], 31);
  EXPECT_EQ(to_hex(ByteView(wire).subspan(33)), "01020304050607087b7d");
  auto decoded = decode_relay_message(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->kind, RelayKind::deliver);
  EXPECT_EQ(decoded->peer, peer);
  EXPECT_EQ(decoded->session, 0x0102030405060708u);
  EXPECT_EQ(std::string(decoded->payload.begin(), decoded->payload.end()), "{}");
}

TEST(SignalingRelayMessage, RefusesBadInput) {
  const NodeId peer;
  EXPECT_EQ(decode_relay_message({}).error().code, Errc::truncated);
  EXPECT_EQ(decode_relay_message(Bytes(kRelayHeaderBytes - 1, 1)).error().code, Errc::truncated);
  Bytes wire = encode_relay_message(RelayKind::forward, peer, 1, {});
  for (std::uint8_t kind : {0, 4, 255}) {
    wire[0] = kind;
    EXPECT_EQ(decode_relay_message(wire).error().code, Errc::malformed);
  }
  Bytes unreachable = encode_relay_message(RelayKind::unreachable, peer, 1, as_bytes("x"));
  EXPECT_EQ(decode_relay_message(unreachable).error().code, Errc::malformed);
  Bytes big = encode_relay_message(RelayKind::forward, peer, 1, Bytes(kMaxRelayedSignalBytes + 1, 'x'));
  EXPECT_EQ(decode_relay_message(big).error().code, Errc::too_large);
  EXPECT_TRUE(decode_relay_message(encode_relay_message(RelayKind::forward, peer, 1, Bytes(kMaxRelayedSignalBytes, 'x'))).ok());
}

class SignalingRelayNet : public ::testing::Test {
 protected:
  void SetUp() override {
    r_ = net_.add_node(1, {}, {"mem://r"}, {&relay_r_});
    a_ = net_.add_node(0, test::with_peers({"mem://r"}), {}, {&relay_a_});
    c_ = net_.add_node(2, test::with_peers({"mem://r"}), {}, {&relay_c_});
    net_.start_all();
    ASSERT_TRUE(net_.run_until_true([&] { return net_.linked(a_, r_) && net_.linked(c_, r_); }, 30 * kSecond));
    ASSERT_FALSE(net_.linked(a_, c_));
  }
  void settle() { net_.run_for(100 * kMillisecond); }

  test::MemNet net_;
  SignalingRelay relay_a_, relay_r_, relay_c_{SignalingRelayConfig{{20.0, 100.0, 1024}, 8}};
  test::MemNet::NodeIndex a_ = 0, r_ = 0, c_ = 0;
};

TEST_F(SignalingRelayNet, PassesSignalsBothWaysThroughTheCommonNeighbour) {
  ASSERT_TRUE(relay_a_.send(net_.core_now(), net_.id(r_), net_.id(c_), 77, as_bytes(R"({"type":"offer","sdp":"x"})")).ok());
  settle();
  auto at_c = relay_c_.poll();
  ASSERT_TRUE(at_c.has_value());
  EXPECT_EQ(at_c->via, net_.id(r_));
  EXPECT_EQ(at_c->from, net_.id(a_));
  EXPECT_EQ(at_c->session, 77u);
  EXPECT_FALSE(at_c->unreachable);
  EXPECT_EQ(std::string(at_c->payload.begin(), at_c->payload.end()), R"({"type":"offer","sdp":"x"})");
  EXPECT_FALSE(relay_c_.poll().has_value());
  EXPECT_FALSE(relay_r_.poll().has_value());  // R only passed it on

  ASSERT_TRUE(relay_c_.send(net_.core_now(), at_c->via, at_c->from, at_c->session, as_bytes("answer")).ok());
  settle();
  auto at_a = relay_a_.poll();
  ASSERT_TRUE(at_a.has_value());
  EXPECT_EQ(at_a->via, net_.id(r_));
  EXPECT_EQ(at_a->from, net_.id(c_));
  EXPECT_EQ(at_a->session, 77u);
  EXPECT_EQ(relay_r_.counters().forwarded, 2u);
}

TEST_F(SignalingRelayNet, ADirectNeighbourIsSignaledThroughItself) {
  ASSERT_TRUE(relay_a_.send(net_.core_now(), net_.id(r_), net_.id(r_), 5, as_bytes("hi")).ok());
  settle();
  auto at_r = relay_r_.poll();
  ASSERT_TRUE(at_r.has_value());
  EXPECT_EQ(at_r->via, net_.id(a_));
  EXPECT_EQ(at_r->from, net_.id(a_));
  EXPECT_EQ(relay_r_.counters().forwarded, 0u);
}

TEST_F(SignalingRelayNet, UnknownRecipientIsReportedUnreachable) {
  NodeId stranger;
  stranger.bytes.fill(0xab);
  ASSERT_TRUE(relay_a_.send(net_.core_now(), net_.id(r_), stranger, 9, as_bytes("offer")).ok());
  settle();
  auto back = relay_a_.poll();
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->unreachable);
  EXPECT_EQ(back->from, stranger);
  EXPECT_EQ(back->session, 9u);
  EXPECT_TRUE(back->payload.empty());
  EXPECT_EQ(relay_r_.counters().unreachable, 1u);
  // No link to the relay at all: refused locally, nothing sent.
  EXPECT_EQ(relay_a_.send(net_.core_now(), stranger, net_.id(c_), 1, as_bytes("x")).error().code, Errc::not_found);
  EXPECT_EQ(relay_a_.send(net_.core_now(), net_.id(r_), net_.id(c_), 1, Bytes(kMaxRelayedSignalBytes + 1, 'x')).error().code,
            Errc::too_large);
}

TEST_F(SignalingRelayNet, RelayRateLimitsEachNeighbourAndReceiversBoundTheirQueue) {
  // 100 at once fit R's burst for A; the rest of the 150 are refused and counted.
  for (std::uint64_t i = 0; i < 150; ++i) {
    ASSERT_TRUE(relay_a_.send(net_.core_now(), net_.id(r_), net_.id(c_), i, as_bytes("c")).ok());
  }
  net_.run_for(20 * kMillisecond);  // delivered well before the bucket refills noticeably
  EXPECT_GE(relay_r_.counters().rate_limited, 49u);
  EXPECT_LE(relay_r_.counters().forwarded, 101u);
  // C keeps at most 8 unpolled signals.
  std::size_t polled = 0;
  while (relay_c_.poll()) ++polled;
  EXPECT_EQ(polled, 8u);
  EXPECT_EQ(relay_c_.counters().dropped_full, relay_r_.counters().forwarded - 8);
  // A signal posing as forwarded to its own sender is dropped as malformed.
  ASSERT_TRUE(relay_a_.send(net_.core_now(), net_.id(r_), net_.id(a_), 1, as_bytes("loop")).ok());
  settle();
  EXPECT_EQ(relay_r_.counters().malformed, 1u);
}

}  // namespace
}  // namespace zmesh::node
