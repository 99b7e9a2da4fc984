// ExitPolicy matching and text form; the rule parser is in exit_policy_parse.cpp.
#include "onion/exit_policy.hpp"

namespace zmesh::onion {

bool ExitPolicyRule::covers_address(const IpAddress& a) const {
  switch (scope) {
    case ExitAddressScope::any: return true;
    case ExitAddressScope::any_v4: return a.family == IpFamily::v4;
    case ExitAddressScope::any_v6: return a.family == IpFamily::v6;
    case ExitAddressScope::prefix: return same_prefix(a, address, prefix_bits);
  }
  return false;
}

std::string ExitPolicyRule::to_string() const {
  std::string out = action == ExitPolicyAction::accept ? "accept " : "reject ";
  switch (scope) {
    case ExitAddressScope::any: out += "*"; break;
    case ExitAddressScope::any_v4: out += "*4"; break;
    case ExitAddressScope::any_v6: out += "*6"; break;
    case ExitAddressScope::prefix:
      out += address.family == IpFamily::v6 ? "[" + address.to_string() + "]" : address.to_string();
      if (prefix_bits != 8 * address.size()) out += "/" + std::to_string(prefix_bits);
      break;
  }
  out += ":";
  if (port_low == 1 && port_high == 65535) out += "*";
  else if (port_low == port_high) out += std::to_string(port_low);
  else out += std::to_string(port_low) + "-" + std::to_string(port_high);
  return out;
}

std::optional<std::size_t> ExitPolicy::first_match(const IpAddress& address, std::uint16_t port) const {
  const IpAddress a = address.unmapped();
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].covers_port(port) && rules_[i].covers_address(a)) return i;
  }
  return std::nullopt;
}

bool ExitPolicy::allows(const IpAddress& address, std::uint16_t port) const {
  const auto rule = first_match(address, port);
  return rule.has_value() && rules_[*rule].action == ExitPolicyAction::accept;
}

std::optional<IpAddress> ExitPolicy::first_allowed(std::span<const IpAddress> resolved, std::uint16_t port) const {
  for (const IpAddress& a : resolved) {
    if (allows(a, port)) return a;
  }
  return std::nullopt;
}

bool ExitPolicy::might_accept_port(std::uint16_t port) const {
  // Walk the rules in order, remembering which families a reject-everything-on-this-port rule
  // has already closed; an accept rule for a family still open might match some address.
  bool v4_closed = false, v6_closed = false;
  for (const auto& rule : rules_) {
    if (!rule.covers_port(port)) continue;
    const bool v4 = rule.scope == ExitAddressScope::any || rule.scope == ExitAddressScope::any_v4 ||
                    (rule.scope == ExitAddressScope::prefix && rule.address.family == IpFamily::v4);
    const bool v6 = rule.scope == ExitAddressScope::any || rule.scope == ExitAddressScope::any_v6 ||
                    (rule.scope == ExitAddressScope::prefix && rule.address.family == IpFamily::v6);
    if (rule.action == ExitPolicyAction::accept) {
      if ((v4 && !v4_closed) || (v6 && !v6_closed)) return true;
      continue;
    }
    const bool whole_family = rule.scope != ExitAddressScope::prefix || rule.prefix_bits == 0;
    if (whole_family) {
      v4_closed = v4_closed || v4;
      v6_closed = v6_closed || v6;
    }
    if (v4_closed && v6_closed) return false;
  }
  return false;
}

std::string ExitPolicy::to_string() const {
  std::string out;
  for (const auto& rule : rules_) {
    if (!out.empty()) out += ", ";
    out += rule.to_string();
  }
  return out;
}

}  // namespace zmesh::onion
