// StreamMux facing a peer that breaks the stream protocol: every breach fails the circuit
// (and resets its streams with circuit_closed) instead of corrupting state; messages that can
// legitimately cross a close are ignored.
#include <gtest/gtest.h>

#include "onion/stream_mux.hpp"

namespace zmesh::onion {
namespace {

Bytes begin(StreamId id, std::uint32_t window = 1000) {
  StreamMessage m = StreamMessage::make(StreamCommand::begin, id);
  m.window = window;
  m.target = StreamTarget::to_domain("example.org", 80);
  return encode_stream_message(m);
}

Bytes data(StreamId id, std::size_t n) {
  static const Bytes payload(4096, 0x61);
  StreamMessage m = StreamMessage::make(StreamCommand::data, id);
  m.data = ByteView(payload).first(n);
  return encode_stream_message(m);
}

Bytes sendme(StreamId id, std::uint32_t credit) {
  StreamMessage m = StreamMessage::make(StreamCommand::sendme, id);
  m.window = credit;
  return encode_stream_message(m);
}

Bytes plain(StreamCommand command, StreamId id) { return encode_stream_message(StreamMessage::make(command, id)); }

// An exit that has granted its circuit window and accepted stream 5.
struct OpenExit {
  StreamMuxConfig config;
  StreamMux exit;
  explicit OpenExit(StreamMuxConfig c = small()) : config(c), exit(StreamMuxRole::exit, 925, c) {
    while (exit.poll_circuit_message()) {
    }
    EXPECT_TRUE(exit.on_circuit_message(0, begin(5)).ok());
    EXPECT_EQ(exit.poll_event()->kind, StreamEventKind::incoming);
    EXPECT_TRUE(exit.accept_stream(5).ok());
    while (exit.poll_circuit_message()) {
    }
  }
  static StreamMuxConfig small() {
    StreamMuxConfig c;
    c.stream_window_bytes = 2000;
    c.circuit_window_messages = 8;
    return c;
  }
  void expect_violation(const Bytes& bad) {
    const Status s = exit.on_circuit_message(1, bad);
    ASSERT_FALSE(s.ok()) << to_hex(bad);
    EXPECT_EQ(s.error().code, Errc::protocol_violation) << s.error().describe();
    EXPECT_TRUE(exit.failed());
    bool reset_seen = false;
    while (auto e = exit.poll_event()) reset_seen = reset_seen || (e->kind == StreamEventKind::reset && e->stream == 5 && e->error == StreamError::circuit_closed);
    EXPECT_TRUE(reset_seen);
    EXPECT_EQ(exit.stream_count(), 0u);
    EXPECT_EQ(exit.on_circuit_message(2, data(5, 1)).error().code, Errc::closed);
  }
};

TEST(StreamMuxViolation, EachBreachFailsTheCircuit) {
  OpenExit().expect_violation({0xff, 0, 5});                          // undecodable
  OpenExit().expect_violation(data(6, 10));                           // DATA on a stream never opened
  OpenExit().expect_violation(begin(5));                              // BEGIN for an id in use
  OpenExit().expect_violation(plain(StreamCommand::connected, 5));    // CONNECTED sent to an exit
  OpenExit().expect_violation(data(5, 2001));                         // beyond the stream window
  OpenExit().expect_violation(sendme(5, kMaxStreamWindowBytes));      // credit beyond the maximum
  {
    OpenExit o;
    ASSERT_TRUE(o.exit.on_circuit_message(1, sendme(0, kMaxCircuitWindowMessages)).ok());
    o.expect_violation(sendme(0, 1));  // circuit credit beyond the maximum
  }
  {
    OpenExit o;
    ASSERT_TRUE(o.exit.on_circuit_message(1, plain(StreamCommand::end, 5)).ok());
    o.expect_violation(data(5, 1));  // DATA after END
  }
  {
    OpenExit o;
    ASSERT_TRUE(o.exit.on_circuit_message(1, plain(StreamCommand::end, 5)).ok());
    o.expect_violation(plain(StreamCommand::end, 5));  // END twice
  }
  {
    OpenExit o;  // window 8 messages: the ninth DATA before any credit came back is too many
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(o.exit.on_circuit_message(1, data(5, 1)).ok());
    o.expect_violation(data(5, 1));
  }
}

TEST(StreamMuxViolation, CircuitCreditComesBackWithoutReading) {
  OpenExit o;
  // Messages moved into the stream's buffer return circuit credit at once, even unread.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(o.exit.on_circuit_message(1, data(5, 1)).ok()) << i;
    while (o.exit.poll_circuit_message()) {
    }
  }
  EXPECT_EQ(o.exit.readable_bytes(5), 100u);
}

TEST(StreamMuxViolation, ClientRefusesBegin) {
  StreamMux client(StreamMuxRole::client, 925);
  EXPECT_EQ(client.on_circuit_message(0, begin(1)).error().code, Errc::protocol_violation);
}

TEST(StreamMuxViolation, MessagesThatCanCrossACloseAreIgnored) {
  OpenExit o;
  for (const Bytes& m : {plain(StreamCommand::end, 9), plain(StreamCommand::reset, 9), sendme(9, 10)}) {
    ASSERT_TRUE(o.exit.on_circuit_message(1, m).ok());
  }
  EXPECT_EQ(o.exit.counters().stale_messages, 3u);
  EXPECT_FALSE(o.exit.failed());
}

TEST(StreamMuxViolation, ApplicationThatNeverDrainsEventsFailsLoudly) {
  StreamMuxConfig config;
  config.max_pending_events = 16;
  StreamMux exit(StreamMuxRole::exit, 925, config);
  Status last;
  for (StreamId id = 1; id < 40 && last.ok(); ++id) last = exit.on_circuit_message(0, begin(id));
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, Errc::limit_exceeded);
  EXPECT_TRUE(exit.failed());
}

TEST(StreamMuxViolation, RefusalAtTheStreamLimitIsBounded) {
  StreamMuxConfig config;
  config.max_streams = 2;
  StreamMux exit(StreamMuxRole::exit, 925, config);
  // Four BEGINs beyond the limit fit in the refusal queue (max_streams deep)...
  Status s;
  for (StreamId id = 1; id <= 4 && s.ok(); ++id) s = exit.on_circuit_message(0, begin(id));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(exit.counters().streams_refused_limit, 2u);
  // ...and are answered with BEGIN_FAILED(resource_limit), after the circuit SENDME.
  EXPECT_EQ((*exit.poll_circuit_message())[0], static_cast<std::uint8_t>(StreamCommand::sendme));
  for (StreamId id : {3, 4}) {
    auto m = decode_stream_message(*exit.poll_circuit_message());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->command, StreamCommand::begin_failed);
    EXPECT_EQ(m->stream_id, id);
    EXPECT_EQ(m->reason, StreamError::resource_limit);
  }
  // A peer that keeps sending BEGINs while none of the refusals can go out is cut off.
  for (StreamId id = 10; id < 20 && s.ok(); ++id) s = exit.on_circuit_message(0, begin(id));
  EXPECT_EQ(s.error().code, Errc::protocol_violation);
}

}  // namespace
}  // namespace zmesh::onion
