// WebSocket server and client over real loopback sockets, including hostile raw clients.
#include <gtest/gtest.h>

#include "io/http.hpp"
#include "io/transport.hpp"
#include "io/websocket_frame.hpp"
#include "io/websocket_handshake.hpp"
#include "io/websocket_transport.hpp"
#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

using test::kGenerous;
using test::RawClient;

constexpr const char* kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";

std::string upgrade_request(const std::string& path = "/zmesh", const std::string& key = kRfcKey,
                            const std::string& protocol = "zmesh.v1") {
  std::string out = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n";
  out += "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
  if (!protocol.empty()) out += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
  return out + "\r\n";
}

struct ServerReply {
  int status = 0;
  std::vector<ws::FrameEvent> events;
  std::vector<Bytes> payloads;
};

// Splits what a raw client received into the HTTP response and the frames after it.
ServerReply parse_reply(const Bytes& received) {
  ServerReply reply;
  auto end = find_head_end(received);
  if (!end.ok() || end.value() == 0) return reply;
  auto head = parse_response_head(std::string_view(reinterpret_cast<const char*>(received.data()), end.value()));
  if (!head.ok()) return reply;
  reply.status = head.value().status;
  if (reply.status != 101) return reply;
  ws::FrameDecoder decoder(ws::Role::client, 1 << 20);
  (void)decoder.feed(ByteView(received).subspan(end.value()), [&](const ws::FrameEvent& e) {
    reply.payloads.emplace_back(e.payload.begin(), e.payload.end());
    reply.events.push_back(e);
    reply.events.back().payload = {};
    return true;
  });
  return reply;
}

Bytes masked(ws::Opcode op, bool fin, ByteView payload) {
  ws::MaskKey mask{0xa1, 0xb2, 0xc3, 0xd4};
  Bytes out;
  ws::encode_frame(out, op, fin, payload, &mask);
  return out;
}

class WsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop = test::make_loop();
    options.handshake_timeout = 500 * kMillisecond;
    auto l = listen(*loop, "ws://127.0.0.1:0/zmesh", options);
    ASSERT_TRUE(l.ok()) << l.error().describe();
    listener = std::move(l.value());
    echo = std::make_unique<test::EchoServer>(*listener);
  }
  // The listener keeps serving well-behaved clients whatever happened before.
  void expect_still_serving() {
    SeededRandom random(99);
    auto client = test::dial_and_wait(*loop, random, listener->local_url(), options);
    ASSERT_TRUE(client);
    test::Collector collector(*client);
    Bytes message = test::pattern(3000, 42);
    ASSERT_TRUE(client->send(message).ok());
    ASSERT_TRUE(loop->run_until([&] { return !collector.messages.empty(); }, kGenerous));
    EXPECT_EQ(collector.messages[0], message);
  }
  // Sends `frames` after a valid upgrade; returns the server's reply once it closed the socket.
  ServerReply send_after_upgrade(ByteView frames) {
    RawClient raw(*loop, listener->port());
    std::string request = upgrade_request();
    Bytes all(request.begin(), request.end());
    append(all, frames);
    raw.send(all);
    EXPECT_TRUE(raw.wait_eof()) << "server did not close";
    return parse_reply(raw.received);
  }

  std::unique_ptr<EventLoop> loop;
  TransportOptions options;
  std::unique_ptr<Listener> listener;
  std::unique_ptr<test::EchoServer> echo;
  std::unique_ptr<Connection> idle_connection;
  std::optional<CloseReason> idle_reason;
};

TEST_F(WsServerTest, FragmentedMessageFromRawClientIsReassembledAndEchoed) {
  RawClient raw(*loop, listener->port());
  raw.send(upgrade_request());
  Bytes message = test::pattern(50000, 7);
  Bytes frames = masked(ws::Opcode::binary, false, ByteView(message).subspan(0, 10));
  append(frames, masked(ws::Opcode::ping, true, as_bytes("are you there")));
  append(frames, masked(ws::Opcode::continuation, false, ByteView(message).subspan(10, 20000)));
  append(frames, masked(ws::Opcode::continuation, true, ByteView(message).subspan(20010)));
  raw.send(frames);
  ASSERT_TRUE(loop->run_until([&] { return parse_reply(raw.received).events.size() >= 2 || raw.eof; }, kGenerous));
  auto reply = parse_reply(raw.received);
  EXPECT_EQ(reply.status, 101);
  ASSERT_EQ(reply.events.size(), 2u);
  EXPECT_EQ(reply.events[0].kind, ws::FrameEvent::Kind::pong);  // §5.5.3: pong echoes the ping data
  EXPECT_EQ(reply.payloads[0], Bytes(as_bytes("are you there").begin(), as_bytes("are you there").end()));
  EXPECT_EQ(reply.events[1].kind, ws::FrameEvent::Kind::message);
  EXPECT_EQ(reply.payloads[1], message);
  // The handshake response carries the RFC 6455 §1.3 accept value and our subprotocol.
  EXPECT_NE(raw.text().find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_NE(raw.text().find("Sec-WebSocket-Protocol: zmesh.v1\r\n"), std::string::npos);
}

TEST_F(WsServerTest, UnmaskedClientFrameIsClosedWith1002) {
  Bytes frame;
  ws::encode_frame(frame, ws::Opcode::binary, true, as_bytes("hi"), nullptr);
  auto reply = send_after_upgrade(frame);
  EXPECT_EQ(reply.status, 101);
  ASSERT_FALSE(reply.events.empty());
  EXPECT_EQ(reply.events.back().kind, ws::FrameEvent::Kind::close);
  EXPECT_EQ(reply.events.back().close_status, ws::kStatusProtocolError);
  expect_still_serving();
  ASSERT_TRUE(loop->run_until([&] { return !echo->close_reasons.empty(); }, kGenerous));
  EXPECT_EQ(echo->close_reasons[0].kind, CloseKind::protocol_error);
  EXPECT_EQ(echo->close_reasons[0].ws_status, ws::kStatusProtocolError);
}

TEST_F(WsServerTest, ReservedBitsAreClosedWith1002) {
  Bytes frame = masked(ws::Opcode::binary, true, as_bytes("hi"));
  frame[0] |= 0x40;  // RSV1 without a negotiated extension
  auto reply = send_after_upgrade(frame);
  ASSERT_FALSE(reply.events.empty());
  EXPECT_EQ(reply.events.back().close_status, ws::kStatusProtocolError);
  expect_still_serving();
}

TEST_F(WsServerTest, OversizedFrameIsClosedWith1009BeforeItsPayloadArrives) {
  Bytes header{0x82, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4};  // 256 MiB announced, masked
  auto reply = send_after_upgrade(header);
  ASSERT_FALSE(reply.events.empty());
  EXPECT_EQ(reply.events.back().close_status, ws::kStatusTooBig);
  expect_still_serving();
}

TEST_F(WsServerTest, TextFrameIsClosedWith1003) {
  auto reply = send_after_upgrade(masked(ws::Opcode::text, true, as_bytes("hello")));
  ASSERT_FALSE(reply.events.empty());
  EXPECT_EQ(reply.events.back().close_status, ws::kStatusUnsupportedData);
}

TEST_F(WsServerTest, CloseFrameIsEchoedWithItsStatus) {
  auto reply = send_after_upgrade(masked(ws::Opcode::close, true, ws::close_payload(4000, "done")));
  ASSERT_EQ(reply.events.size(), 1u);
  EXPECT_EQ(reply.events[0].close_status, 4000);
  ASSERT_TRUE(loop->run_until([&] { return !echo->close_reasons.empty(); }, kGenerous));
  EXPECT_EQ(echo->close_reasons[0].kind, CloseKind::peer_closed);
  EXPECT_EQ(echo->close_reasons[0].ws_status, 4000);
  EXPECT_EQ(echo->close_reasons[0].detail, "done");
}

TEST_F(WsServerTest, InvalidHandshakesAreRefusedWithHttpErrors) {
  struct Case {
    std::string request;
    int status;
  };
  std::vector<Case> cases = {
      {upgrade_request("/zmesh", "c2hvcnQ="), 400},                // key is not 16 bytes
      {upgrade_request("/zmesh", "not base64!!!!!!!!!!!!!!"), 400},  // key is not base64
      {upgrade_request("/zmesh", kRfcKey, ""), 400},               // no zmesh.v1 subprotocol
      {upgrade_request("/zmesh", kRfcKey, "chat, superchat"), 400},
      {upgrade_request("/elsewhere"), 404},
      {"GET /zmesh HTTP/1.1\r\nHost: x\r\n\r\n", 426},             // not an upgrade
      {"POST /zmesh HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n", 400},
      {"GET /zmesh HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
           std::string(kRfcKey) + "\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Protocol: zmesh.v1\r\n\r\n",
       426},
      {"\x16\x03\x01\x02\x01 garbage that is not HTTP\r\n\r\n", 400},  // e.g. a TLS ClientHello
  };
  for (const auto& c : cases) {
    RawClient raw(*loop, listener->port());
    raw.send(c.request);
    ASSERT_TRUE(raw.wait_eof()) << c.request;
    auto reply = parse_reply(raw.received);
    EXPECT_EQ(reply.status, c.status) << c.request << "\n--- got:\n" << raw.text();
  }
  expect_still_serving();
}

TEST_F(WsServerTest, SlowHeadersAreDroppedAfterTheDeadlineWhileOthersAreServed) {
  RawClient slow(*loop, listener->port());
  slow.send("GET /zmesh HTTP/1.1\r\n");
  // Trickle a header line every 50 ms: activity must not extend the request deadline.
  std::function<void()> trickle = [&] {
    if (slow.eof) return;
    slow.send("X-Slow: 1\r\n");
    loop->run_after(50 * kMillisecond, trickle);
  };
  loop->run_after(50 * kMillisecond, trickle);
  TimeUs start = loop->now();
  expect_still_serving();  // served while the slow client hangs on
  EXPECT_FALSE(slow.eof);
  ASSERT_TRUE(slow.wait_eof());
  EXPECT_GE(loop->now() - start, 300 * kMillisecond);
  EXPECT_EQ(slow.text().find("HTTP/1.1 101"), std::string::npos);
}

TEST_F(WsServerTest, HalfOpenUpgradedConnectionIsDroppedByIdleTimeout) {
  listener->on_accept([&](std::unique_ptr<Connection> c) {
    c->set_idle_timeout(200 * kMillisecond);  // what the node does until the link handshake completes
    idle_connection = std::move(c);
    idle_connection->on_close([&](const CloseReason& r) { idle_reason = r; });
  });
  RawClient raw(*loop, listener->port());
  raw.send(upgrade_request());
  ASSERT_TRUE(loop->run_until([&] { return idle_reason.has_value(); }, kGenerous));
  EXPECT_EQ(idle_reason->kind, CloseKind::timeout);
  EXPECT_TRUE(raw.wait_eof());
}

TEST_F(WsServerTest, ClientCloseHandshakeReportsStatusOnBothSides) {
  SeededRandom random(5);
  auto client = test::dial_and_wait(*loop, random, listener->local_url(), options);
  ASSERT_TRUE(client);
  test::Collector collector(*client);
  ASSERT_TRUE(client->send(as_bytes("x")).ok());
  ASSERT_TRUE(loop->run_until([&] { return !collector.messages.empty(); }, kGenerous));
  client->close();
  EXPECT_FALSE(client->send(as_bytes("y")).ok());
  ASSERT_TRUE(loop->run_until([&] { return collector.reason && !echo->close_reasons.empty(); }, kGenerous));
  EXPECT_EQ(collector.reason->kind, CloseKind::local);
  EXPECT_EQ(collector.reason->ws_status, ws::kStatusNormal);
  EXPECT_EQ(echo->close_reasons[0].kind, CloseKind::peer_closed);
  EXPECT_EQ(echo->close_reasons[0].ws_status, ws::kStatusNormal);
}

TEST_F(WsServerTest, ClientRejectsServerThatIsNotWebSocket) {
  // A plain HTTP route on the same listener: the client's upgrade gets a 426/404, not a 101.
  auto* ws_listener = dynamic_cast<WsListener*>(listener.get());
  ASSERT_NE(ws_listener, nullptr);
  ws_listener->http().route("GET", "/status", [](const HttpRequest&) { return HttpResponse::text(200, "ok"); });
  RawClient raw(*loop, listener->port());
  raw.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(raw.wait_eof());
  EXPECT_EQ(raw.text().substr(0, 15), "HTTP/1.1 200 OK");
  SeededRandom random(6);
  std::optional<Error> error;
  std::string url = "ws://127.0.0.1:" + std::to_string(listener->port()) + "/status";
  DialHandle h = dial(*loop, random, url, [&](Result<std::unique_ptr<Connection>> r) {
    ASSERT_FALSE(r.ok());
    error = r.error();
  });
  ASSERT_TRUE(loop->run_until([&] { return error.has_value(); }, kGenerous));
  EXPECT_NE(error->message.find("handshake"), std::string::npos) << error->describe();
}

TEST_F(WsServerTest, ClientFailsOnMaskedServerFrames) {
  // A fake server (raw TCP listener via the HTTP upgrade hook) that answers correctly but then
  // sends a masked frame, which a client must reject (§5.1).
  auto http = HttpServer::open(*loop, SocketAddress::from_ip("127.0.0.1", 0).value());
  ASSERT_TRUE(http.ok());
  std::unique_ptr<TcpStream> kept;
  http.value()->upgrade_route(
      "/bad", [](const HttpRequest& r) { return ws::evaluate_upgrade(r, "zmesh.v1").response; },
      [&](HttpRequest, std::unique_ptr<TcpStream> s, ByteView) {
        kept = std::move(s);
        (void)kept->write(masked(ws::Opcode::binary, true, as_bytes("masked!")));
      });
  SeededRandom random(8);
  auto client = test::dial_and_wait(*loop, random,
                                    "ws://127.0.0.1:" + std::to_string(http.value()->local_address().port()) + "/bad");
  ASSERT_TRUE(client);
  test::Collector collector(*client);
  ASSERT_TRUE(loop->run_until([&] { return collector.reason.has_value(); }, kGenerous));
  EXPECT_TRUE(collector.messages.empty());
  EXPECT_EQ(collector.reason->kind, CloseKind::protocol_error);
  EXPECT_EQ(collector.reason->ws_status, ws::kStatusProtocolError);
}

}  // namespace
}  // namespace zmesh::io
