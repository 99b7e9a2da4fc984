// TcpStream when the peer hangs up while our receive is paused (real loopback sockets): by
// default the stream aborts; with read_after_hangup_while_paused the bytes the peer sent
// before its FIN and then the EOF are delivered (what the onion bridge needs).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include "io/tcp_stream.hpp"
#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

using test::kGenerous;

struct Outcome {
  Bytes received;
  std::optional<CloseReason> closed;
};

// A peer writes `payload` and closes at once while our stream has receive paused. The payload
// fits the receive window, so the FIN reaches us behind it (a larger one would wait in the
// peer's send buffer, and so would its FIN, until we read).
Outcome hang_up_while_paused(const StreamOptions& options, std::size_t payload_bytes) {
  auto loop = EventLoop::create();
  EXPECT_TRUE(loop.ok());
  EventLoop& l = *loop.value();
  auto listen_address = SocketAddress::from_ip("127.0.0.1", 0);
  std::unique_ptr<TcpStream> accepted;
  auto acceptor = TcpAcceptor::open(l, *listen_address, 4, options, [&](std::unique_ptr<TcpStream> s) {
    accepted = std::move(s);
  });
  EXPECT_TRUE(acceptor.ok());
  auto peer = start_connect((*acceptor)->local_address());
  EXPECT_TRUE(peer.ok());
  EXPECT_TRUE(l.run_until([&] { return accepted != nullptr; }, kGenerous));
  Outcome out;
  accepted->set_receive_paused(true);
  accepted->on_data([&](ByteView b) { out.received.insert(out.received.end(), b.begin(), b.end()); });
  accepted->on_close([&](const CloseReason& r) { out.closed = r; });
  const Bytes payload(payload_bytes, 0x5a);
  std::size_t written = 0;
  while (written < payload.size()) {  // spins only until the nonblocking connect completes
    const ssize_t n = ::send(peer->get(), payload.data() + written, payload.size() - written, MSG_NOSIGNAL);
    if (n > 0) written += static_cast<std::size_t>(n);
  }
  ::shutdown(peer->get(), SHUT_WR);
  EXPECT_TRUE(l.run_until([&] { return out.closed.has_value(); }, kGenerous)) << out.received.size() << " bytes";
  return out;
}

TEST(TcpStreamHangup, AbortsByDefault) {
  const Outcome out = hang_up_while_paused(StreamOptions{}, 1000);
  ASSERT_TRUE(out.closed);
  EXPECT_EQ(out.closed->kind, CloseKind::reset);
  EXPECT_TRUE(out.received.empty());
}

TEST(TcpStreamHangup, DeliversTheTailAndEofWhenAsked) {
  StreamOptions options;
  options.read_after_hangup_while_paused = true;
  const Outcome out = hang_up_while_paused(options, 1000);
  ASSERT_TRUE(out.closed);
  EXPECT_EQ(out.closed->kind, CloseKind::peer_closed);
  EXPECT_EQ(out.received, Bytes(1000, 0x5a));
}

}  // namespace
}  // namespace zmesh::io
