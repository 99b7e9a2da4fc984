// OnionRelay on the deterministic simulator: 200 nodes, each a relay with its own onion key;
// 60 of them are also clients that build 2- and 3-hop circuits through random relays and
// exchange relay messages with the last hop, which echoes them. Checks: every circuit opens,
// every message arrives byte-exact and in order both ways, relays only ever hold their
// neighbours on a path, everything is freed at the end, and a run replays from its seed.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>

#include "onion/onion_relay.hpp"
#include "onion_test_support.hpp"
#include "runtime/core.hpp"
#include "sim/simulator.hpp"

namespace zmesh::onion {
namespace {

constexpr std::uint32_t kNodes = 200;
constexpr std::uint32_t kClients = 60;
constexpr int kCircuitsPerClient = 3;
constexpr int kMessagesPerCircuit = 10;

// What every node knows about the others: NodeIds and published onion keys (the DHT's job
// in a real node), plus the simulator address of each NodeId (the link layer's job).
struct Directory {
  std::vector<NodeId> ids;
  std::vector<OnionKeyPair> keys;
  std::unordered_map<NodeId, sim::NodeIndex> index;
};

struct PlannedCircuit {
  TimeUs build_at = 0;
  std::vector<sim::NodeIndex> path;
};

class OnionSimNode final : public Core {
 public:
  OnionSimNode(sim::NodeIndex self, const Directory& directory, std::vector<PlannedCircuit> plan, RandomSource& random)
      : directory_(directory), plan_(std::move(plan)), random_(random), relay_(directory.ids[self], config(), random) {
    if (!relay_.add_onion_key(directory.keys[self])) std::abort();
  }

  static OnionRelayConfig config() {
    OnionRelayConfig config = test::TestNetwork::default_config();
    config.setup_timeout = 10 * kSecond;
    return config;
  }

  void on_start(TimeUs /*now*/) override {}

  void on_receive(TimeUs now, PeerHandle from, ByteView payload) override {
    if (!relay_.on_cell(test::at(now), directory_.ids[from], payload)) ++cell_errors_;
    handle_events(now);
    flush();
  }

  void on_timeout(TimeUs now) override {
    relay_.on_timeout(test::at(now));
    while (next_build_ < plan_.size() && plan_[next_build_].build_at <= now) build(now, plan_[next_build_++]);
    handle_events(now);
    flush();
  }

  TimeUs next_deadline() const override {
    const TimeUs build_at = next_build_ < plan_.size() ? plan_[next_build_].build_at : kNever;
    return std::min(build_at, relay_.next_deadline());
  }

  std::optional<Transmit> poll_transmit() override { return outbox_.pop(); }

  const OnionRelay& relay() const { return relay_; }
  std::size_t circuits_planned() const { return plan_.size(); }
  int completed = 0, failed = 0, mismatches = 0, cell_errors_ = 0;
  int echoed = 0, incoming = 0, exit_closed = 0;

 private:
  struct Pending {
    std::deque<Bytes> expected;  // echoes still to come, in order
  };

  void build(TimeUs now, const PlannedCircuit& planned) {
    std::vector<SetupHop> path;
    for (sim::NodeIndex hop : planned.path)
      path.push_back(SetupHop::from_descriptor(directory_.ids[hop], directory_.keys[hop].public_part()));
    auto handle = relay_.build_circuit(test::at(now), path);
    if (!handle) {
      ++failed;
      return;
    }
    pending_.emplace(*handle, Pending{});
  }

  void handle_events(TimeUs now) {
    while (auto event = relay_.poll_event()) {
      if (auto* ready = std::get_if<CircuitReady>(&*event)) {
        Pending& pending = pending_.at(ready->circuit);
        for (int i = 0; i < kMessagesPerCircuit; ++i) {
          Bytes message(random_.uniform(kMaxRelayPayloadBytes + 1));
          random_.fill(message);
          if (!relay_.send_relay_message(test::at(now), ready->circuit, message)) std::abort();
          pending.expected.push_back(std::move(message));
        }
      } else if (auto* received = std::get_if<RelayMessageReceived>(&*event)) {
        if (received->role == CircuitRole::last_hop) {
          if (!relay_.send_relay_message(test::at(now), received->circuit, received->payload)) std::abort();
          ++echoed;
          continue;
        }
        Pending& pending = pending_.at(received->circuit);
        if (pending.expected.empty() || pending.expected.front() != received->payload) ++mismatches;
        if (!pending.expected.empty()) pending.expected.pop_front();
        if (pending.expected.empty()) {
          ++completed;
          relay_.close_circuit(test::at(now), received->circuit);
          pending_.erase(received->circuit);
        }
      } else if (std::holds_alternative<IncomingCircuit>(*event)) {
        ++incoming;
      } else if (auto* closed = std::get_if<CircuitClosed>(&*event)) {
        if (closed->role == CircuitRole::origin) {
          ++failed;
          pending_.erase(closed->circuit);
        } else {
          ++exit_closed;
        }
      }
    }
  }

  void flush() {
    while (auto cell = relay_.poll_cell()) outbox_.push(directory_.index.at(cell->to), std::move(cell->cell));
  }

  const Directory& directory_;
  std::vector<PlannedCircuit> plan_;
  std::size_t next_build_ = 0;
  RandomSource& random_;
  OnionRelay relay_;
  Outbox outbox_{1u << 16};
  std::map<CircuitHandle, Pending> pending_;
};

struct Mesh {
  explicit Mesh(std::uint64_t seed) : sim(seed) {
    SeededRandom setup(seed ^ 0x0910);
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      directory.ids.push_back(test::random_node_id(setup));
      directory.keys.push_back(OnionKeyPair::generate(setup, test::kNow - kHour));
      directory.index.emplace(directory.ids.back(), i);
    }
    // Each directed link keeps one fixed latency (links deliver in order, as the link layer does).
    for (std::uint32_t a = 0; a < kNodes; ++a)
      for (std::uint32_t b = a + 1; b < kNodes; ++b) {
        sim::LinkProfile link;
        link.latency = static_cast<DurationUs>(5 + setup.uniform(76)) * kMillisecond;
        sim.set_link(a, b, link);
      }
    plans.resize(kNodes);
    for (std::uint32_t client = 0; client < kClients; ++client) {
      for (int c = 0; c < kCircuitsPerClient; ++c) {
        PlannedCircuit planned;
        planned.build_at = static_cast<TimeUs>(setup.uniform(3 * kSecond));
        const std::size_t hops = (client + static_cast<std::uint32_t>(c)) % 2 == 0 ? 2 : 3;
        while (planned.path.size() < hops) {
          const auto relay = static_cast<sim::NodeIndex>(setup.uniform(kNodes));
          if (relay == client || std::find(planned.path.begin(), planned.path.end(), relay) != planned.path.end()) continue;
          planned.path.push_back(relay);
        }
        plans[client].push_back(planned);
      }
      std::sort(plans[client].begin(), plans[client].end(),
                [](const PlannedCircuit& a, const PlannedCircuit& b) { return a.build_at < b.build_at; });
    }
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      sim.add_node([this](const sim::NodeContext& ctx) {
        return std::make_unique<OnionSimNode>(ctx.index, directory, plans[ctx.index], ctx.random);
      });
    }
  }

  OnionSimNode& node(sim::NodeIndex i) { return *sim.core_as<OnionSimNode>(i); }

  sim::Simulator sim;
  Directory directory;
  std::vector<std::vector<PlannedCircuit>> plans;
};

// Every circuit a relay holds must be a (predecessor, successor) pair of some planned path:
// nothing else is ever known to it.
int check_neighbour_knowledge(Mesh& mesh) {
  std::set<std::tuple<NodeId, NodeId, NodeId>> middles;  // (prev, self, next)
  std::set<std::pair<NodeId, NodeId>> lasts;             // (prev, self)
  for (sim::NodeIndex client = 0; client < kClients; ++client) {
    for (const PlannedCircuit& planned : mesh.plans[client]) {
      for (std::size_t i = 0; i < planned.path.size(); ++i) {
        const NodeId prev = mesh.directory.ids[i == 0 ? client : planned.path[i - 1]];
        const NodeId self = mesh.directory.ids[planned.path[i]];
        if (i + 1 == planned.path.size()) {
          lasts.emplace(prev, self);
        } else {
          middles.emplace(prev, self, mesh.directory.ids[planned.path[i + 1]]);
        }
      }
    }
  }
  int checked = 0;
  for (sim::NodeIndex n = 0; n < kNodes; ++n) {
    const NodeId self = mesh.directory.ids[n];
    mesh.node(n).relay().circuits().for_each([&](const Circuit& circuit) {
      if (circuit.role == CircuitRole::middle) {
        EXPECT_EQ(middles.count({circuit.prev, self, circuit.next}), 1u) << "node " << n;
        ++checked;
      } else if (circuit.role == CircuitRole::last_hop) {
        EXPECT_EQ(lasts.count({circuit.prev, self}), 1u) << "node " << n;
        ++checked;
      }
    });
  }
  return checked;
}

struct Outcome {
  std::string trace;
  int completed = 0;
};

Outcome run_mesh(std::uint64_t seed) {
  Mesh mesh(seed);
  // Mid-run, while circuits are open: relays know only their neighbours on each path.
  mesh.sim.run_until(1500 * kMillisecond);
  EXPECT_GT(check_neighbour_knowledge(mesh), 20);
  mesh.sim.run_until(20 * kSecond);

  Outcome outcome;
  int failed = 0, mismatches = 0, cell_errors = 0, echoed = 0, incoming = 0, exit_closed = 0;
  std::uint64_t integrity = 0, protocol = 0, relayed = 0, two_hop = 0, three_hop = 0;
  for (sim::NodeIndex n = 0; n < kNodes; ++n) {
    OnionSimNode& node = mesh.node(n);
    outcome.completed += node.completed;
    failed += node.failed;
    mismatches += node.mismatches;
    cell_errors += node.cell_errors_;
    echoed += node.echoed;
    incoming += node.incoming;
    exit_closed += node.exit_closed;
    integrity += node.relay().stats().integrity_failures;
    protocol += node.relay().stats().protocol_violations;
    relayed += node.relay().stats().cells_relayed_forward + node.relay().stats().cells_relayed_backward;
    EXPECT_EQ(node.relay().circuits().size(), 0u) << "node " << n << " still holds circuits";
  }
  for (sim::NodeIndex client = 0; client < kClients; ++client)
    for (const PlannedCircuit& planned : mesh.plans[client]) (planned.path.size() == 2 ? two_hop : three_hop)++;

  const int planned = static_cast<int>(kClients) * kCircuitsPerClient;
  EXPECT_EQ(outcome.completed, planned);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(cell_errors, 0);
  EXPECT_EQ(integrity, 0u);
  EXPECT_EQ(protocol, 0u);
  EXPECT_EQ(incoming, planned);
  EXPECT_EQ(exit_closed, planned);  // the clients closed every circuit; each last hop heard it
  EXPECT_EQ(echoed, planned * kMessagesPerCircuit);
  EXPECT_GT(two_hop, 50u);
  EXPECT_GT(three_hop, 50u);
  // Every message crosses (hops - 1) relays each way; the reply too.
  EXPECT_EQ(relayed, (two_hop * 1 + three_hop * 2) * (2 * kMessagesPerCircuit + 1));
  EXPECT_EQ(mesh.sim.stats().dropped_total(), 0u);
  outcome.trace = mesh.sim.trace_hash_hex();
  return outcome;
}

TEST(OnionSim, TwoHundredNodesBuildCircuitsAndExchangeDataByteExact) {
  const Outcome first = run_mesh(2025);
  EXPECT_EQ(first.completed, static_cast<int>(kClients) * kCircuitsPerClient);
  // Deterministic: the same seed replays the same run, byte for byte.
  const Outcome again = run_mesh(2025);
  EXPECT_EQ(again.trace, first.trace);
  const Outcome other = run_mesh(2026);
  EXPECT_NE(other.trace, first.trace);
}

}  // namespace
}  // namespace zmesh::onion
