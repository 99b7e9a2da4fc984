// SDP subset and ICE candidate lines: a real Chromium offer, round trips over many seeded random
// descriptions, and the errors hostile input must produce.
#include <gtest/gtest.h>

#include "io/webrtc/sdp.hpp"
#include "runtime/random.hpp"

namespace zmesh::io::webrtc {
namespace {

// Captured from Debian's chromium 156 (headless), createDataChannel + createOffer.
constexpr std::string_view kChromiumOffer =
    "v=0\r\n"
    "o=- 1831744521892120438 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=application 41437 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 192.0.2.2\r\n"
    "a=candidate:2236794105 1 udp 2113937151 192.0.2.2 41437 typ host generation 0 network-cost 999\r\n"
    "a=candidate:2183178313 1 udp 2113942271 fd00::2 37931 typ host generation 0 network-cost 999\r\n"
    "a=ice-ufrag:J7T9\r\n"
    "a=ice-pwd:wQl4ggkUlpKfJtw0P+eRj7Mr\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "00:9B:DD:2C:ED:28:39:8F:D7:1D:BA:7F:29:DE:D3:3D:ED:88:69:5D:5E:8C:93:22:85:D6:55:34:E3:68:7E:56\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:262144\r\n";

TEST(Sdp, ParsesChromiumOffer) {
  auto parsed = parse_sdp(kChromiumOffer);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  const SdpDescription& d = parsed.value();
  EXPECT_EQ(d.session_id, "1831744521892120438");
  EXPECT_EQ(d.mid, "0");
  EXPECT_TRUE(d.bundle);
  EXPECT_EQ(d.ice_ufrag, "J7T9");
  EXPECT_EQ(d.ice_pwd, "wQl4ggkUlpKfJtw0P+eRj7Mr");
  EXPECT_TRUE(d.ice_trickle);
  EXPECT_EQ(d.setup, DtlsSetup::actpass);
  EXPECT_EQ(d.sctp_port, 5000);
  EXPECT_EQ(d.max_message_size, 262144u);
  EXPECT_EQ(d.fingerprint.sha256[0], 0x00);
  EXPECT_EQ(d.fingerprint.sha256[1], 0x9B);
  EXPECT_EQ(d.fingerprint.sha256[31], 0x56);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_EQ(d.candidates[0].foundation, "2236794105");
  EXPECT_EQ(d.candidates[0].priority, 2113937151u);
  EXPECT_EQ(d.candidates[0].address, "192.0.2.2");
  EXPECT_EQ(d.candidates[0].port, 41437);
  EXPECT_EQ(d.candidates[0].type, CandidateType::host);
  ASSERT_EQ(d.candidates[0].extensions.size(), 2u);
  EXPECT_EQ(d.candidates[0].extensions[1].first, "network-cost");
  EXPECT_EQ(d.candidates[1].address, "fd00::2");
  EXPECT_FALSE(d.end_of_candidates);
}

TEST(Sdp, SessionLevelAttributesApplyUnlessOverridden) {
  std::string text =
      "v=0\no=- 7 1 IN IP4 0.0.0.0\ns=-\nt=0 0\na=ice-ufrag:sess\na=ice-pwd:0123456789012345678901\n"
      "a=fingerprint:sha-256 "
      "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01\n"
      "a=setup:passive\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=ice-ufrag:medi\na=mid:data\n";
  auto parsed = parse_sdp(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->ice_ufrag, "medi");
  EXPECT_EQ(parsed->ice_pwd, "0123456789012345678901");
  EXPECT_EQ(parsed->setup, DtlsSetup::passive);
  EXPECT_EQ(parsed->mid, "data");
  EXPECT_EQ(parsed->fingerprint.sha256[31], 1);
  EXPECT_EQ(parsed->sctp_port, kDefaultSctpPort);
  EXPECT_EQ(parsed->max_message_size, kDefaultRemoteMaxMessageBytes);  // RFC 8841 §6.1 default
  EXPECT_FALSE(parsed->ice_trickle);
}

SdpDescription random_description(SeededRandom& random) {
  auto token = [&](std::size_t min, std::size_t max, std::string_view alphabet) {
    std::string out(min + random.uniform(max - min + 1), 'x');
    for (auto& c : out) c = alphabet[random.uniform(alphabet.size())];
    return out;
  };
  const std::string ice = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
  SdpDescription d;
  d.session_id = std::to_string(random.next_u64());
  d.mid = token(1, 8, "abcdef0123456789");
  d.bundle = random.uniform(2) == 1;
  d.ice_ufrag = token(4, 32, ice);
  d.ice_pwd = token(22, 64, ice);
  d.ice_trickle = random.uniform(2) == 1;
  d.ice_lite = random.uniform(2) == 1;
  random.fill(d.fingerprint.sha256);
  d.setup = static_cast<DtlsSetup>(random.uniform(3));
  d.sctp_port = static_cast<std::uint16_t>(1 + random.uniform(65535));
  d.max_message_size = random.uniform(1u << 30);
  std::size_t n = random.uniform(6);
  for (std::size_t i = 0; i < n; ++i) {
    IceCandidate c;
    c.foundation = token(1, 32, ice);
    c.component = static_cast<std::uint16_t>(1 + random.uniform(2));
    c.transport = random.uniform(2) ? "udp" : "tcp";
    c.priority = static_cast<std::uint32_t>(1 + random.uniform(0xfffffffe));
    c.address = random.uniform(2) ? "127.0.0." + std::to_string(random.uniform(256)) : "::1";
    c.port = static_cast<std::uint16_t>(random.uniform(65536));
    c.type = static_cast<CandidateType>(random.uniform(4));
    if (c.type != CandidateType::host) {
      c.related_address = "10.0.0.1";
      c.related_port = static_cast<std::uint16_t>(random.uniform(65536));
    }
    if (random.uniform(2)) c.extensions.emplace_back("generation", std::to_string(random.uniform(10)));
    d.candidates.push_back(c);
  }
  d.end_of_candidates = random.uniform(2) == 1;
  return d;
}

TEST(Sdp, RoundTripsRandomDescriptions) {
  SeededRandom random(2024);
  for (int i = 0; i < 500; ++i) {
    SdpDescription d = random_description(random);
    std::string text = write_sdp(d);
    auto parsed = parse_sdp(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe() << "\n" << text;
    EXPECT_EQ(parsed.value(), d) << text;
  }
}

void expect_rejected(const std::string& text, Errc code = Errc::malformed) {
  auto parsed = parse_sdp(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.error().code, code) << parsed.error().describe();
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  if (at == std::string::npos) ADD_FAILURE() << "no " << from;
  else text.replace(at, from.size(), to);
  return text;
}

TEST(Sdp, RejectsBrokenDescriptions) {
  const std::string good(kChromiumOffer);
  ASSERT_TRUE(parse_sdp(good).ok());
  expect_rejected("");
  expect_rejected("v=1\r\n" + good.substr(5));
  expect_rejected(replace(good, "m=application 41437", "m=audio 41437"));
  expect_rejected(replace(good, "UDP/DTLS/SCTP", "RTP/AVP"));
  expect_rejected(replace(good, "webrtc-datachannel", "5000"));
  expect_rejected(good + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
  expect_rejected(replace(good, "a=ice-ufrag:J7T9\r\n", ""));
  expect_rejected(replace(good, "a=ice-ufrag:J7T9", "a=ice-ufrag:J7"));         // shorter than 4
  expect_rejected(replace(good, "a=ice-pwd:wQl4", "a=ice-pwd:w\"l4"));           // not ice-char
  expect_rejected(replace(good, "a=setup:actpass", "a=setup:holdconn"));
  expect_rejected(replace(good, "a=setup:actpass\r\n", ""));
  expect_rejected(replace(good, "sha-256 00:9B", "sha-256 0G:9B"));
  expect_rejected(replace(good, "sha-256 00:9B", "sha-1 00:9B"));
  expect_rejected(replace(good, ":7E:56", ":7E"));
  expect_rejected(replace(good, "a=sctp-port:5000", "a=sctp-port:70000"));
  expect_rejected(replace(good, "a=max-message-size:262144", "a=max-message-size:-1"));
  expect_rejected(replace(good, "udp 2113937151", "sctp 2113937151"));
  expect_rejected(replace(good, "typ host generation 0 network-cost 999\r\na=candidate:2183",
                          "typ host generation\r\na=candidate:2183"));
  expect_rejected(replace(good, "o=- 1831744521892120438 2", "o=- 18x 2"));
  expect_rejected(replace(good, "s=-", "S=-"));
}

TEST(Sdp, BoundsHostileSizes) {
  const std::string good(kChromiumOffer);
  expect_rejected(good + std::string(kMaxSdpBytes, 'a'), Errc::too_large);
  std::string many_lines = good;
  for (std::size_t i = 0; i < kMaxSdpLines; ++i) many_lines += "b=AS:1\r\n";
  expect_rejected(many_lines, Errc::too_large);
  std::string many_candidates = good;
  for (std::size_t i = 0; i < kMaxSdpCandidates; ++i) {
    many_candidates += "a=candidate:1 1 udp 1 127.0.0.1 " + std::to_string(1000 + i) + " typ host\r\n";
  }
  expect_rejected(many_candidates, Errc::too_large);
}

TEST(IceCandidateLine, ParsesServerReflexiveAndFormatsBack) {
  auto c = parse_candidate("a=candidate:842163049 1 UDP 1677729535 203.0.113.7 50000 typ srflx raddr 10.0.0.2 rport 41000 "
                           "generation 0 ufrag abcd network-cost 50\r\n");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->transport, "udp");
  EXPECT_EQ(c->type, CandidateType::srflx);
  EXPECT_EQ(c->related_address, "10.0.0.2");
  EXPECT_EQ(c->related_port, 41000);
  EXPECT_EQ(c->extensions.size(), 3u);
  EXPECT_EQ(format_candidate(*c),
            "candidate:842163049 1 udp 1677729535 203.0.113.7 50000 typ srflx raddr 10.0.0.2 rport 41000 "
            "generation 0 ufrag abcd network-cost 50");
  auto again = parse_candidate(format_candidate(*c));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *c);
}

TEST(IceCandidateLine, RejectsMalformed) {
  for (std::string_view bad : {
           "candidate:1 1 udp 1 127.0.0.1 5000 typ",            // no type
           "candidate:1 0 udp 1 127.0.0.1 5000 typ host",       // component 0
           "candidate:1 1 udp 0 127.0.0.1 5000 typ host",       // priority 0
           "candidate:1 1 udp 1 127.0.0.1 65536 typ host",      // port range
           "candidate:1 1 udp 1 127.0.0.1 5000 type host",      // 'typ' keyword
           "candidate:1 1 udp 1 127.0.0.1 5000 typ peer",       // unknown type
           "candidate:_ 1 udp 1 127.0.0.1 5000 typ host",       // foundation char
           "candidate:1 1 udp 99999999999 127.0.0.1 5000 typ host",
           "candidate:1 1 udp 1 127.0.0.1 5000 typ host rport", // dangling extension
           "candidate:1 1 udp 1 127.0.0.1 5000 typ host x y typ host",
       }) {
    EXPECT_FALSE(parse_candidate(bad).ok()) << bad;
  }
  EXPECT_EQ(parse_candidate(std::string(2000, 'a')).error().code, Errc::too_large);
  std::string many = "candidate:1 1 udp 1 127.0.0.1 5000 typ host";
  for (int i = 0; i < 20; ++i) many += " k" + std::to_string(i) + " v";
  EXPECT_EQ(parse_candidate(many).error().code, Errc::too_large);
}

}  // namespace
}  // namespace zmesh::io::webrtc
