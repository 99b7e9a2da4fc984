// `zmesh node` settings of the WebRTC transport: STUN/TURN servers and which local addresses
// ICE may gather on. Shared by the JSON config file and the flags (node_options.cpp forwards
// the keys and flags it does not know to here), turned into an io::webrtc::RtcConfig.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/flags.hpp"
#include "io/webrtc/rtc_config.hpp"
#include "util/result.hpp"

namespace zmesh::app {

struct WebRtcOptions {
  std::vector<std::string> stun_servers;  // "HOST:PORT", HOST an IP literal
  std::vector<std::string> turn_servers;  // "USER:PASSWORD@HOST:PORT" (TURN over UDP, long-term credentials)
  std::vector<std::string> addresses;     // gather host candidates only on these IPs (empty: all)
  bool relay_only = false;                // use TURN relay candidates only
};

inline constexpr std::size_t kMaxIceServers = 8;

std::vector<FlagSpec> webrtc_flag_specs();
// Lines for `zmesh node --help`.
std::string webrtc_flags_help();
std::string webrtc_config_keys_help();

// A config file key: nullopt when `key` is not a WebRTC key, else the result of applying it.
std::optional<Status> apply_webrtc_config_key(WebRtcOptions& options, const std::string& key,
                                              const nlohmann::json& value, const std::string& path);
Status apply_webrtc_flags(WebRtcOptions& options, const Flags& flags);

// Checks every server and address; the RtcConfig the node's engine runs with.
Result<io::webrtc::RtcConfig> make_rtc_config(const WebRtcOptions& options);

// "webrtc+ws://..." and "webrtc+relay://..." URLs are dialled over WebRTC (the other schemes
// by io::dial).
bool is_webrtc_url(std::string_view url);
// Errc::invalid_argument unless `url` is a dialable webrtc+ws://HOST:PORT/PATH or
// webrtc+relay://VIA/TO.
Status check_webrtc_url(std::string_view url);

}  // namespace zmesh::app
