#include "crypto/x25519.hpp"

#include <sodium.h>

#include "crypto/misuse.hpp"

namespace zmesh::crypto {

static_assert(kX25519PublicBytes == crypto_scalarmult_BYTES);
static_assert(kX25519SecretBytes == crypto_scalarmult_SCALARBYTES);

X25519KeyPair x25519_generate(RandomSource& random) {
  SecretBytes secret(kX25519SecretBytes);
  random.fill(secret.mutable_view());
  X25519KeyPair pair{{}, std::move(secret)};
  // RFC 7748 §5: the scalar is clamped inside crypto_scalarmult*, so any 32 bytes are a key.
  crypto_scalarmult_base(pair.public_key.bytes.data(), pair.secret_key.data());
  return pair;
}

X25519KeyPair x25519_from_secret(ByteView secret32) {
  if (secret32.size() != kX25519SecretBytes) detail::misuse("x25519_from_secret: secret must be 32 bytes");
  X25519KeyPair pair{{}, SecretBytes::copy_of(secret32)};
  crypto_scalarmult_base(pair.public_key.bytes.data(), pair.secret_key.data());
  return pair;
}

Result<SecretBytes> x25519_shared(const SecretBytes& secret_key, const X25519PublicKey& peer) {
  if (secret_key.size() != kX25519SecretBytes) return make_error(Errc::invalid_argument, "x25519 secret key must be 32 bytes");
  SecretBytes shared(kX25519SharedBytes);
  // libsodium returns -1 when the result is all zero, i.e. the peer sent a point of small
  // order (RFC 7748 §6.1 recommends this check): such a "shared" secret is known to everyone.
  if (crypto_scalarmult(shared.data(), secret_key.data(), peer.bytes.data()) != 0)
    return make_error(Errc::crypto_failure, "x25519: peer public key has small order (all-zero shared secret)");
  return shared;
}

}  // namespace zmesh::crypto
