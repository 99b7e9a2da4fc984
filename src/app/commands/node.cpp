// `zmesh node`: run a node until SIGINT/SIGTERM.
#include <cstdio>
#include <string>

#include "app/command.hpp"
#include "app/log_file.hpp"
#include "app/node_options.hpp"
#include "app/node_runtime.hpp"
#include "crypto/secure.hpp"
#include "io/event_loop.hpp"
#include "util/log.hpp"

namespace zmesh::app {
namespace {

Result<NodeOptions> options_from(int argc, char** argv) {
  ZM_TRY(Flags flags, Flags::parse("zmesh node", argc, argv, node_flag_specs()));
  ZM_CHECK(flags.expect_positionals(0, 0));
  NodeOptions options;
  if (flags.has("config")) ZM_CHECK(apply_node_config_file(options, flags.string("config")));
  ZM_CHECK(apply_node_flags(options, flags));
  return options;
}

int run(int argc, char** argv) {
  auto options = options_from(argc, argv);
  if (!options.ok()) return usage_error(options.error(), "node");
  log::set_level(options->log_level);
  std::unique_ptr<LogFile> log_file;
  std::shared_ptr<void> log_sink;
  if (!options->log_file.empty()) {
    auto opened = LogFile::open(options->log_file);
    if (!opened.ok()) return failure(opened.error(), "node");
    log_file = std::move(opened.value());
    log_sink = log_file->install();
  }
  crypto::init();
  auto loop = io::EventLoop::create();
  if (!loop.ok()) return failure(loop.error(), "node");
  io::EventLoop& l = *loop.value();
  auto runtime = NodeRuntime::create(l, std::move(options.value()));
  if (!runtime.ok()) return failure(runtime.error(), "node");
  NodeRuntime& node = *runtime.value();
  int signals = 0;
  auto status = l.stop_on_signals({SIGINT, SIGTERM, SIGHUP}, [&](int signal) {
    if (signal == SIGHUP) {  // logrotate moved the file away: write to a new one
      if (!log_file) return;
      const Status reopened = log_file->reopen();
      if (reopened.ok()) log::info("node", "log file reopened: " + log_file->path());
      else log::error("node", reopened.error().message + " (still writing to the old file)");
      return;
    }
    if (++signals > 1) {
      l.stop();  // a second signal: stop now, without waiting for the transports
      return;
    }
    node.shutdown([&l] { l.stop(); });
  });
  if (!status.ok()) return failure(status.error(), "node");
  node.start();
  l.run();
  return kExitOk;
}

const std::string& usage() {
  static const std::string text =
      "Usage: zmesh node --data-dir DIR [--listen URL]... [--peer URL]... [--control HOST:PORT] [OPTIONS]\n"
      "\n"
      "Runs a zMesh node until SIGINT or SIGTERM (then it closes every link cleanly and exits 0;\n"
      "SIGHUP reopens --log-file, and is ignored without one). Progress is logged as\n"
      "\"bootstrapped N% (...)\" lines; 'zmesh status' shows the latest.\n"
      "It keeps a link to every --peer (redialling with backoff: 1 s doubling to 60 s, with\n"
      "jitter), accepts links on every --listen address, and answers the control API\n"
      "(docs/protocol/control.md) used by 'zmesh status' and 'zmesh ping'.\n"
      "The --peer nodes are its DHT seeds: it joins the Kademlia DHT through them and publishes\n"
      "its signed descriptor (listen URLs, onion keys, capabilities) under its NodeId, renewed\n"
      "before it expires; 'zmesh lookup NODEID' finds any node's. Listen on a specific address:\n"
      "an unspecified one (0.0.0.0, [::]) is not advertised, nobody could dial it.\n"
      "\n"
      "Options:\n"
      "  --data-dir DIR            state directory (required); DIR/identity.key holds the node's\n"
      "                            keys (created with mode 0600 on first start; a damaged key file\n"
      "                            is an error, never silently replaced)\n"
      "  --listen URL              accept links at URL (repeatable): tcp://HOST:PORT or\n"
      "                            ws://HOST:PORT/PATH; HOST an IP address, port 0 picks a free port;\n"
      "                            a ws:// listener also answers WebRTC offers at /webrtc on its port\n"
      "                            (dial it as webrtc+ws://HOST:PORT/webrtc; docs/protocol/signaling.md)\n"
      "  --peer URL                keep a link to the node at URL (repeatable): tcp://HOST:PORT,\n"
      "                            ws://HOST:PORT/PATH or webrtc+ws://HOST:PORT/webrtc (a WebRTC\n"
      "                            data channel, offer and answer through that WebSocket endpoint)\n"
      "                            or webrtc+relay://VIA_ID/TO_ID (WebRTC to node TO_ID, offer and\n"
      "                            answer relayed by our neighbour VIA_ID)\n"
      "  --control HOST:PORT       serve the control API (HTTP + JSON) there; loopback only\n"
      "  --control-allow-remote    allow a non-loopback --control address (no authentication:\n"
      "                            trusted networks only)\n"
      "  --config FILE             read settings from a JSON file first; flags override it\n"
      "  --log-level LEVEL         debug, info (default), warn or error\n"
      "  --log-file FILE           append log lines (with UTC timestamps) to FILE, created 0600,\n"
      "                            instead of stderr; SIGHUP reopens it (for logrotate)\n"
      "  --network NAME            network name mixed into every handshake (default zmesh);\n"
      "                            nodes of different networks never link\n" +
      webrtc_flags_help() + onion_flags_help() + node_numeric_flags_help() +
      "\n"
      "Config file keys (a JSON object; keys starting with // are comments, other unknown keys\n"
      "are an error; an annotated example: docs/zmesh.example.json):\n" +
      node_config_keys_help() +
      "\n"
      "Example:\n"
      "  zmesh node --data-dir ~/.zmesh --listen tcp://0.0.0.0:4433 --listen ws://0.0.0.0:8080/zmesh \\\n"
      "             --peer tcp://198.51.100.7:4433 --control 127.0.0.1:7070\n";
  return text;
}

const Command kNode{"node", "run a node: listen, link to peers, serve the control API", usage().c_str(), run};
ZMESH_REGISTER_COMMAND(kNode);

}  // namespace
}  // namespace zmesh::app
