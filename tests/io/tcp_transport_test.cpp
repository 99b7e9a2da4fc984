// Framed TCP over real loopback sockets.
#include <gtest/gtest.h>

#include "io/length_framing.hpp"
#include "io/transport.hpp"
#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

using test::kGenerous;

std::unique_ptr<Listener> listen_or_die(EventLoop& loop, const std::string& url, const TransportOptions& options = {}) {
  auto listener = listen(loop, url, options);
  EXPECT_TRUE(listener.ok()) << (listener.ok() ? "" : listener.error().describe());
  if (!listener.ok()) std::abort();
  return std::move(listener.value());
}

// Sends every message (respecting backpressure) and waits for all echoes; checks them byte-exact.
void echo_round_trip(EventLoop& loop, Connection& client, const std::vector<Bytes>& messages) {
  std::vector<Bytes> received;
  std::size_t next = 0;
  std::optional<CloseReason> closed;
  client.on_data([&](ByteView m) { received.emplace_back(m.begin(), m.end()); });
  client.on_close([&](const CloseReason& r) { closed = r; });
  auto pump = [&] {
    while (next < messages.size()) {
      auto s = client.send(messages[next]);
      if (!s.ok()) {
        ASSERT_EQ(s.error().code, Errc::limit_exceeded) << s.error().describe();
        return;
      }
      ++next;
    }
  };
  client.on_writable(pump);
  pump();
  ASSERT_TRUE(loop.run_until([&] { return received.size() == messages.size() || closed; }, kGenerous))
      << "got " << received.size() << " of " << messages.size();
  ASSERT_FALSE(closed) << closed->describe();
  ASSERT_EQ(received.size(), messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) ASSERT_EQ(received[i], messages[i]) << "message " << i;
}

std::vector<Bytes> sizes_1_to_64k() {
  std::vector<Bytes> out;
  for (std::size_t size : {1, 2, 3, 4, 5, 100, 1023, 1024, 1025, 4096, 16383, 16384, 65535, 65536}) {
    out.push_back(test::pattern(size, size));
  }
  return out;
}

class TransportEcho : public ::testing::TestWithParam<const char*> {};

TEST_P(TransportEcho, MessagesOf1ByteTo64KiBAreEchoedByteExact) {
  auto loop = test::make_loop();
  SeededRandom random(11);
  auto listener = listen_or_die(*loop, GetParam());
  test::EchoServer echo(*listener);
  auto client = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(client);
  EXPECT_EQ(std::string(client->transport_name()), std::string(GetParam()).substr(0, std::string(GetParam()).find(':')));
  echo_round_trip(*loop, *client, sizes_1_to_64k());
  EXPECT_GT(client->bytes_out(), 64u * 1024);
  EXPECT_GT(client->bytes_in(), 64u * 1024);
  EXPECT_EQ(client->max_message_bytes(), kDefaultMaxMessageBytes);
  auto too_big = client->send(test::pattern(kDefaultMaxMessageBytes + 1, 1));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::too_large);
}

TEST_P(TransportEcho, LargeBurstIsDeliveredCompletelyUnderBackpressure) {
  auto loop = test::make_loop();
  SeededRandom random(12);
  TransportOptions options;
  options.send_buffer_bytes = 256 * 1024;  // small, so that backpressure engages on both sides
  auto listener = listen_or_die(*loop, GetParam(), options);
  test::EchoServer echo(*listener);
  auto client = test::dial_and_wait(*loop, random, listener->local_url(), options);
  ASSERT_TRUE(client);
  std::vector<Bytes> burst;
  for (int i = 0; i < 600; ++i) burst.push_back(test::pattern(1000 + (i * 997) % 64000, 1000 + i));  // ~19 MB
  echo_round_trip(*loop, *client, burst);
}

TEST_P(TransportEcho, PeerCloseIsReportedOnceWithReason) {
  auto loop = test::make_loop();
  SeededRandom random(13);
  auto listener = listen_or_die(*loop, GetParam());
  std::unique_ptr<Connection> server_side;
  listener->on_accept([&](std::unique_ptr<Connection> c) { server_side = std::move(c); });
  auto client = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(client);
  test::Collector collector(*client);
  ASSERT_TRUE(loop->run_until([&] { return server_side != nullptr; }, kGenerous));
  std::optional<CloseReason> server_reason;
  server_side->on_close([&](const CloseReason& r) { server_reason = r; });
  ASSERT_TRUE(server_side->send(as_bytes("last words")).ok());
  server_side->close();
  EXPECT_FALSE(server_reason);  // never from inside close()
  ASSERT_TRUE(loop->run_until([&] { return collector.reason && server_reason; }, kGenerous));
  ASSERT_EQ(collector.messages.size(), 1u);  // data sent before close() still arrives
  EXPECT_EQ(collector.messages[0], Bytes(as_bytes("last words").begin(), as_bytes("last words").end()));
  EXPECT_EQ(collector.reason->kind, CloseKind::peer_closed) << collector.reason->describe();
  EXPECT_EQ(server_reason->kind, CloseKind::local) << server_reason->describe();
  auto after = client->send(as_bytes("x"));
  EXPECT_FALSE(after.ok());
}

TEST_P(TransportEcho, IdleTimeoutDropsSilentConnection) {
  auto loop = test::make_loop();
  SeededRandom random(14);
  auto listener = listen_or_die(*loop, GetParam());
  std::unique_ptr<Connection> server_side;
  std::optional<CloseReason> reason;
  listener->on_accept([&](std::unique_ptr<Connection> c) {
    server_side = std::move(c);
    server_side->on_close([&](const CloseReason& r) { reason = r; });
    server_side->set_idle_timeout(200 * kMillisecond);
  });
  auto client = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(client);
  test::Collector collector(*client);
  ASSERT_TRUE(loop->run_until([&] { return reason.has_value(); }, kGenerous));
  EXPECT_EQ(reason->kind, CloseKind::timeout);
  ASSERT_TRUE(loop->run_until([&] { return collector.reason.has_value(); }, kGenerous));
}

TEST_P(TransportEcho, DestroyingConnectionInsideCallbackIsSafe) {
  auto loop = test::make_loop();
  SeededRandom random(15);
  auto listener = listen_or_die(*loop, GetParam());
  test::EchoServer echo(*listener);
  auto client = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(client);
  int seen = 0;
  client->on_data([&](ByteView) {
    ++seen;
    client.reset();  // further messages in the same read must not be delivered
  });
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client->send(as_bytes("ping")).ok());
  loop->run_until([&] { return client == nullptr; }, kGenerous);
  loop->run_until([] { return false; }, 100 * kMillisecond);
  EXPECT_EQ(seen, 1);
}

INSTANTIATE_TEST_SUITE_P(Loopback, TransportEcho,
                         ::testing::Values("tcp://127.0.0.1:0", "tcp://[::1]:0", "ws://127.0.0.1:0/zmesh",
                                           "ws://[::1]:0/zmesh"));

TEST(TcpTransport, OversizedLengthPrefixClosesWithTooLarge) {
  auto loop = test::make_loop();
  auto listener = listen_or_die(*loop, "tcp://127.0.0.1:0");
  std::unique_ptr<Connection> server_side;
  std::optional<CloseReason> reason;
  listener->on_accept([&](std::unique_ptr<Connection> c) {
    server_side = std::move(c);
    server_side->on_close([&](const CloseReason& r) { reason = r; });
  });
  test::RawClient raw(*loop, listener->port());
  auto header = encode_frame_header(kDefaultMaxMessageBytes + 1);
  raw.send(header);
  ASSERT_TRUE(loop->run_until([&] { return reason.has_value(); }, kGenerous));
  EXPECT_EQ(reason->kind, CloseKind::too_large);
  EXPECT_TRUE(raw.wait_eof());
}

TEST(TcpTransport, ListenerCapRefusesExtraConnectionsAndRecovers) {
  auto loop = test::make_loop();
  SeededRandom random(16);
  TransportOptions options;
  options.max_connections = 2;
  auto listener = listen_or_die(*loop, "tcp://127.0.0.1:0", options);
  test::EchoServer echo(*listener);
  auto a = test::dial_and_wait(*loop, random, listener->local_url());
  auto b = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(loop->run_until([&] { return listener->connection_count() == 2; }, kGenerous));
  // The third is accepted by the kernel, then closed by the listener.
  test::RawClient third(*loop, listener->port());
  EXPECT_TRUE(third.wait_eof());
  echo_round_trip(*loop, *a, {test::pattern(10, 1)});
  a.reset();  // frees a slot
  ASSERT_TRUE(loop->run_until([&] { return listener->connection_count() == 1; }, kGenerous));
  auto c = test::dial_and_wait(*loop, random, listener->local_url());
  ASSERT_TRUE(c);
  echo_round_trip(*loop, *c, {test::pattern(10, 2)});
}

TEST(TcpTransport, DialErrorsAreValues) {
  auto loop = test::make_loop();
  SeededRandom random(17);
  // A port that was just free: bind, read the port, close.
  std::uint16_t port = 0;
  {
    auto probe = listen_or_die(*loop, "tcp://127.0.0.1:0");
    port = probe->port();
  }
  std::optional<Error> refused;
  DialHandle h1 = dial(*loop, random, "tcp://127.0.0.1:" + std::to_string(port), [&](Result<std::unique_ptr<Connection>> r) {
    ASSERT_FALSE(r.ok());
    refused = r.error();
  });
  ASSERT_TRUE(loop->run_until([&] { return refused.has_value(); }, kGenerous));
  std::optional<Error> bad_url;
  DialHandle h2 = dial(*loop, random, "udp://1.2.3.4:5", [&](Result<std::unique_ptr<Connection>> r) {
    ASSERT_FALSE(r.ok());
    bad_url = r.error();
  });
  ASSERT_TRUE(loop->run_until([&] { return bad_url.has_value(); }, kGenerous));
  EXPECT_EQ(bad_url->code, Errc::invalid_argument);
  EXPECT_FALSE(listen(*loop, "tcp://example.org:0").ok());  // listen needs an IP literal
}

TEST(TcpTransport, CancelledDialNeverCallsBack) {
  auto loop = test::make_loop();
  SeededRandom random(18);
  auto listener = listen_or_die(*loop, "tcp://127.0.0.1:0");
  bool called = false;
  {
    DialHandle handle = dial(*loop, random, listener->local_url(), [&](Result<std::unique_ptr<Connection>>) { called = true; });
    EXPECT_TRUE(handle.pending());
  }
  loop->run_until([] { return false; }, 200 * kMillisecond);
  EXPECT_FALSE(called);
}

TEST(TcpTransport, LocalhostNameResolvesOffLoop) {
  auto loop = test::make_loop();
  SeededRandom random(19);
  auto listener = listen_or_die(*loop, "tcp://127.0.0.1:0");
  test::EchoServer echo(*listener);
  auto client = test::dial_and_wait(*loop, random, "tcp://localhost:" + std::to_string(listener->port()));
  ASSERT_TRUE(client);
  echo_round_trip(*loop, *client, {test::pattern(5, 5)});
}

}  // namespace
}  // namespace zmesh::io
