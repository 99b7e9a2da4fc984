#include "crypto/mlkem768.hpp"

#include "crypto/misuse.hpp"
#include "crypto/pqclean_backend.hpp"
#include "crypto/pq_randombytes.hpp"

extern "C" {
#include "ml-kem-768/clean/api.h"
}

namespace zmesh::crypto {

static_assert(kMlKem768PublicBytes == PQCLEAN_MLKEM768_CLEAN_CRYPTO_PUBLICKEYBYTES);
static_assert(kMlKem768SecretBytes == PQCLEAN_MLKEM768_CLEAN_CRYPTO_SECRETKEYBYTES);
static_assert(kMlKem768CiphertextBytes == PQCLEAN_MLKEM768_CLEAN_CRYPTO_CIPHERTEXTBYTES);
static_assert(kMlKem768SharedBytes == PQCLEAN_MLKEM768_CLEAN_CRYPTO_BYTES);

MlKem768KeyPair mlkem768_generate(RandomSource& random) {
  MlKem768KeyPair pair{{}, SecretBytes(kMlKem768SecretBytes)};
  detail::PqRandomScope scope(random);  // PQClean draws d || z (FIPS 203 Alg. 19)
  detail::pqclean().kem_keypair(pair.public_key.bytes.data(), pair.secret_key.data());
  return pair;
}

KemEncapsulation mlkem768_encapsulate(const MlKem768PublicKey& key, RandomSource& random) {
  KemEncapsulation out{Bytes(kMlKem768CiphertextBytes), SecretBytes(kMlKem768SharedBytes)};
  detail::PqRandomScope scope(random);  // PQClean draws m (FIPS 203 Alg. 20)
  detail::pqclean().kem_enc(out.ciphertext.data(), out.shared_secret.data(), key.bytes.data());
  return out;
}

Result<SecretBytes> mlkem768_decapsulate(const SecretBytes& secret_key, ByteView ciphertext) {
  if (secret_key.size() != kMlKem768SecretBytes) return make_error(Errc::invalid_argument, "ml-kem-768 secret key must be 2400 bytes");
  if (ciphertext.size() != kMlKem768CiphertextBytes)
    return make_error(Errc::invalid_argument, "ml-kem-768 ciphertext must be 1088 bytes");
  SecretBytes shared(kMlKem768SharedBytes);
  // Implicit rejection (FIPS 203 Alg. 21): never fails, a bad ciphertext gives an unrelated key.
  detail::pqclean().kem_dec(shared.data(), ciphertext.data(), secret_key.data());
  return shared;
}

Status mlkem768_check_public_key(const MlKem768PublicKey& key) {
  // FIPS 203 §7.2 modulus check: ByteEncode12(ByteDecode12(ek[0:1152])) == ek[0:1152], i.e.
  // every packed 12-bit coefficient is below q. The last 32 bytes (rho) are unconstrained.
  constexpr unsigned kQ = 3329;
  constexpr std::size_t kPackedBytes = kMlKem768PublicBytes - 32;
  const auto& b = key.bytes;
  for (std::size_t i = 0; i < kPackedBytes; i += 3) {
    const unsigned first = b[i] | (static_cast<unsigned>(b[i + 1] & 0x0f) << 8);
    const unsigned second = (b[i + 1] >> 4) | (static_cast<unsigned>(b[i + 2]) << 4);
    if (first >= kQ || second >= kQ)
      return make_error(Errc::malformed, "ml-kem-768 public key has a coefficient >= q (FIPS 203 §7.2)");
  }
  return {};
}

}  // namespace zmesh::crypto
