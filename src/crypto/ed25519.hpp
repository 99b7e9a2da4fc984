// Ed25519 signatures (RFC 8032) over libsodium.
#pragma once

#include "crypto/secure.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kEd25519PublicBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

struct Ed25519PublicKey {
  ByteArray<kEd25519PublicBytes> bytes{};
  bool operator==(const Ed25519PublicKey&) const = default;
};

struct Ed25519KeyPair {
  Ed25519PublicKey public_key;
  SecretBytes secret_key;  // libsodium's 64-byte form (seed || public key)
};

Ed25519KeyPair ed25519_generate(RandomSource& random);
Ed25519KeyPair ed25519_from_seed(ByteView seed32);  // aborts unless 32 bytes
ByteArray<kEd25519SignatureBytes> ed25519_sign(const SecretBytes& secret_key, ByteView message);
// Wrong signature length -> malformed, bad signature -> verify_failed.
Status ed25519_verify(const Ed25519PublicKey& key, ByteView message, ByteView signature);

}  // namespace zmesh::crypto
