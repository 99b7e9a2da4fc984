// The stream message codec: the exact bytes of docs/protocol/streams.md, round trips of many
// random messages, and refusal of every truncation and out-of-range field.
#include <gtest/gtest.h>

#include "onion/stream_message.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

// Field-wise equality (StreamMessage holds a view, so no operator==).
void expect_same(const StreamMessage& a, const StreamMessage& b) {
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(Bytes(a.data.begin(), a.data.end()), Bytes(b.data.begin(), b.data.end()));
}

TEST(StreamMessage, ExactBytesFromTheSpec) {
  StreamMessage begin = StreamMessage::make(StreamCommand::begin, 0x0102);
  begin.window = 0x20000;
  begin.target = StreamTarget::to_domain("example.org", 443);
  EXPECT_EQ(to_hex(encode_stream_message(begin)), "01" "0102" "00020000" "03" "0b" "6578616d706c652e6f7267" "01bb");
  StreamMessage connected = StreamMessage::make(StreamCommand::connected, 7);
  connected.window = 0x20000;
  EXPECT_EQ(to_hex(encode_stream_message(connected)), "02" "0007" "00020000");
  StreamMessage failed = StreamMessage::make(StreamCommand::begin_failed, 7);
  failed.reason = StreamError::exit_policy;
  EXPECT_EQ(to_hex(encode_stream_message(failed)), "03" "0007" "02");
  const Bytes payload = {0xde, 0xad};
  StreamMessage data = StreamMessage::make(StreamCommand::data, 7);
  data.data = payload;
  EXPECT_EQ(to_hex(encode_stream_message(data)), "04" "0007" "dead");
  EXPECT_EQ(to_hex(encode_stream_message(StreamMessage::make(StreamCommand::end, 7))), "05" "0007");
  StreamMessage reset = StreamMessage::make(StreamCommand::reset, 7);
  reset.reason = StreamError::connection_reset;
  EXPECT_EQ(to_hex(encode_stream_message(reset)), "06" "0007" "07");
  StreamMessage sendme = StreamMessage::make(StreamCommand::sendme, 0);
  sendme.window = 128;
  EXPECT_EQ(to_hex(encode_stream_message(sendme)), "07" "0000" "00000080");
}

StreamMessage random_message(RandomSource& r, Bytes& payload_storage) {
  const auto command = static_cast<StreamCommand>(1 + r.uniform(7));
  StreamMessage m = StreamMessage::make(command, static_cast<StreamId>(1 + r.uniform(0xffff)));
  switch (command) {
    case StreamCommand::begin:
      m.window = static_cast<std::uint32_t>(1 + r.uniform(kMaxStreamWindowBytes));
      if (r.uniform(3) == 0) {
        m.target = StreamTarget::to_domain(std::string(1 + r.uniform(255), 'a' + static_cast<char>(r.uniform(26))), static_cast<std::uint16_t>(1 + r.uniform(65535)));
      } else {
        IpAddress a;
        a.family = r.uniform(2) ? IpFamily::v4 : IpFamily::v6;
        r.fill(MutableByteView(a.bytes).first(a.size()));
        m.target = StreamTarget::to_ip(a, static_cast<std::uint16_t>(1 + r.uniform(65535)));
      }
      break;
    case StreamCommand::connected:
      m.window = static_cast<std::uint32_t>(1 + r.uniform(kMaxStreamWindowBytes));
      break;
    case StreamCommand::sendme:
      if (r.uniform(2)) m.stream_id = kCircuitStreamId;
      m.window = static_cast<std::uint32_t>(1 + r.uniform(m.stream_id == 0 ? kMaxCircuitWindowMessages : kMaxStreamWindowBytes));
      break;
    case StreamCommand::begin_failed:
      m.reason = static_cast<StreamError>(1 + r.uniform(kLastWireStreamError));
      break;
    case StreamCommand::reset:
      m.reason = static_cast<StreamError>(r.uniform(kLastWireStreamError + 1));
      break;
    case StreamCommand::data:
      payload_storage.resize(1 + r.uniform(900));
      r.fill(payload_storage);
      m.data = payload_storage;
      break;
    case StreamCommand::end:
      break;
  }
  return m;
}

TEST(StreamMessage, RandomMessagesRoundTrip) {
  SeededRandom r(21);
  for (int i = 0; i < 5000; ++i) {
    Bytes payload;
    const StreamMessage m = random_message(r, payload);
    const Bytes wire = encode_stream_message(m);
    auto back = decode_stream_message(wire);
    ASSERT_TRUE(back.ok()) << back.error().describe() << " " << to_hex(wire);
    expect_same(*back, m);
    EXPECT_EQ(encode_stream_message(*back), wire);
  }
}

TEST(StreamMessage, RefusesTruncationsAndTrailingBytes) {
  SeededRandom r(22);
  for (int i = 0; i < 300; ++i) {
    Bytes payload;
    const StreamMessage m = random_message(r, payload);
    if (m.command == StreamCommand::data) continue;  // every non-empty prefix of DATA is DATA
    const Bytes wire = encode_stream_message(m);
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {
      auto d = decode_stream_message(ByteView(wire).first(cut));
      ASSERT_FALSE(d.ok()) << to_hex(wire) << " cut " << cut;
    }
    Bytes longer = wire;
    longer.push_back(0);
    EXPECT_FALSE(decode_stream_message(longer).ok()) << to_hex(longer);
  }
}

TEST(StreamMessage, RefusesOutOfRangeFields) {
  const char* bad[] = {
      "",
      "00" "0001",                       // command 0
      "08" "0001",                       // command 8
      "04" "0000" "aa",                  // DATA on stream 0
      "05" "0000",                       // END on stream 0
      "04" "0001",                       // empty DATA
      "02" "0001" "00000000",            // zero window
      "02" "0001" "40000001",            // window above 2^30
      "07" "0001" "00000000",            // zero credit
      "07" "0000" "00100001",            // circuit credit above 2^20
      "03" "0001" "00",                  // BEGIN_FAILED with reason none
      "03" "0001" "0b",                  // unknown reason
      "06" "0001" "64",                  // local-only reason on the wire
      "01" "0001" "00010000" "02" "01020304" "0050",  // unknown address type
      "01" "0001" "00010000" "01" "01020304" "0000",  // port 0
      "01" "0001" "00010000" "03" "00" "0050",        // empty name
      "01" "0001" "00010000" "03" "03" "612062" "0050",  // name with a space
  };
  for (const char* hex : bad) {
    auto raw = from_hex(hex);
    ASSERT_TRUE(raw.ok()) << hex;
    EXPECT_FALSE(decode_stream_message(*raw).ok()) << hex;
  }
}

}  // namespace
}  // namespace zmesh::onion
