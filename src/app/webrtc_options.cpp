#include "app/webrtc_options.hpp"

#include <algorithm>

#include "util/net_address.hpp"
#include "io/url.hpp"
#include "app/webrtc_relay.hpp"
#include "io/webrtc/ws_signaling.hpp"

namespace zmesh::app {
namespace {

namespace rtc = io::webrtc;

constexpr std::size_t kMaxCredentialBytes = 256;

Error option_error(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// "HOST:PORT" or "[V6]:PORT", HOST an IP literal (libnice does not resolve names).
Result<rtc::IceServer> parse_endpoint(std::string_view text, const char* what) {
  auto parsed = parse_host_port(text);
  if (!parsed.ok()) return option_error(std::string(what) + " " + std::string(text) + ": " + parsed.error().message);
  if (*parsed->port == 0) return option_error(std::string(what) + " " + std::string(text) + ": bad port: ports are 1..65535");
  if (!parsed->ip) return option_error(std::string(what) + " " + std::string(text) + ": HOST must be an IP address");
  rtc::IceServer server;
  server.host = std::move(parsed->host);
  server.port = *parsed->port;
  return server;
}

// "USER:PASSWORD@HOST:PORT"
Result<rtc::IceServer> parse_turn(std::string_view text) {
  const std::size_t at = text.rfind('@');
  const std::size_t colon = text.substr(0, at == std::string_view::npos ? 0 : at).find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon == 0 || colon + 1 == at) {
    return option_error("TURN server: expected USER:PASSWORD@HOST:PORT");
  }
  if (colon > kMaxCredentialBytes || at - colon - 1 > kMaxCredentialBytes) {
    return option_error("TURN server: user name and password are limited to 256 bytes each");
  }
  ZM_TRY(rtc::IceServer server, parse_endpoint(text.substr(at + 1), "TURN server"));
  server.kind = rtc::IceServer::Kind::turn_udp;
  server.username = std::string(text.substr(0, colon));
  server.password = std::string(text.substr(colon + 1, at - colon - 1));
  return server;
}

Result<std::vector<std::string>> strings(const nlohmann::json& value, const std::string& path, const std::string& key) {
  auto wrong = [&] { return option_error(path + ": " + key + " must be a list of strings"); };
  if (!value.is_array()) return wrong();
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return wrong();
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::vector<FlagSpec> webrtc_flag_specs() {
  return {{"stun", true, true}, {"turn", true, true}, {"webrtc-address", true, true}, {"webrtc-relay-only", false}};
}

std::string webrtc_flags_help() {
  return "  --stun HOST:PORT          STUN server for WebRTC (repeatable; libnice uses the first)\n"
         "  --turn USER:PASS@HOST:PORT  TURN server (UDP, long-term credentials) for WebRTC (repeatable)\n"
         "  --webrtc-address IP       gather WebRTC host candidates on this local address only\n"
         "                            (repeatable; default: every interface)\n"
         "  --webrtc-relay-only       WebRTC through TURN relays only (hides this host's addresses)\n";
}

std::string webrtc_config_keys_help() {
  return "  stun_servers              [string] as --stun\n"
         "  turn_servers              [string] as --turn\n"
         "  webrtc_addresses          [string] as --webrtc-address\n"
         "  webrtc_relay_only         bool     as --webrtc-relay-only\n";
}

std::optional<Status> apply_webrtc_config_key(WebRtcOptions& options, const std::string& key,
                                              const nlohmann::json& value, const std::string& path) {
  auto assign = [&](std::vector<std::string>& to) -> Status {
    ZM_TRY(to, strings(value, path, key));
    return {};
  };
  if (key == "stun_servers") return assign(options.stun_servers);
  if (key == "turn_servers") return assign(options.turn_servers);
  if (key == "webrtc_addresses") return assign(options.addresses);
  if (key == "webrtc_relay_only") {
    if (!value.is_boolean()) return Status(option_error(path + ": webrtc_relay_only must be true or false"));
    options.relay_only = value.get<bool>();
    return Status{};
  }
  return std::nullopt;
}

Status apply_webrtc_flags(WebRtcOptions& options, const Flags& flags) {
  if (flags.has("stun")) options.stun_servers = flags.values("stun");
  if (flags.has("turn")) options.turn_servers = flags.values("turn");
  if (flags.has("webrtc-address")) options.addresses = flags.values("webrtc-address");
  if (flags.has("webrtc-relay-only")) options.relay_only = true;
  auto checked = make_rtc_config(options);
  if (!checked.ok()) return make_error(checked.error().code, "zmesh node: " + checked.error().message);
  return {};
}

Result<rtc::RtcConfig> make_rtc_config(const WebRtcOptions& options) {
  rtc::RtcConfig config;
  if (options.stun_servers.size() + options.turn_servers.size() > kMaxIceServers) {
    return option_error("at most 8 STUN and TURN servers");
  }
  for (const auto& text : options.stun_servers) {
    ZM_TRY(rtc::IceServer server, parse_endpoint(text, "STUN server"));
    config.ice_servers.push_back(std::move(server));
  }
  for (const auto& text : options.turn_servers) {
    ZM_TRY(rtc::IceServer server, parse_turn(text));
    config.ice_servers.push_back(std::move(server));
  }
  if (options.relay_only && options.turn_servers.empty()) {
    return option_error("--webrtc-relay-only needs a TURN server (--turn)");
  }
  bool all_loopback = !options.addresses.empty();
  for (const auto& ip : options.addresses) {
    if (!parse_ip_address(ip).ok()) return option_error("WebRTC address " + ip + " is not an IP address");
    rtc::IceCandidate as_candidate;
    as_candidate.address = ip;
    all_loopback = all_loopback && rtc::is_loopback_candidate(as_candidate);
  }
  config.local_addresses = options.addresses;
  // A node restricted to loopback (tests) never sends connectivity checks anywhere else.
  if (all_loopback) config.accept_remote_candidate = rtc::is_loopback_candidate;
  config.relay_only = options.relay_only;
  return config;
}

bool is_webrtc_url(std::string_view url) { return url.substr(0, 7) == "webrtc+"; }

Status check_webrtc_url(std::string_view url) {
  if (is_relay_url(url)) return parse_relay_url(url).ok() ? Status{} : Status(parse_relay_url(url).error());
  ZM_TRY(std::string ws, io::webrtc::signaling_url(url));
  ZM_TRY(io::TransportUrl parsed, io::parse_transport_url(ws));
  if (parsed.port == 0) return option_error("port 0 cannot be dialled");
  return {};
}

}  // namespace zmesh::app
