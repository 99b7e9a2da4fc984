// Everything `zmesh node` can be told: a JSON config file (--config FILE) first, then command
// line flags on top (a flag given replaces the file's value; --listen / --peer given at all
// replace the file's whole list). The config keys are documented in node_options.cpp's table
// and in `zmesh node --help`; unknown keys are an error, so that typos do not go unnoticed.
#pragma once

#include <string>
#include <vector>

#include "app/flags.hpp"
#include "app/onion_options.hpp"
#include "app/webrtc_options.hpp"
#include "node/node_core.hpp"
#include "util/log.hpp"
#include "util/result.hpp"

namespace zmesh::app {

struct NodeOptions {
  std::string data_dir;              // identity.key lives here (created 0700 when missing)
  std::vector<std::string> listen;   // tcp://HOST:PORT, ws://HOST:PORT/PATH (+ WebRTC signaling at /webrtc)
  std::string control;               // HOST:PORT of the control API; empty = none
  bool control_allow_remote = false;
  log::Level log_level = log::Level::info;
  std::string log_file;              // empty: stderr (log_file.hpp; reopened on SIGHUP)
  node::NodeConfig node;             // peers, limits, timeouts (node.peers = --peer)
  WebRtcOptions webrtc;              // STUN/TURN servers, ICE addresses
  OnionOptions onion;                // --socks, --exit-policy, --hops, --bandwidth
};

// The flags `zmesh node` accepts (for Flags::parse).
std::vector<FlagSpec> node_flag_specs();
// The config-file keys, one per line with their meaning, for --help.
std::string node_config_keys_help();
// The numeric flags with their meaning and default, for --help.
std::string node_numeric_flags_help();

// Reads and applies a config file (strict JSON object).
Status apply_node_config_file(NodeOptions& options, const std::string& path);
// Applies the flags over whatever the file set; then checks the whole result.
Status apply_node_flags(NodeOptions& options, const Flags& flags);
Status validate_node_options(const NodeOptions& options);

Result<log::Level> parse_log_level(std::string_view text);

}  // namespace zmesh::app
