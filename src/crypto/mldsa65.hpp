// ML-DSA-65 (FIPS 204) from PQClean's `clean` implementation (hedged signing: the 32-byte
// `rnd` comes from the RandomSource passed in; pure ML-DSA with a context string).
#pragma once

#include "crypto/secure.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kMlDsa65PublicBytes = 1952;
inline constexpr std::size_t kMlDsa65SecretBytes = 4032;
inline constexpr std::size_t kMlDsa65SignatureBytes = 3309;
inline constexpr std::size_t kMlDsa65MaxContextBytes = 255;  // FIPS 204 §5.2

struct MlDsa65PublicKey {
  ByteArray<kMlDsa65PublicBytes> bytes{};
  bool operator==(const MlDsa65PublicKey&) const = default;
};

struct MlDsa65KeyPair {
  MlDsa65PublicKey public_key;
  SecretBytes secret_key;  // 4032 bytes
};

MlDsa65KeyPair mldsa65_generate(RandomSource& random);  // draws a 32-byte seed
// Draws the 32-byte `rnd`. `context` at most kMlDsa65MaxContextBytes (longer aborts).
Bytes mldsa65_sign(const SecretBytes& secret_key, ByteView message, ByteView context, RandomSource& random);
// Wrong signature length -> malformed, context > 255 bytes -> invalid_argument,
// bad signature -> verify_failed.
Status mldsa65_verify(const MlDsa65PublicKey& key, ByteView message, ByteView context, ByteView signature);

}  // namespace zmesh::crypto
