// util/net_address: HOST:PORT, IP literals, classification, prefixes and network keys. The
// literal parser's RFC 5952 cases live in tests/onion/stream_ip_address_test.cpp (its first
// users); here the rest, and the edges every former ad-hoc parser disagreed on.
#include "util/net_address.hpp"

#include <gtest/gtest.h>

#include <random>

namespace zmesh {
namespace {

IpAddress ip(std::string_view text) {
  auto parsed = parse_ip_address(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : IpAddress{};
}

std::string error_of(std::string_view text, PortRule rule = PortRule::required) {
  auto parsed = parse_host_port(text, rule);
  if (parsed.ok()) return "ok";
  EXPECT_EQ(parsed.error().code, Errc::invalid_argument) << text;
  return parsed.error().message;
}

TEST(HostPort, ParsesIpv4Ipv6AndNames) {
  auto v4 = parse_host_port("192.0.2.7:4433");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "192.0.2.7");
  EXPECT_EQ(v4->ip, IpAddress::v4(192, 0, 2, 7));
  EXPECT_EQ(v4->port, 4433);
  EXPECT_EQ(v4->to_string(), "192.0.2.7:4433");

  auto v6 = parse_host_port("[2001:DB8::1]:443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2001:DB8::1");  // as written; ip->to_string() is canonical
  EXPECT_EQ(v6->ip->to_string(), "2001:db8::1");
  EXPECT_EQ(v6->to_string(), "[2001:DB8::1]:443");

  auto name = parse_host_port("relay.example:80");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "relay.example");
  EXPECT_FALSE(name->ip.has_value());
  EXPECT_EQ(parse_host_port("localhost:1")->host, "localhost");
  EXPECT_EQ(parse_host_port("my_host-1.lan.:1")->host, "my_host-1.lan.");
}

TEST(HostPort, PortEdges) {
  EXPECT_EQ(parse_host_port("h:0")->port, 0);  // listening: the OS picks one; dialers refuse 0
  EXPECT_EQ(parse_host_port("h:65535")->port, 65535);
  EXPECT_EQ(parse_host_port("h:00080")->port, 80);
  EXPECT_NE(error_of("h:65536").find("port 65536 above 65535"), std::string::npos);
  EXPECT_NE(error_of("h:99999").find("above 65535"), std::string::npos);
  EXPECT_NE(error_of("h:000080").find("bad port"), std::string::npos);  // more than 5 digits
  for (const char* bad : {"h:", "h:-1", "h:+80", "h:8 0", "h:0x50", "h:80 ", "h:http", "[::1]:", "1.2.3.4:1:2"}) {
    EXPECT_NE(error_of(bad), "ok") << bad;
  }
}

TEST(HostPort, BracketsAndColons) {
  EXPECT_NE(error_of("::1:80").find("IPv6 addresses need brackets"), std::string::npos);
  EXPECT_NE(error_of("a:b:80").find("need brackets"), std::string::npos);
  EXPECT_NE(error_of("[::1:80").find("unclosed '['"), std::string::npos);
  EXPECT_NE(error_of("[::1]80").find("expected ':PORT' after ']'"), std::string::npos);
  EXPECT_NE(error_of("[::1]").find("expected HOST:PORT"), std::string::npos);
  EXPECT_NE(error_of("[fe80::1%eth0]:80").find("zone ids"), std::string::npos);
  EXPECT_NE(error_of("[1.2.3.4]:80"), "ok");  // brackets are for IPv6 only
  EXPECT_NE(error_of("[zz::1]:80"), "ok");
  EXPECT_NE(error_of("[]:80"), "ok");
  EXPECT_NE(error_of(":80").find("empty host"), std::string::npos);
  EXPECT_NE(error_of("1.2.3.4").find("expected HOST:PORT"), std::string::npos);
}

TEST(HostPort, NumericHostsMustBeIpv4) {
  // A resolver reads these its own way (inet_aton: octal, short forms); we refuse them.
  EXPECT_NE(error_of("010.1.2.3:80").find("leading zeros"), std::string::npos);
  EXPECT_NE(error_of("256.0.0.1:80").find("above 255"), std::string::npos);
  EXPECT_NE(error_of("1.2.3:80"), "ok");
  EXPECT_NE(error_of("127.1:80"), "ok");
  EXPECT_NE(error_of("example.123:80").find("bad host name"), std::string::npos);
  EXPECT_EQ(error_of("123.example:80"), "ok");
  for (const char* bad : {"exa mple.org:80", "ex%41mple:80", "a/b:80", "h\n:80", "é.example:80"}) {
    EXPECT_NE(error_of(bad).find("bad host name"), std::string::npos) << bad;
  }
  EXPECT_EQ(error_of(std::string(255, 'a') + ":1"), "ok");
  EXPECT_NE(error_of(std::string(256, 'a') + ":1"), "ok");
}

TEST(HostPort, OptionalPort) {
  auto bare = parse_host_port("[::1]", PortRule::optional);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->port.has_value());
  EXPECT_EQ(bare->to_string(), "[::1]");
  EXPECT_EQ(parse_host_port("localhost", PortRule::optional)->host, "localhost");
  EXPECT_EQ(parse_host_port("127.0.0.1:8080", PortRule::optional)->port, 8080);
  EXPECT_NE(error_of("::1", PortRule::optional), "ok");  // still ambiguous without brackets
  EXPECT_NE(error_of("", PortRule::optional), "ok");
}

TEST(HostPort, FormatsWithBracketsForIpv6) {
  EXPECT_EQ(format_host_port("::1", 80), "[::1]:80");
  EXPECT_EQ(format_host_port("10.0.0.1", 0), "10.0.0.1:0");
  EXPECT_EQ(format_host_port("relay.example", 65535), "relay.example:65535");
}

TEST(IpAddress, Classifies) {
  EXPECT_TRUE(ip("127.0.0.1").is_loopback());
  EXPECT_TRUE(ip("127.255.0.9").is_loopback());
  EXPECT_TRUE(ip("::1").is_loopback());
  EXPECT_TRUE(ip("::ffff:127.0.0.1").is_loopback());  // mapped: classified as the IPv4 address
  EXPECT_FALSE(ip("::127.0.0.1").is_loopback());
  EXPECT_FALSE(ip("128.0.0.1").is_loopback());

  EXPECT_TRUE(ip("0.0.0.0").is_unspecified());
  EXPECT_TRUE(ip("::").is_unspecified());
  EXPECT_TRUE(ip("::ffff:0.0.0.0").is_unspecified());
  EXPECT_FALSE(ip("::1").is_unspecified());

  for (const char* p : {"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.1", "192.168.1.1", "fc00::1", "fdff::1",
                        "::ffff:10.1.2.3"}) {
    EXPECT_TRUE(ip(p).is_private()) << p;
  }
  for (const char* p : {"11.0.0.1", "172.15.0.1", "172.32.0.1", "192.169.0.1", "fe00::1", "2001:db8::1", "127.0.0.1"}) {
    EXPECT_FALSE(ip(p).is_private()) << p;
  }
  EXPECT_TRUE(ip("169.254.3.4").is_link_local());
  EXPECT_TRUE(ip("fe80::1").is_link_local());
  EXPECT_TRUE(ip("febf::1").is_link_local());
  EXPECT_FALSE(ip("fec0::1").is_link_local());
  EXPECT_FALSE(ip("169.253.0.1").is_link_local());

  EXPECT_TRUE(ip("::ffff:1.2.3.4").is_v4_mapped());
  EXPECT_FALSE(ip("1.2.3.4").is_v4_mapped());
  EXPECT_FALSE(ip("::1.2.3.4").is_v4_mapped());
}

TEST(IpPrefix, ParsesMatchesAndPrints) {
  auto net = parse_ip_prefix("10.0.0.0/8");
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(net->contains(ip("10.200.1.1")));
  EXPECT_FALSE(net->contains(ip("11.0.0.1")));
  EXPECT_FALSE(net->contains(ip("::ffff:10.0.0.1")));  // families differ: unmap first if wanted
  EXPECT_EQ(net->to_string(), "10.0.0.0/8");

  auto v6 = parse_ip_prefix("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6->contains(ip("2001:db9::1")));
  EXPECT_EQ(parse_ip_prefix("[2001:db8::]/32").value(), *v6);
  EXPECT_EQ(parse_ip_prefix("::/0")->bits, 0u);
  EXPECT_TRUE(parse_ip_prefix("0.0.0.0/0")->contains(ip("203.0.113.9")));
  EXPECT_EQ(parse_ip_prefix("192.0.2.1")->bits, 32u);
  EXPECT_EQ(parse_ip_prefix("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(parse_ip_prefix("::1/128")->to_string(), "::1");

  const std::pair<const char*, const char*> bad[] = {
      {"10.1.2.3/8", "did you mean 10.0.0.0/8?"},
      {"[2001:db8::1]/32", "did you mean [2001:db8::]/32?"},
      {"2001:db8::1/32", "did you mean 2001:db8::/32?"},
      {"10.0.0.0/33", "mask 33 above 32"},
      {"::/129", "mask 129 above 128"},
      {"10.0.0.0/", "bad mask"},
      {"10.0.0.0/-1", "bad mask"},
      {"10.0.0.0/255.0.0.0", "bad mask"},
      {"[::1/128", "unclosed '['"},
      {"example.org/8", "bad IP address"},
      {"[fe80::1%1]/64", "zone ids"},
  };
  for (const auto& [text, expected] : bad) {
    auto p = parse_ip_prefix(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().code, Errc::invalid_argument);
    EXPECT_NE(p.error().message.find(expected), std::string::npos) << text << " -> " << p.error().message;
  }
}

TEST(NetworkKey, GroupsByDiversityPrefix) {
  EXPECT_EQ(network_key(ip("198.51.100.7"), 16, 32), ip("198.51.0.0"));
  EXPECT_EQ(network_key(ip("::ffff:198.51.100.7"), 16, 32), ip("198.51.0.0"));  // mapped counts as IPv4
  EXPECT_EQ(network_key(ip("2001:db8:1:2::5"), 16, 32), ip("2001:db8::"));
  EXPECT_EQ(network_key(ip("2001:db8:1:2::5"), 24, 48), ip("2001:db8:1::"));
  EXPECT_EQ(network_key(ip("10.1.2.3"), 24, 48), network_key(ip("10.1.2.200"), 24, 48));
  EXPECT_NE(network_key(ip("10.1.2.3"), 24, 48), network_key(ip("10.1.3.3"), 24, 48));
}

// Every HostPort that parses prints to text that parses back to the same thing; random bytes
// over the alphabet of addresses never crash the parsers (the fuzz target goes further).
TEST(HostPort, RandomTextRoundTrips) {
  std::mt19937 random(7);
  const std::string alphabet = "0123456789abcdefABCDEF:.[]%/-_ xz";
  int parsed_count = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int length = static_cast<int>(random() % 24);
    for (int c = 0; c < length; ++c) text.push_back(alphabet[random() % alphabet.size()]);
    for (PortRule rule : {PortRule::required, PortRule::optional}) {
      auto hp = parse_host_port(text, rule);
      (void)parse_ip_prefix(text);
      if (!hp.ok()) continue;
      ++parsed_count;
      auto again = parse_host_port(hp->to_string(), rule);
      ASSERT_TRUE(again.ok()) << text;
      EXPECT_EQ(again->host, hp->host);
      EXPECT_EQ(again->ip, hp->ip);
      EXPECT_EQ(again->port, hp->port);
    }
  }
  EXPECT_GT(parsed_count, 100);
}

}  // namespace
}  // namespace zmesh
