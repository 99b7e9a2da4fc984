// X25519 Diffie-Hellman (RFC 7748) over libsodium.
#pragma once

#include "crypto/secure.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kX25519PublicBytes = 32;
inline constexpr std::size_t kX25519SecretBytes = 32;
inline constexpr std::size_t kX25519SharedBytes = 32;

struct X25519PublicKey {
  ByteArray<kX25519PublicBytes> bytes{};
  bool operator==(const X25519PublicKey&) const = default;
};

struct X25519KeyPair {
  X25519PublicKey public_key;
  SecretBytes secret_key;  // 32 bytes
};

X25519KeyPair x25519_generate(RandomSource& random);
X25519KeyPair x25519_from_secret(ByteView secret32);  // aborts unless 32 bytes
// Fails (crypto_failure) when the result is all zero (peer sent a low-order point).
Result<SecretBytes> x25519_shared(const SecretBytes& secret_key, const X25519PublicKey& peer);

}  // namespace zmesh::crypto
