// An exit's policy: which addresses and ports its streams may connect to. Tor-like rules
// (Tor's torrc ExitPolicy, minus accept6/reject6 and dotted masks), first match wins, and a
// policy that matches nothing rejects: the default is "reject everything".
//
//   --exit-policy "accept 127.0.0.0/8:*, accept [::1]:*"
//   rule    = ("accept" | "reject") SP pattern
//   pattern = address ["/" prefix-bits] ":" ports
//   address = "*" (any) | "*4" (any IPv4) | "*6" (any IPv6) | IPv4 | "[" IPv6 "]"
//   ports   = "*" | PORT | PORT "-" PORT        (1..65535)
// Rules are separated by commas or newlines; "#" starts a comment that runs to the line's end.
//
// Matching is on resolved addresses: the exit resolves a domain name first and then checks
// every address it got (DNS resolution happens at the exit, before the policy check, so an
// exit does resolve names it will then refuse; might_accept_port() lets it skip the lookup
// when no rule could accept the port). IPv4-mapped IPv6 addresses are matched as IPv4.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/net_address.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

inline constexpr std::size_t kMaxExitPolicyRules = 1024;
inline constexpr std::size_t kMaxExitPolicyTextBytes = 64 * 1024;

enum class ExitPolicyAction : std::uint8_t { accept, reject };
enum class ExitAddressScope : std::uint8_t { any, any_v4, any_v6, prefix };

struct ExitPolicyRule {
  ExitPolicyAction action = ExitPolicyAction::reject;
  ExitAddressScope scope = ExitAddressScope::any;
  IpAddress address;             // scope prefix: the network, host bits zero
  unsigned prefix_bits = 0;      // scope prefix: 0..32 / 0..128
  std::uint16_t port_low = 1;
  std::uint16_t port_high = 65535;

  bool covers_address(const IpAddress& address) const;  // address already unmapped
  bool covers_port(std::uint16_t port) const { return port >= port_low && port <= port_high; }
  // Canonical text: "accept 127.0.0.0/8:*", "reject [2001:db8::]/32:80-443", "accept *:22".
  std::string to_string() const;
  bool operator==(const ExitPolicyRule&) const = default;
};

class ExitPolicy {
 public:
  // The default: no rules, everything rejected.
  ExitPolicy() = default;
  // Errc::invalid_argument naming the rule (its number and text) and what is wrong with it.
  static Result<ExitPolicy> parse(std::string_view text);

  bool allows(const IpAddress& address, std::uint16_t port) const;
  // Index of the rule that decides, or nullopt when none matches (rejected by default).
  std::optional<std::size_t> first_match(const IpAddress& address, std::uint16_t port) const;
  // The first of `resolved` that the policy allows, if any: where the exit should connect.
  std::optional<IpAddress> first_allowed(std::span<const IpAddress> resolved, std::uint16_t port) const;
  // False when no address at all could be accepted on this port, so the exit can refuse a
  // BEGIN without resolving its name.
  bool might_accept_port(std::uint16_t port) const;

  const std::vector<ExitPolicyRule>& rules() const { return rules_; }
  // Canonical text, rules joined by ", "; parse(to_string()) gives the same policy.
  std::string to_string() const;
  bool operator==(const ExitPolicy&) const = default;

 private:
  std::vector<ExitPolicyRule> rules_;
};

}  // namespace zmesh::onion
