// The SOCKS5 server state machine (RFC 1928): handshakes for every address type, in one piece
// and byte by byte, refusals with the right reply codes, truncated input, early data, timeouts.
#include <gtest/gtest.h>

#include "onion/socks5_server.hpp"

namespace zmesh::onion {
namespace {

Bytes hex(const char* text) { return *from_hex(text); }

const char* kGreeting = "050100";                 // VER 5, one method: no authentication
const char* kSuccess = "05000001000000000000";     // VER REP=0 RSV ATYP=1 0.0.0.0:0
std::string reply_hex(std::uint8_t code) { return "05" + to_hex(Bytes{code}) + "0001000000000000"; }

// Feeds `input` in pieces of `chunk` bytes; returns the first error, if any.
Status feed(Socks5Server& s, const Bytes& input, std::size_t chunk) {
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    ZM_CHECK(s.on_client_bytes(ByteView(input).subspan(i, std::min(chunk, input.size() - i))));
  }
  return {};
}

struct Case {
  const char* request_hex;
  StreamTarget expected;
};

TEST(Socks5Server, ConnectWithEveryAddressTypeInAnySplit) {
  const Case cases[] = {
      {"05010001" "7f000001" "1f90", StreamTarget::to_ip(IpAddress::v4(127, 0, 0, 1), 8080)},
      {"05010004" "00000000000000000000000000000001" "0050", StreamTarget::to_ip(*parse_ip_address("::1"), 80)},
      {"05010003" "09" "6c6f63616c686f7374" "01bb", StreamTarget::to_domain("localhost", 443)},
      {"05010303" "01" "61" "0016", StreamTarget::to_domain("a", 22)},  // RSV is ignored
  };
  for (const Case& c : cases) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{1000}}) {
      Socks5Server s(0);
      Bytes input = hex(kGreeting);
      append(input, hex(c.request_hex));
      ASSERT_TRUE(feed(s, input, chunk).ok()) << c.request_hex;
      EXPECT_EQ(s.state(), Socks5State::connecting);
      EXPECT_EQ(to_hex(s.take_output()), "0500");
      auto target = s.take_connect_request();
      ASSERT_TRUE(target.has_value());
      EXPECT_EQ(*target, c.expected) << target->describe();
      EXPECT_FALSE(s.take_connect_request().has_value());  // once
      s.on_stream_connected();
      EXPECT_EQ(s.state(), Socks5State::established);
      EXPECT_EQ(to_hex(s.take_output()), kSuccess);
      EXPECT_FALSE(s.on_client_bytes(hex("00")).ok());  // pass-through is the driver's job now
    }
  }
}

TEST(Socks5Server, GreetingChoosesNoAuthentication) {
  Socks5Server several(0);
  ASSERT_TRUE(several.on_client_bytes(hex("0503020100")).ok());  // GSSAPI, password, none
  EXPECT_EQ(to_hex(several.take_output()), "0500");
  for (const char* greeting : {"050102", "0500", "05020102"}) {
    Socks5Server s(0);
    EXPECT_FALSE(s.on_client_bytes(hex(greeting)).ok());
    EXPECT_EQ(to_hex(s.take_output()), "05ff") << greeting;  // RFC 1928 §3: no acceptable methods
    EXPECT_EQ(s.state(), Socks5State::closed);
  }
}

TEST(Socks5Server, BadVersionsCloseWithoutOrWithAReply) {
  for (const char* greeting : {"04010050", "00", "ff"}) {  // SOCKS4 or garbage: no SOCKS5 reply
    Socks5Server s(0);
    EXPECT_FALSE(s.on_client_bytes(hex(greeting)).ok());
    EXPECT_TRUE(s.take_output().empty());
    EXPECT_EQ(s.state(), Socks5State::closed);
  }
  Socks5Server s(0);
  ASSERT_TRUE(s.on_client_bytes(hex(kGreeting)).ok());
  s.take_output();
  EXPECT_FALSE(s.on_client_bytes(hex("04010001" "7f000001" "0050")).ok());  // request version 4
  EXPECT_EQ(to_hex(s.take_output()), reply_hex(0x01));
  EXPECT_FALSE(s.on_client_bytes(hex(kGreeting)).ok());  // closed for good
}

TEST(Socks5Server, RefusesOtherCommandsAndAddressTypes) {
  const std::pair<const char*, std::uint8_t> cases[] = {
      {"05020001" "7f000001" "0050", 0x07},  // BIND
      {"05030001" "7f000001" "0050", 0x07},  // UDP ASSOCIATE
      {"05090001" "7f000001" "0050", 0x07},  // unknown command
      {"05010002" "7f000001" "0050", 0x08},  // unknown ATYP
      {"05010001" "7f000001" "0000", 0x01},  // port 0
      {"05010003" "00" "0050", 0x01},        // empty name
      {"05010003" "03" "612f62" "0050", 0x01},  // "a/b"
  };
  for (const auto& [request, code] : cases) {
    Socks5Server s(0);
    Bytes input = hex(kGreeting);
    append(input, hex(request));
    EXPECT_FALSE(s.on_client_bytes(input).ok()) << request;
    EXPECT_EQ(to_hex(s.take_output()), "0500" + reply_hex(code)) << request;
    EXPECT_EQ(s.state(), Socks5State::closed);
    EXPECT_FALSE(s.take_connect_request().has_value());
    ASSERT_TRUE(s.error().has_value());
  }
}

TEST(Socks5Server, TruncatedInputWaitsThenTimesOut) {
  const Bytes full = [] {
    Bytes b = hex(kGreeting);
    append(b, hex("05010003" "0b" "6578616d706c652e6f7267" "0050"));
    return b;
  }();
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    Socks5Server s(0, Socks5Config{});
    ASSERT_TRUE(s.on_client_bytes(ByteView(full).first(cut)).ok()) << cut;
    EXPECT_NE(s.state(), Socks5State::connecting) << cut;
    EXPECT_FALSE(s.take_connect_request().has_value());
    EXPECT_EQ(s.next_deadline(), 10 * kSecond);
    s.on_timeout(10 * kSecond - 1);
    EXPECT_NE(s.state(), Socks5State::closed);
    s.on_timeout(10 * kSecond);
    EXPECT_EQ(s.state(), Socks5State::closed);
    EXPECT_EQ(s.error()->code, Errc::timeout);
  }
}

TEST(Socks5Server, EarlyDataIsKeptForTheStream) {
  Socks5Config config;
  config.max_early_data_bytes = 8;
  Socks5Server s(0, config);
  Bytes input = hex(kGreeting);
  append(input, hex("05010001" "7f000001" "0050" "474554"));  // request + "GET"
  ASSERT_TRUE(s.on_client_bytes(input).ok());
  ASSERT_TRUE(s.on_client_bytes(hex("2f")).ok());
  EXPECT_TRUE(s.take_early_data().empty());  // not before the stream is open
  EXPECT_EQ(s.next_deadline(), kNever);      // the stream's connect timeout takes over
  s.on_stream_connected();
  EXPECT_EQ(to_hex(s.take_early_data()), "4745542f");
  Socks5Server greedy(0, config);
  ASSERT_TRUE(greedy.on_client_bytes(input).ok());
  EXPECT_FALSE(greedy.on_client_bytes(hex("0102030405060708")).ok());  // 3 + 8 > 8
  EXPECT_EQ(to_hex(greedy.take_output()), "0500" + reply_hex(0x01));
}

TEST(Socks5Server, StreamErrorsMapToReplyCodes) {
  const std::pair<StreamError, std::uint8_t> cases[] = {
      {StreamError::exit_policy, 0x02},    {StreamError::resolve_failed, 0x04}, {StreamError::unreachable, 0x04},
      {StreamError::connection_refused, 0x05}, {StreamError::timeout, 0x06},    {StreamError::misc, 0x01},
      {StreamError::resource_limit, 0x01}, {StreamError::circuit_closed, 0x01}, {StreamError::protocol_violation, 0x01},
  };
  for (const auto& [error, code] : cases) {
    Socks5Server s(0);
    Bytes input = hex(kGreeting);
    append(input, hex("05010001" "7f000001" "0050"));
    ASSERT_TRUE(s.on_client_bytes(input).ok());
    s.take_output();
    s.on_stream_failed(error);
    EXPECT_EQ(to_hex(s.take_output()), reply_hex(code)) << stream_error_name(error);
    EXPECT_EQ(s.state(), Socks5State::closed);
  }
}

}  // namespace
}  // namespace zmesh::onion
