// Sans-IO pieces: URLs, TCP length framing, HTTP parsing, WebSocket frames and handshake keys.
#include <gtest/gtest.h>

#include "io/http.hpp"
#include "io/length_framing.hpp"
#include "io/url.hpp"
#include "io/websocket_frame.hpp"
#include "io/websocket_handshake.hpp"
#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

TEST(Url, ParsesTcpWsIpv4Ipv6AndNames) {
  auto a = parse_transport_url("tcp://127.0.0.1:4433");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, TransportScheme::tcp);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4433);
  auto b = parse_transport_url("ws://[::1]:80/zmesh/v1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->path, "/zmesh/v1");
  EXPECT_EQ(b->to_string(), "ws://[::1]:80/zmesh/v1");
  EXPECT_EQ(b->authority(), "[::1]:80");
  auto c = parse_transport_url("ws://relay.example:8080");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, "/");
  EXPECT_EQ(c->host, "relay.example");
}

TEST(Url, RejectsMalformed) {
  for (const char* bad : {"http://1.2.3.4:1", "tcp://1.2.3.4", "tcp://1.2.3.4:99999", "tcp://1.2.3.4:12x",
                          "tcp://1.2.3.4:1/path", "ws://[::1:80/", "ws://h:1/a?q=1", "ws://h:1/a#f", "ws://us er:1/",
                          "tcp://:1", "ws://[zz]:1/", "tcp://h:"}) {
    EXPECT_FALSE(parse_transport_url(bad).ok()) << bad;
  }
  EXPECT_FALSE(parse_transport_url(std::string(600, 'a')).ok());
}

TEST(LengthFraming, RandomChunkingYieldsTheSameMessages) {
  SeededRandom random(7);
  std::vector<Bytes> sent;
  Bytes stream;
  for (int i = 0; i < 200; ++i) {
    std::size_t size = random.uniform(3) == 0 ? random.uniform(kDefaultMaxMessageBytes + 1) : random.uniform(300);
    Bytes m = test::pattern(size, i);
    auto h = encode_frame_header(static_cast<std::uint32_t>(m.size()));
    stream.insert(stream.end(), h.begin(), h.end());
    append(stream, m);
    sent.push_back(std::move(m));
  }
  for (int round = 0; round < 5; ++round) {
    LengthFrameDecoder decoder;
    std::vector<Bytes> got;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      std::size_t n = std::min<std::size_t>(stream.size() - pos, 1 + random.uniform(round == 0 ? 3 : 100000));
      ASSERT_TRUE(decoder.feed(ByteView(stream).subspan(pos, n), [&](ByteView m) {
        got.emplace_back(m.begin(), m.end());
        return true;
      }).ok());
      pos += n;
    }
    ASSERT_EQ(got, sent);
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
  }
}

TEST(LengthFraming, RefusesOversizedLengthBeforeBuffering) {
  LengthFrameDecoder decoder(1000);
  auto header = encode_frame_header(1001);
  auto status = decoder.feed(ByteView(header.data(), 2), [](ByteView) { return true; });
  ASSERT_TRUE(status.ok());
  status = decoder.feed(ByteView(header.data() + 2, 2), [](ByteView) { return true; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::too_large);
  EXPECT_TRUE(decoder.failed());
  auto huge = encode_frame_header(0xffffffff);
  LengthFrameDecoder fresh(1000);
  EXPECT_FALSE(fresh.feed(huge, [](ByteView) { return true; }).ok());
}

TEST(LengthFraming, EmptyMessagesAreMessages) {
  LengthFrameDecoder decoder;
  auto h = encode_frame_header(0);
  int count = 0;
  Bytes two(h.begin(), h.end());
  append(two, h);
  ASSERT_TRUE(decoder.feed(two, [&](ByteView m) {
    EXPECT_TRUE(m.empty());
    ++count;
    return true;
  }).ok());
  EXPECT_EQ(count, 2);
}

TEST(Http, ParsesRequestWithBodyAndLeftover) {
  HttpRequestReader reader(100);
  std::string text = "POST /api/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Multi: a, B\r\n\r\nhelloEXTRA";
  auto done = reader.feed(as_bytes(text.substr(0, 20)));
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done.value());
  done = reader.feed(as_bytes(text.substr(20)));
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done.value());
  auto& r = reader.request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/api/x");
  EXPECT_EQ(r.query, "y=1");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.headers.get("HOST").value(), "a");
  EXPECT_TRUE(r.headers.has_token("x-multi", "b"));
  EXPECT_EQ(std::string(reader.leftover().begin(), reader.leftover().end()), "EXTRA");
}

TEST(Http, RejectsMalformedAndOversized) {
  for (const char* bad : {"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                          "GET http://x/ HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n folded\r\n\r\n",
                          "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "GET / HTTP/1.1\nHost: a\n\r\n\r\n"}) {
    HttpRequestReader reader(100);
    EXPECT_FALSE(reader.feed(as_bytes(bad)).ok()) << bad;
  }
  HttpRequestReader big_body(10);
  EXPECT_EQ(big_body.feed(as_bytes("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n")).error().code, Errc::too_large);
  HttpRequestReader big_head(10);
  std::string head = "GET / HTTP/1.1\r\nX: " + std::string(kMaxHttpHeadBytes, 'a');
  EXPECT_EQ(big_head.feed(as_bytes(head)).error().code, Errc::too_large);
}

TEST(Http, ResponseRoundTrip) {
  HttpResponse r = HttpResponse::text(404, "nope");
  std::string wire = r.serialize();
  HttpResponseReader reader(100);
  ASSERT_TRUE(reader.feed(as_bytes(wire)).value());
  EXPECT_EQ(reader.response().status, 404);
  EXPECT_EQ(reader.response().reason, "Not Found");
  EXPECT_EQ(reader.response().body, "nope");
}

// RFC 6455 §1.3 worked example.
TEST(WebSocketHandshake, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, Base64IsStrict) {
  EXPECT_EQ(ws::base64_decode("aGk=").value(), (Bytes{'h', 'i'}));
  for (const char* bad : {"aGk", "a=Gk", "aG k", "aGk=aGk=", "====", "aG=="}) {
    auto r = ws::base64_decode(bad);
    if (std::string(bad) == "aG==") {
      EXPECT_TRUE(r.ok());  // valid: one byte
      continue;
    }
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(WebSocketHandshake, ServerChecksAndClientVerifies) {
  SeededRandom random(1);
  std::string key = ws::make_client_key(random);
  std::string text = ws::build_client_request("127.0.0.1:1", "/z", key, "zmesh.v1");
  auto request = parse_request_head(text);
  ASSERT_TRUE(request.ok());
  auto decision = ws::evaluate_upgrade(request.value(), "zmesh.v1");
  ASSERT_TRUE(decision.accepted) << decision.error;
  EXPECT_EQ(decision.response.status, 101);
  auto response = parse_response_head(decision.response.serialize());
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(ws::check_upgrade_response(response.value(), key, "zmesh.v1").ok());
  EXPECT_FALSE(ws::check_upgrade_response(response.value(), ws::make_client_key(random), "zmesh.v1").ok());
  EXPECT_FALSE(ws::evaluate_upgrade(request.value(), "other.v1").accepted);
  auto no_key = request.value();
  no_key.headers.set("sec-websocket-key", "c2hvcnQ=");  // 5 bytes, not 16
  EXPECT_EQ(ws::evaluate_upgrade(no_key, "zmesh.v1").response.status, 400);
  auto old = request.value();
  old.headers.set("sec-websocket-version", "8");
  EXPECT_EQ(ws::evaluate_upgrade(old, "zmesh.v1").response.status, 426);
}

std::vector<ws::FrameEvent> decode_all(ws::FrameDecoder& d, ByteView bytes, Status* status = nullptr,
                                       std::vector<Bytes>* payloads = nullptr) {
  std::vector<ws::FrameEvent> events;
  auto s = d.feed(bytes, [&](const ws::FrameEvent& e) {
    events.push_back(e);
    if (payloads) payloads->emplace_back(e.payload.begin(), e.payload.end());
    events.back().payload = {};
    return true;
  });
  if (status) *status = s;
  return events;
}

// RFC 6455 §5.7 examples.
TEST(WebSocketFrame, RfcExamples) {
  Bytes masked_hello{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  ws::FrameDecoder server(ws::Role::server, 1000);
  Status status;
  decode_all(server, masked_hello, &status);
  EXPECT_EQ(server.failure_status(), ws::kStatusUnsupportedData);  // text: zMesh is binary only

  Bytes unmasked_ping{0x89, 0x05, 'H', 'e', 'l', 'l', 'o'};
  ws::FrameDecoder client(ws::Role::client, 1000);
  std::vector<Bytes> payloads;
  auto events = decode_all(client, unmasked_ping, &status, &payloads);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ws::FrameEvent::Kind::ping);
  EXPECT_EQ(payloads[0], (Bytes{'H', 'e', 'l', 'l', 'o'}));

  // 256 bytes binary message in a single unmasked frame: 0x82 0x7E 0x0100.
  Bytes big{0x82, 0x7e, 0x01, 0x00};
  Bytes body = test::pattern(256, 3);
  append(big, body);
  ws::FrameDecoder client2(ws::Role::client, 1000);
  payloads.clear();
  decode_all(client2, big, &status, &payloads);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0], body);
  Bytes encoded;
  ws::encode_frame(encoded, ws::Opcode::binary, true, body, nullptr);
  EXPECT_EQ(encoded, big);
}

TEST(WebSocketFrame, MaskedFragmentedRoundTripWithInterleavedPing) {
  SeededRandom random(9);
  Bytes message = test::pattern(70000, 4);
  Bytes wire;
  auto mask = random.array<4>();
  ws::encode_frame(wire, ws::Opcode::binary, false, ByteView(message).subspan(0, 100), &mask);
  ws::encode_frame(wire, ws::Opcode::ping, true, as_bytes("p"), &mask);
  ws::encode_frame(wire, ws::Opcode::continuation, false, ByteView(message).subspan(100, 60000), &mask);
  ws::encode_frame(wire, ws::Opcode::continuation, true, ByteView(message).subspan(60100), &mask);
  ws::FrameDecoder server(ws::Role::server, 70000);
  std::vector<Bytes> payloads;
  std::vector<ws::FrameEvent> events;
  for (std::size_t pos = 0; pos < wire.size(); pos += 777) {
    std::vector<Bytes> p;
    Status s;
    auto e = decode_all(server, ByteView(wire).subspan(pos, std::min<std::size_t>(777, wire.size() - pos)), &s, &p);
    ASSERT_TRUE(s.ok()) << s.error().describe();
    events.insert(events.end(), e.begin(), e.end());
    payloads.insert(payloads.end(), p.begin(), p.end());
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ws::FrameEvent::Kind::ping);
  EXPECT_EQ(events[1].kind, ws::FrameEvent::Kind::message);
  EXPECT_EQ(payloads[1], message);
}

TEST(WebSocketFrame, ViolationsMapToCloseCodes) {
  ws::MaskKey mask{1, 2, 3, 4};
  auto expect_status = [&](Bytes wire, std::uint16_t code, std::size_t max = 1000, ws::Role role = ws::Role::server) {
    ws::FrameDecoder d(role, max);
    Status s;
    decode_all(d, wire, &s);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(d.failure_status(), code);
  };
  Bytes unmasked;
  ws::encode_frame(unmasked, ws::Opcode::binary, true, as_bytes("x"), nullptr);
  expect_status(unmasked, ws::kStatusProtocolError);
  Bytes masked_from_server;
  ws::encode_frame(masked_from_server, ws::Opcode::binary, true, as_bytes("x"), &mask);
  expect_status(masked_from_server, ws::kStatusProtocolError, 1000, ws::Role::client);
  Bytes rsv = masked_from_server;
  rsv[0] |= 0x40;
  expect_status(rsv, ws::kStatusProtocolError);
  Bytes opcode = masked_from_server;
  opcode[0] = 0x83;
  expect_status(opcode, ws::kStatusProtocolError);
  Bytes big_ping;
  ws::encode_frame(big_ping, ws::Opcode::ping, true, test::pattern(126, 1), &mask);
  expect_status(big_ping, ws::kStatusProtocolError);
  Bytes fragmented_ping;
  ws::encode_frame(fragmented_ping, ws::Opcode::ping, false, as_bytes("x"), &mask);
  expect_status(fragmented_ping, ws::kStatusProtocolError);
  Bytes too_big;
  ws::encode_frame(too_big, ws::Opcode::binary, true, test::pattern(1001, 1), &mask);
  expect_status(too_big, ws::kStatusTooBig);
  // The size check happens on the header alone: 2^40 announced, nothing buffered.
  Bytes huge{0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0};
  expect_status(huge, ws::kStatusTooBig);
  Bytes non_minimal{0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0, 0};
  expect_status(non_minimal, ws::kStatusProtocolError);
  Bytes lone_continuation;
  ws::encode_frame(lone_continuation, ws::Opcode::continuation, true, as_bytes("x"), &mask);
  expect_status(lone_continuation, ws::kStatusProtocolError);
  Bytes two_starts;
  ws::encode_frame(two_starts, ws::Opcode::binary, false, as_bytes("x"), &mask);
  ws::encode_frame(two_starts, ws::Opcode::binary, true, as_bytes("y"), &mask);
  expect_status(two_starts, ws::kStatusProtocolError);
  Bytes fragments_too_big;
  ws::encode_frame(fragments_too_big, ws::Opcode::binary, false, test::pattern(600, 1), &mask);
  ws::encode_frame(fragments_too_big, ws::Opcode::continuation, true, test::pattern(600, 2), &mask);
  expect_status(fragments_too_big, ws::kStatusTooBig);
  Bytes close_one_byte;
  ws::encode_frame(close_one_byte, ws::Opcode::close, true, Bytes{0x03}, &mask);
  expect_status(close_one_byte, ws::kStatusProtocolError);
  Bytes close_bad_code;
  ws::encode_frame(close_bad_code, ws::Opcode::close, true, ws::close_payload(1005, ""), &mask);
  expect_status(close_bad_code, ws::kStatusProtocolError);
  Bytes close_bad_utf8;
  Bytes payload = ws::close_payload(1000, "");
  payload.push_back(0xff);
  ws::encode_frame(close_bad_utf8, ws::Opcode::close, true, payload, &mask);
  expect_status(close_bad_utf8, ws::kStatusInvalidPayload);
}

TEST(WebSocketFrame, CloseFrameCarriesStatusAndReason) {
  ws::MaskKey mask{9, 8, 7, 6};
  Bytes wire;
  ws::encode_frame(wire, ws::Opcode::close, true, ws::close_payload(4001, "bye ü"), &mask);
  ws::FrameDecoder d(ws::Role::server, 100);
  Status s;
  auto events = decode_all(d, wire, &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].close_status, 4001);
  EXPECT_EQ(events[0].close_reason, "bye ü");
  EXPECT_LE(ws::close_payload(1000, std::string(300, 'a')).size(), ws::kMaxControlPayloadBytes);
}

// Found by fuzz_websocket_frame: whatever follows a close frame in the same read was kept
// buffered (up to a whole read chunk) until the connection ended. It is dropped now.
TEST(WebSocketFrame, BytesAfterCloseAreDropped) {
  ws::MaskKey mask{1, 2, 3, 4};
  Bytes wire;
  ws::encode_frame(wire, ws::Opcode::binary, false, Bytes(50, 7), &mask);  // half a message
  ws::encode_frame(wire, ws::Opcode::close, true, ws::close_payload(1000, ""), &mask);
  wire.resize(wire.size() + 10000, 0x82);
  ws::FrameDecoder d(ws::Role::server, 100);
  Status s;
  auto events = decode_all(d, wire, &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].close_status, 1000);
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(ws::is_valid_utf8(as_bytes("plain ascii, ü, 😀")));
  EXPECT_FALSE(ws::is_valid_utf8(Bytes{0xc0, 0x80}));        // overlong NUL
  EXPECT_FALSE(ws::is_valid_utf8(Bytes{0xed, 0xa0, 0x80}));  // surrogate
  EXPECT_FALSE(ws::is_valid_utf8(Bytes{0xf4, 0x90, 0x80, 0x80}));
  EXPECT_FALSE(ws::is_valid_utf8(Bytes{0xe2, 0x82}));        // truncated
}

}  // namespace
}  // namespace zmesh::io
