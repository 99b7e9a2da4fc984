#include "app/node_options.hpp"

#include <cmath>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "io/url.hpp"
#include "util/net_address.hpp"

namespace zmesh::app {
namespace {

// Numeric settings: one row each, shared by the config file and the flags.
struct NumericSetting {
  const char* key;   // config file key
  const char* flag;  // command line flag (without dashes)
  const char* help;
  double min;
  double max;
  bool integer;
  void (*set)(NodeOptions&, double);
};

DurationUs ms(double value) { return static_cast<DurationUs>(value) * kMillisecond; }

const NumericSetting kNumeric[] = {
    {"max_peers", "max-peers", "peers with an open link (default 256)", 1, 100000, true,
     [](NodeOptions& o, double v) { o.node.max_peers = static_cast<std::size_t>(v); }},
    {"max_handshakes", "max-handshakes", "handshakes and dials in progress at once (default 64)", 1, 100000, true,
     [](NodeOptions& o, double v) { o.node.max_handshakes = static_cast<std::size_t>(v); }},
    {"handshake_timeout_ms", "handshake-timeout-ms", "drop a connection whose handshake is not done by then (default 10000)",
     100, 600000, true, [](NodeOptions& o, double v) { o.node.handshake_timeout = ms(v); }},
    {"keepalive_interval_ms", "keepalive-ms", "send a padding cell after this long without sending (default 15000)", 100,
     3600000, true, [](NodeOptions& o, double v) { o.node.keepalive_interval = ms(v); }},
    {"idle_timeout_ms", "idle-timeout-ms", "drop a peer that sent nothing for this long (default 60000)", 200, 3600000,
     true, [](NodeOptions& o, double v) { o.node.idle_timeout = ms(v); }},
    {"handshake_rate_per_second", "handshake-rate",
     "inbound handshakes per second from one IP address, 0 = unlimited (default 2)", 0, 1e6, false,
     [](NodeOptions& o, double v) { o.node.handshake_rate.per_second = v; }},
    {"handshake_rate_burst", "handshake-burst", "handshakes one IP address may start at once (default 10)", 1, 1e6, false,
     [](NodeOptions& o, double v) { o.node.handshake_rate.burst = v; }},
    {"backoff_initial_ms", "backoff-initial-ms", "first delay before redialling a configured peer (default 1000)", 10,
     3600000, true, [](NodeOptions& o, double v) { o.node.backoff.initial_delay = ms(v); }},
    {"backoff_max_ms", "backoff-max-ms", "longest delay between redials, doubling up to it (default 60000)", 10,
     86400000, true, [](NodeOptions& o, double v) { o.node.backoff.max_delay = ms(v); }},
};

// The URL forms each flag takes, in every error about one: a user should never have to guess.
constexpr const char* kListenForms = "tcp://HOST:PORT or ws://HOST:PORT/PATH";
constexpr const char* kPeerForms =
    "tcp://HOST:PORT, ws://HOST:PORT/PATH, webrtc+ws://HOST:PORT/webrtc or webrtc+relay://VIA_ID/TO_ID";

// A --listen (HOST an IP literal: a listener binds it) or --peer URL, checked before anything
// starts; every error names the flag and the forms it accepts.
Status check_url(const char* flag, const std::string& url, bool peer) {
  auto error = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, std::string("zmesh node: ") + flag + " " + url + ": " + why);
  };
  const std::string forms = peer ? kPeerForms : kListenForms;
  if (peer && is_webrtc_url(url)) {
    if (auto checked = check_webrtc_url(url); !checked.ok()) return error(checked.error().message);
    return {};
  }
  const bool tcp = url.rfind("tcp://", 0) == 0, ws = url.rfind("ws://", 0) == 0;
  if (!tcp && !ws) return error("unknown scheme; " + std::string(flag) + " takes " + forms);
  auto parsed = io::parse_transport_url(url);
  if (!parsed.ok()) return error(parsed.error().message + " (" + std::string(flag) + " takes " + forms + ")");
  // ws://HOST:PORT alone would silently mean path "/": a peer dialling .../zmesh then fails.
  if (ws && url.find('/', 5) == std::string::npos) return error("a ws:// URL needs a path: ws://HOST:PORT/PATH (e.g. /zmesh)");
  const auto host = parse_host_port(parsed->authority());
  if (!peer && (!host.ok() || !host->ip))
    return error("HOST must be an IP address (a listener binds it; 0.0.0.0 or [::] for every interface)");
  if (peer && parsed->port == 0) return error("port 0 cannot be dialled");
  return {};
}

// "line 3, column 14" for the 1-based byte offset nlohmann reports (where it stopped reading).
std::string json_error_position(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 0;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(std::max<std::size_t>(column, 1));
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 8:
// syntax error while parsing object key - ..."; the part after the position is the reason.
std::string json_error_reason(std::string_view what) {
  const std::size_t colon = what.find(": ");
  return std::string(colon == std::string_view::npos ? what : what.substr(colon + 2));
}

Error config_error(const std::string& path, const std::string& message) {
  return make_error(Errc::invalid_argument, "zmesh node: --config " + path + ": " + message);
}

Result<std::vector<std::string>> string_list(const nlohmann::json& value, const std::string& path, const char* key) {
  if (!value.is_array()) return config_error(path, std::string(key) + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return config_error(path, std::string(key) + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::string> string_value(const nlohmann::json& value, const std::string& path, const char* key) {
  if (!value.is_string()) return config_error(path, std::string(key) + " must be a string");
  return value.get<std::string>();
}

Status apply_numeric(NodeOptions& options, const NumericSetting& setting, const nlohmann::json& value,
                     const std::string& path) {
  if (!value.is_number()) return config_error(path, std::string(setting.key) + " must be a number");
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < setting.min || number > setting.max ||
      (setting.integer && number != std::floor(number))) {
    return config_error(path, std::string(setting.key) + " must be " + (setting.integer ? "an integer" : "a number") +
                                  " in [" + std::to_string(static_cast<long long>(setting.min)) + ", " +
                                  std::to_string(static_cast<long long>(setting.max)) + "]");
  }
  setting.set(options, number);
  return {};
}

Status apply_key(NodeOptions& options, const std::string& key, const nlohmann::json& value, const std::string& path) {
  if (key == "data_dir") {
    ZM_TRY(options.data_dir, string_value(value, path, "data_dir"));
  } else if (key == "listen") {
    ZM_TRY(options.listen, string_list(value, path, "listen"));
  } else if (key == "peers") {
    ZM_TRY(options.node.peers, string_list(value, path, "peers"));
  } else if (key == "control") {
    ZM_TRY(options.control, string_value(value, path, "control"));
  } else if (key == "control_allow_remote") {
    if (!value.is_boolean()) return config_error(path, "control_allow_remote must be true or false");
    options.control_allow_remote = value.get<bool>();
  } else if (key == "log_level") {
    ZM_TRY(std::string level, string_value(value, path, "log_level"));
    ZM_TRY(options.log_level, parse_log_level(level));
  } else if (key == "log_file") {
    ZM_TRY(options.log_file, string_value(value, path, "log_file"));
  } else if (key == "network") {
    ZM_TRY(options.node.network, string_value(value, path, "network"));
  } else if (auto webrtc = apply_webrtc_config_key(options.webrtc, key, value, path)) {
    return *webrtc;
  } else if (auto onion = apply_onion_config_key(options.onion, key, value, path)) {
    return *onion;
  } else {
    for (const auto& setting : kNumeric)
      if (key == setting.key) return apply_numeric(options, setting, value, path);
    return config_error(path, "unknown key \"" + key + "\" (zmesh node --help lists the keys)");
  }
  return {};
}

}  // namespace

Result<log::Level> parse_log_level(std::string_view text) {
  for (log::Level level : {log::Level::debug, log::Level::info, log::Level::warn, log::Level::error}) {
    if (text == log::level_name(level)) return level;
  }
  return make_error(Errc::invalid_argument, "log level must be debug, info, warn or error, not '" + std::string(text) + "'");
}

std::vector<FlagSpec> node_flag_specs() {
  std::vector<FlagSpec> specs = {{"config"},  {"data-dir"},  {"listen", true, true}, {"peer", true, true},
                                 {"control"}, {"control-allow-remote", false}, {"log-level"}, {"log-file"},
                                 {"network"}};
  for (const auto& setting : kNumeric) specs.push_back({setting.flag});
  for (auto& spec : webrtc_flag_specs()) specs.push_back(std::move(spec));
  for (auto& spec : onion_flag_specs()) specs.push_back(std::move(spec));
  return specs;
}

std::string node_config_keys_help() {
  auto row = [](std::string key, std::string type, const std::string& flag) {
    key.resize(std::max<std::size_t>(key.size() + 1, 26), ' ');
    type.resize(9, ' ');
    return "  " + key + type + "as --" + flag + "\n";
  };
  std::string out = row("data_dir", "string", "data-dir") + row("listen", "[string]", "listen") +
                    row("peers", "[string]", "peer") + row("control", "string", "control") +
                    row("control_allow_remote", "bool", "control-allow-remote") +
                    row("log_level", "string", "log-level") + row("log_file", "string", "log-file") +
                    row("network", "string", "network");
  for (const auto& setting : kNumeric) out += row(setting.key, setting.integer ? "int" : "number", setting.flag);
  return out + webrtc_config_keys_help() + onion_config_keys_help();
}

std::string node_numeric_flags_help() {
  std::string out;
  for (const auto& setting : kNumeric) {
    std::string flag = std::string("--") + setting.flag + " N";
    flag.resize(std::max<std::size_t>(flag.size(), 26), ' ');
    out += "  " + flag + setting.help + "\n";
  }
  return out;
}

Status apply_node_config_file(NodeOptions& options, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, "cannot read config file " + path);
  std::string text;
  constexpr std::size_t kMaxConfigBytes = 1 << 20;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (text.size() > kMaxConfigBytes) return config_error(path, "config file larger than 1 MiB");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return config_error(path, "not valid JSON: " + json_error_position(text, e.byte) + ": " + json_error_reason(e.what()));
  }
  if (!json.is_object()) return config_error(path, "the config must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key.rfind("//", 0) == 0) continue;  // a comment: JSON has none, so annotated files use keys
    ZM_CHECK(apply_key(options, key, value, path));
  }
  return {};
}

Status apply_node_flags(NodeOptions& options, const Flags& flags) {
  if (flags.has("data-dir")) options.data_dir = flags.string("data-dir");
  if (flags.has("listen")) options.listen = flags.values("listen");
  if (flags.has("peer")) options.node.peers = flags.values("peer");
  if (flags.has("control")) options.control = flags.string("control");
  if (flags.has("control-allow-remote")) options.control_allow_remote = true;
  if (flags.has("network")) options.node.network = flags.string("network");
  if (flags.has("log-file")) options.log_file = flags.string("log-file");
  if (flags.has("log-level")) {
    auto level = parse_log_level(flags.string("log-level"));
    if (!level.ok()) return make_error(Errc::invalid_argument, "zmesh node: --log-level: " + level.error().message);
    options.log_level = level.value();
  }
  for (const auto& setting : kNumeric) {
    if (!flags.has(setting.flag)) continue;
    if (setting.integer) {
      ZM_TRY(auto value, flags.integer(setting.flag, 0, static_cast<std::int64_t>(setting.min),
                                       static_cast<std::int64_t>(setting.max)));
      setting.set(options, static_cast<double>(value));
    } else {
      ZM_TRY(double value, flags.number(setting.flag, 0, setting.min, setting.max));
      setting.set(options, value);
    }
  }
  ZM_CHECK(apply_webrtc_flags(options.webrtc, flags));
  ZM_CHECK(apply_onion_flags(options.onion, flags));
  return validate_node_options(options);
}

Status validate_node_options(const NodeOptions& options) {
  if (options.data_dir.empty()) {
    return make_error(Errc::invalid_argument, "zmesh node: --data-dir is required (or data_dir in the --config file)");
  }
  for (const auto& url : options.listen) ZM_CHECK(check_url("--listen", url, false));
  for (const auto& url : options.node.peers) ZM_CHECK(check_url("--peer", url, true));
  if (!options.control.empty()) {
    auto control = parse_host_port(options.control);
    if (!control.ok()) return make_error(Errc::invalid_argument, "zmesh node: --control " + options.control + ": " + control.error().message);
    const bool loopback = control->host == "localhost" || (control->ip && control->ip->is_loopback());
    if (!control->ip && control->host != "localhost")
      return make_error(Errc::invalid_argument, "zmesh node: --control " + options.control + ": HOST must be an IP address or localhost");
    if (!loopback && !options.control_allow_remote) {
      return make_error(Errc::invalid_argument, "zmesh node: --control " + options.control +
                                                    " is not a loopback address; add --control-allow-remote to serve the "
                                                    "control API there (it has no authentication: trusted networks only)");
    }
  }
  if (options.node.network.empty() || options.node.network.size() > link::kMaxPrologueBytes) {
    return make_error(Errc::invalid_argument, "zmesh node: --network must be 1..1024 bytes");
  }
  if (options.node.idle_timeout <= options.node.keepalive_interval) {
    return make_error(Errc::invalid_argument, "zmesh node: the idle timeout must be longer than the keep-alive interval");
  }
  return {};
}

}  // namespace zmesh::app
