// `zmesh node` settings of onion routing: the local SOCKS5 port, the exit policy (a node with
// one advertises the exit capability) and the length of client circuits. Flags only; the
// node's config file does not carry them yet.
#pragma once

#include <string>
#include <vector>

#include "app/flags.hpp"
#include "onion/exit_policy.hpp"
#include "util/result.hpp"

namespace zmesh::app {

struct OnionOptions {
  std::string socks;                       // HOST:PORT of the SOCKS5 listener; empty = none
  std::vector<std::string> exit_policy;    // --exit-policy values (each may hold several rules)
  std::size_t hops = 3;                    // client circuits: 2 or 3

  bool is_exit() const { return !exit_policy.empty(); }
};

std::vector<FlagSpec> onion_flag_specs();
// Lines for `zmesh node --help`.
std::string onion_flags_help();
Status apply_onion_flags(OnionOptions& options, const Flags& flags);
// The parsed policy: every --exit-policy value joined, "reject everything" when none.
Result<onion::ExitPolicy> onion_exit_policy(const OnionOptions& options);

}  // namespace zmesh::app
