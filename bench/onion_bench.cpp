// Onion circuits (src/onion): per-hop cost of the Sphinx setup and of data cells, and the
// client's side. Run:
//   zmesh_onion_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Results, the machine and how to read them: docs/benchmarks.md "Onion circuits (micro)".
#include <benchmark/benchmark.h>

#include <memory>
#include <variant>
#include <vector>

#include "crypto/mlkem768.hpp"
#include "onion/layered_cell.hpp"
#include "onion/onion_relay.hpp"

namespace zmesh::onion {
namespace {

constexpr UnixSeconds kNow = 1'750'000'000;
// The Now a driver would pass at driver time `t` (driver time 0 = kNow).
Now at(TimeUs t) { return Now{t, static_cast<TimeUs>(kNow) * kSecond + t}; }
constexpr std::size_t kLinkCellBytes = 1024;  // what one data cell costs on the wire

struct Relay {
  NodeId id;
  OnionKeyPair key;
};

Relay make_relay(RandomSource& random) {
  crypto::init();
  Relay relay{NodeId{}, OnionKeyPair::generate(random, kNow - kHour)};
  random.fill(relay.id.bytes);
  return relay;
}

OnionRelayConfig bench_config() {
  OnionRelayConfig config;
  config.limits.max_circuits = 1u << 20;
  config.limits.max_circuits_per_peer = 1u << 20;
  return config;
}

std::vector<SetupHop> make_path(const std::vector<Relay>& relays, std::size_t hops) {
  std::vector<SetupHop> path;
  for (std::size_t i = 0; i < hops; ++i) path.push_back(SetupHop::from_descriptor(relays[i].id, relays[i].key.public_part()));
  return path;
}

// The floor named in the goal: the hop's two X25519 operations and one ML-KEM-768 decapsulation.
void BM_Floor_TwoX25519PlusMlKemDecaps(benchmark::State& state) {
  SeededRandom random(1);
  const auto a = crypto::x25519_generate(random);
  const auto b = crypto::x25519_generate(random);
  const auto kem = crypto::mlkem768_generate(random);
  const auto enc = crypto::mlkem768_encapsulate(kem.public_key, random);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::x25519_shared(a.secret_key, b.public_key));
    benchmark::DoNotOptimize(crypto::x25519_shared(b.secret_key, a.public_key));
    benchmark::DoNotOptimize(crypto::mlkem768_decapsulate(kem.secret_key, enc.ciphertext));
  }
}
BENCHMARK(BM_Floor_TwoX25519PlusMlKemDecaps);

// One middle hop's whole setup work through OnionRelay::on_cell: key lookup, X25519, ML-KEM
// decapsulation, KDF, MAC, replay cache, routing decryption, re-blinding, table insert, and
// the forwarded cell. Packets are built beforehand (distinct, so none is a replay); every
// kBatch iterations the relay is rebuilt outside the timing.
void BM_SetupPerHop(benchmark::State& state) {
  constexpr std::size_t kBatch = 128;
  SeededRandom random(2);
  std::vector<Relay> relays;
  for (int i = 0; i < 3; ++i) relays.push_back(make_relay(random));
  const auto path = make_path(relays, 3);
  std::vector<Bytes> cells;
  for (std::size_t i = 0; i < kBatch; ++i) {
    auto built = build_setup_header(path, random);
    Bytes cell(kSetupCellBytes);
    write_cell_header(cell, static_cast<CircuitId>(i + 1), CellCommand::setup);
    std::copy(built->header.begin(), built->header.end(), cell.begin() + kCellHeaderBytes);
    cells.push_back(std::move(cell));
  }
  NodeId client;
  random.fill(client.bytes);
  std::unique_ptr<OnionRelay> relay;
  std::size_t next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      relay = std::make_unique<OnionRelay>(relays[0].id, bench_config(), random);
      if (!relay->add_onion_key(relays[0].key)) std::abort();
      next = 0;
      state.ResumeTiming();
    }
    if (!relay->on_cell(at(0), client, cells[next++])) std::abort();
    auto out = relay->poll_cell();
    if (!out || out->cell.size() != kSetupCellBytes) std::abort();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_SetupPerHop);

void BM_ClientBuildSetup(benchmark::State& state) {
  SeededRandom random(3);
  std::vector<Relay> relays;
  for (int i = 0; i < 3; ++i) relays.push_back(make_relay(random));
  const auto path = make_path(relays, static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(build_setup_header(path, random));
}
BENCHMARK(BM_ClientBuildSetup)->Arg(2)->Arg(3);

// A built 3-hop circuit: the client and three relays, cells delivered until quiet.
struct Circuit3 {
  SeededRandom random{4};
  std::vector<Relay> relays;
  NodeId client_id;
  std::vector<std::unique_ptr<OnionRelay>> nodes;  // [0] client, [1..3] hops
  CircuitHandle circuit{};

  Circuit3() {
    for (int i = 0; i < 3; ++i) relays.push_back(make_relay(random));
    random.fill(client_id.bytes);
    OnionRelayConfig config = bench_config();
    config.max_queued_cells = 1u << 20;
    config.max_queued_events = 1u << 20;
    nodes.push_back(std::make_unique<OnionRelay>(client_id, config, random));
    for (const Relay& relay : relays) {
      nodes.push_back(std::make_unique<OnionRelay>(relay.id, config, random));
      if (!nodes.back()->add_onion_key(relay.key)) std::abort();
    }
    circuit = *client().build_circuit(at(0), make_path(relays, 3));
    pump();
    auto ready = client().poll_event();
    if (!ready || !std::holds_alternative<CircuitReady>(*ready)) std::abort();
  }
  OnionRelay& client() { return *nodes[0]; }
  OnionRelay& hop(std::size_t i) { return *nodes[i + 1]; }
  OnionRelay* find(const NodeId& id) {
    for (auto& node : nodes)
      if (node->self() == id) return node.get();
    return nullptr;
  }
  void pump() {
    for (bool busy = true; busy;) {
      busy = false;
      for (auto& node : nodes) {
        while (auto cell = node->poll_cell()) {
          busy = true;
          if (!find(cell->to)->on_cell(at(0), node->self(), cell->cell)) std::abort();
        }
      }
    }
  }
  // The cells the client sends for `count` relay messages of the largest size.
  std::vector<OutgoingCell> client_cells(std::size_t count) {
    const Bytes payload(kMaxRelayPayloadBytes, 0x42);
    std::vector<OutgoingCell> cells;
    for (std::size_t i = 0; i < count; ++i) {
      if (!client().send_relay_message(at(0), circuit, payload)) std::abort();
      cells.push_back(*client().poll_cell());
    }
    return cells;
  }
};

void set_cell_rate(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kLinkCellBytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// A middle hop relaying data cells towards the exit through OnionRelay::on_cell: parse,
// circuit lookup, per-hop AEAD check and decryption, pad, new cell, queue, poll.
void BM_DataForwardPerHop(benchmark::State& state) {
  constexpr std::size_t kBatch = 1024;
  Circuit3 net;
  std::vector<OutgoingCell> cells;
  std::size_t next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      cells = net.client_cells(kBatch);
      next = 0;
      state.ResumeTiming();
    }
    if (!net.hop(0).on_cell(at(0), net.client_id, cells[next++].cell)) std::abort();
    benchmark::DoNotOptimize(net.hop(0).poll_cell());
  }
  set_cell_rate(state);
}
BENCHMARK(BM_DataForwardPerHop);

// A middle hop relaying data cells towards the client: one ChaCha20 layer, new cell, queue, poll.
void BM_DataBackwardPerHop(benchmark::State& state) {
  Circuit3 net;
  const Circuit* at_hop = nullptr;
  for (CircuitHandle h{1}; handle_value(h) < 16 && at_hop == nullptr; h = CircuitHandle{handle_value(h) + 1})
    at_hop = net.hop(0).circuit(h);
  if (at_hop == nullptr) std::abort();
  Bytes cell = make_fixed_cell(at_hop->next_id, CellCommand::data_backward);
  const NodeId next = at_hop->next;
  for (auto _ : state) {
    if (!net.hop(0).on_cell(at(0), next, cell)) std::abort();
    benchmark::DoNotOptimize(net.hop(0).poll_cell());
  }
  set_cell_rate(state);
}
BENCHMARK(BM_DataBackwardPerHop);

// The last hop opening a client's cell and delivering the relay message as an event.
void BM_DataAtLastHop(benchmark::State& state) {
  constexpr std::size_t kBatch = 1024;
  Circuit3 net;
  std::vector<Bytes> cells;
  std::size_t next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      cells.clear();
      for (OutgoingCell& cell : net.client_cells(kBatch)) {
        // Hops 0 and 1 relay it; the last hop's input is what we time.
        if (!net.hop(0).on_cell(at(0), net.client_id, cell.cell)) std::abort();
        auto at_1 = net.hop(0).poll_cell();
        if (!net.hop(1).on_cell(at(0), net.relays[0].id, at_1->cell)) std::abort();
        cells.push_back(std::move(net.hop(1).poll_cell()->cell));
      }
      next = 0;
      state.ResumeTiming();
    }
    if (!net.hop(2).on_cell(at(0), net.relays[1].id, cells[next++])) std::abort();
    benchmark::DoNotOptimize(net.hop(2).poll_event());
  }
  set_cell_rate(state);
}
BENCHMARK(BM_DataAtLastHop);

// The client sealing one relay message for a 3-hop circuit (three AEAD layers and pads).
void BM_ClientSealForward3Hops(benchmark::State& state) {
  Circuit3 net;
  const Bytes payload(kMaxRelayPayloadBytes, 0x42);
  for (auto _ : state) {
    if (!net.client().send_relay_message(at(0), net.circuit, payload)) std::abort();
    benchmark::DoNotOptimize(net.client().poll_cell());
  }
  set_cell_rate(state);
}
BENCHMARK(BM_ClientSealForward3Hops);

}  // namespace
}  // namespace zmesh::onion

BENCHMARK_MAIN();
