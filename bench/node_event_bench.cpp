// One relay node (NodeCore + OnionService) with 10, 1,000 and 10,000 open circuits: the CPU one
// event costs it, which should not depend on how many circuits it carries. Run:
//   zmesh_node_event_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Results and how to read them: docs/benchmarks.md "Node events (micro)".
//
// Four nodes on in-memory transports, driven by hand: B builds N one-hop circuits that end at
// R (so R's onion service runs a StreamMux for each, the expensive kind of circuit for it), and
// C builds one circuit C → R → E. Only R's work is timed (manual time): the transport message
// in, link decryption, the onion service, the cell out, the actions polled and the next
// deadline computed, as a driver does after every event.
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "crypto/secure.hpp"
#include "node/node_core.hpp"
#include "node/onion_service.hpp"
#include "node/static_peer_directory.hpp"

namespace zmesh::node {
namespace {

constexpr UnixSeconds kUnixStart = 1'750'000'000;
const Now kNow{1 * kSecond, static_cast<std::int64_t>(kUnixStart) * kSecond};

// A bare OnionRelay on channel 3 (builder, client, exit of the benchmark): cells out at once,
// events counted and dropped. Cheap and flat, so that only R's costs vary with N.
class BareRelayService final : public Service {
 public:
  BareRelayService(const NodeId& self, RandomSource& random, onion::OnionRelayConfig config)
      : relay_(self, config, random) {}
  Channel channel() const override { return kChannelOnion; }
  const char* name() const override { return "bare-onion"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_message(Now now, const NodeId& from, ByteView message) override {
    (void)relay_.on_cell(now, from, message);
    flush(now);
  }
  void flush(Now now) {
    while (auto cell = relay_.poll_cell()) (void)host_->send(now, cell->to, kChannelOnion, cell->cell);
    while (auto event = relay_.poll_event()) {
      if (auto* ready = std::get_if<onion::CircuitReady>(&*event)) ready_.push_back(ready->circuit);
      if (std::holds_alternative<onion::RelayMessageReceived>(*event)) ++messages_;
    }
  }
  onion::OnionRelay& relay() { return relay_; }
  const std::vector<onion::CircuitHandle>& ready() const { return ready_; }
  std::uint64_t messages() const { return messages_; }

 private:
  onion::OnionRelay relay_;
  ServiceHost* host_ = nullptr;
  std::vector<onion::CircuitHandle> ready_;
  std::uint64_t messages_ = 0;
};

onion::OnionRelayConfig roomy_relay_config() {
  onion::OnionRelayConfig config;
  config.limits.max_circuits = 1u << 16;
  config.limits.max_circuits_per_peer = 1u << 16;
  config.limits.max_origin_circuits = 1u << 16;
  return config;
}

struct BenchNode {
  std::unique_ptr<NodeIdentity> identity;
  std::unique_ptr<SeededRandom> random;
  std::unique_ptr<NodeCore> core;
};

// The relay under test and its three neighbours, linked pairwise in memory.
class RelayBench {
 public:
  explicit RelayBench(std::size_t circuits) {
    crypto::init();
    SeededRandom seeds(0xbe7c);
    for (int i = 0; i < 4; ++i) {
      BenchNode node;
      node.random = seeds.fork();
      node.identity = std::make_unique<NodeIdentity>(NodeIdentity::generate(*node.random));
      node.core = std::make_unique<NodeCore>(*node.identity, *node.random, NodeConfig{});
      nodes_.push_back(std::move(node));
    }
    r_keys_.push_back(OnionKeyPair::generate(*nodes_[kR].random, kUnixStart - kHour));
    e_key_ = std::make_unique<OnionKeyPair>(OnionKeyPair::generate(*nodes_[kE].random, kUnixStart - kHour));
    OnionServiceConfig config;
    config.relay = roomy_relay_config();
    config.ready_circuits = 0;
    onion_ = std::make_unique<OnionService>(nodes_[kR].identity->id, clone_onion_keys(r_keys_), directory_,
                                            *nodes_[kR].random, config);
    for (std::size_t i : {kB, kC, kE}) {
      bare_[i] = std::make_unique<BareRelayService>(nodes_[i].identity->id, *nodes_[i].random, roomy_relay_config());
      (void)nodes_[i].core->add_service(*bare_[i]);
    }
    (void)bare_[kE]->relay().add_onion_key(*e_key_);
    (void)nodes_[kR].core->add_service(*onion_);
    for (auto& node : nodes_) node.core->on_start(kNow);
    link(kB, kR);
    link(kC, kR);
    link(kR, kE);

    const auto r_hop = onion::SetupHop::from_descriptor(nodes_[kR].identity->id, r_keys_.front().public_part());
    const auto e_hop = onion::SetupHop::from_descriptor(nodes_[kE].identity->id, e_key_->public_part());
    // In batches: a link's send queue is bounded.
    for (std::size_t built = 0; built < circuits; built += 64) {
      for (std::size_t i = built; i < std::min(circuits, built + 64); ++i)
        if (!bare_[kB]->relay().build_circuit(kNow, std::vector<onion::SetupHop>{r_hop}).ok()) std::abort();
      bare_[kB]->flush(kNow);
      settle();
    }
    const std::vector<onion::SetupHop> path{r_hop, e_hop};
    if (!bare_[kC]->relay().build_circuit(kNow, path).ok()) std::abort();
    bare_[kC]->flush(kNow);
    settle();
    if (bare_[kB]->ready().size() != circuits || bare_[kC]->ready().size() != 1) std::abort();
    if (onion_->status().circuits_last_hop != circuits) std::abort();
  }

  // One data cell from C, relayed by R to E; returns the seconds R spent on it.
  double relay_one_cell() {
    static const Bytes payload(200, 0x5a);
    if (!bare_[kC]->relay().send_relay_message(kNow, bare_[kC]->ready().front(), payload).ok()) std::abort();
    bare_[kC]->flush(kNow);
    std::vector<Bytes> to_r = take_sends(kC);
    if (to_r.size() != 1) std::abort();
    const auto start = std::chrono::steady_clock::now();
    nodes_[kR].core->on_transport_data(kNow, connection_to(kR, kC), to_r.front());
    std::vector<Bytes> out = take_sends(kR);
    benchmark::DoNotOptimize(nodes_[kR].core->next_deadline());
    const auto stop = std::chrono::steady_clock::now();
    for (Bytes& message : out) nodes_[kE].core->on_transport_data(kNow, connection_to(kE, kR), message);
    settle();
    return std::chrono::duration<double>(stop - start).count();
  }

  // A timer event at R that finds nothing due: what every timer costs it (looking for what is
  // due, then the next deadline).
  double timer_event() {
    const auto start = std::chrono::steady_clock::now();
    nodes_[kR].core->on_timeout(kNow);
    while (nodes_[kR].core->poll_action()) {}
    benchmark::DoNotOptimize(nodes_[kR].core->next_deadline());
    const auto stop = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(stop - start).count();
  }

  std::uint64_t delivered() const { return bare_.at(kE)->messages(); }

 private:
  static constexpr std::size_t kB = 0, kC = 1, kR = 2, kE = 3;

  void link(std::size_t a, std::size_t b) {
    const ConnectionId at_a = next_connection_++, at_b = next_connection_++;
    peer_of_[{a, at_a}] = {b, at_b};
    peer_of_[{b, at_b}] = {a, at_a};
    nodes_[a].core->on_transport_opened(kNow, at_a, TransportOpened{Direction::outbound, "mem", "b", 0});
    nodes_[b].core->on_transport_opened(kNow, at_b, TransportOpened{Direction::inbound, "mem", "a", 0});
    settle();
  }
  ConnectionId connection_to(std::size_t node, std::size_t other) const {
    for (const auto& [end, peer] : peer_of_)
      if (end.first == node && peer.first == other) return end.second;
    std::abort();
  }
  // The messages `node` has for its transports, kept instead of delivered (one peer each time).
  std::vector<Bytes> take_sends(std::size_t node) {
    std::vector<Bytes> out;
    while (auto action = nodes_[node].core->poll_action())
      if (auto* send = std::get_if<SendBytes>(&*action)) out.push_back(std::move(send->message));
    return out;
  }
  // Delivers every queued message at once until no node has anything to send.
  void settle() {
    for (bool moved = true; moved;) {
      moved = false;
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        while (auto action = nodes_[i].core->poll_action()) {
          moved = true;
          auto* send = std::get_if<SendBytes>(&*action);
          if (send == nullptr) continue;
          const auto [to, id] = peer_of_.at({i, send->connection});
          nodes_[to].core->on_transport_data(kNow, id, send->message);
        }
      }
    }
  }

  std::vector<BenchNode> nodes_;
  std::vector<OnionKeyPair> r_keys_;
  std::unique_ptr<OnionKeyPair> e_key_;
  StaticPeerDirectory directory_;
  std::unique_ptr<OnionService> onion_;
  std::map<std::size_t, std::unique_ptr<BareRelayService>> bare_;
  std::map<std::pair<std::size_t, ConnectionId>, std::pair<std::size_t, ConnectionId>> peer_of_;
  ConnectionId next_connection_ = 1;
};

// Building 10,000 circuits takes seconds: once per size, shared by every run of that size.
RelayBench& bench_with(std::size_t circuits) {
  static std::map<std::size_t, std::unique_ptr<RelayBench>> built;
  auto& slot = built[circuits];
  if (!slot) slot = std::make_unique<RelayBench>(circuits);
  return *slot;
}

void BM_RelayDataCell(benchmark::State& state) {
  RelayBench& bench = bench_with(static_cast<std::size_t>(state.range(0)));
  const std::uint64_t before = bench.delivered();
  for (auto _ : state) state.SetIterationTime(bench.relay_one_cell());
  if (bench.delivered() - before != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("cells lost");
}
BENCHMARK(BM_RelayDataCell)->Arg(10)->Arg(1000)->Arg(10000)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_RelayTimerEvent(benchmark::State& state) {
  RelayBench& bench = bench_with(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) state.SetIterationTime(bench.timer_event());
}
BENCHMARK(BM_RelayTimerEvent)->Arg(10)->Arg(1000)->Arg(10000)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zmesh::node

BENCHMARK_MAIN();
