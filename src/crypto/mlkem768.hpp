// ML-KEM-768 (FIPS 203) from PQClean's `clean` implementation. Randomness comes from the
// RandomSource passed in (routed to PQClean's randombytes() for the duration of the call),
// so that tests can reproduce official vectors and the simulator stays deterministic.
#pragma once

#include "crypto/secure.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kMlKem768PublicBytes = 1184;
inline constexpr std::size_t kMlKem768SecretBytes = 2400;
inline constexpr std::size_t kMlKem768CiphertextBytes = 1088;
inline constexpr std::size_t kMlKem768SharedBytes = 32;

struct MlKem768PublicKey {
  ByteArray<kMlKem768PublicBytes> bytes{};
  bool operator==(const MlKem768PublicKey&) const = default;
};
using MlKem768Ciphertext = ByteArray<kMlKem768CiphertextBytes>;

struct MlKem768KeyPair {
  MlKem768PublicKey public_key;
  SecretBytes secret_key;  // 2400 bytes
};

struct KemEncapsulation {
  Bytes ciphertext;
  SecretBytes shared_secret;  // 32 bytes
};

MlKem768KeyPair mlkem768_generate(RandomSource& random);  // draws 64 bytes (d || z)
KemEncapsulation mlkem768_encapsulate(const MlKem768PublicKey& key, RandomSource& random);  // draws 32 bytes (m)
// ML-KEM decapsulation never fails on a well-sized ciphertext (implicit rejection: a
// tampered ciphertext yields an unrelated secret). Wrong size -> invalid_argument.
Result<SecretBytes> mlkem768_decapsulate(const SecretBytes& secret_key, ByteView ciphertext);
// FIPS 203 §7.2 encapsulation-key (modulus) check for keys received from peers: malformed
// if any packed coefficient is >= q. HybridKemPublicKey::decode applies it.
Status mlkem768_check_public_key(const MlKem768PublicKey& key);

}  // namespace zmesh::crypto
