// `zmesh status`: a running node's identity, listeners and peers, from its control API.
#include <cstdio>
#include <map>
#include <string>

#include "app/command.hpp"
#include "app/control_client.hpp"
#include "app/flags.hpp"

namespace zmesh::app {
namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// The RTT column: the smoothed RTT from the health object, "!" when the peer is suspected,
// "-" before the first heartbeat answer (or from a node without heartbeats).
std::map<std::string, std::string> rtt_by_peer(const nlohmann::json& s) {
  std::map<std::string, std::string> out;
  if (!s.contains("health")) return out;
  for (const auto& p : s.at("health").at("peers")) {
    const auto srtt_us = p.at("srtt_us").get<std::int64_t>();
    std::string text = "-";
    if (srtt_us > 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(srtt_us) / 1000.0);
      text = buf;
    }
    out[p.at("node_id").get<std::string>()] = text + (p.at("suspected").get<bool>() ? " !" : "");
  }
  return out;
}

// The human-readable form. Throws nlohmann::json::exception on a body of the wrong shape.
std::string format_status(const nlohmann::json& s) {
  std::string out = "node      " + s.at("node_id").get<std::string>() + "\n";
  if (s.contains("network")) out += "network   " + s.at("network").get<std::string>() + "\n";
  if (s.contains("uptime_seconds")) {
    out += "uptime    " + std::to_string(static_cast<long long>(s.at("uptime_seconds").get<double>())) + " s\n";
  }
  if (s.contains("bootstrap") && s.at("bootstrap").contains("percent")) {
    const auto& b = s.at("bootstrap");
    out += "bootstrap " + std::to_string(b.at("percent").get<int>()) + "% (" + b.at("tag").get<std::string>() +
           "): " + b.at("summary").get<std::string>() + "\n";
    if (!b.at("problem").get<std::string>().empty())
      out += "problem   cannot build a client circuit: " + b.at("problem").get<std::string>() + "\n";
  }
  out += "listeners";
  if (s.at("listeners").empty()) out += " (none)";
  out += "\n";
  for (const auto& l : s.at("listeners")) out += "  " + l.at("url").get<std::string>() + "\n";
  if (s.contains("dht")) {
    const auto& d = s.at("dht");
    out += "dht       " + std::string(d.at("joined").get<bool>() ? "joined" : "not joined") + ", " +
           std::to_string(d.at("routing_table_size").get<std::uint64_t>()) + " contacts, " +
           std::to_string(d.at("records_stored").get<std::uint64_t>()) + " records, " +
           std::to_string(d.at("lookups_succeeded").get<std::uint64_t>()) + "/" +
           std::to_string(d.at("lookups_started").get<std::uint64_t>()) + " lookups succeeded\n";
  }
  if (s.contains("onion")) {
    const auto& o = s.at("onion");
    const auto& c = o.at("circuits");
    auto n = [](const nlohmann::json& v) { return std::to_string(v.get<std::uint64_t>()); };
    out += "onion     circuits " + n(c.at("origin_ready")) + " ready / " + n(c.at("origin")) + " ours, " +
           n(c.at("middle")) + " middle, " + n(c.at("last_hop")) + " last hop; " + n(o.at("streams").at("open")) +
           " streams; " + n(o.at("cells_relayed")) + " cells relayed" +
           (o.at("socks").get<std::string>().empty() ? "" : "; SOCKS5 " + o.at("socks").get<std::string>()) +
           (o.at("exit").get<bool>() ? "; exit" : "") + "\n";
  }
  if (s.contains("health")) {
    const auto& h = s.at("health");
    const auto& c = h.at("counters");
    out += "health    heartbeats every " + std::to_string(h.at("interval_ms").get<std::int64_t>()) + " ms, " +
           std::to_string(h.at("suspected").get<std::uint64_t>()) + " of " +
           std::to_string(h.at("tracked_peers").get<std::uint64_t>()) + " peers suspected (! below); " +
           std::to_string(c.at("suspicions").get<std::uint64_t>()) + " suspicions, " +
           std::to_string(c.at("recoveries").get<std::uint64_t>()) + " recoveries\n";
  }
  const auto& peers = s.at("peers");
  out += "peers     " + std::to_string(peers.size()) + "\n";
  if (peers.empty()) return out;
  const auto rtts = rtt_by_peer(s);
  out += "  " + pad("NODE ID", 14) + pad("TRANSPORT", 11) + pad("DIRECTION", 10) + pad("REMOTE", 24) + pad("BYTES IN", 12) +
         pad("BYTES OUT", 12) + pad("CELLS IN", 10) + pad("CELLS OUT", 10) + pad("RTT", 12) + "UP\n";
  for (const auto& p : peers) {
    const auto rtt = rtts.find(p.at("node_id").get<std::string>());
    out += "  " + pad(p.at("node_id").get<std::string>().substr(0, 12), 14) + pad(p.at("transport").get<std::string>(), 11) +
           pad(p.at("direction").get<std::string>(), 10) + pad(p.at("remote").get<std::string>(), 24) +
           pad(std::to_string(p.at("bytes_in").get<std::uint64_t>()), 12) +
           pad(std::to_string(p.at("bytes_out").get<std::uint64_t>()), 12) +
           pad(std::to_string(p.at("cells_in").get<std::uint64_t>()), 10) +
           pad(std::to_string(p.at("cells_out").get<std::uint64_t>()), 10) +
           pad(rtt == rtts.end() ? "-" : rtt->second, 12) +
           std::to_string(static_cast<long long>(p.at("connected_seconds").get<double>())) + " s\n";
  }
  return out;
}

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh status", argc, argv, {{"control"}, {"json", false}, {"timeout-ms"}});
  if (!flags.ok()) return usage_error(flags.error(), "status");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "status");
  if (!flags->has("control")) return usage_error(make_error(Errc::invalid_argument, "zmesh status: --control HOST:PORT is required"), "status");
  auto timeout_ms = flags->integer("timeout-ms", 10'000, 1, 3'600'000);
  if (!timeout_ms.ok()) return usage_error(timeout_ms.error(), "status");
  auto status = control_call(flags->string("control"), "GET", "/v1/status", "", *timeout_ms * kMillisecond);
  if (!status.ok()) return control_error(status.error(), "status");
  if (flags->has("json")) {
    std::printf("%s\n", status->dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  try {
    std::fputs(format_status(*status).c_str(), stdout);
  } catch (const nlohmann::json::exception& e) {
    return failure(make_error(Errc::malformed, std::string("unexpected status from the control API: ") + e.what()), "status");
  }
  return kExitOk;
}

const Command kStatus{
    "status", "show a running node's identity, listeners and peers",
    "Usage: zmesh status --control HOST:PORT [--json]\n\n"
    "Asks the node's control API (GET /v1/status, docs/protocol/control.md) and prints its\n"
    "NodeId, bootstrap progress (and, while it lasts, why no client circuit can be built),\n"
    "listeners, DHT, onion and health summaries and connected peers with transport,\n"
    "direction, bytes and cells in/out and the heartbeat RTT (smoothed; \"!\": suspected).\n\n"
    "Options:\n"
    "  --control HOST:PORT   the node's --control address (required)\n"
    "  --json                print the JSON document instead of a table (keys: node_id,\n"
    "                        listeners[{url, transport}], peers[{node_id, transport, direction,\n"
    "                        remote, bytes_in, bytes_out, cells_in, cells_out, connected_seconds}],\n"
    "                        dht{joined, routing_table_size, records_stored, lookups_started,\n"
    "                        lookups_succeeded, ...}, onion{socks, exit, circuits{origin,\n"
    "                        origin_ready, middle, last_hop, ...}, streams{open, ...},\n"
    "                        cells_relayed, ...}, health{interval_ms, tracked_peers, suspected,\n"
    "                        peers[{node_id, rtt_us, srtt_us, jitter_us, phi, suspected, ...}],\n"
    "                        counters{...}}, bootstrap{percent, tag, summary, problem};\n"
    "                        docs/protocol/control.md)\n"
    "  --timeout-ms MS       give up after MS milliseconds (default 10000)\n",
    run};
ZMESH_REGISTER_COMMAND(kStatus);

}  // namespace
}  // namespace zmesh::app
