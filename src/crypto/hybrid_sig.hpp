// Hybrid signature: Ed25519 and ML-DSA-65 over the same message; a signature is valid only
// if both verify. Both sign a domain-separated message (context || message) so that a
// signature for one purpose is never valid for another. See docs/crypto.md.
#pragma once

#include <string_view>

#include "crypto/ed25519.hpp"
#include "crypto/mldsa65.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kHybridSigPublicBytes = kEd25519PublicBytes + kMlDsa65PublicBytes;          // 1984
inline constexpr std::size_t kHybridSignatureBytes = kEd25519SignatureBytes + kMlDsa65SignatureBytes;   // 3373
inline constexpr std::size_t kHybridSigMaxContextBytes = 255;

// Wire form: ed25519_public (32) || mldsa65_public (1952).
struct HybridSigPublicKey {
  Ed25519PublicKey ed25519;
  MlDsa65PublicKey mldsa;
  Bytes encode() const;
  // Wrong length or an invalid/small-order Ed25519 point -> malformed.
  static Result<HybridSigPublicKey> decode(ByteView bytes);
  bool operator==(const HybridSigPublicKey&) const = default;
};

struct HybridSigKeyPair {
  HybridSigPublicKey public_key;
  SecretBytes ed25519_secret;
  SecretBytes mldsa_secret;
};

// Draws a 32-byte Ed25519 seed, then the 32-byte ML-DSA-65 seed.
HybridSigKeyPair hybrid_sig_generate(RandomSource& random);
// `context` names the purpose (e.g. "zmesh/descriptor/v1"), at most 255 bytes (longer aborts).
// Ed25519 signs "zmesh-sig" || u8(len(context)) || context || message; ML-DSA-65 signs
// message with `context` as its FIPS 204 ctx (and draws its 32-byte rnd from `random`).
// Signature wire form: ed25519_signature (64) || mldsa65_signature (3309).
Bytes hybrid_sign(const HybridSigKeyPair& key, std::string_view context, ByteView message, RandomSource& random);
// Valid only if BOTH signatures verify. Wrong signature length -> malformed, context over
// 255 bytes -> invalid_argument, a bad signature -> verify_failed.
Status hybrid_verify(const HybridSigPublicKey& key, std::string_view context, ByteView message, ByteView signature);

}  // namespace zmesh::crypto
