// Minimal timing loops for a few primitives, built both natively and for WebAssembly so the
// two can be compared on the same machine (Google Benchmark is not available for wasm).
// Not a test: run by hand, see docs/benchmarks.md ("WebAssembly vs native").
//   native: build/tests/portable/portable_bench
//   wasm:   node build-wasm/tests/portable/portable_bench.js
// Each primitive runs in batches until ~0.25 s has elapsed; the best of 3 rounds is kept,
// as process CPU time per operation and as wall-clock time per operation.
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// emscripten's clock() and CLOCK_PROCESS_CPUTIME_ID are wall-clock based; ask node.
EM_JS(double, zm_process_cpu_us, (), {
  if (typeof process === 'object' && process.cpuUsage) {
    const u = process.cpuUsage();
    return u.user + u.system;
  }
  return performance.now() * 1000;
});
#endif

#include "crypto/aead.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/hash.hpp"
#include "crypto/hybrid_kem.hpp"
#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "crypto/x25519.hpp"
#include "runtime/random.hpp"

namespace {

volatile std::uint8_t g_sink = 0;  // keeps results observable so loops are not elided

// Process CPU time in ns: the machine is shared, so wall-clock time overstates the cost by
// whatever share of the CPU other processes take. (Under node this includes V8's helper
// threads, e.g. the GC, which is part of the real cost of running in JS engines.)
double cpu_now_ns() {
#ifdef __EMSCRIPTEN__
  return zm_process_cpu_us() * 1e3;
#else
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
#endif
}

void measure(const char* name, const std::function<void()>& op) {
  using Clock = std::chrono::steady_clock;
  double best_cpu = 1e300;
  double best_wall = 1e300;
  for (int round = 0; round < 3; ++round) {
    std::uint64_t iterations = 0;
    const auto start = Clock::now();
    const double cpu_start = cpu_now_ns();
    double wall_ns = 0;
    std::uint64_t batch = 1;
    while (wall_ns < 0.25e9) {
      for (std::uint64_t i = 0; i < batch; ++i) op();
      iterations += batch;
      batch *= 2;
      wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    }
    const double n = static_cast<double>(iterations);
    if ((cpu_now_ns() - cpu_start) / n < best_cpu) best_cpu = (cpu_now_ns() - cpu_start) / n;
    if (wall_ns / n < best_wall) best_wall = wall_ns / n;
  }
  std::printf("%-28s %12.0f ns/op CPU %12.0f ns/op wall\n", name, best_cpu, best_wall);
}

}  // namespace

int main() {
  using namespace zmesh;
  crypto::init();
  SeededRandom random(1);

  Bytes kib(1024, 0x5a);
  measure("BLAKE2b-256 1 KiB", [&] { g_sink = g_sink ^ crypto::blake2b_256(kib)[0]; });

  const auto aead_key = crypto::SecretBytes::copy_of(random.array<32>());
  Bytes sealed(kib.size() + crypto::kAeadTagBytes);
  std::uint64_t counter = 0;
  measure("ChaCha20-Poly1305 seal 1 KiB", [&] {
    crypto::chacha20poly1305_seal(aead_key, crypto::counter_nonce(counter++), {}, kib, sealed);
    g_sink = g_sink ^ sealed[0];
  });

  // Natively every SecretBytes is a sodium_malloc region (mmap + guard pages + mprotect +
  // mlock, munmap on free); under wasm there are no pages to protect and it is a malloc.
  // This row explains why PQ operations that return secrets can be faster under node.
  measure("SecretBytes(32) alloc+free", [&] {
    crypto::SecretBytes secret(32);
    g_sink = g_sink ^ secret.data()[0];
  });

  measure("SeededRandom 1 KiB", [&] {
    random.fill(kib);
    g_sink = g_sink ^ kib[0];
  });

  const auto alice = crypto::x25519_generate(random);
  const auto bob = crypto::x25519_generate(random);
  measure("X25519 shared secret", [&] {
    auto shared = crypto::x25519_shared(alice.secret_key, bob.public_key);
    g_sink = g_sink ^ shared->data()[0];
  });

  const auto signer = crypto::ed25519_generate(random);
  const auto signature = crypto::ed25519_sign(signer.secret_key, kib);
  measure("Ed25519 sign 1 KiB", [&] { g_sink = g_sink ^ crypto::ed25519_sign(signer.secret_key, kib)[0]; });
  measure("Ed25519 verify 1 KiB", [&] {
    g_sink = g_sink ^ static_cast<std::uint8_t>(crypto::ed25519_verify(signer.public_key, kib, signature).ok());
  });

  const auto kem = crypto::mlkem768_generate(random);
  measure("ML-KEM-768 keygen", [&] { g_sink = g_sink ^ crypto::mlkem768_generate(random).public_key.bytes[0]; });
  measure("ML-KEM-768 encaps", [&] {
    g_sink = g_sink ^ crypto::mlkem768_encapsulate(kem.public_key, random).ciphertext[0];
  });
  const auto enc = crypto::mlkem768_encapsulate(kem.public_key, random);
  measure("ML-KEM-768 decaps", [&] {
    g_sink = g_sink ^ crypto::mlkem768_decapsulate(kem.secret_key, enc.ciphertext)->data()[0];
  });

  const auto dsa = crypto::mldsa65_generate(random);
  const Bytes dsa_sig = crypto::mldsa65_sign(dsa.secret_key, kib, {}, random);
  measure("ML-DSA-65 sign 1 KiB", [&] { g_sink = g_sink ^ crypto::mldsa65_sign(dsa.secret_key, kib, {}, random)[0]; });
  measure("ML-DSA-65 verify 1 KiB", [&] {
    g_sink = g_sink ^ static_cast<std::uint8_t>(crypto::mldsa65_verify(dsa.public_key, kib, {}, dsa_sig).ok());
  });

  const auto xwing = crypto::hybrid_kem_generate(random);
  measure("X-Wing encaps", [&] {
    g_sink = g_sink ^ crypto::hybrid_kem_encapsulate(xwing.public_key, random).ciphertext[0];
  });
  return 0;
}
