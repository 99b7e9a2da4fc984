#include <gtest/gtest.h>

#include "link/link.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

using test::identity;
using test::pump;

struct Pair {
  SeededRandom ra{1}, rb{2};
  Link a;
  Link b;
  Pair(LinkConfig ca = {}, LinkConfig cb = {}, TimeUs now = 0)
      : a(Link::dial(identity(0), ra, std::move(ca), now)), b(Link::accept(identity(1), rb, std::move(cb), now)) {}
};

TEST(Link, DialAcceptExchangeAndClose) {
  LinkConfig dial_config;
  dial_config.handshake.expected_peer = identity(1).id;
  Pair p(dial_config);
  EXPECT_EQ(p.a.state(), LinkState::handshaking);
  EXPECT_EQ(p.a.send(0, 2, Bytes{1}).error().code, Errc::closed) << "no data before the handshake";
  ASSERT_TRUE(pump(p.a, p.b, 1));  // message 1
  ASSERT_TRUE(pump(p.b, p.a, 2));  // message 2
  EXPECT_TRUE(p.a.is_open()) << "the initiator is open once it has sent message 3";
  // The initiator's first data rides right behind message 3.
  ASSERT_TRUE(p.a.send(2, 7, Bytes{4, 5, 6}).ok());
  ASSERT_TRUE(pump(p.a, p.b, 3));
  EXPECT_TRUE(p.b.is_open());
  EXPECT_EQ(*p.a.peer_id(), identity(1).id);
  EXPECT_EQ(*p.b.peer_id(), identity(0).id);
  EXPECT_EQ(p.a.session()->session_id(), p.b.session()->session_id());
  auto got = p.b.poll_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->channel, 7);
  EXPECT_EQ(got->payload, (Bytes{4, 5, 6}));

  p.b.close(4, CloseReason::normal, "done");
  ASSERT_TRUE(pump(p.b, p.a, 5));
  EXPECT_EQ(p.a.state(), LinkState::closed_by_peer);
  EXPECT_EQ(p.b.state(), LinkState::closed);
}

TEST(Link, HandshakeFailureIsAFailedLinkWithTheError) {
  LinkConfig dial_config;
  dial_config.handshake.expected_peer = identity(3).id;
  Pair p(dial_config);
  ASSERT_TRUE(pump(p.a, p.b, 1));
  EXPECT_FALSE(pump(p.b, p.a, 2));
  EXPECT_EQ(p.a.state(), LinkState::failed);
  EXPECT_NE(p.a.error()->message.find("wrong identity"), std::string::npos);
  EXPECT_FALSE(p.a.poll_transmit().has_value());
  EXPECT_EQ(p.a.next_deadline(), kNever);
}

TEST(Link, HandshakeTimeoutThroughTheLink) {
  Pair p;
  EXPECT_EQ(p.b.next_deadline(), kDefaultHandshakeTimeout);
  p.b.on_timeout(kDefaultHandshakeTimeout);
  EXPECT_EQ(p.b.state(), LinkState::failed);
  EXPECT_EQ(p.b.error()->code, Errc::timeout);
}

TEST(Link, CloseDuringTheHandshakeAbandonsIt) {
  Pair p;
  p.a.close(0, CloseReason::shutting_down, "bye");
  EXPECT_EQ(p.a.state(), LinkState::failed);
  EXPECT_EQ(p.a.error()->code, Errc::closed);
  EXPECT_FALSE(p.a.on_receive(0, Bytes(10)).ok());
  EXPECT_EQ(p.a.next_deadline(), kNever);
}

TEST(Link, GarbageDuringTheHandshakeFailsWithoutCrashing) {
  SeededRandom noise(5);
  for (std::size_t size : {0, 1, 2, 100, 1218, 6495, 5375, 70000}) {
    Pair p;
    Bytes garbage(size);
    noise.fill(garbage);
    if (size >= 2) {
      garbage[0] = 1;
      garbage[1] = 1;  // looks like a message 1
    }
    (void)p.b.on_receive(0, garbage);
    EXPECT_NE(p.b.state(), LinkState::open) << size;
  }
}

}  // namespace
}  // namespace zmesh::link
