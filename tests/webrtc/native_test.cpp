// Native <-> native WebRTC on loopback, in one process and one event loop: two engines, real
// libnice sockets on 127.0.0.1, DTLS, usrsctp, DCEP; signaling through an in-process pair.
#include <gtest/gtest.h>

#include "link/link_test_util.hpp"
#include "webrtc_test_util.hpp"

namespace zmesh::io::webrtc {
namespace {

using test::kGenerous;

struct Fixture {
  std::unique_ptr<EventLoop> loop = test::make_loop();
  SeededRandom random_a{1}, random_b{2};
  std::unique_ptr<RtcEngine> a, b;
  explicit Fixture(RtcConfig config_a = test::loopback_config(), RtcConfig config_b = test::loopback_config()) {
    a = test::make_engine(*loop, random_a, std::move(config_a));
    b = test::make_engine(*loop, random_b, std::move(config_b));
  }
};

TEST(WebRtcNative, OpensChannelAndExchangesMessagesByteExact) {
  Fixture f;
  test::SessionPair pair(*f.a, *f.b, *f.loop);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_TRUE(pair.offerer.connection) << pair.offerer.error->describe();
  ASSERT_TRUE(pair.answerer.connection) << pair.answerer.error->describe();
  Connection& x = *pair.offerer.connection;
  Connection& y = *pair.answerer.connection;
  EXPECT_STREQ(x.transport_name(), "webrtc");
  EXPECT_NE(x.remote_description().find("127.0.0.1"), std::string::npos) << x.remote_description();
  ASSERT_EQ(x.max_message_bytes(), 256u * 1024);
  test::Collector cx(x), cy(y);

  const std::size_t sizes[] = {1, 1024, x.max_message_bytes(), 0};
  for (std::uint32_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(x.send(test::pattern(sizes[i], i, 0)).ok());
    ASSERT_TRUE(y.send(test::pattern(sizes[i], i, 1)).ok());
  }
  ASSERT_TRUE(f.loop->run_until([&] { return cx.messages.size() == 4 && cy.messages.size() == 4; }, kGenerous));
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cy.messages[i], test::pattern(sizes[i], i, 0)) << "offerer -> answerer #" << i;
    EXPECT_EQ(cx.messages[i], test::pattern(sizes[i], i, 1)) << "answerer -> offerer #" << i;
  }
  // max-message-size is honoured on send.
  auto too_big = x.send(Bytes(x.max_message_bytes() + 1));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::too_large);
  EXPECT_GT(x.bytes_out(), 256u * 1024);
  EXPECT_GT(y.bytes_in(), 256u * 1024);

  // Clean close: local on this side, peer_closed on the other.
  x.close();
  ASSERT_TRUE(f.loop->run_until([&] { return cx.reason && cy.reason; }, kGenerous));
  EXPECT_EQ(cx.reason->kind, CloseKind::local) << cx.reason->describe();
  EXPECT_EQ(cy.reason->kind, CloseKind::peer_closed) << cy.reason->describe();
}

TEST(WebRtcNative, HonoursSmallerRemoteMaxMessageSize) {
  RtcConfig small = test::loopback_config();
  small.max_message_bytes = 1000;
  Fixture f(test::loopback_config(), small);
  test::SessionPair pair(*f.a, *f.b, *f.loop);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_TRUE(pair.offerer.connection && pair.answerer.connection);
  EXPECT_EQ(pair.offerer.connection->max_message_bytes(), 1000u);
  EXPECT_EQ(pair.answerer.connection->max_message_bytes(), 1000u);
  test::Collector c(*pair.answerer.connection);
  EXPECT_EQ(pair.offerer.connection->send(Bytes(1001)).error().code, Errc::too_large);
  ASSERT_TRUE(pair.offerer.connection->send(test::pattern(1000, 9, 0)).ok());
  ASSERT_TRUE(f.loop->run_until([&] { return c.messages.size() == 1; }, kGenerous));
  EXPECT_EQ(c.messages[0], test::pattern(1000, 9, 0));
}

TEST(WebRtcNative, FingerprintMismatchFailsTheHandshake) {
  Fixture f;
  // A man in the middle swaps the offerer's certificate fingerprint in its offer.
  test::SessionPair pair(*f.a, *f.b, *f.loop, [](SignalMessage& m) {
    if (m.type != SignalType::offer) return;
    auto sdp = parse_sdp(m.sdp);
    ASSERT_TRUE(sdp.ok());
    sdp->fingerprint.sha256[0] ^= 0x01;
    m.sdp = write_sdp(sdp.value());
  });
  ASSERT_TRUE(pair.wait(*f.loop));
  EXPECT_FALSE(pair.offerer.connection);
  ASSERT_FALSE(pair.answerer.connection);
  // The answerer checks the offerer's certificate against the (tampered) offer.
  EXPECT_EQ(pair.answerer.error->code, Errc::verify_failed) << pair.answerer.error->describe();
  EXPECT_NE(pair.answerer.error->message.find("fingerprint mismatch"), std::string::npos);
  ASSERT_TRUE(pair.offerer.error);
}

TEST(WebRtcNative, IceFailureIsReported) {
  RtcConfig refuse_all = test::loopback_config();
  refuse_all.accept_remote_candidate = [](const IceCandidate&) { return false; };
  Fixture f(refuse_all, refuse_all);
  test::SessionPair pair(*f.a, *f.b, *f.loop);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_FALSE(pair.offerer.connection);
  EXPECT_NE(pair.offerer.error->message.find("ICE failed"), std::string::npos) << pair.offerer.error->describe();
}

TEST(WebRtcNative, IceFailureWhenNoPairAnswers) {
  Fixture f;
  // Both sides' candidates point at a port nobody listens on: every check goes unanswered.
  auto started = f.loop->now();
  auto misdirect = [](SignalMessage& m) {
    if (m.type != SignalType::candidate) return;
    auto c = parse_candidate(m.candidate);
    ASSERT_TRUE(c.ok());
    c->port = 9;  // discard
    m.candidate = format_candidate(c.value());
  };
  test::SessionPair pair(*f.a, *f.b, *f.loop, misdirect, misdirect);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_FALSE(pair.answerer.connection);
  EXPECT_NE(pair.answerer.error->message.find("ICE failed"), std::string::npos) << pair.answerer.error->describe();
  std::printf("ICE failure reported after %lld ms\n", static_cast<long long>((f.loop->now() - started) / kMillisecond));
}

TEST(WebRtcNative, SctpAbortByPeerClosesWithReset) {
  Fixture f;
  test::SessionPair pair(*f.a, *f.b, *f.loop);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_TRUE(pair.offerer.connection && pair.answerer.connection);
  test::Collector c(*pair.answerer.connection);
  pair.offerer.connection.reset();  // destroying a connection aborts its association at once
  ASSERT_TRUE(f.loop->run_until([&] { return c.reason.has_value(); }, kGenerous));
  EXPECT_EQ(c.reason->kind, CloseKind::reset) << c.reason->describe();
  EXPECT_NE(c.reason->detail.find("SCTP"), std::string::npos) << c.reason->describe();
}

// The PeerConnection API directly: an unordered, partially reliable channel next to the link's.
TEST(WebRtcNative, UnorderedPartiallyReliableChannel) {
  Fixture f;
  auto signaling = make_signaling_pair(*f.loop);  // no structured binding: clang 14 cannot capture one
  auto& sa = signaling.first;
  auto& sb = signaling.second;
  std::shared_ptr<DataChannel> remote;
  std::unique_ptr<PeerConnection> pa, pb;
  PeerConnection::Callbacks ca, cb;
  ca.on_signal = [&](const SignalMessage& m) { ASSERT_TRUE(sa->send(m).ok()); };
  cb.on_signal = [&](const SignalMessage& m) { ASSERT_TRUE(sb->send(m).ok()); };
  cb.on_data_channel = [&](std::shared_ptr<DataChannel> channel) { remote = std::move(channel); };
  pa = std::move(PeerConnection::create(*f.a, std::move(ca)).value());
  pb = std::move(PeerConnection::create(*f.b, std::move(cb)).value());
  sa->on_message([&](const SignalMessage& m) { ASSERT_TRUE(pa->handle_signal(m).ok()) << signal_type_name(m.type); });
  sb->on_message([&](const SignalMessage& m) { ASSERT_TRUE(pb->handle_signal(m).ok()) << signal_type_name(m.type); });
  DataChannelInit init;
  init.label = "unreliable";
  init.type = ChannelType::partial_reliable_rexmit_unordered;
  init.reliability_parameter = 0;
  auto local = pa->create_data_channel(init).value();
  bool opened = false;
  local->on_open([&] { opened = true; });
  ASSERT_TRUE(pa->create_offer().ok());
  ASSERT_TRUE(f.loop->run_until([&] { return opened && remote; }, kGenerous));
  EXPECT_EQ(remote->label(), "unreliable");
  EXPECT_EQ(remote->type(), ChannelType::partial_reliable_rexmit_unordered);
  EXPECT_EQ(local->stream() % 2, pa->is_offerer() ? local->stream() % 2 : 0u);
  EXPECT_NE(local->stream() % 2, 2u);
  std::vector<Bytes> got;
  std::vector<bool> text;
  remote->on_message([&](ByteView m, bool is_text) {
    got.emplace_back(m.begin(), m.end());
    text.push_back(is_text);
  });
  for (std::uint32_t i = 0; i < 50; ++i) ASSERT_TRUE(local->send(test::pattern(100 + i, i, 0)).ok());
  ASSERT_TRUE(local->send_text("hello").ok());
  ASSERT_TRUE(local->send_text("").ok());
  // Loopback loses nothing; order is not promised, content is.
  ASSERT_TRUE(f.loop->run_until([&] { return got.size() == 52; }, kGenerous));
  std::size_t texts = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (text[i]) {
      ++texts;
      EXPECT_TRUE(got[i].empty() || got[i] == Bytes({'h', 'e', 'l', 'l', 'o'}));
      continue;
    }
    ASSERT_GE(got[i].size(), 100u);
    std::uint32_t index = static_cast<std::uint32_t>(got[i].size() - 100);
    EXPECT_EQ(got[i], test::pattern(100 + index, index, 0));
  }
  EXPECT_EQ(texts, 2u);
  // Closing the channel resets the stream on both sides (RFC 8831 §6.7).
  bool remote_closed = false;
  remote->on_closed([&] { remote_closed = true; });
  local->close();
  ASSERT_TRUE(f.loop->run_until([&] { return remote_closed; }, kGenerous));
  EXPECT_FALSE(local->send(Bytes{1}).ok());
}

// Runs the zMesh link (hybrid-PQ handshake, then cells) over one io::Connection.
class LinkOverConnection {
 public:
  LinkOverConnection(Connection& connection, link::Link link, EventLoop& loop)
      : connection_(connection), link_(std::move(link)), loop_(loop) {
    connection_.on_data([this](ByteView message) {
      EXPECT_TRUE(link_.on_receive(loop_.now(), message).ok());
      flush();
    });
    flush();
  }
  void flush() {
    while (auto out = link_.poll_transmit()) EXPECT_TRUE(connection_.send(*out).ok());
    while (auto in = link_.poll_message()) received.push_back(std::move(*in));
  }
  link::Link& link() { return link_; }
  std::vector<link::LinkMessage> received;

 private:
  Connection& connection_;
  link::Link link_;
  EventLoop& loop_;
};

TEST(WebRtcNative, RunsTheZmeshLinkOverTheDataChannel) {
  Fixture f;
  test::SessionPair pair(*f.a, *f.b, *f.loop);
  ASSERT_TRUE(pair.wait(*f.loop));
  ASSERT_TRUE(pair.offerer.connection && pair.answerer.connection);
  SeededRandom ra(11), rb(12);
  LinkOverConnection dialer(*pair.offerer.connection,
                            link::Link::dial(link::test::identity(0), ra, {}, f.loop->now()), *f.loop);
  LinkOverConnection acceptor(*pair.answerer.connection,
                              link::Link::accept(link::test::identity(1), rb, {}, f.loop->now()), *f.loop);
  ASSERT_TRUE(f.loop->run_until([&] { return dialer.link().is_open() && acceptor.link().is_open(); }, kGenerous));
  EXPECT_EQ(dialer.link().peer_id(), link::test::identity(1).id);
  EXPECT_EQ(acceptor.link().peer_id(), link::test::identity(0).id);

  const Bytes big = test::pattern(20000, 3, 0);  // fragmented into many cells
  ASSERT_TRUE(dialer.link().send(f.loop->now(), link::kFirstAppChannel, big).ok());
  ASSERT_TRUE(acceptor.link().send(f.loop->now(), link::kFirstAppChannel, as_bytes("pong")).ok());
  dialer.flush();
  acceptor.flush();
  ASSERT_TRUE(f.loop->run_until([&] { return !acceptor.received.empty() && !dialer.received.empty(); }, kGenerous));
  EXPECT_EQ(acceptor.received[0].payload, big);
  EXPECT_EQ(dialer.received[0].payload, Bytes(as_bytes("pong").begin(), as_bytes("pong").end()));
}

}  // namespace
}  // namespace zmesh::io::webrtc
