// `zmesh node` settings of onion routing: the local SOCKS5 port, the exit policy (a node with
// one advertises the exit capability), the length of client circuits and the relay bandwidth
// advertised in the descriptor. Shared by the JSON config file and the flags (node_options.cpp
// forwards the keys and flags it does not know to here); a flag replaces the file's value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/flags.hpp"
#include "node/dht_service.hpp"
#include "node/path_selection.hpp"
#include "onion/exit_policy.hpp"
#include "util/result.hpp"

namespace zmesh::app {

// --bandwidth bounds: at least 1 so that a node never asks to be skipped by accident (0 in a
// descriptor means "not advertised"); at most ~9.5 GiB/s.
inline constexpr std::int64_t kMinBandwidthKibPerS = 1;
inline constexpr std::int64_t kMaxBandwidthKibPerS = 10'000'000;

struct OnionOptions {
  std::string socks;                       // HOST:PORT of the SOCKS5 listener; empty = none
  std::vector<std::string> exit_policy;    // --exit-policy values (each may hold several rules)
  std::size_t hops = 3;                    // client circuits: 2 or 3
  // Relay capacity advertised in our descriptor: a hint that weights other clients' paths.
  std::uint32_t bandwidth_kib_per_s = node::kDefaultBandwidthKibPerS;

  bool is_exit() const { return !exit_policy.empty(); }
};

std::vector<FlagSpec> onion_flag_specs();
// Lines for `zmesh node --help`.
std::string onion_flags_help();
std::string onion_config_keys_help();

// A config file key: nullopt when `key` is not an onion key, else the result of applying it.
std::optional<Status> apply_onion_config_key(OnionOptions& options, const std::string& key, const nlohmann::json& value,
                                             const std::string& path);
Status apply_onion_flags(OnionOptions& options, const Flags& flags);
// The parsed policy: every --exit-policy value joined, "reject everything" when none.
Result<onion::ExitPolicy> onion_exit_policy(const OnionOptions& options);
// What the onion settings put in our signed descriptor: the exit capability, the bandwidth.
void apply_onion_descriptor_settings(const OnionOptions& options, node::DhtServiceConfig& config);

}  // namespace zmesh::app
