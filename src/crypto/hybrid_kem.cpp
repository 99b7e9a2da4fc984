// X-Wing (draft-connolly-cfrg-xwing-kem, "X-Wing Construction"): ML-KEM-768 and X25519
// combined with SHA3-256. Key generation, encapsulation coins and encodings follow the
// draft so that our bytes match its test vectors and other X-Wing implementations.
#include "crypto/hybrid_kem.hpp"

#include <sodium.h>

#include <cstring>

#include "crypto/misuse.hpp"
#include "crypto/pq_randombytes.hpp"

extern "C" {
#include "fips202.h"
}

namespace zmesh::crypto {
namespace {

constexpr std::size_t kSeedBytes = 32;
constexpr std::size_t kExpandedSeedBytes = 96;  // d (32) || z (32) || sk_X (32)
constexpr std::size_t kEncapsSeedBytes = 64;    // m (32) || ek_X (32)
// XWingLabel, the 6 ASCII bytes \.//^\ (draft, "Combiner").
constexpr std::uint8_t kXWingLabel[6] = {0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c};

// Draft "Combiner": SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel). The ML-KEM
// ciphertext is not hashed: ML-KEM is ciphertext-binding (draft, "Security Considerations").
SecretBytes combine(ByteView ss_m, ByteView ss_x, ByteView ct_x, ByteView pk_x) {
  SecretBytes input(32 + 32 + 32 + 32 + sizeof kXWingLabel);
  std::uint8_t* p = input.data();
  std::memcpy(p, ss_m.data(), 32);
  std::memcpy(p + 32, ss_x.data(), 32);
  std::memcpy(p + 64, ct_x.data(), 32);
  std::memcpy(p + 96, pk_x.data(), 32);
  std::memcpy(p + 128, kXWingLabel, sizeof kXWingLabel);
  SecretBytes shared(kHybridKemSharedBytes);
  ::sha3_256(shared.data(), input.data(), input.size());
  return shared;
}

// X25519 without the all-zero check: X-Wing specifies none, its security
// rests on ML-KEM-768 if the X25519 part is degenerate, and the combiner binds ct_X and pk_X.
void x25519_raw(std::uint8_t out[32], const std::uint8_t scalar[32], const std::uint8_t point[32]) {
  const int all_zero = crypto_scalarmult(out, scalar, point);  // -1 only flags an all-zero output
  static_cast<void>(all_zero);
}

}  // namespace

Bytes HybridKemPublicKey::encode() const {
  Bytes out;
  out.reserve(kHybridKemPublicBytes);
  append(out, mlkem.bytes);
  append(out, x25519.bytes);
  return out;
}

Result<HybridKemPublicKey> HybridKemPublicKey::decode(ByteView bytes) {
  if (bytes.size() != kHybridKemPublicBytes) return make_error(Errc::malformed, "hybrid KEM public key must be 1216 bytes");
  HybridKemPublicKey key;
  std::memcpy(key.mlkem.bytes.data(), bytes.data(), kMlKem768PublicBytes);
  std::memcpy(key.x25519.bytes.data(), bytes.data() + kMlKem768PublicBytes, kX25519PublicBytes);
  ZM_CHECK(mlkem768_check_public_key(key.mlkem));
  return key;
}

HybridKemKeyPair hybrid_kem_generate(RandomSource& random) {
  SecretBytes seed(kSeedBytes);
  random.fill(seed.mutable_view());
  return hybrid_kem_from_seed(seed.view());
}

// Draft expandDecapsulationKey / GenerateKeyPairDerand.
HybridKemKeyPair hybrid_kem_from_seed(ByteView seed32) {
  if (seed32.size() != kSeedBytes) detail::misuse("hybrid_kem_from_seed: seed must be 32 bytes");
  SecretBytes expanded(kExpandedSeedBytes);
  ::shake256(expanded.data(), expanded.size(), seed32.data(), seed32.size());

  detail::ExactBytesSource coins(expanded.view().first(64));  // ML-KEM-768.KeyGen_internal(d, z)
  MlKem768KeyPair mlkem = mlkem768_generate(coins);
  if (!coins.exhausted()) detail::misuse("hybrid_kem_from_seed: ML-KEM did not use d || z");
  X25519KeyPair x25519 = x25519_from_secret(expanded.view().subspan(64, 32));
  return HybridKemKeyPair{{mlkem.public_key, x25519.public_key}, std::move(mlkem.secret_key), std::move(x25519.secret_key)};
}

// Draft Encapsulate / EncapsulateDerand: eseed = m (ML-KEM) || ek_X (X25519).
KemEncapsulation hybrid_kem_encapsulate(const HybridKemPublicKey& key, RandomSource& random) {
  SecretBytes eseed(kEncapsSeedBytes);
  random.fill(eseed.mutable_view());

  detail::ExactBytesSource m(eseed.view().first(32));
  KemEncapsulation mlkem = mlkem768_encapsulate(key.mlkem, m);
  if (!m.exhausted()) detail::misuse("hybrid_kem_encapsulate: ML-KEM did not use m");

  const std::uint8_t* ek_x = eseed.data() + 32;
  ByteArray<kX25519PublicBytes> ct_x{};
  crypto_scalarmult_base(ct_x.data(), ek_x);
  SecretBytes ss_x(kX25519SharedBytes);
  x25519_raw(ss_x.data(), ek_x, key.x25519.bytes.data());

  KemEncapsulation out{std::move(mlkem.ciphertext), combine(mlkem.shared_secret.view(), ss_x.view(), ct_x, key.x25519.bytes)};
  append(out.ciphertext, ct_x);  // ct = ct_M (1088) || ct_X (32)
  return out;
}

// Draft Decapsulate.
Result<SecretBytes> hybrid_kem_decapsulate(const HybridKemKeyPair& key, ByteView ciphertext) {
  if (ciphertext.size() != kHybridKemCiphertextBytes)
    return make_error(Errc::invalid_argument, "hybrid KEM ciphertext must be 1120 bytes");
  if (key.x25519_secret.size() != kX25519SecretBytes)
    return make_error(Errc::invalid_argument, "hybrid KEM x25519 secret must be 32 bytes");
  const ByteView ct_m = ciphertext.first(kMlKem768CiphertextBytes);
  const ByteView ct_x = ciphertext.subspan(kMlKem768CiphertextBytes, kX25519PublicBytes);
  ZM_TRY(SecretBytes ss_m, mlkem768_decapsulate(key.mlkem_secret, ct_m));
  SecretBytes ss_x(kX25519SharedBytes);
  x25519_raw(ss_x.data(), key.x25519_secret.data(), ct_x.data());
  return combine(ss_m.view(), ss_x.view(), ct_x, key.public_key.x25519.bytes);
}

}  // namespace zmesh::crypto
