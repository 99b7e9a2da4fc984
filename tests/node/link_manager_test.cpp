// The node's LinkManager over MemNet: messages to a NodeId without a link are held, the peer
// dialled once, and the messages delivered in order when the link is up; a peer that cannot be
// reached (dial refused, link-wait timeout, queue overflow) is reported to every channel that
// had messages held for it, and the messages counted as dropped.
#include <gtest/gtest.h>

#include "node/link_manager.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node {
namespace {

using test::MemNet;

// A service on a test channel that records what arrives and what the LinkManager gave up.
class RecordingService final : public Service {
 public:
  explicit RecordingService(link::Channel channel) : channel_(channel) {}
  link::Channel channel() const override { return channel_; }
  const char* name() const override { return "recording"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_message(Now, const NodeId&, ByteView message) override { received.emplace_back(message.begin(), message.end()); }
  void on_peer_unreachable(Now, const NodeId& peer, std::string_view why) override {
    unreachable.emplace_back(peer, std::string(why));
  }
  ServiceHost& host() { return *host_; }

  std::vector<Bytes> received;
  std::vector<std::pair<NodeId, std::string>> unreachable;

 private:
  link::Channel channel_;
  ServiceHost* host_ = nullptr;
};

constexpr link::Channel kChannelA = 20, kChannelB = 21;

Bytes message(std::uint8_t n) { return Bytes(10, n); }

TEST(LinkManager, HoldsMessagesDialsOnceAndDeliversThemInOrder) {
  MemNet net;
  RecordingService at_a(kChannelA), at_b(kChannelA);
  const auto a = net.add_node(0, NodeConfig{}, {"mem://a"}, {&at_a});
  const auto b = net.add_node(1, NodeConfig{}, {}, {&at_b});
  net.start_all();
  net.run_for(kMillisecond);
  LinkManager& links = at_b.host().links();
  const Now now = net.core_now();
  EXPECT_EQ(*links.send(now, net.id(a), kChannelA, message(1), DialVia{"mem://a", nullptr}), SendOutcome::dialling);
  EXPECT_EQ(*links.send(now, net.id(a), kChannelA, message(2), DialVia{"mem://a", nullptr}), SendOutcome::held);
  EXPECT_EQ(*links.send(now, net.id(a), kChannelA, message(3)), SendOutcome::held);
  EXPECT_EQ(links.held(net.id(a)), 3u);
  EXPECT_TRUE(links.dialling(net.id(a)));

  ASSERT_TRUE(net.run_until_true([&] { return at_a.received.size() == 3; }, 2 * kSecond)) << net.logs(b);
  EXPECT_EQ(at_a.received, (std::vector<Bytes>{message(1), message(2), message(3)}));
  EXPECT_EQ(net.host(b).dials.size(), 1u) << "one dial for the three messages";
  EXPECT_EQ(links.counters().dials, 1u);
  EXPECT_EQ(links.counters().sent, 3u);
  EXPECT_EQ(links.waiting_peers(), 0u);
  EXPECT_EQ(links.next_deadline(), kNever) << "nothing left to wait for";
  // Up now: the next message goes straight out.
  EXPECT_EQ(*links.send(net.core_now(), net.id(a), kChannelA, message(4)), SendOutcome::sent);
  EXPECT_TRUE(at_b.unreachable.empty());
}

TEST(LinkManager, RefusedDialIsReportedToEveryChannelThatWaited) {
  MemNet net;
  RecordingService first(kChannelA), second(kChannelB), bystander(22);
  const auto b = net.add_node(1, NodeConfig{}, {}, {&first, &second, &bystander});
  net.start_all();
  net.run_for(kMillisecond);
  LinkManager& links = first.host().links();
  const NodeId& nowhere = test::identity(5).id;
  ASSERT_TRUE(links.send(net.core_now(), nowhere, kChannelA, message(1), DialVia{"mem://nowhere", nullptr}).ok());
  ASSERT_TRUE(links.send(net.core_now(), nowhere, kChannelB, message(2)).ok());
  net.run_for(kSecond);
  ASSERT_EQ(first.unreachable.size(), 1u);
  ASSERT_EQ(second.unreachable.size(), 1u);
  EXPECT_TRUE(bystander.unreachable.empty()) << "it held nothing for that peer";
  EXPECT_EQ(first.unreachable[0].first, nowhere);
  EXPECT_EQ(links.counters().dropped, 2u);
  EXPECT_EQ(links.counters().dial_failures, 1u);
  EXPECT_EQ(links.waiting_peers(), 0u);
  EXPECT_GE(net.log_lines_containing(b, "links: cannot reach " + nowhere.short_hex()), 1u);
}

TEST(LinkManager, PeerThatNeverLinksIsGivenUpAfterTheWaitTimeout) {
  MemNet net;
  RecordingService service(kChannelA);
  NodeConfig config;
  config.links.link_wait_timeout = 3 * kSecond;
  net.add_node(1, config, {}, {&service});
  net.start_all();
  net.run_for(kMillisecond);
  LinkManager& links = service.host().links();
  const TimeUs sent_at = net.now();
  ASSERT_EQ(*links.send(net.core_now(), test::identity(5).id, kChannelA, message(1)), SendOutcome::held) << "no way to dial it";
  EXPECT_EQ(links.next_deadline(), sent_at + 3 * kSecond);
  net.run_for(2 * kSecond);
  EXPECT_TRUE(service.unreachable.empty());
  net.run_for(2 * kSecond);
  ASSERT_EQ(service.unreachable.size(), 1u);
  EXPECT_EQ(service.unreachable[0].second, "the link did not come up in time");
  EXPECT_EQ(links.counters().dropped, 1u);
}

TEST(LinkManager, QueueOverflowGivesThePeerUpAtOnce) {
  MemNet net;
  RecordingService service(kChannelA);
  NodeConfig config;
  config.links.max_queued_per_peer = 2;
  config.links.max_waiting_peers = 1;
  net.add_node(1, config, {}, {&service});
  net.start_all();
  net.run_for(kMillisecond);
  LinkManager& links = service.host().links();
  const Now now = net.core_now();
  const NodeId& peer = test::identity(5).id;
  ASSERT_TRUE(links.send(now, peer, kChannelA, message(1)).ok());
  ASSERT_TRUE(links.send(now, peer, kChannelA, message(2)).ok());
  EXPECT_EQ(links.send(now, peer, kChannelA, message(3)).error().code, Errc::limit_exceeded);
  ASSERT_EQ(service.unreachable.size(), 1u) << "reported before send returned";
  EXPECT_EQ(links.counters().dropped, 2u);
  EXPECT_EQ(links.held(peer), 0u);
  // One peer may wait at a time: a second is refused (and reported), the first unaffected.
  ASSERT_TRUE(links.send(now, peer, kChannelA, message(4)).ok());
  EXPECT_EQ(links.send(now, test::identity(6).id, kChannelA, message(5)).error().code, Errc::limit_exceeded);
  EXPECT_EQ(service.unreachable.size(), 2u);
  EXPECT_EQ(links.held(peer), 1u);
  EXPECT_EQ(links.send(now, net.id(0), kChannelA, message(6)).error().code, Errc::invalid_argument) << "ourselves";
}

}  // namespace
}  // namespace zmesh::node
