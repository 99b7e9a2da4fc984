// NodeCore closes links that no service uses (NodeConfig::unused_link_timeout): the dialler
// closes, service messages count as use, heartbeats do not, and configured peers, links a
// service still needs and inbound links stay.
#include <gtest/gtest.h>

#include "node/health_service.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node {
namespace {

using test::MemNet;
using test::with_peers;

constexpr Channel kTestChannel = 9;

// Sends on its channel when told to; says it needs the link to `needed` if set.
class UserService final : public Service {
 public:
  Channel channel() const override { return kTestChannel; }
  const char* name() const override { return "user"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_message(Now, const NodeId&, ByteView) override { ++received; }
  bool needs_link(const NodeId& peer) const override { return needed && *needed == peer; }

  ServiceHost* host_ = nullptr;
  std::optional<NodeId> needed;
  int received = 0;
};

NodeConfig unused_after(DurationUs timeout) {
  NodeConfig config;
  config.unused_link_timeout = timeout;
  return config;
}

struct Pair {
  MemNet net;
  UserService user_a, user_b;
  MemNet::NodeIndex a = 0, b = 0;

  // `a` dials `b` through connect() (as the DHT and onion services do), not as a configured peer.
  explicit Pair(NodeConfig a_config = unused_after(60 * kSecond), std::vector<Service*> a_extra = {}) {
    a_extra.push_back(&user_a);
    a = net.add_node(0, a_config, {"mem://a"}, a_extra);
    b = net.add_node(1, unused_after(60 * kSecond), {"mem://b"}, {&user_b});
    net.start_all();
    EXPECT_TRUE(net.core(a).connect(net.core_now(), net.id(b), "mem://b").ok());
    EXPECT_TRUE(net.run_until_true([&] { return net.linked(a, b); }, 2 * kSecond));
  }
  void use_from_a() { ASSERT_TRUE(net.core(a).send(net.core_now(), net.id(b), kTestChannel, as_bytes("x")).ok()); }
};

TEST(UnusedLinks, TheDiallerClosesALinkNobodyUsedForTheTimeout) {
  Pair p;
  p.net.run_for(59 * kSecond);
  EXPECT_TRUE(p.net.linked(p.a, p.b)) << "keep-alive padding alone kept it open until now";
  p.net.run_for(2 * kSecond);
  EXPECT_FALSE(p.net.linked(p.a, p.b)) << p.net.logs(p.a);
  EXPECT_EQ(p.net.core(p.a).counters().unused_links_closed, 1u);
  EXPECT_EQ(p.net.core(p.b).counters().unused_links_closed, 0u) << "the side that was dialled never closes it";
  EXPECT_EQ(p.net.core(p.b).counters().links_failed, 0u) << "a normal close, not a failure";
}

TEST(UnusedLinks, ServiceMessagesEitherWayKeepItOpen) {
  Pair p;
  for (int i = 0; i < 5; ++i) {  // 50 s apart, alternating: never 60 s without use
    p.net.run_for(50 * kSecond);
    if (i % 2 == 0) {
      p.use_from_a();
    } else {
      ASSERT_TRUE(p.net.core(p.b).send(p.net.core_now(), p.net.id(p.a), kTestChannel, as_bytes("y")).ok());
    }
  }
  p.net.run_for(1 * kSecond);
  EXPECT_TRUE(p.net.linked(p.a, p.b));
  EXPECT_EQ(p.user_b.received, 3);
  EXPECT_EQ(p.user_a.received, 2);
  p.net.run_for(60 * kSecond);
  EXPECT_FALSE(p.net.linked(p.a, p.b)) << "closed once the use stopped";
}

TEST(UnusedLinks, HeartbeatsDoNotCountAsUse) {
  SeededRandom random_a(7), random_b(8);
  HealthService health_a(random_a), health_b(random_b);
  MemNet net;
  UserService user_a;
  const auto a = net.add_node(0, unused_after(30 * kSecond), {"mem://a"}, {&health_a, &user_a});
  const auto b = net.add_node(1, unused_after(30 * kSecond), {"mem://b"}, {&health_b});
  net.start_all();
  ASSERT_TRUE(net.core(a).connect(net.core_now(), net.id(b), "mem://b").ok());
  ASSERT_TRUE(net.run_until_true([&] { return net.linked(a, b); }, 2 * kSecond));
  net.run_for(25 * kSecond);
  EXPECT_GE(health_a.counters().pings_sent, 20u) << "heartbeats ran every second";
  net.run_for(6 * kSecond);
  EXPECT_FALSE(net.linked(a, b));
  EXPECT_EQ(net.core(a).counters().unused_links_closed, 1u);
}

TEST(UnusedLinks, ALinkAServiceStillNeedsStays) {
  Pair p;
  p.user_a.needed = p.net.id(p.b);  // an idle circuit through b
  p.net.run_for(300 * kSecond);
  EXPECT_TRUE(p.net.linked(p.a, p.b));
  p.user_a.needed.reset();  // the circuit closed
  p.net.run_for(61 * kSecond);
  EXPECT_FALSE(p.net.linked(p.a, p.b));
}

TEST(UnusedLinks, ConfiguredPeersAndTheZeroTimeoutKeepLinks) {
  MemNet net;
  const auto nodes = net.add_linked_pair(unused_after(10 * kSecond), unused_after(10 * kSecond));
  net.run_for(300 * kSecond);
  EXPECT_TRUE(net.linked(nodes.first, nodes.second)) << "b dialled a as a configured peer";
  EXPECT_EQ(net.core(nodes.second).counters().unused_links_closed, 0u);
  EXPECT_EQ(net.host(nodes.second).dials.size(), 1u) << "never redialled";

  Pair never(unused_after(0));
  never.net.run_for(300 * kSecond);
  EXPECT_TRUE(never.net.linked(never.a, never.b));
}

TEST(UnusedLinks, AClosedLinkIsDialledAgainWhenNeeded) {
  Pair p;
  p.net.run_for(61 * kSecond);
  ASSERT_FALSE(p.net.linked(p.a, p.b));
  ASSERT_TRUE(p.net.core(p.a).connect(p.net.core_now(), p.net.id(p.b), "mem://b").ok());
  ASSERT_TRUE(p.net.run_until_true([&] { return p.net.linked(p.a, p.b); }, 2 * kSecond));
  p.use_from_a();
  p.net.run_for(1 * kSecond);
  EXPECT_EQ(p.user_b.received, 1);
  p.net.run_for(60 * kSecond);
  EXPECT_FALSE(p.net.linked(p.a, p.b)) << "the new link is closed alike";
  EXPECT_EQ(p.net.core(p.a).counters().unused_links_closed, 2u);
}

}  // namespace
}  // namespace zmesh::node
