#include "app/onion_options.hpp"

#include <cmath>

#include "util/net_address.hpp"

namespace zmesh::app {
namespace {

constexpr std::int64_t kMinHops = 2;
constexpr std::int64_t kMaxHops = 3;

// HOST:PORT with HOST a loopback IP literal (the SOCKS5 port has no authentication).
Status check_socks_address(const std::string& socks) {
  ZM_TRY(const HostPort address, parse_host_port(socks));
  if (!address.ip) return make_error(Errc::invalid_argument, "HOST must be an IP address");
  if (!address.ip->is_loopback()) return make_error(Errc::invalid_argument, "only loopback addresses (no authentication)");
  return {};
}

Status check_exit_policy(const OnionOptions& options) {
  auto policy = onion_exit_policy(options);
  if (!policy.ok()) return policy.error();
  return {};
}

Error key_error(const std::string& path, const std::string& message) {
  return make_error(Errc::invalid_argument, path + ": " + message);
}

Result<std::int64_t> integer_value(const nlohmann::json& value, const std::string& path, const std::string& key,
                                   std::int64_t min, std::int64_t max) {
  const bool whole = value.is_number_integer() ||
                     (value.is_number_float() && std::isfinite(value.get<double>()) &&
                      value.get<double>() == std::floor(value.get<double>()));
  const double number = value.is_number() ? value.get<double>() : 0;
  if (!whole || number < static_cast<double>(min) || number > static_cast<double>(max)) {
    return key_error(path, key + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<std::int64_t>(number);
}

}  // namespace

std::vector<FlagSpec> onion_flag_specs() { return {{"socks"}, {"exit-policy", true, true}, {"hops"}, {"bandwidth"}}; }

std::string onion_flags_help() {
  return "  --socks HOST:PORT         serve SOCKS5 there (loopback IP): each CONNECT becomes a stream\n"
         "                            through a 2-3 hop onion circuit (curl --socks5-hostname); while\n"
         "                            no path can be built (an N-hop path needs N other nodes, one an\n"
         "                            exit, in distinct /16s) a request fails after 5 s with SOCKS\n"
         "                            reply 1, and the log and 'zmesh status' say why\n"
         "  --exit-policy RULES       be an exit: open TCP connections that RULES accept (repeatable,\n"
         "                            comma-separated, first match wins, default reject all), e.g.\n"
         "                            \"accept 127.0.0.0/8:*, reject *:*\"; advertises the exit capability\n"
         "  --hops N                  relays in our circuits: 2 or 3 (default 3)\n"
         "  --bandwidth KIB_PER_S     relay capacity advertised in our descriptor, 1..10000000\n"
         "                            (default 1024); other clients pick relays in proportion to it\n";
}

std::string onion_config_keys_help() {
  return "  socks                     string   as --socks\n"
         "  exit_policy               [string] as --exit-policy\n"
         "  hops                      int      as --hops\n"
         "  bandwidth_kib_per_s       int      as --bandwidth\n";
}

std::optional<Status> apply_onion_config_key(OnionOptions& options, const std::string& key, const nlohmann::json& value,
                                             const std::string& path) {
  if (key == "socks") {
    if (!value.is_string()) return Status(key_error(path, "socks must be a string"));
    const std::string socks = value.get<std::string>();
    if (auto checked = check_socks_address(socks); !checked.ok())
      return Status(key_error(path, "socks " + socks + ": " + checked.error().message));
    options.socks = socks;
    return Status{};
  }
  if (key == "exit_policy") {
    auto wrong = [&] { return Status(key_error(path, "exit_policy must be a list of strings")); };
    if (!value.is_array()) return wrong();
    OnionOptions candidate;
    for (const auto& item : value) {
      if (!item.is_string()) return wrong();
      candidate.exit_policy.push_back(item.get<std::string>());
    }
    if (auto checked = check_exit_policy(candidate); !checked.ok())
      return Status(key_error(path, "exit_policy: " + checked.error().message));
    options.exit_policy = std::move(candidate.exit_policy);
    return Status{};
  }
  if (key == "hops") {
    auto hops = integer_value(value, path, key, kMinHops, kMaxHops);
    if (!hops.ok()) return Status(hops.error());
    options.hops = static_cast<std::size_t>(*hops);
    return Status{};
  }
  if (key == "bandwidth_kib_per_s") {
    auto bandwidth = integer_value(value, path, key, kMinBandwidthKibPerS, kMaxBandwidthKibPerS);
    if (!bandwidth.ok()) return Status(bandwidth.error());
    options.bandwidth_kib_per_s = static_cast<std::uint32_t>(*bandwidth);
    return Status{};
  }
  return std::nullopt;
}

Status apply_onion_flags(OnionOptions& options, const Flags& flags) {
  if (flags.has("socks")) {
    const std::string socks = flags.string("socks");
    if (auto checked = check_socks_address(socks); !checked.ok())
      return make_error(Errc::invalid_argument, "zmesh node: --socks " + socks + ": " + checked.error().message);
    options.socks = socks;
  }
  // Given at all, --exit-policy replaces the config file's list (as --listen and --peer do).
  if (flags.has("exit-policy")) {
    OnionOptions candidate;
    candidate.exit_policy = flags.values("exit-policy");
    if (auto checked = check_exit_policy(candidate); !checked.ok())
      return make_error(Errc::invalid_argument, "zmesh node: --exit-policy: " + checked.error().message);
    options.exit_policy = std::move(candidate.exit_policy);
  }
  ZM_TRY(const std::int64_t hops, flags.integer("hops", static_cast<std::int64_t>(options.hops), kMinHops, kMaxHops));
  ZM_TRY(const std::int64_t bandwidth, flags.integer("bandwidth", options.bandwidth_kib_per_s, kMinBandwidthKibPerS,
                                                     kMaxBandwidthKibPerS));
  options.hops = static_cast<std::size_t>(hops);
  options.bandwidth_kib_per_s = static_cast<std::uint32_t>(bandwidth);
  return {};
}

Result<onion::ExitPolicy> onion_exit_policy(const OnionOptions& options) {
  std::string text;
  for (const std::string& rules : options.exit_policy) text += (text.empty() ? "" : ",") + rules;
  return onion::ExitPolicy::parse(text);
}

void apply_onion_descriptor_settings(const OnionOptions& options, node::DhtServiceConfig& config) {
  if (options.is_exit()) config.capabilities |= capability::exit;
  config.bandwidth_kib_per_s = options.bandwidth_kib_per_s;
}

}  // namespace zmesh::app
