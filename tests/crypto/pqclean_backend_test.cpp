// The AVX2/BMI2 compilation of PQClean's `clean` ML-KEM-768 and ML-DSA-65
// (src/crypto/pqclean_backend.hpp) must produce exactly the bytes of the portable one: same
// keys, ciphertexts, shared secrets (also for tampered ciphertexts) and signatures from the
// same coins, and each accepts what the other produced.
#include "crypto/pqclean_backend.hpp"

#include <gtest/gtest.h>

#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "crypto/pq_randombytes.hpp"
#include "crypto/secure.hpp"

namespace zmesh::crypto {
namespace {

using detail::PqCleanBackend;
using detail::PqRandomScope;

constexpr int kCases = 24;

const PqCleanBackend* avx2_or_skip() {
  init();
  return detail::pqclean_x86_avx2();
}

struct KemRun {
  Bytes pk = Bytes(kMlKem768PublicBytes), sk = Bytes(kMlKem768SecretBytes);
  Bytes ct = Bytes(kMlKem768CiphertextBytes), ss = Bytes(kMlKem768SharedBytes);
  Bytes ss_dec = Bytes(kMlKem768SharedBytes), ss_tampered = Bytes(kMlKem768SharedBytes);
};

KemRun run_kem(const PqCleanBackend& backend, std::uint64_t seed) {
  KemRun run;
  SeededRandom random(seed);
  PqRandomScope scope(random);
  EXPECT_EQ(backend.kem_keypair(run.pk.data(), run.sk.data()), 0);
  EXPECT_EQ(backend.kem_enc(run.ct.data(), run.ss.data(), run.pk.data()), 0);
  EXPECT_EQ(backend.kem_dec(run.ss_dec.data(), run.ct.data(), run.sk.data()), 0);
  Bytes tampered = run.ct;
  tampered[seed % tampered.size()] ^= 0x01;  // implicit rejection path
  EXPECT_EQ(backend.kem_dec(run.ss_tampered.data(), tampered.data(), run.sk.data()), 0);
  return run;
}

TEST(PqCleanBackend, PortableIsAlwaysThereAndOneIsChosen) {
  init();
  EXPECT_STREQ(detail::pqclean_portable().name, "clean");
  const PqCleanBackend* avx2 = detail::pqclean_x86_avx2();
  EXPECT_EQ(&detail::pqclean(), avx2 != nullptr ? avx2 : &detail::pqclean_portable());
}

TEST(PqCleanBackend, MlKem768SameBytesAsPortable) {
  const PqCleanBackend* avx2 = avx2_or_skip();
  if (avx2 == nullptr) GTEST_SKIP() << "AVX2/BMI2 build not compiled in or not supported by this CPU";
  for (std::uint64_t seed = 0; seed < kCases; ++seed) {
    const KemRun a = run_kem(detail::pqclean_portable(), 9000 + seed);
    const KemRun b = run_kem(*avx2, 9000 + seed);
    EXPECT_EQ(a.pk, b.pk) << seed;
    EXPECT_EQ(a.sk, b.sk) << seed;
    EXPECT_EQ(a.ct, b.ct) << seed;
    EXPECT_EQ(a.ss, b.ss) << seed;
    EXPECT_EQ(a.ss, a.ss_dec) << seed;
    EXPECT_EQ(b.ss, b.ss_dec) << seed;
    EXPECT_EQ(a.ss_tampered, b.ss_tampered) << seed;
    EXPECT_NE(a.ss_tampered, a.ss) << seed;
  }
}

struct SignRun {
  Bytes pk = Bytes(kMlDsa65PublicBytes), sk = Bytes(kMlDsa65SecretBytes), sig = Bytes(kMlDsa65SignatureBytes);
};

SignRun run_sign(const PqCleanBackend& backend, std::uint64_t seed, const Bytes& message, const Bytes& context) {
  SignRun run;
  SeededRandom random(seed);
  PqRandomScope scope(random);
  EXPECT_EQ(backend.sign_keypair(run.pk.data(), run.sk.data()), 0);
  std::size_t length = 0;
  EXPECT_EQ(backend.sign_signature_ctx(run.sig.data(), &length, message.data(), message.size(), context.data(),
                                       context.size(), run.sk.data()),
            0);
  EXPECT_EQ(length, kMlDsa65SignatureBytes);
  return run;
}

bool verifies(const PqCleanBackend& backend, const SignRun& run, const Bytes& message, const Bytes& context) {
  return backend.sign_verify_ctx(run.sig.data(), run.sig.size(), message.data(), message.size(), context.data(),
                                 context.size(), run.pk.data()) == 0;
}

TEST(PqCleanBackend, MlDsa65SameBytesAsPortable) {
  const PqCleanBackend* avx2 = avx2_or_skip();
  if (avx2 == nullptr) GTEST_SKIP() << "AVX2/BMI2 build not compiled in or not supported by this CPU";
  const PqCleanBackend& portable = detail::pqclean_portable();
  for (std::uint64_t seed = 0; seed < kCases; ++seed) {
    SeededRandom content(seed);
    Bytes message(static_cast<std::size_t>(seed * 37 % 700), 0);
    content.fill(message);
    Bytes context(static_cast<std::size_t>(seed % 3 * 20), 0);
    content.fill(context);
    const SignRun a = run_sign(portable, 7000 + seed, message, context);
    const SignRun b = run_sign(*avx2, 7000 + seed, message, context);
    EXPECT_EQ(a.pk, b.pk) << seed;
    EXPECT_EQ(a.sk, b.sk) << seed;
    EXPECT_EQ(a.sig, b.sig) << seed;
    EXPECT_TRUE(verifies(*avx2, a, message, context)) << seed;
    EXPECT_TRUE(verifies(portable, b, message, context)) << seed;
    SignRun forged = b;
    forged.sig[seed * 101 % forged.sig.size()] ^= 0x04;
    EXPECT_FALSE(verifies(*avx2, forged, message, context)) << seed;
    EXPECT_FALSE(verifies(portable, forged, message, context)) << seed;
  }
}

}  // namespace
}  // namespace zmesh::crypto
