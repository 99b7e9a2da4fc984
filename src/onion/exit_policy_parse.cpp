// The exit-policy rule parser (grammar in exit_policy.hpp). Errors name the rule by number
// and text and say what is wrong, since operators type these on a command line.
#include <cctype>

#include "onion/exit_policy.hpp"

namespace zmesh::onion {
namespace {

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

Error invalid(const std::string& why) { return make_error(Errc::invalid_argument, why); }

Result<std::uint16_t> parse_policy_port(std::string_view text) {
  ZM_TRY(std::uint16_t port, parse_port(text));
  if (port == 0) return invalid("ports are 1..65535");
  return port;
}

Status parse_ports(std::string_view text, ExitPolicyRule& rule) {
  if (text == "*") return {};
  const auto dash = text.find('-');
  ZM_TRY(rule.port_low, parse_policy_port(text.substr(0, dash)));
  rule.port_high = rule.port_low;
  if (dash != std::string_view::npos) {
    ZM_TRY(rule.port_high, parse_policy_port(text.substr(dash + 1)));
    if (rule.port_low > rule.port_high) return invalid("port range " + std::string(text) + " is backwards");
  }
  return {};
}

Status parse_address(std::string_view text, ExitPolicyRule& rule) {
  const auto slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  if (host == "*" || host == "*4" || host == "*6") {
    if (slash != std::string_view::npos) return invalid("a wildcard address takes no mask");
    rule.scope = host == "*" ? ExitAddressScope::any : host == "*4" ? ExitAddressScope::any_v4 : ExitAddressScope::any_v6;
    return {};
  }
  // The policy grammar wants IPv6 in brackets, since a bare one runs into ":PORTS".
  if (host.find(':') != std::string_view::npos && host.front() != '[') return invalid("IPv6 addresses need brackets, e.g. [::1]:80");
  ZM_TRY(IpPrefix prefix, parse_ip_prefix(text));
  rule.scope = ExitAddressScope::prefix;
  rule.address = prefix.network;
  rule.prefix_bits = prefix.bits;
  return {};
}

Result<ExitPolicyRule> parse_rule(std::string_view entry) {
  const auto space = entry.find_first_of(" \t");
  if (space == std::string_view::npos) return invalid("expected \"accept|reject ADDRESS[/MASK]:PORTS\"");
  std::string action(entry.substr(0, space));
  for (char& c : action) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ExitPolicyRule rule;
  if (action == "accept") rule.action = ExitPolicyAction::accept;
  else if (action == "reject") rule.action = ExitPolicyAction::reject;
  else return invalid("unknown action \"" + action.substr(0, 32) + "\"; expected accept or reject");
  const std::string_view pattern = trim(entry.substr(space + 1));
  if (pattern.find_first_of(" \t") != std::string_view::npos) return invalid("expected one ADDRESS[/MASK]:PORTS after the action");
  const auto colon = pattern.rfind(':');
  if (colon == std::string_view::npos) return invalid("missing \":PORTS\" (use \":*\" for every port)");
  ZM_CHECK(parse_address(pattern.substr(0, colon), rule));
  ZM_CHECK(parse_ports(pattern.substr(colon + 1), rule));
  return rule;
}

}  // namespace

Result<ExitPolicy> ExitPolicy::parse(std::string_view text) {
  if (text.size() > kMaxExitPolicyTextBytes) return invalid("exit policy longer than " + std::to_string(kMaxExitPolicyTextBytes) + " bytes");
  ExitPolicy policy;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    line = line.substr(0, line.find('#'));
    while (true) {
      const auto comma = line.find(',');
      const std::string_view entry = trim(line.substr(0, comma));
      if (!entry.empty()) {
        ++number;
        auto rule = parse_rule(entry);
        if (!rule.ok())
          return invalid("exit policy rule " + std::to_string(number) + " (\"" + std::string(entry.substr(0, 100)) + "\"): " + rule.error().message);
        if (policy.rules_.size() >= kMaxExitPolicyRules) return invalid("exit policy has more than " + std::to_string(kMaxExitPolicyRules) + " rules");
        policy.rules_.push_back(std::move(rule).value());
      }
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
  }
  return policy;
}

}  // namespace zmesh::onion
