// Exit policies: parsing (with the error messages operators see), first match wins, port
// ranges, masks, IPv6, the default reject, and the canonical text form.
#include <gtest/gtest.h>

#include "onion/exit_policy.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

ExitPolicy policy(std::string_view text) {
  auto p = ExitPolicy::parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error().message);
  return p.ok() ? *p : ExitPolicy{};
}

IpAddress ip(std::string_view text) { return *parse_ip_address(text); }

TEST(ExitPolicy, DefaultAndEmptyRejectEverything) {
  for (const ExitPolicy& p : {ExitPolicy{}, policy(""), policy(" , \n # nothing here\n")}) {
    EXPECT_TRUE(p.rules().empty());
    EXPECT_FALSE(p.allows(ip("127.0.0.1"), 80));
    EXPECT_FALSE(p.allows(ip("::1"), 80));
    EXPECT_FALSE(p.might_accept_port(80));
  }
}

struct Row {
  const char* address;
  std::uint16_t port;
  bool allowed;
};

TEST(ExitPolicy, FirstMatchWinsOverATable) {
  const ExitPolicy p = policy(
      "reject 127.0.0.1:22\n"
      "accept 127.0.0.0/8:*          # the demo's loopback exit\n"
      "reject 10.0.0.0/8:*, accept 10.1.0.0/16:80-443\n"  // the accept is shadowed
      "accept 192.0.2.0/24:80-90, accept 198.51.100.7:53\n"
      "accept [2001:db8::]/32:443, reject [::1]:*\n"
      "accept *6:8080\n"
      "reject *:*\n"
      "accept *:*\n");  // never reached
  ASSERT_EQ(p.rules().size(), 11u);
  const Row rows[] = {
      {"127.0.0.1", 22, false},  {"127.0.0.1", 23, true},   {"127.255.255.255", 1, true}, {"127.0.0.2", 22, true},
      {"128.0.0.1", 80, false},  {"10.1.2.3", 80, false},   {"192.0.2.77", 79, false},    {"192.0.2.77", 80, true},
      {"192.0.2.77", 90, true},  {"192.0.2.77", 91, false}, {"192.0.3.1", 85, false},     {"198.51.100.7", 53, true},
      {"198.51.100.8", 53, false}, {"2001:db8:1::5", 443, true}, {"2001:db9::5", 443, false}, {"::1", 443, false},
      {"::1", 8080, false},      {"::2", 8080, true},       {"1.2.3.4", 8080, false},     {"::ffff:127.0.0.1", 23, true},
      {"::ffff:127.0.0.1", 22, false}, {"8.8.8.8", 53, false},
  };
  for (const Row& row : rows) EXPECT_EQ(p.allows(ip(row.address), row.port), row.allowed) << row.address << ":" << row.port;
  EXPECT_EQ(p.first_match(ip("127.0.0.1"), 22), 0u);
  EXPECT_EQ(p.first_match(ip("10.1.2.3"), 80), 2u);
  EXPECT_EQ(p.first_match(ip("8.8.8.8"), 1), 9u);
}

TEST(ExitPolicy, LoopbackDemoPolicyFromTheIssue) {
  const ExitPolicy p = policy("accept 127.0.0.0/8:*");
  EXPECT_TRUE(p.allows(ip("127.0.0.1"), 8000));
  EXPECT_FALSE(p.allows(ip("192.168.1.1"), 8000));  // default reject after the rules
  EXPECT_FALSE(p.allows(ip("::1"), 8000));
  const IpAddress resolved[] = {ip("::1"), ip("93.184.216.34"), ip("127.0.0.1")};
  EXPECT_EQ(p.first_allowed(resolved, 80), ip("127.0.0.1"));
  EXPECT_FALSE(p.first_allowed(std::span(resolved, 2), 80).has_value());
}

TEST(ExitPolicy, MightAcceptPortLetsTheExitSkipDns) {
  const ExitPolicy web = policy("accept *:80, accept *:443, reject *:*");
  EXPECT_TRUE(web.might_accept_port(80));
  EXPECT_FALSE(web.might_accept_port(25));
  const ExitPolicy families = policy("reject *4:25, accept [2001:db8::]/32:25, reject *6:*");
  EXPECT_TRUE(families.might_accept_port(25));
  EXPECT_FALSE(families.might_accept_port(26));
  const ExitPolicy closed = policy("reject *4:*, reject *6:*, accept *:*");
  EXPECT_FALSE(closed.might_accept_port(80));
  const ExitPolicy narrow = policy("reject 10.0.0.0/8:*, accept *:22");
  EXPECT_TRUE(narrow.might_accept_port(22));
  EXPECT_FALSE(narrow.might_accept_port(23));
  const ExitPolicy zero = policy("reject 0.0.0.0/0:*, accept 1.2.3.4:80");
  EXPECT_FALSE(zero.might_accept_port(80));
  // might_accept_port never says no when some address is allowed.
  SeededRandom r(3);
  for (const ExitPolicy* p : {&web, &families, &closed, &narrow, &zero}) {
    for (int i = 0; i < 2000; ++i) {
      IpAddress a;
      a.family = r.uniform(2) ? IpFamily::v4 : IpFamily::v6;
      r.fill(MutableByteView(a.bytes).first(a.size()));
      if (r.uniform(2)) a = p->rules().front().address;
      const auto port = static_cast<std::uint16_t>(1 + r.uniform(100));
      EXPECT_TRUE(!p->allows(a, port) || p->might_accept_port(port)) << p->to_string() << " " << a.to_string();
    }
  }
}

TEST(ExitPolicy, CanonicalTextRoundTrips) {
  const ExitPolicy p = policy("ACCEPT 127.0.0.0/8:*,reject\t[2001:DB8:0::]/32:80-443 , accept 1.2.3.4/32:7-7,reject *4:1-65535,accept *6:5");
  EXPECT_EQ(p.to_string(), "accept 127.0.0.0/8:*, reject [2001:db8::]/32:80-443, accept 1.2.3.4:7, reject *4:*, accept *6:5");
  EXPECT_EQ(policy(p.to_string()), p);
}

TEST(ExitPolicy, BadRulesSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"allow *:*", "rule 1 (\"allow *:*\"): unknown action \"allow\""},
      {"accept *:80, accept", "rule 2 (\"accept\"): expected \"accept|reject ADDRESS[/MASK]:PORTS\""},
      {"accept 127.0.0.1", "missing \":PORTS\""},
      {"accept 127.0.0.1:0", "ports are 1..65535"},
      {"accept 127.0.0.1:65536", "port 65536 above 65535"},
      {"accept 127.0.0.1:90-80", "port range 90-80 is backwards"},
      {"accept 127.0.0.1:http", "bad port \"http\""},
      {"accept 127.0.0.1/33:*", "mask 33 above 32"},
      {"accept [::1]/129:*", "mask 129 above 128"},
      {"accept 127.0.0.1/8:*", "did you mean 127.0.0.0/8?"},
      {"accept [2001:db8::1]/32:*", "did you mean [2001:db8::]/32?"},
      {"accept ::1:80", "IPv6 addresses need brackets"},
      {"accept [::1:80", "unclosed '['"},
      {"accept *:80 extra", "expected one ADDRESS"},
      {"accept */8:80", "a wildcard address takes no mask"},
      {"accept 300.1.1.1:80", "a part is above 255"},
      {"accept 1.2.3.4/255.0.0.0:80", "bad mask"},
      {"accept example.org:80", "bad IP address"},
  };
  for (const auto& [text, expected] : cases) {
    auto p = ExitPolicy::parse(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().code, Errc::invalid_argument);
    EXPECT_NE(p.error().message.find(expected), std::string::npos) << text << " -> " << p.error().message;
  }
  std::string many;
  for (int i = 0; i < 1025; ++i) many += "reject *:1,";
  EXPECT_FALSE(ExitPolicy::parse(many).ok());
  EXPECT_FALSE(ExitPolicy::parse(std::string(kMaxExitPolicyTextBytes + 1, ' ')).ok());
}

}  // namespace
}  // namespace zmesh::onion
