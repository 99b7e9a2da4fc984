// A whole-node simulation run from a handful of options: what `zmesh sim` runs and what the
// whole-node tests build on. N nodes join one by one over `join_window`, each configured with
// a few random earlier nodes as DHT seeds, publish their descriptors and fill their peer
// directories; some are exits; `clients` of them then open streams through 3-hop circuits and
// look up descriptors, and every byte is checked end to end (stream_workload.hpp).
//
// Scenarios:
//   steady  — no faults.
//   churn   — from the end of the join window on, `churn_per_minute` of the relays (never a
//             client) crash per simulated minute, each restarting after `churn_downtime`.
// The run ends when every planned stream and lookup has an outcome, or at `duration`.
// Everything comes from `seed`: the same options give the same trace hash.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/link_model.hpp"
#include "sim/node_simulator.hpp"
#include "sim/simulated_crypto.hpp"
#include "util/result.hpp"

namespace zmesh::sim {

enum class ScenarioKind { steady, churn };
const char* scenario_name(ScenarioKind kind);
Result<ScenarioKind> parse_scenario(std::string_view name);

struct ScenarioOptions {
  std::uint32_t nodes = 200;
  std::uint32_t clients = 20;
  std::uint32_t exits = 0;             // 0: one node in ten (at least one)
  std::uint64_t seed = 1;
  ScenarioKind scenario = ScenarioKind::steady;
  std::uint32_t seeds_per_node = 2;    // configured peers of each joining node
  DurationUs join_window = 0;          // 0: 20 ms per node
  DurationUs settle = 30 * kSecond;    // after the join window, before clients start
  DurationUs duration = 10 * 60 * kSecond;  // the run stops here at the latest
  std::uint32_t streams_per_client = 1;
  std::uint32_t request_bytes = 20'000;
  std::uint32_t response_bytes = 50'000;
  std::uint32_t lookups_per_client = 2;
  std::size_t hops = 3;
  // Node settings the scenario chooses (docs/simulator.md, "Why links are capped"): a node
  // links to every DHT contact it talks to and keeps the link open, and HealthService pings
  // every linked peer each interval, so without a cap links, heartbeats and NodeCore's
  // per-event deadline scan grow with n. 0: the node's default (256 peers, 1 s).
  std::size_t max_peers = 0;
  DurationUs heartbeat_interval = 5 * kSecond;
  double churn_per_minute = 0.05;      // share of relays crashed per minute (churn scenario)
  DurationUs churn_downtime = 30 * kSecond;
  LinkProfile link{.latency = 20 * kMillisecond, .jitter = 5 * kMillisecond};
  // ML-KEM / ML-DSA stand-ins (simulated_crypto.hpp) for the whole run: the same protocol
  // and trace shape at a fraction of the CPU; not secure, never in a real node.
  bool simulated_crypto = false;
};

struct ScenarioReport {
  NodeSimStats sim;
  NodeServiceTotals services;
  NodeTally tally;
  std::string trace_hash;
  TimeUs virtual_end = 0;
  std::uint32_t exits = 0;
  std::uint64_t streams_planned = 0;
  std::uint64_t lookups_planned = 0;
  std::size_t nodes_joined = 0;  // live nodes whose DHT service joined, at the end
  std::size_t nodes_up = 0;
  std::size_t open_connections = 0;
  bool finished = false;         // every stream and lookup had an outcome before `duration`
};

// A run in progress: tests reach into the simulator between steps.
class Scenario {
 public:
  explicit Scenario(const ScenarioOptions& options, NodeSimulatorConfig sim_config = {});
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  // Runs to the end (see above) and reports.
  ScenarioReport run();
  NodeSimulator& sim() { return sim_; }
  const ScenarioOptions& options() const { return options_; }
  bool is_client(NodeIndex node) const { return roles_[node] == Role::client; }
  bool is_exit(NodeIndex node) const { return roles_[node] == Role::exit; }
  TimeUs clients_start() const { return clients_start_; }
  bool workload_done() const;
  ScenarioReport report() const;

 private:
  enum class Role : std::uint8_t { relay, exit, client };
  void assign_roles();
  void add_nodes();
  void schedule_clients();
  void schedule_churn();
  void start_client(NodeIndex node, std::uint32_t order);

  ScenarioOptions options_;
  // Before the nodes: alive from the first key generated to the last signature checked.
  std::unique_ptr<SimulatedCrypto> simulated_crypto_;
  SeededRandom random_;  // roles, seeds, workload, churn: apart from the simulator's streams
  WholeNodeConfig relay_config_, exit_config_, client_config_;
  NodeSimulator sim_;
  std::vector<Role> roles_;
  std::vector<NodeIndex> clients_;
  TimeUs clients_start_ = 0;
  TimeUs clients_all_started_ = 0;
};

}  // namespace zmesh::sim
