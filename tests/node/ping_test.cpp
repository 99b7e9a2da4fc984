// The ping/echo service: its codec, its bookkeeping against a scripted host, and thousands of
// pings of every size between two NodeCores over MemNet, checked byte for byte.
#include <gtest/gtest.h>

#include "node/mem_net.hpp"
#include "node/link_manager.hpp"
#include "node/ping_message.hpp"
#include "node/ping_service.hpp"

namespace zmesh::node {
namespace {

TEST(PingMessage, RoundTrip) {
  SeededRandom random(3);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{995}, std::size_t{996}, kMaxPingPayloadBytes}) {
    Bytes payload(size);
    random.fill(payload);
    for (PingKind kind : {PingKind::request, PingKind::reply}) {
      const std::uint64_t id = random.next_u64();
      const Bytes wire = encode_ping(kind, id, payload);
      ASSERT_EQ(wire.size(), kPingHeaderBytes + size);
      auto decoded = decode_ping(wire);
      ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
      EXPECT_EQ(decoded->kind, kind);
      EXPECT_EQ(decoded->id, id);
      EXPECT_TRUE(std::equal(decoded->payload.begin(), decoded->payload.end(), payload.begin(), payload.end()));
    }
  }
  // Byte layout: kind | id (big-endian) | payload.
  const Bytes wire = encode_ping(PingKind::reply, 0x0102030405060708, as_bytes("hi"));
  EXPECT_EQ(to_hex(wire), "0201020304050607086869");
}

TEST(PingMessage, RefusesBadInput) {
  EXPECT_EQ(decode_ping({}).error().code, Errc::truncated);
  EXPECT_EQ(decode_ping(Bytes(8, 1)).error().code, Errc::truncated);
  Bytes unknown = encode_ping(PingKind::request, 1, {});
  unknown[0] = 3;
  EXPECT_EQ(decode_ping(unknown).error().code, Errc::malformed);
  unknown[0] = 0;
  EXPECT_EQ(decode_ping(unknown).error().code, Errc::malformed);
  EXPECT_EQ(decode_ping(Bytes(kPingHeaderBytes + kMaxPingPayloadBytes + 1, 1)).error().code, Errc::too_large);
}

// A host that records what the service sends and answers as scripted.
class ScriptedHost final : public ServiceHost {
 public:
  struct Sent {
    NodeId to;
    Bytes message;
  };
  std::vector<Sent> sent;
  bool refuse_sends = false;
  NodeId self;

  Status send(Now, const NodeId& peer, link::Channel channel, ByteView message) override {
    EXPECT_EQ(channel, kChannelPing);
    if (refuse_sends) return make_error(Errc::limit_exceeded, "link send queue full");
    sent.push_back({peer, Bytes(message.begin(), message.end())});
    return {};
  }
  Result<bool> connect(Now, const NodeId&, std::string_view) override { return false; }
  bool is_up(const NodeId&) const override { return true; }
  LinkManager& links() override { return links_; }
  const NodeId& self_id() const override { return self; }
  void log(log::Level, std::string) override {}

 private:
  LinkManager links_{*this};  // every peer is up here: sends go straight to send()
};

NodeId node_id(std::uint8_t b) {
  NodeId id;
  id.bytes.fill(b);
  return id;
}

TEST(PingService, EchoesRequestsAndChecksReplies) {
  ScriptedHost host;
  PingService ping;
  ping.on_attach(host);
  const NodeId peer = node_id(7);

  // Answering: a request comes back as a reply with the same id and payload.
  ping.on_message(test::at(10), peer, encode_ping(PingKind::request, 42, as_bytes("echo me")));
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].to, peer);
  EXPECT_EQ(host.sent[0].message, encode_ping(PingKind::reply, 42, as_bytes("echo me")));

  // Pinging: intact, corrupted, wrong peer, unknown id.
  const auto first = ping.ping(test::at(100), peer, as_bytes("payload-1"));
  const auto second = ping.ping(test::at(100), peer, as_bytes("payload-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(ping.outstanding(), 2u);
  ping.on_message(test::at(150), node_id(8), encode_ping(PingKind::reply, *first, as_bytes("payload-1")));
  EXPECT_EQ(ping.counters().replies_unexpected, 1u) << "a reply from another peer does not count";
  ping.on_message(test::at(160), peer, encode_ping(PingKind::reply, 999, as_bytes("x")));
  EXPECT_EQ(ping.counters().replies_unexpected, 2u);
  ping.on_message(test::at(200), peer, encode_ping(PingKind::reply, *first, as_bytes("payload-1")));
  ping.on_message(test::at(300), peer, encode_ping(PingKind::reply, *second, as_bytes("payload-X")));
  auto r1 = ping.poll_result();
  auto r2 = ping.poll_result();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->status, PingStatus::ok);
  EXPECT_EQ(r1->rtt, 100);
  EXPECT_EQ(r2->status, PingStatus::corrupted);
  EXPECT_FALSE(ping.poll_result());
  EXPECT_EQ(ping.outstanding(), 0u);

  ping.on_message(test::at(400), peer, Bytes{9, 9});
  EXPECT_EQ(ping.counters().malformed, 1u);
}

TEST(PingService, EveryPingEndsExactlyOnce) {
  ScriptedHost host;
  PingConfig config;
  config.timeout = 1 * kSecond;
  config.max_outstanding = 3;
  PingService ping(config);
  ping.on_attach(host);
  const auto a = ping.ping(Now{}, node_id(1), {});
  const auto b = ping.ping(Now{}, node_id(2), {});
  const auto c = ping.ping(test::at(500 * kMillisecond), node_id(1), {});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(ping.ping(Now{}, node_id(1), {}).error().code, Errc::limit_exceeded);
  host.refuse_sends = true;
  EXPECT_EQ(ping.next_deadline(), 1 * kSecond);
  ping.on_peer_down(test::at(600 * kMillisecond), node_id(2));
  ping.on_timeout(test::at(1 * kSecond));
  std::map<std::uint64_t, PingStatus> ended;
  while (auto r = ping.poll_result()) EXPECT_TRUE(ended.emplace(r->id, r->status).second);
  EXPECT_EQ(ended.at(*b), PingStatus::peer_down);
  EXPECT_EQ(ended.at(*a), PingStatus::timeout);
  EXPECT_EQ(ended.count(*c), 0u) << "not due yet";
  ping.on_timeout(test::at(1500 * kMillisecond));
  EXPECT_EQ(ping.poll_result()->status, PingStatus::timeout);
  EXPECT_EQ(ping.next_deadline(), kNever);
  // A send the link refuses is an error for the caller, not a ping that silently never ends.
  EXPECT_EQ(ping.ping(test::at(2 * kSecond), node_id(1), {}).error().code, Errc::limit_exceeded);
  EXPECT_EQ(ping.outstanding(), 0u);
  // An answer the link refuses is counted.
  ping.on_message(Now{}, node_id(1), encode_ping(PingKind::request, 5, {}));
  EXPECT_EQ(ping.counters().answer_send_failures, 1u);
}

// Thousands of pings with payloads of every interesting size, a window of them in flight, in
// both directions at once: every one comes back intact, none is lost.
TEST(PingService, ThousandsOfPingsOverRealLinksArriveByteExact) {
  test::MemNet net(11, 2 * kMillisecond);
  const auto nodes = net.add_linked_pair();
  const auto a = nodes.first;
  const auto b = nodes.second;

  SeededRandom random(99);
  const std::size_t sizes[] = {0, 1, 100, 1004, 1005, 3000, 4096, 20000, kMaxPingPayloadBytes};
  constexpr std::size_t kPerSide = 1500;
  constexpr std::size_t kWindow = 16;
  struct Side {
    test::MemNet::NodeIndex from, to;
    std::size_t sent = 0, ok = 0, bad = 0;
  };
  Side sides[] = {{a, b}, {b, a}};
  while (sides[0].ok + sides[0].bad < kPerSide || sides[1].ok + sides[1].bad < kPerSide) {
    for (Side& side : sides) {
      PingService& ping = net.ping(side.from);
      while (side.sent < kPerSide && ping.outstanding() < kWindow) {
        Bytes payload(sizes[side.sent % std::size(sizes)]);
        random.fill(payload);
        auto id = ping.ping(net.core_now(), net.id(side.to), payload);
        ASSERT_TRUE(id.ok()) << id.error().describe();
        ++side.sent;
      }
      net.run_for(0);  // hand the queued cells to the network
    }
    net.run_for(1 * kMillisecond);
    for (Side& side : sides) {
      while (auto r = net.ping(side.from).poll_result()) ++(r->status == PingStatus::ok ? side.ok : side.bad);
    }
    ASSERT_LT(net.now(), 600 * kSecond) << "pings stalled";
  }
  for (const Side& side : sides) {
    EXPECT_EQ(side.ok, kPerSide);
    EXPECT_EQ(side.bad, 0u);
  }
  EXPECT_EQ(net.ping(a).counters().requests_answered, kPerSide);
  EXPECT_EQ(net.ping(b).counters().requests_answered, kPerSide);
  EXPECT_EQ(net.ping(a).counters().answer_send_failures + net.ping(b).counters().answer_send_failures, 0u);
  // The byte and cell counters saw the traffic.
  const auto stats = net.core(a).peer_stats(net.core_now());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_GT(stats[0].cells_out, 2 * kPerSide);
  EXPECT_GT(stats[0].bytes_in, 1024 * stats[0].cells_in - 1);
}

}  // namespace
}  // namespace zmesh::node
