// Link layer costs: CPU time of each side of the handshake and cell throughput.
// Run: zmesh_link_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Results and how they were measured: docs/benchmarks.md "## Link layer".
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "crypto/secure.hpp"
#include "identity/identity.hpp"
#include "link/handshake.hpp"
#include "link/session.hpp"

namespace zmesh::link {
namespace {

// Recorded handshakes with different seeds: each side is then replayed against the other's
// recorded messages, so one iteration is exactly one side's work. Rotating through 32 seeds
// averages over ML-DSA's variable number of signing attempts.
constexpr std::size_t kScenarios = 32;

struct Recorded {
  std::uint64_t initiator_seed, responder_seed;
  Bytes message1, message2, message3;
};

struct Fixture {
  NodeIdentity initiator_id, responder_id;
  std::vector<Recorded> scenarios;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    crypto::init();
    SeededRandom random(1);
    Fixture out{NodeIdentity::generate(random), NodeIdentity::generate(random), {}};
    for (std::uint64_t s = 0; s < kScenarios; ++s) {
      Recorded r{100 + s, 1000 + s, {}, {}, {}};
      SeededRandom ri(r.initiator_seed), rr(r.responder_seed);
      Handshake initiator(HandshakeRole::initiator, out.initiator_id, ri, {}, 0);
      Handshake responder(HandshakeRole::responder, out.responder_id, rr, {}, 0);
      r.message1 = *initiator.poll_transmit();
      if (!responder.on_receive(0, r.message1).ok()) std::abort();
      r.message2 = *responder.poll_transmit();
      if (!initiator.on_receive(0, r.message2).ok()) std::abort();
      r.message3 = *initiator.poll_transmit();
      if (!responder.on_receive(0, r.message3).ok()) std::abort();
      out.scenarios.push_back(std::move(r));
    }
    return out;
  }();
  return f;
}

// Initiator: ephemeral X-Wing key generation, message 1, decapsulation, responder signature
// verification, own signature and message 3, key split.
void BM_Handshake_Initiator(benchmark::State& state) {
  const Fixture& f = fixture();
  std::size_t i = 0;
  for (auto _ : state) {
    const Recorded& r = f.scenarios[i++ % kScenarios];
    SeededRandom random(r.initiator_seed);
    Handshake initiator(HandshakeRole::initiator, f.initiator_id, random, {}, 0);
    benchmark::DoNotOptimize(initiator.poll_transmit());
    if (!initiator.on_receive(0, r.message2).ok()) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(initiator.poll_transmit());
    benchmark::DoNotOptimize(initiator.take_outcome());
  }
}
BENCHMARK(BM_Handshake_Initiator)->Unit(benchmark::kMicrosecond);

// Responder: encapsulation, own signature and message 2, initiator signature verification,
// key split.
void BM_Handshake_Responder(benchmark::State& state) {
  const Fixture& f = fixture();
  std::size_t i = 0;
  for (auto _ : state) {
    const Recorded& r = f.scenarios[i++ % kScenarios];
    SeededRandom random(r.responder_seed);
    Handshake responder(HandshakeRole::responder, f.responder_id, random, {}, 0);
    if (!responder.on_receive(0, r.message1).ok()) state.SkipWithError("message 1 refused");
    benchmark::DoNotOptimize(responder.poll_transmit());
    if (!responder.on_receive(0, r.message3).ok()) state.SkipWithError("message 3 refused");
    benchmark::DoNotOptimize(responder.take_outcome());
  }
}
BENCHMARK(BM_Handshake_Responder)->Unit(benchmark::kMicrosecond);

std::unique_ptr<LinkSession> session(std::uint8_t send_fill, std::uint8_t receive_fill) {
  const Fixture& f = fixture();
  HandshakeOutcome outcome;
  outcome.send_key = crypto::SecretBytes::copy_of(Bytes(32, send_fill));
  outcome.receive_key = crypto::SecretBytes::copy_of(Bytes(32, receive_fill));
  outcome.peer_id = f.responder_id.id;
  outcome.peer_signing_key = f.responder_id.signing.public_key;
  SessionConfig config;
  config.rekey_interval = kNever / 2;
  return std::make_unique<LinkSession>(std::move(outcome), config, 0);
}

// One full cell (1004-byte message -> one 1024-byte cell): fragment, pad, seal, dequeue.
void BM_Cell_Seal(benchmark::State& state) {
  auto sender = session(1, 2);
  const Bytes message(kCellPayloadBytes, 0x5a);
  for (auto _ : state) {
    if (!sender->send(0, 2, message).ok()) state.SkipWithError("send failed");
    benchmark::DoNotOptimize(sender->poll_transmit());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCellWireBytes));
}
BENCHMARK(BM_Cell_Seal);

// The same cell sealed by one session and opened, checked and delivered by its peer.
void BM_Cell_SealOpen(benchmark::State& state) {
  auto sender = session(1, 2);
  auto receiver = session(2, 1);
  const Bytes message(kCellPayloadBytes, 0x5a);
  for (auto _ : state) {
    if (!sender->send(0, 2, message).ok()) state.SkipWithError("send failed");
    if (!receiver->on_receive(0, *sender->poll_transmit()).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(receiver->poll_message());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCellWireBytes));
}
BENCHMARK(BM_Cell_SealOpen);

// A 64 KiB message: 66 cells out, reassembled on the other side.
void BM_Message64KiB_SealOpen(benchmark::State& state) {
  auto sender = session(1, 2);
  auto receiver = session(2, 1);
  const Bytes message(kMaxMessageBytes, 0x5a);
  for (auto _ : state) {
    if (!sender->send(0, 2, message).ok()) state.SkipWithError("send failed");
    while (auto out = sender->poll_transmit())
      if (!receiver->on_receive(0, *out).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(receiver->poll_message());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kMaxMessageBytes));
}
BENCHMARK(BM_Message64KiB_SealOpen);

}  // namespace
}  // namespace zmesh::link

BENCHMARK_MAIN();
