// DCEP (RFC 8832) byte layouts against hand-built vectors, round trips, strictness; the JSON
// signaling messages (docs/protocol/signaling.md).
#include <gtest/gtest.h>

#include "io/webrtc/dcep.hpp"
#include "io/webrtc/signal_message.hpp"
#include "runtime/random.hpp"

namespace zmesh::io::webrtc {
namespace {

TEST(Dcep, OpenMatchesRfcLayout) {
  DcepOpen open;
  open.channel_type = ChannelType::partial_reliable_rexmit_unordered;
  open.priority = 0x0102;
  open.reliability_parameter = 3;
  open.label = "zm";
  open.protocol = "p";
  // §5.1: type, channel type, priority, reliability, label len, protocol len, label, protocol.
  Bytes expected = {0x03, 0x81, 0x01, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x01, 'z', 'm', 'p'};
  EXPECT_EQ(encode_dcep(open), expected);
  auto decoded = decode_dcep(expected);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(std::get<DcepOpen>(decoded.value()), open);
  EXPECT_TRUE(is_unordered(open.channel_type));
  EXPECT_TRUE(is_rexmit_limited(open.channel_type));
  EXPECT_FALSE(is_time_limited(open.channel_type));
}

TEST(Dcep, AckIsOneByte) {
  EXPECT_EQ(encode_dcep(DcepAck{}), Bytes{0x02});
  auto decoded = decode_dcep(Bytes{0x02});
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(std::holds_alternative<DcepAck>(decoded.value()));
  EXPECT_EQ(decode_dcep(Bytes{0x02, 0x00}).error().code, Errc::malformed);
}

TEST(Dcep, RoundTripsRandomOpens) {
  SeededRandom random(8832);
  const ChannelType types[] = {ChannelType::reliable, ChannelType::reliable_unordered,
                               ChannelType::partial_reliable_rexmit, ChannelType::partial_reliable_rexmit_unordered,
                               ChannelType::partial_reliable_timed, ChannelType::partial_reliable_timed_unordered};
  for (int i = 0; i < 300; ++i) {
    DcepOpen open;
    open.channel_type = types[random.uniform(6)];
    open.priority = static_cast<std::uint16_t>(random.uniform(65536));
    open.reliability_parameter = static_cast<std::uint32_t>(random.next_u64());
    open.label.resize(random.uniform(300));
    for (auto& c : open.label) c = static_cast<char>(random.uniform(256));
    open.protocol.resize(random.uniform(40));
    for (auto& c : open.protocol) c = static_cast<char>(random.uniform(256));
    Bytes encoded = encode_dcep(open);
    auto decoded = decode_dcep(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
    EXPECT_EQ(std::get<DcepOpen>(decoded.value()), open);
    // Every strict prefix is truncated, every extension is trailing junk.
    EXPECT_FALSE(decode_dcep(ByteView(encoded).first(random.uniform(encoded.size()))).ok());
    encoded.push_back(0);
    EXPECT_EQ(decode_dcep(encoded).error().code, Errc::malformed);
  }
}

TEST(Dcep, RejectsUnknownTypes) {
  EXPECT_FALSE(decode_dcep(Bytes{}).ok());
  EXPECT_EQ(decode_dcep(Bytes{0x04}).error().code, Errc::malformed);
  Bytes open = {0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // channel type 0x03 is unassigned
  EXPECT_EQ(decode_dcep(open).error().code, Errc::malformed);
  Bytes long_label = {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 'a'};  // label length beyond input
  EXPECT_EQ(decode_dcep(long_label).error().code, Errc::truncated);
}

Result<SignalMessage> decode_text(std::string_view text) { return decode_signal(as_bytes(text)); }

TEST(SignalMessages, RoundTripEveryType) {
  const SignalMessage messages[] = {
      SignalMessage::description(SignalType::offer, "v=0\r\n..."),
      SignalMessage::description(SignalType::answer, "v=0\r\nanswer"),
      SignalMessage::ice_candidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0"),
      SignalMessage::end_of_candidates(),
      SignalMessage::request_offer(),
      SignalMessage::failure("no"),
  };
  for (const auto& m : messages) {
    std::string json = encode_signal(m);
    auto decoded = decode_text(json);
    ASSERT_TRUE(decoded.ok()) << json << ": " << decoded.error().describe();
    EXPECT_EQ(decoded.value(), m) << json;
  }
}

TEST(SignalMessages, AcceptsBrowserShapes) {
  // What RTCIceCandidate.toJSON() plus a type field looks like, and the null-candidate end marker.
  auto c = decode_text(R"({"type":"candidate","candidate":"candidate:1 1 udp 9 127.0.0.1 9 typ host",)"
                       R"("sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd","extra":[1,2]})");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->type, SignalType::candidate);
  EXPECT_EQ(c->mid, "0");
  auto end = decode_text(R"({"type":"candidate","candidate":"","sdpMid":null})");
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->type, SignalType::end_of_candidates);
  auto no_mid = decode_text(R"({"type":"candidate","candidate":"candidate:x"})");
  ASSERT_TRUE(no_mid.ok());
  EXPECT_EQ(no_mid->mid, "0");
}

TEST(SignalMessages, RejectsMalformed) {
  for (std::string_view bad : {"", "[]", "{", R"({"type":1})", R"({"type":"offer"})", R"({"type":"offer","sdp":5})",
                               R"({"type":"hello"})", R"({"type":"candidate"})", R"({"type":"error"})",
                               R"({"type":"candidate","candidate":"c","sdpMid":7})"}) {
    auto decoded = decode_text(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, Errc::malformed) << bad;
  }
  std::string huge = R"({"type":"offer","sdp":")" + std::string(kMaxSignalBytes, 'a') + "\"}";
  EXPECT_EQ(decode_text(huge).error().code, Errc::too_large);
  std::string long_candidate = R"({"type":"candidate","candidate":")" + std::string(2000, 'a') + "\"}";
  EXPECT_EQ(decode_text(long_candidate).error().code, Errc::too_large);
  // Deep nesting is bounded by the message size and handled without recursion trouble.
  std::string deep(kMaxSignalBytes / 2, '[');
  EXPECT_EQ(decode_text(deep).error().code, Errc::malformed);
}

TEST(SignalMessages, InvalidUtf8IsReplacedNotThrown) {
  std::string text = encode_signal(SignalMessage::failure(std::string("bad \xff byte")));
  auto decoded = decode_text(text);
  ASSERT_TRUE(decoded.ok()) << text;
  EXPECT_NE(decoded->message.find("bad "), std::string::npos);
}

}  // namespace
}  // namespace zmesh::io::webrtc
