// Cost of every primitive the link and onion layers use per handshake, per circuit hop and
// per cell. Run: zmesh_crypto_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Results and the machine they were measured on: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "crypto/hybrid_kem.hpp"
#include "crypto/hybrid_sig.hpp"
#include "crypto/pq_randombytes.hpp"
#include "crypto/pqclean_backend.hpp"

namespace zmesh::crypto {
namespace {

constexpr std::size_t kCellBytes = 1024;

SecretBytes bench_key() {
  SecretBytes key(kAeadKeyBytes);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i);
  return key;
}

void BM_X25519_Keygen(benchmark::State& state) {
  SeededRandom random(1);
  for (auto _ : state) benchmark::DoNotOptimize(x25519_generate(random));
}
BENCHMARK(BM_X25519_Keygen);

void BM_X25519_Shared(benchmark::State& state) {
  SeededRandom random(2);
  const auto a = x25519_generate(random);
  const auto b = x25519_generate(random);
  for (auto _ : state) benchmark::DoNotOptimize(x25519_shared(a.secret_key, b.public_key));
}
BENCHMARK(BM_X25519_Shared);

void BM_MlKem768_Keygen(benchmark::State& state) {
  SeededRandom random(3);
  for (auto _ : state) benchmark::DoNotOptimize(mlkem768_generate(random));
}
BENCHMARK(BM_MlKem768_Keygen);

void BM_MlKem768_Encaps(benchmark::State& state) {
  SeededRandom random(4);
  const auto pair = mlkem768_generate(random);
  for (auto _ : state) benchmark::DoNotOptimize(mlkem768_encapsulate(pair.public_key, random));
}
BENCHMARK(BM_MlKem768_Encaps);

void BM_MlKem768_Decaps(benchmark::State& state) {
  SeededRandom random(5);
  const auto pair = mlkem768_generate(random);
  const auto enc = mlkem768_encapsulate(pair.public_key, random);
  for (auto _ : state) benchmark::DoNotOptimize(mlkem768_decapsulate(pair.secret_key, enc.ciphertext));
}
BENCHMARK(BM_MlKem768_Decaps);

void BM_HybridKem_Keygen(benchmark::State& state) {
  SeededRandom random(6);
  for (auto _ : state) benchmark::DoNotOptimize(hybrid_kem_generate(random));
}
BENCHMARK(BM_HybridKem_Keygen);

void BM_HybridKem_Encaps(benchmark::State& state) {
  SeededRandom random(7);
  const auto pair = hybrid_kem_generate(random);
  for (auto _ : state) benchmark::DoNotOptimize(hybrid_kem_encapsulate(pair.public_key, random));
}
BENCHMARK(BM_HybridKem_Encaps);

void BM_HybridKem_Decaps(benchmark::State& state) {
  SeededRandom random(8);
  const auto pair = hybrid_kem_generate(random);
  const auto enc = hybrid_kem_encapsulate(pair.public_key, random);
  for (auto _ : state) benchmark::DoNotOptimize(hybrid_kem_decapsulate(pair, enc.ciphertext));
}
BENCHMARK(BM_HybridKem_Decaps);

void BM_Ed25519_Sign(benchmark::State& state) {
  SeededRandom random(9);
  const auto pair = ed25519_generate(random);
  const Bytes message(256, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(ed25519_sign(pair.secret_key, message));
}
BENCHMARK(BM_Ed25519_Sign);

void BM_Ed25519_Verify(benchmark::State& state) {
  SeededRandom random(10);
  const auto pair = ed25519_generate(random);
  const Bytes message(256, 0x5a);
  const auto signature = ed25519_sign(pair.secret_key, message);
  for (auto _ : state) benchmark::DoNotOptimize(ed25519_verify(pair.public_key, message, signature));
}
BENCHMARK(BM_Ed25519_Verify);

void BM_MlDsa65_Sign(benchmark::State& state) {
  SeededRandom random(11);
  const auto pair = mldsa65_generate(random);
  const Bytes message(256, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(mldsa65_sign(pair.secret_key, message, as_bytes("bench"), random));
}
BENCHMARK(BM_MlDsa65_Sign);

void BM_MlDsa65_Verify(benchmark::State& state) {
  SeededRandom random(12);
  const auto pair = mldsa65_generate(random);
  const Bytes message(256, 0x5a);
  const Bytes signature = mldsa65_sign(pair.secret_key, message, as_bytes("bench"), random);
  for (auto _ : state) benchmark::DoNotOptimize(mldsa65_verify(pair.public_key, message, as_bytes("bench"), signature));
}
BENCHMARK(BM_MlDsa65_Verify);

void BM_HybridSig_Sign(benchmark::State& state) {
  SeededRandom random(13);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message(256, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(hybrid_sign(pair, "zmesh/bench/v1", message, random));
}
BENCHMARK(BM_HybridSig_Sign);

void BM_HybridSig_Verify(benchmark::State& state) {
  SeededRandom random(14);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message(256, 0x5a);
  const Bytes signature = hybrid_sign(pair, "zmesh/bench/v1", message, random);
  for (auto _ : state) benchmark::DoNotOptimize(hybrid_verify(pair.public_key, "zmesh/bench/v1", message, signature));
}
BENCHMARK(BM_HybridSig_Verify);

// One cell sealed and opened (the per-cell cost on the link layer).
void BM_ChaCha20Poly1305_SealOpen1KiB(benchmark::State& state) {
  const SecretBytes key = bench_key();
  const Bytes ad(8, 0);
  Bytes plaintext(kCellBytes, 0x42);
  Bytes sealed(kCellBytes + kAeadTagBytes);
  Bytes opened(kCellBytes);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    const auto nonce = counter_nonce(counter++);
    chacha20poly1305_seal(key, nonce, ad, plaintext, sealed);
    if (!chacha20poly1305_open(key, nonce, ad, sealed, opened).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(opened.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCellBytes));
}
BENCHMARK(BM_ChaCha20Poly1305_SealOpen1KiB);

// One onion layer on one cell.
void BM_ChaCha20Xor1KiB(benchmark::State& state) {
  const SecretBytes key = bench_key();
  const auto nonce = counter_nonce(1);
  Bytes cell(kCellBytes, 0x42);
  for (auto _ : state) {
    chacha20_xor(key, nonce, 0, cell, cell);
    benchmark::DoNotOptimize(cell.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCellBytes));
}
BENCHMARK(BM_ChaCha20Xor1KiB);

void BM_Blake2b256_1KiB(benchmark::State& state) {
  const Bytes data(kCellBytes, 0x42);
  for (auto _ : state) benchmark::DoNotOptimize(blake2b_256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCellBytes));
}
BENCHMARK(BM_Blake2b256_1KiB);

// The two compilations of PQClean `clean` side by side (src/crypto/pqclean_backend.hpp): arg 0
// is the portable build, arg 1 the AVX2/BMI2 one (skipped where this CPU cannot run it).
const detail::PqCleanBackend* backend_for(benchmark::State& state) {
  const detail::PqCleanBackend* backend =
      state.range(0) == 0 ? &detail::pqclean_portable() : detail::pqclean_x86_avx2();
  if (backend == nullptr) state.SkipWithError("AVX2/BMI2 build not available on this CPU");
  else state.SetLabel(backend->name);
  return backend;
}

// A key pair and one signature over a 256-byte message (no context) from `backend`.
struct MlDsaSigned {
  Bytes pk = Bytes(kMlDsa65PublicBytes), sk = Bytes(kMlDsa65SecretBytes), sig = Bytes(kMlDsa65SignatureBytes);
  const Bytes message = Bytes(256, 0x5a);
  std::size_t sig_bytes = 0;

  explicit MlDsaSigned(const detail::PqCleanBackend& backend) {
    backend.sign_keypair(pk.data(), sk.data());
    sign(backend);
  }
  int sign(const detail::PqCleanBackend& backend) {
    return backend.sign_signature_ctx(sig.data(), &sig_bytes, message.data(), message.size(), nullptr, 0, sk.data());
  }
};

void BM_PqClean_MlDsa65_Sign(benchmark::State& state) {
  const detail::PqCleanBackend* backend = backend_for(state);
  if (backend == nullptr) return;
  SeededRandom random(11);
  detail::PqRandomScope scope(random);
  MlDsaSigned signed_message(*backend);
  for (auto _ : state) benchmark::DoNotOptimize(signed_message.sign(*backend));
}
BENCHMARK(BM_PqClean_MlDsa65_Sign)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_PqClean_MlDsa65_Verify(benchmark::State& state) {
  const detail::PqCleanBackend* backend = backend_for(state);
  if (backend == nullptr) return;
  SeededRandom random(12);
  detail::PqRandomScope scope(random);
  const MlDsaSigned s(*backend);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        backend->sign_verify_ctx(s.sig.data(), s.sig_bytes, s.message.data(), s.message.size(), nullptr, 0, s.pk.data()));
}
BENCHMARK(BM_PqClean_MlDsa65_Verify)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_PqClean_MlKem768_Decaps(benchmark::State& state) {
  const detail::PqCleanBackend* backend = backend_for(state);
  if (backend == nullptr) return;
  SeededRandom random(13);
  detail::PqRandomScope scope(random);
  Bytes pk(kMlKem768PublicBytes), sk(kMlKem768SecretBytes), ct(kMlKem768CiphertextBytes), ss(kMlKem768SharedBytes);
  backend->kem_keypair(pk.data(), sk.data());
  backend->kem_enc(ct.data(), ss.data(), pk.data());
  for (auto _ : state) benchmark::DoNotOptimize(backend->kem_dec(ss.data(), ct.data(), sk.data()));
}
BENCHMARK(BM_PqClean_MlKem768_Decaps)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zmesh::crypto

int main(int argc, char** argv) {
  zmesh::crypto::init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
