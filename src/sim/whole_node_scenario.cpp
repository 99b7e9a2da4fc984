#include "sim/whole_node_scenario.hpp"

#include <algorithm>

#include "sim/sim_clock.hpp"

namespace zmesh::sim {
namespace {

constexpr DurationUs kClientStagger = 10 * kMillisecond;  // between two clients' first streams
constexpr DurationUs kStreamStagger = 100 * kMillisecond; // between one client's streams

WholeNodeConfig base_config(const ScenarioOptions& o) {
  WholeNodeConfig c;
  c.onion.hops = o.hops;
  if (o.max_peers != 0) {
    c.node.max_peers = o.max_peers;
    c.health.max_peers = o.max_peers;
  }
  if (o.heartbeat_interval != 0) c.health.interval = o.heartbeat_interval;
  return c;
}

}  // namespace

const char* scenario_name(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::steady: return "steady";
    case ScenarioKind::churn: return "churn";
  }
  return "?";
}

Result<ScenarioKind> parse_scenario(std::string_view name) {
  if (name == "steady") return ScenarioKind::steady;
  if (name == "churn") return ScenarioKind::churn;
  return make_error(Errc::invalid_argument, "unknown scenario '" + std::string(name.substr(0, 32)) + "' (steady, churn)");
}

Scenario::Scenario(const ScenarioOptions& options, NodeSimulatorConfig sim_config)
    : options_(options),
      simulated_crypto_(options.simulated_crypto ? std::make_unique<SimulatedCrypto>() : nullptr),
      random_(options.seed ^ 0x5c3e'4a71'0f00'd5edULL),
      relay_config_(base_config(options)),
      exit_config_(base_config(options)),
      client_config_(base_config(options)),
      sim_(options.seed, std::move(sim_config)) {
  if (options_.join_window == 0) options_.join_window = options_.nodes * 20 * kMillisecond;
  if (options_.exits == 0) options_.exits = std::max<std::uint32_t>(1, options_.nodes / 10);
  exit_config_.exit = true;
  client_config_.client = true;
  sim_.set_default_link(options_.link);
  assign_roles();
  add_nodes();
  schedule_clients();
  if (options_.scenario == ScenarioKind::churn) schedule_churn();
}

void Scenario::assign_roles() {
  // Node 0 is everyone's first seed and stays a plain relay; clients and exits are drawn from
  // the rest by a seeded shuffle.
  const std::uint32_t n = options_.nodes;
  roles_.assign(n, Role::relay);
  std::vector<NodeIndex> order;
  for (NodeIndex i = 1; i < n; ++i) order.push_back(i);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_.uniform(i)]);
  std::size_t next = 0;
  for (std::uint32_t k = 0; k < options_.clients && next < order.size(); ++k) {
    roles_[order[next]] = Role::client;
    clients_.push_back(order[next++]);
  }
  for (std::uint32_t k = 0; k < options_.exits && next < order.size(); ++k) roles_[order[next++]] = Role::exit;
  std::sort(clients_.begin(), clients_.end());
}

void Scenario::add_nodes() {
  const std::uint32_t n = options_.nodes;
  for (NodeIndex i = 0; i < n; ++i) {
    std::vector<NodeIndex> seeds;
    const std::uint32_t wanted = std::min<std::uint32_t>(options_.seeds_per_node, i);
    while (seeds.size() < wanted) {
      const auto seed = static_cast<NodeIndex>(random_.uniform(i));
      if (std::find(seeds.begin(), seeds.end(), seed) == seeds.end()) seeds.push_back(seed);
    }
    const WholeNodeConfig& config =
        roles_[i] == Role::client ? client_config_ : roles_[i] == Role::exit ? exit_config_ : relay_config_;
    sim_.add_node(config, std::move(seeds), static_cast<TimeUs>(i) * options_.join_window / n);
  }
}

void Scenario::schedule_clients() {
  clients_start_ = options_.join_window + options_.settle;
  for (std::uint32_t k = 0; k < clients_.size(); ++k) {
    const TimeUs at = clients_start_ + k * kClientStagger;
    const NodeIndex node = clients_[k];
    sim_.at(at, [this, node, k](NodeSimulator&) { start_client(node, k); });
    clients_all_started_ = at + options_.streams_per_client * kStreamStagger;
  }
}

void Scenario::start_client(NodeIndex node, std::uint32_t) {
  for (std::uint32_t s = 0; s < options_.streams_per_client; ++s) {
    const StreamSpec spec{random_.next_u64(), options_.request_bytes, options_.response_bytes};
    sim_.at(sim_.now() + s * kStreamStagger, [node, spec](NodeSimulator& sim) {
      if (WholeNode* n = sim.node(node)) {
        (void)n->open_stream(node_time(sim.now()), spec);
      }
    });
  }
  WholeNode* n = sim_.node(node);
  if (!n) return;
  for (std::uint32_t l = 0; l < options_.lookups_per_client; ++l) {
    const auto target = static_cast<NodeIndex>(random_.uniform(options_.nodes));
    n->lookup(node_time(sim_.now()), sim_.node_id(target));
  }
}

void Scenario::schedule_churn() {
  std::vector<NodeIndex> relays;
  for (NodeIndex i = 1; i < options_.nodes; ++i)
    if (roles_[i] != Role::client) relays.push_back(i);
  const double per_minute = options_.churn_per_minute * static_cast<double>(relays.size());
  if (relays.empty() || per_minute <= 0) return;
  const auto interval = static_cast<DurationUs>(60.0 * kSecond / per_minute);
  for (TimeUs t = options_.join_window; t < options_.duration; t += std::max<DurationUs>(interval, 1)) {
    const NodeIndex victim = relays[random_.uniform(relays.size())];
    sim_.at(t, [this, victim](NodeSimulator& sim) {
      if (!sim.is_up(victim)) return;
      sim.crash(victim);
      sim.restart_at(sim.now() + options_.churn_downtime, victim);
    });
  }
}

bool Scenario::workload_done() const {
  if (sim_.now() < clients_all_started_ || clients_.empty()) return false;
  std::uint64_t streams_done = 0, lookups_done = 0;
  for (NodeIndex c : clients_) {
    const NodeTally& t = sim_.tally(c);
    streams_done += t.streams.completed + t.streams.failed;
    lookups_done += t.lookups_ok + t.lookups_failed;
  }
  return streams_done >= std::uint64_t{clients_.size()} * options_.streams_per_client &&
         lookups_done >= std::uint64_t{clients_.size()} * options_.lookups_per_client;
}

ScenarioReport Scenario::run() {
  const bool done = sim_.run_until_true([this] { return workload_done(); }, options_.duration - sim_.now(), 500 * kMillisecond);
  ScenarioReport r = report();
  r.finished = done;
  return r;
}

ScenarioReport Scenario::report() const {
  ScenarioReport r;
  r.sim = sim_.stats();
  r.services = sim_.service_totals();
  r.tally = sim_.total_tally();
  r.trace_hash = sim_.trace_hash_hex();
  r.virtual_end = sim_.now();
  r.exits = options_.exits;
  r.streams_planned = std::uint64_t{clients_.size()} * options_.streams_per_client;
  r.lookups_planned = std::uint64_t{clients_.size()} * options_.lookups_per_client;
  r.open_connections = sim_.open_connections();
  auto& sim = const_cast<NodeSimulator&>(sim_);  // node() is non-const only to track touches
  for (NodeIndex i = 0; i < sim.node_count(); ++i) {
    if (WholeNode* n = sim.node(i)) {
      ++r.nodes_up;
      if (n->dht().stats().joined) ++r.nodes_joined;
    }
  }
  r.finished = workload_done();
  return r;
}

}  // namespace zmesh::sim
