#include "crypto/ed25519.hpp"

#include <sodium.h>

#include "crypto/misuse.hpp"

namespace zmesh::crypto {

static_assert(kEd25519PublicBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kEd25519SignatureBytes == crypto_sign_BYTES);

Ed25519KeyPair ed25519_generate(RandomSource& random) {
  // Keys come from a 32-byte seed drawn from the injected source (RFC 8032 §5.1.5), so a
  // seeded simulator run reproduces the same identities.
  SecretBytes seed(crypto_sign_SEEDBYTES);
  random.fill(seed.mutable_view());
  return ed25519_from_seed(seed.view());
}

Ed25519KeyPair ed25519_from_seed(ByteView seed32) {
  if (seed32.size() != crypto_sign_SEEDBYTES) detail::misuse("ed25519_from_seed: seed must be 32 bytes");
  Ed25519KeyPair pair{{}, SecretBytes(crypto_sign_SECRETKEYBYTES)};
  crypto_sign_seed_keypair(pair.public_key.bytes.data(), pair.secret_key.data(), seed32.data());
  return pair;
}

ByteArray<kEd25519SignatureBytes> ed25519_sign(const SecretBytes& secret_key, ByteView message) {
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) detail::misuse("ed25519_sign: secret key must be 64 bytes");
  ByteArray<kEd25519SignatureBytes> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_key.data());
  return signature;
}

Status ed25519_verify(const Ed25519PublicKey& key, ByteView message, ByteView signature) {
  if (signature.size() != kEd25519SignatureBytes)
    return make_error(Errc::malformed, "ed25519 signature must be 64 bytes");
  // libsodium rejects non-canonical S, small-order R and small-order public keys.
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.bytes.data()) != 0)
    return make_error(Errc::verify_failed, "ed25519 signature does not verify");
  return {};
}

}  // namespace zmesh::crypto
