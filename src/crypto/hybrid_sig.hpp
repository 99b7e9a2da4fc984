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

// Wire form: ed25519_public (32) || mldsa65_public (1952).
struct HybridSigPublicKey {
  Ed25519PublicKey ed25519;
  MlDsa65PublicKey mldsa;
  Bytes encode() const;
  static Result<HybridSigPublicKey> decode(ByteView bytes);
  bool operator==(const HybridSigPublicKey&) const = default;
};

struct HybridSigKeyPair {
  HybridSigPublicKey public_key;
  SecretBytes ed25519_secret;
  SecretBytes mldsa_secret;
};

HybridSigKeyPair hybrid_sig_generate(RandomSource& random);
// `context` names the purpose (e.g. "zmesh/descriptor/v1"), at most 255 bytes.
// Signature wire form: ed25519_signature (64) || mldsa65_signature (3309).
Bytes hybrid_sign(const HybridSigKeyPair& key, std::string_view context, ByteView message, RandomSource& random);
Status hybrid_verify(const HybridSigPublicKey& key, std::string_view context, ByteView message, ByteView signature);

}  // namespace zmesh::crypto
