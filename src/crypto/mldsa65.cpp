#include "crypto/mldsa65.hpp"

#include "crypto/misuse.hpp"
#include "crypto/pqclean_backend.hpp"
#include "crypto/pq_randombytes.hpp"

extern "C" {
#include "ml-dsa-65/clean/api.h"
}

namespace zmesh::crypto {

static_assert(kMlDsa65PublicBytes == PQCLEAN_MLDSA65_CLEAN_CRYPTO_PUBLICKEYBYTES);
static_assert(kMlDsa65SecretBytes == PQCLEAN_MLDSA65_CLEAN_CRYPTO_SECRETKEYBYTES);
static_assert(kMlDsa65SignatureBytes == PQCLEAN_MLDSA65_CLEAN_CRYPTO_BYTES);

MlDsa65KeyPair mldsa65_generate(RandomSource& random) {
  MlDsa65KeyPair pair{{}, SecretBytes(kMlDsa65SecretBytes)};
  detail::PqRandomScope scope(random);  // PQClean draws the 32-byte seed xi (FIPS 204 Alg. 1)
  detail::pqclean().sign_keypair(pair.public_key.bytes.data(), pair.secret_key.data());
  return pair;
}

Bytes mldsa65_sign(const SecretBytes& secret_key, ByteView message, ByteView context, RandomSource& random) {
  if (secret_key.size() != kMlDsa65SecretBytes) detail::misuse("mldsa65_sign: secret key must be 4032 bytes");
  if (context.size() > kMlDsa65MaxContextBytes) detail::misuse("mldsa65_sign: context longer than 255 bytes");
  Bytes signature(kMlDsa65SignatureBytes);
  std::size_t signature_bytes = 0;
  // FIPS 204 Alg. 2 (pure ML-DSA, hedged): PQClean draws the 32-byte rnd.
  detail::PqRandomScope scope(random);
  if (detail::pqclean().sign_signature_ctx(signature.data(), &signature_bytes, message.data(), message.size(),
                                          context.data(), context.size(), secret_key.data()) != 0 ||
      signature_bytes != kMlDsa65SignatureBytes)
    detail::misuse("mldsa65_sign: PQClean refused to sign");
  return signature;
}

Status mldsa65_verify(const MlDsa65PublicKey& key, ByteView message, ByteView context, ByteView signature) {
  if (signature.size() != kMlDsa65SignatureBytes) return make_error(Errc::malformed, "ml-dsa-65 signature must be 3309 bytes");
  if (context.size() > kMlDsa65MaxContextBytes) return make_error(Errc::invalid_argument, "ml-dsa-65 context longer than 255 bytes");
  if (detail::pqclean().sign_verify_ctx(signature.data(), signature.size(), message.data(), message.size(),
                                       context.data(), context.size(), key.bytes.data()) != 0)
    return make_error(Errc::verify_failed, "ml-dsa-65 signature does not verify");
  return {};
}

}  // namespace zmesh::crypto
