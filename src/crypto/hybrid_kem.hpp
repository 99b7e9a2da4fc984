// Hybrid KEM: X25519 + ML-KEM-768 combined as X-Wing (draft-connolly-cfrg-xwing-kem):
//   ss = SHA3-256(ss_mlkem || ss_x25519 || ct_x25519 || pk_x25519 || XWingLabel)
// An attacker must break both X25519 and ML-KEM-768 to learn ss. See docs/crypto.md.
#pragma once

#include "crypto/mlkem768.hpp"
#include "crypto/x25519.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kHybridKemPublicBytes = kMlKem768PublicBytes + kX25519PublicBytes;          // 1216
inline constexpr std::size_t kHybridKemCiphertextBytes = kMlKem768CiphertextBytes + kX25519PublicBytes;  // 1120
inline constexpr std::size_t kHybridKemSharedBytes = 32;
inline constexpr std::size_t kHybridKemSeedBytes = 32;  // X-Wing decapsulation-key seed

// Wire form: mlkem_public (1184) || x25519_public (32).
struct HybridKemPublicKey {
  MlKem768PublicKey mlkem;
  X25519PublicKey x25519;
  Bytes encode() const;
  // Wrong length -> malformed; also applies the FIPS 203 §7.2 modulus check to the ML-KEM part.
  static Result<HybridKemPublicKey> decode(ByteView bytes);
  bool operator==(const HybridKemPublicKey&) const = default;
};

struct HybridKemKeyPair {
  HybridKemPublicKey public_key;
  SecretBytes mlkem_secret;
  SecretBytes x25519_secret;
};

// Draws a 32-byte seed and expands it as X-Wing does (SHAKE256(seed, 96) = d || z || sk_X).
HybridKemKeyPair hybrid_kem_generate(RandomSource& random);
HybridKemKeyPair hybrid_kem_from_seed(ByteView seed32);  // aborts unless 32 bytes
// Ciphertext wire form: mlkem_ciphertext (1088) || x25519_ephemeral_public (32).
// Draws 64 bytes: ML-KEM message m (32) || X25519 ephemeral secret (32), as X-Wing's eseed.
KemEncapsulation hybrid_kem_encapsulate(const HybridKemPublicKey& key, RandomSource& random);
// Wrong ciphertext length -> invalid_argument. A tampered ciphertext of the right length
// yields an unrelated secret (implicit rejection), so the failure shows up at the next MAC.
Result<SecretBytes> hybrid_kem_decapsulate(const HybridKemKeyPair& key, ByteView ciphertext);

}  // namespace zmesh::crypto
