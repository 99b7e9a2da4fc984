#include "crypto/simulated_crypto.hpp"

#include <sodium.h>

#include <atomic>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "crypto/pqclean_backend.hpp"
#include "randombytes.h"

namespace zmesh::crypto {
namespace detail {
namespace {

std::atomic<int> g_active_scopes{0};

// Key layout of the stand-ins. A public key is all zeros (so every packed ML-KEM coefficient
// is 0 < q) except its last 32 bytes, the key's tag; the secret key starts with that tag.
constexpr std::size_t kTagBytes = 32;

void hash_into(std::uint8_t* out, std::size_t out_bytes, std::initializer_list<std::pair<const std::uint8_t*, std::size_t>> parts,
               const char* domain) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, out_bytes);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain), std::strlen(domain));
  for (const auto& [data, size] : parts) crypto_generichash_update(&state, data, size);
  crypto_generichash_final(&state, out, out_bytes);
}

void make_keypair(std::uint8_t* pk, std::size_t pk_bytes, std::uint8_t* sk, std::size_t sk_bytes, std::size_t seed_bytes,
                  const char* domain) {
  std::uint8_t seed[64];
  randombytes(seed, seed_bytes);  // the same coins the real key generation draws
  std::memset(pk, 0, pk_bytes);
  std::memset(sk, 0, sk_bytes);
  hash_into(pk + pk_bytes - kTagBytes, kTagBytes, {{seed, seed_bytes}}, domain);
  std::memcpy(sk, pk + pk_bytes - kTagBytes, kTagBytes);
}

int kem_keypair(std::uint8_t* pk, std::uint8_t* sk) {
  make_keypair(pk, kMlKem768PublicBytes, sk, kMlKem768SecretBytes, 64, "zmesh-simulated-mlkem-key");
  return 0;
}

// Ciphertext: m || zeros. Shared secret: H(tag || ciphertext), so any change to the
// ciphertext gives an unrelated secret, as ML-KEM's implicit rejection does.
void kem_secret(std::uint8_t* ss, const std::uint8_t* tag, const std::uint8_t* ct) {
  hash_into(ss, kMlKem768SharedBytes, {{tag, kTagBytes}, {ct, kMlKem768CiphertextBytes}}, "zmesh-simulated-mlkem-ss");
}

int kem_enc(std::uint8_t* ct, std::uint8_t* ss, const std::uint8_t* pk) {
  std::memset(ct, 0, kMlKem768CiphertextBytes);
  randombytes(ct, 32);  // m
  kem_secret(ss, pk + kMlKem768PublicBytes - kTagBytes, ct);
  return 0;
}

int kem_dec(std::uint8_t* ss, const std::uint8_t* ct, const std::uint8_t* sk) {
  kem_secret(ss, sk, ct);
  return 0;
}

int sign_keypair(std::uint8_t* pk, std::uint8_t* sk) {
  make_keypair(pk, kMlDsa65PublicBytes, sk, kMlDsa65SecretBytes, 32, "zmesh-simulated-mldsa-key");
  return 0;
}

// Signature: H(tag || len(ctx) || ctx || message) || zeros.
void signature_tag(std::uint8_t* out, const std::uint8_t* tag, const std::uint8_t* m, std::size_t mlen,
                   const std::uint8_t* ctx, std::size_t ctxlen) {
  const auto ctx_len = static_cast<std::uint8_t>(ctxlen);
  hash_into(out, kTagBytes, {{tag, kTagBytes}, {&ctx_len, 1}, {ctx, ctxlen}, {m, mlen}}, "zmesh-simulated-mldsa-sig");
}

int sign_signature_ctx(std::uint8_t* sig, std::size_t* siglen, const std::uint8_t* m, std::size_t mlen,
                       const std::uint8_t* ctx, std::size_t ctxlen, const std::uint8_t* sk) {
  std::uint8_t rnd[32];
  randombytes(rnd, sizeof rnd);  // hedged signing draws rnd (FIPS 204 Alg. 2); unused here
  std::memset(sig, 0, kMlDsa65SignatureBytes);
  signature_tag(sig, sk, m, mlen, ctx, ctxlen);
  *siglen = kMlDsa65SignatureBytes;
  return 0;
}

int sign_verify_ctx(const std::uint8_t* sig, std::size_t siglen, const std::uint8_t* m, std::size_t mlen,
                    const std::uint8_t* ctx, std::size_t ctxlen, const std::uint8_t* pk) {
  if (siglen != kMlDsa65SignatureBytes) return -1;
  std::uint8_t expected[kTagBytes];
  signature_tag(expected, pk + kMlDsa65PublicBytes - kTagBytes, m, mlen, ctx, ctxlen);
  std::uint8_t rest = 0;
  for (std::size_t i = kTagBytes; i < kMlDsa65SignatureBytes; ++i) rest |= sig[i];
  return (sodium_memcmp(sig, expected, kTagBytes) == 0 && rest == 0) ? 0 : -1;
}

constexpr PqCleanBackend kSimulated{
    "simulated-for-simulator-only", kem_keypair, kem_enc, kem_dec, sign_keypair, sign_signature_ctx, sign_verify_ctx,
};

}  // namespace

const PqCleanBackend* pqclean_simulated_if_active() {
  return g_active_scopes.load(std::memory_order_relaxed) > 0 ? &kSimulated : nullptr;
}

}  // namespace detail

SimulatedCryptoForSimulatorOnly::SimulatedCryptoForSimulatorOnly() { detail::g_active_scopes.fetch_add(1); }

SimulatedCryptoForSimulatorOnly::~SimulatedCryptoForSimulatorOnly() { detail::g_active_scopes.fetch_sub(1); }

bool SimulatedCryptoForSimulatorOnly::active() { return detail::g_active_scopes.load() > 0; }

}  // namespace zmesh::crypto
