// `zmesh sim`: whole nodes (NodeCore, link handshakes, DHT, onion circuits, streams) in the
// deterministic simulator, with a summary and the trace hash (src/sim/whole_node_scenario.hpp).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "app/flags.hpp"
#include "sim/whole_node_scenario.hpp"

namespace zmesh::app {
namespace {

// Above this many nodes `--crypto` defaults to the simulator-only stand-ins: with real ML-DSA
// a run of 10,000 nodes spends tens of CPU minutes signing link handshakes (docs/simulator.md).
constexpr std::int64_t kRealCryptoUpToNodes = 2'000;

Result<sim::ScenarioOptions> options_from(const Flags& f) {
  sim::ScenarioOptions o;
  ZM_TRY(auto nodes, f.integer("nodes", o.nodes, 4, 1'000'000));
  ZM_TRY(auto clients, f.integer("clients", std::min<std::int64_t>(o.clients, nodes / 10 + 1), 0, nodes - 2));
  ZM_TRY(auto exits, f.integer("exits", 0, 0, nodes - 1));
  ZM_TRY(o.seed, f.unsigned_integer("seed", o.seed));
  ZM_TRY(o.scenario, sim::parse_scenario(f.string("scenario", "steady")));
  ZM_TRY(o.churn_per_minute, f.number("churn", o.churn_per_minute, 0.0, 1.0));
  ZM_TRY(auto duration_s, f.integer("duration", o.duration / kSecond, 1, 86'400));
  ZM_TRY(auto join_ms, f.integer("join-ms", 20, 0, 60'000));
  ZM_TRY(auto settle_s, f.integer("settle", o.settle / kSecond, 0, 86'400));
  ZM_TRY(auto streams, f.integer("streams", o.streams_per_client, 0, 10'000));
  ZM_TRY(auto request, f.integer("request-bytes", o.request_bytes, 0, 1 << 30));
  ZM_TRY(auto response, f.integer("response-bytes", o.response_bytes, 0, 1 << 30));
  ZM_TRY(auto lookups, f.integer("lookups", o.lookups_per_client, 0, 10'000));
  ZM_TRY(auto hops, f.integer("hops", 3, 2, 3));
  ZM_TRY(auto latency_ms, f.integer("latency-ms", o.link.latency / kMillisecond, 0, 60'000));
  ZM_TRY(auto jitter_ms, f.integer("jitter-ms", o.link.jitter / kMillisecond, 0, 60'000));
  ZM_TRY(o.link.loss, f.number("loss", 0.0, 0.0, 0.5));
  ZM_TRY(auto kib, f.integer("bandwidth-kib", 0, 0, 10'000'000));
  ZM_TRY(auto max_peers, f.integer("max-peers", static_cast<std::int64_t>(o.max_peers), 0, 100'000));
  ZM_TRY(auto heartbeat_ms, f.integer("heartbeat-ms", o.heartbeat_interval / kMillisecond, 0, 3'600'000));
  o.max_peers = static_cast<std::size_t>(max_peers);
  o.heartbeat_interval = heartbeat_ms * kMillisecond;
  const std::string crypto = f.string("crypto", nodes <= kRealCryptoUpToNodes ? "real" : "simulated");
  if (crypto != "real" && crypto != "simulated")
    return make_error(Errc::invalid_argument, "--crypto must be real or simulated");
  o.simulated_crypto = crypto == "simulated";
  o.nodes = static_cast<std::uint32_t>(nodes);
  o.clients = static_cast<std::uint32_t>(clients);
  o.exits = static_cast<std::uint32_t>(exits);
  o.duration = duration_s * kSecond;
  o.join_window = std::max<DurationUs>(1, join_ms * kMillisecond * nodes);
  o.settle = settle_s * kSecond;
  o.streams_per_client = static_cast<std::uint32_t>(streams);
  o.request_bytes = static_cast<std::uint32_t>(request);
  o.response_bytes = static_cast<std::uint32_t>(response);
  o.lookups_per_client = static_cast<std::uint32_t>(lookups);
  o.hops = static_cast<std::size_t>(hops);
  o.link.latency = latency_ms * kMillisecond;
  o.link.jitter = jitter_ms * kMillisecond;
  o.link.bandwidth_bytes_per_s = static_cast<std::uint64_t>(kib) * 1024;
  return o;
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
}

// User + system CPU seconds: on a shared machine wall time says more about the neighbours.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

nlohmann::json to_json(const sim::ScenarioOptions& o, const sim::ScenarioReport& r, double wall_s) {
  const auto& s = r.tally.streams;
  return {{"nodes", o.nodes},
          {"clients", o.clients},
          {"exits", r.exits},
          {"seed", o.seed},
          {"scenario", sim::scenario_name(o.scenario)},
          {"crypto", o.simulated_crypto ? "simulated" : "real"},
          {"finished", r.finished},
          {"virtual_seconds", static_cast<double>(r.virtual_end) / kSecond},
          {"nodes_up", r.nodes_up},
          {"nodes_joined", r.nodes_joined},
          {"circuits_built", r.services.circuits_built},
          {"circuit_build_failures", r.services.circuit_build_failures},
          {"last_build_error", r.services.last_build_error},
          {"streams", {{"planned", r.streams_planned}, {"completed", s.completed}, {"failed", s.failed},
                       {"corrupted", s.corrupted}, {"served_by_exits", s.served}, {"last_failure", s.last_failure}}},
          {"bytes", {{"client_sent", s.bytes_sent}, {"client_received", s.bytes_received},
                     {"transport_delivered", r.sim.bytes_delivered}}},
          {"lookups", {{"planned", r.lookups_planned}, {"ok", r.tally.lookups_ok}, {"failed", r.tally.lookups_failed},
                       {"last_failure", r.tally.last_lookup_failure}}},
          {"dht_operations", {{"started", r.services.dht_operations}, {"ok", r.services.dht_operations_ok}}},
          {"descriptor_publishes", r.services.descriptor_publishes},
          {"links", {{"opened", r.services.links_opened}, {"failed", r.services.links_failed},
                     {"handshake_failures", r.services.handshake_failures}, {"open_connections", r.open_connections},
                     {"refused_at_peer_limit", r.services.refused_peer_limit}, {"closed_unused", r.services.unused_links_closed}}},
          {"faults", {{"crashes", r.sim.crashes}, {"restarts", r.sim.restarts}, {"connections_broken", r.sim.connections_broken}}},
          {"events", r.sim.events},
          {"events_per_second", wall_s > 0 ? static_cast<double>(r.sim.events) / wall_s : 0.0},
          {"wall_seconds", wall_s},
          {"cpu_seconds", cpu_seconds()},
          {"memory_per_node_bytes", o.nodes > 0 ? peak_rss_bytes() / o.nodes : 0},
          {"peak_rss_bytes", peak_rss_bytes()},
          {"trace", r.trace_hash}};
}

void print_text(const nlohmann::json& j) {
  const auto& st = j["streams"];
  std::printf("nodes %u (%u up, %u joined the DHT), %u clients, %u exits, scenario %s, seed %llu, %s crypto\n",
              j["nodes"].get<unsigned>(), j["nodes_up"].get<unsigned>(), j["nodes_joined"].get<unsigned>(),
              j["clients"].get<unsigned>(), j["exits"].get<unsigned>(), j["scenario"].get<std::string>().c_str(),
              static_cast<unsigned long long>(j["seed"].get<std::uint64_t>()), j["crypto"].get<std::string>().c_str());
  std::printf("virtual time %.1f s%s\n", j["virtual_seconds"].get<double>(),
              j["finished"].get<bool>() ? "" : " (stopped at --duration before every stream and lookup ended)");
  std::printf("circuits built %llu (build failures %llu%s%s)\n", j["circuits_built"].get<unsigned long long>(),
              j["circuit_build_failures"].get<unsigned long long>(),
              j["last_build_error"].get<std::string>().empty() ? "" : "; last: ", j["last_build_error"].get<std::string>().c_str());
  std::printf("streams %llu/%llu completed byte-exact, %llu failed, %llu corrupted%s%s\n",
              st["completed"].get<unsigned long long>(), st["planned"].get<unsigned long long>(),
              st["failed"].get<unsigned long long>(), st["corrupted"].get<unsigned long long>(),
              st["last_failure"].get<std::string>().empty() ? "" : "; last failure: ",
              st["last_failure"].get<std::string>().c_str());
  std::printf("bytes carried: %llu up, %llu down through circuits; %llu on all links\n",
              j["bytes"]["client_sent"].get<unsigned long long>(), j["bytes"]["client_received"].get<unsigned long long>(),
              j["bytes"]["transport_delivered"].get<unsigned long long>());
  std::printf("DHT lookups %llu ok, %llu failed (of %llu)%s%s; DHT operations %llu/%llu ok; %llu descriptors published\n",
              j["lookups"]["ok"].get<unsigned long long>(), j["lookups"]["failed"].get<unsigned long long>(),
              j["lookups"]["planned"].get<unsigned long long>(),
              j["lookups"]["last_failure"].get<std::string>().empty() ? "" : " (last: ",
              j["lookups"]["last_failure"].get<std::string>().empty() ? "" : (j["lookups"]["last_failure"].get<std::string>() + ")").c_str(), j["dht_operations"]["ok"].get<unsigned long long>(),
              j["dht_operations"]["started"].get<unsigned long long>(), j["descriptor_publishes"].get<unsigned long long>());
  std::printf("links opened %llu, failed %llu, closed unused %llu, refused at the peer limit %llu; crashes %llu, restarts %llu\n",
              j["links"]["opened"].get<unsigned long long>(), j["links"]["failed"].get<unsigned long long>(),
              j["links"]["closed_unused"].get<unsigned long long>(), j["links"]["refused_at_peer_limit"].get<unsigned long long>(), j["faults"]["crashes"].get<unsigned long long>(),
              j["faults"]["restarts"].get<unsigned long long>());
  std::printf("events %llu, %.0f events/s, wall %.1f s (CPU %.1f s), peak RSS %.1f MiB (%.0f KiB per node)\n",
              j["events"].get<unsigned long long>(), j["events_per_second"].get<double>(), j["wall_seconds"].get<double>(),
              j["cpu_seconds"].get<double>(), static_cast<double>(j["peak_rss_bytes"].get<std::uint64_t>()) / (1024.0 * 1024.0),
              static_cast<double>(j["memory_per_node_bytes"].get<std::uint64_t>()) / 1024.0);
  std::printf("trace: %s\n", j["trace"].get<std::string>().c_str());
}

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh sim", argc, argv,
                            {{"nodes"}, {"clients"}, {"exits"}, {"seed"}, {"scenario"}, {"churn"}, {"duration"},
                             {"join-ms"}, {"settle"}, {"streams"}, {"request-bytes"}, {"response-bytes"}, {"lookups"},
                             {"hops"}, {"latency-ms"}, {"jitter-ms"}, {"loss"}, {"bandwidth-kib"}, {"max-peers"}, {"heartbeat-ms"}, {"crypto"}, {"json", false}});
  if (!flags.ok()) return usage_error(flags.error(), "sim");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "sim");
  auto options = options_from(*flags);
  if (!options.ok()) return usage_error(options.error(), "sim");
  const auto started = std::chrono::steady_clock::now();
  sim::Scenario scenario(*options);
  const sim::ScenarioReport report = scenario.run();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const nlohmann::json j = to_json(*options, report, wall_s);
  if (flags->has("json")) {
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    print_text(j);
  }
  return report.tally.streams.corrupted == 0 ? kExitOk : kExitFailure;
}

const Command kSim{
    "sim", "run whole simulated nodes (DHT, onion circuits, streams) and summarise them",
    "Usage: zmesh sim [--nodes N] [--seed S] [--scenario steady|churn] [OPTIONS]\n\n"
    "Runs N complete nodes -- link handshakes, Kademlia DHT with signed descriptors, onion\n"
    "relays, exits, clients -- in the deterministic simulator: one process, virtual time,\n"
    "simulated connections (mem://INDEX) with latency, jitter, bandwidth and loss. Nodes join\n"
    "one by one through a few earlier nodes, publish their descriptors, then each client opens\n"
    "streams through 3-hop circuits to exits that answer with generated content; both ends\n"
    "check every byte. Prints circuits, streams, bytes, DHT lookups, events/s, wall time,\n"
    "peak RSS and `trace: HEX`: the same flags and seed always give the same trace\n"
    "(docs/simulator.md, \"Whole nodes\"). Exit status 1 if any stream byte was corrupted.\n\n"
    "Options:\n"
    "  --nodes N            nodes (default 200)\n"
    "  --clients C          nodes that open streams (default min(20, N/10+1))\n"
    "  --exits E            exit nodes (default N/10, at least 1)\n"
    "  --seed S             64-bit seed for every random choice (default 1)\n"
    "  --scenario NAME      steady (no faults) or churn (default steady)\n"
    "  --churn F            churn: share of relays crashed per minute, each back after\n"
    "                       30 s (default 0.05)\n"
    "  --duration S         stop after S simulated seconds at the latest (default 600);\n"
    "                       the run ends earlier once every stream and lookup has ended\n"
    "  --join-ms MS         one node joins every MS milliseconds (default 20)\n"
    "  --settle S           seconds between the last join and the first stream (default 30)\n"
    "  --streams K          streams per client (default 1)\n"
    "  --request-bytes B    bytes each stream sends to its exit (default 20000)\n"
    "  --response-bytes B   bytes each exit sends back (default 50000)\n"
    "  --lookups L          descriptor lookups per client (default 2)\n"
    "  --hops H             circuit length, 2 or 3 (default 3)\n"
    "  --latency-ms MS      one-way link latency (default 20)\n"
    "  --jitter-ms MS       extra delay, uniform in 0..MS, never reordering a connection\n"
    "                       (default 5)\n"
    "  --loss P             segment loss probability, paid as retransmission delay (default 0)\n"
    "  --bandwidth-kib K    per-direction link bandwidth in KiB/s (default 0: unlimited)\n"
    "  --max-peers P        links per node (NodeConfig::max_peers; default 0: the\n"
    "                       node's 256)\n"
    "  --heartbeat-ms MS    HealthService ping interval per peer (default 5000, 0: 1000)\n"
    "  --crypto real|simulated\n"
    "                       simulated: cheap, INSECURE stand-ins for ML-KEM-768 and ML-DSA-65\n"
    "                       (same sizes, same protocol) so that large runs fit in minutes;\n"
    "                       default real up to 2000 nodes, simulated above\n"
    "  --json               print the summary as JSON\n",
    run};
ZMESH_REGISTER_COMMAND(kSim);

}  // namespace
}  // namespace zmesh::app
