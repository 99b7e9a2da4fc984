// IP literals and stream targets: strict parsing, RFC 5952 output, the SOCKS-style encoding.
#include <gtest/gtest.h>

#include "onion/stream_target.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

std::string canonical(std::string_view text) {
  auto parsed = parse_ip_address(text);
  return parsed.ok() ? parsed->to_string() : "error: " + parsed.error().message;
}

TEST(StreamIpAddress, ParsesAndPrintsCanonically) {
  EXPECT_EQ(canonical("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(canonical("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(canonical("255.255.255.255"), "255.255.255.255");
  // RFC 5952 §4: lower case, no leading zeros, longest zero run compressed (first on a tie),
  // a single zero group not compressed; §5: mapped IPv4 in dotted form.
  EXPECT_EQ(canonical("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  EXPECT_EQ(canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(canonical("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(canonical("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
  EXPECT_EQ(canonical("::"), "::");
  EXPECT_EQ(canonical("::1"), "::1");
  EXPECT_EQ(canonical("1::"), "1::");
  EXPECT_EQ(canonical("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
  EXPECT_EQ(canonical("::ffff:c000:0201"), "::ffff:192.0.2.1");
  EXPECT_EQ(canonical("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
  EXPECT_EQ(canonical("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
}

TEST(StreamIpAddress, RefusesBadLiterals) {
  for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "1..2.3", "1.2.3.4 ",
                          " 1.2.3.4", "1.2.3.a", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7", "::1:", ":1::", "1::2:3:4:5:6:7:8", "g::1", "1.2.3.4::", "::1.2.3.4:5",
                          "[::1]", "fe80::1%eth0", "::ffff:1.2.3.256"}) {
    EXPECT_FALSE(parse_ip_address(bad).ok()) << bad;
  }
}

TEST(StreamIpAddress, RandomAddressesRoundTripThroughText) {
  SeededRandom r(11);
  for (int i = 0; i < 2000; ++i) {
    IpAddress a;
    a.family = r.uniform(2) ? IpFamily::v4 : IpFamily::v6;
    for (std::size_t b = 0; b < a.size(); ++b) a.bytes[b] = r.uniform(4) == 0 ? 0 : static_cast<std::uint8_t>(r.uniform(256));
    auto back = parse_ip_address(a.to_string());
    ASSERT_TRUE(back.ok()) << a.to_string();
    EXPECT_EQ(*back, a) << a.to_string();
  }
}

TEST(StreamIpAddress, PrefixesAndMappedAddresses) {
  const IpAddress a = *parse_ip_address("192.168.37.200");
  EXPECT_TRUE(same_prefix(a, *parse_ip_address("192.168.0.0"), 16));
  EXPECT_FALSE(same_prefix(a, *parse_ip_address("192.169.0.0"), 16));
  EXPECT_TRUE(same_prefix(a, *parse_ip_address("192.168.32.0"), 19));
  EXPECT_FALSE(same_prefix(a, *parse_ip_address("192.168.32.0"), 22));
  EXPECT_TRUE(same_prefix(a, *parse_ip_address("0.0.0.0"), 0));
  EXPECT_FALSE(same_prefix(a, *parse_ip_address("::"), 0));  // families differ
  EXPECT_FALSE(same_prefix(a, a, 33));
  EXPECT_EQ(masked(a, 19).to_string(), "192.168.32.0");
  EXPECT_EQ(masked(*parse_ip_address("2001:db8:ffff::1"), 36).to_string(), "2001:db8:f000::");
  EXPECT_EQ(parse_ip_address("::ffff:127.0.0.1")->unmapped(), IpAddress::v4(127, 0, 0, 1));
  EXPECT_EQ(parse_ip_address("::127.0.0.1")->unmapped().family, IpFamily::v6);  // only ::ffff:0:0/96 is mapped
}

TEST(StreamTarget, ParsesHostPort) {
  auto v4 = parse_stream_target("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->kind, TargetKind::ipv4);
  EXPECT_EQ(v4->port, 8080);
  auto v6 = parse_stream_target("[::1]:443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->kind, TargetKind::ipv6);
  EXPECT_EQ(v6->describe(), "[::1]:443");
  auto name = parse_stream_target("example.org:80");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->kind, TargetKind::domain);
  EXPECT_EQ(name->describe(), "example.org:80");
  for (const char* bad : {"example.org", "example.org:0", "example.org:65536", "example.org:", ":80", "exa mple.org:80",
                          "[::1:80", "[zz::1]:80", "ex%41mple.org:80", "a:b:80"}) {
    EXPECT_FALSE(parse_stream_target(bad).ok()) << bad;
  }
  EXPECT_TRUE(is_valid_domain(std::string(255, 'a')));
  EXPECT_FALSE(is_valid_domain(std::string(256, 'a')));
}

TEST(StreamTarget, EncodesLikeSocks5) {
  // RFC 1928 §4/§5: ATYP, address, port big-endian.
  wire::Writer w;
  encode_target(w, *parse_stream_target("10.1.2.3:80"));
  EXPECT_EQ(to_hex(w.view()), "010a0102030050");
  wire::Writer n;
  encode_target(n, *parse_stream_target("ab.cd:443"));
  EXPECT_EQ(to_hex(n.view()), "0305" "61622e6364" "01bb");
  wire::Writer six;
  encode_target(six, *parse_stream_target("[2001:db8::1]:22"));
  EXPECT_EQ(to_hex(six.view()), "04" "20010db8000000000000000000000001" "0016");
  for (const Bytes& wire : {w.view(), n.view(), six.view()}) {
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {
      wire::Reader in(ByteView(wire).first(cut));
      auto r = decode_target(in);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, Errc::truncated) << cut;
    }
    wire::Reader in(wire);
    auto back = decode_target(in);
    ASSERT_TRUE(back.ok());
    wire::Writer w2;
    encode_target(w2, *back);
    EXPECT_EQ(w2.view(), wire);
  }
  Bytes unknown_type = {0x02, 1, 2, 3, 4, 0, 80};
  wire::Reader u(unknown_type);
  EXPECT_EQ(decode_target(u).error().code, Errc::malformed);
  Bytes port_zero = {0x01, 1, 2, 3, 4, 0, 0};
  wire::Reader z(port_zero);
  EXPECT_EQ(decode_target(z).error().code, Errc::invalid_argument);
  Bytes empty_name = {0x03, 0, 0, 80};
  wire::Reader e(empty_name);
  EXPECT_EQ(decode_target(e).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace zmesh::onion
