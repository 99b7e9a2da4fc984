// The simulator-only crypto stand-ins (src/crypto/simulated_crypto.hpp): used exactly while a
// sim::SimulatedCrypto is alive, with the real sizes and the real protocol properties the
// nodes rely on (round trips, verification failing on any change, X-Wing's exact coins).
#include <gtest/gtest.h>

#include "crypto/hybrid_kem.hpp"
#include "crypto/hybrid_sig.hpp"
#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "crypto/pqclean_backend.hpp"
#include "runtime/random.hpp"
#include "sim/simulated_crypto.hpp"

namespace zmesh::sim {
namespace {

using crypto::SimulatedCryptoForSimulatorOnly;

bool backend_is_simulated() { return std::string(crypto::detail::pqclean().name) == "simulated-for-simulator-only"; }

TEST(SimulatedCrypto, TheRealBackendIsUsedUnlessAScopeIsAlive) {
  EXPECT_FALSE(SimulatedCryptoForSimulatorOnly::active());
  EXPECT_FALSE(backend_is_simulated());
  {
    SimulatedCrypto outer;
    EXPECT_TRUE(SimulatedCryptoForSimulatorOnly::active());
    EXPECT_TRUE(backend_is_simulated());
    {
      SimulatedCrypto inner;  // scopes nest
      EXPECT_TRUE(backend_is_simulated());
    }
    EXPECT_TRUE(backend_is_simulated());
  }
  EXPECT_FALSE(SimulatedCryptoForSimulatorOnly::active());
  EXPECT_FALSE(backend_is_simulated());
}

TEST(SimulatedCrypto, SignaturesHaveTheRealSizesAndVerifyOnlyWhatWasSigned) {
  SimulatedCrypto scope;
  SeededRandom random(1);
  const crypto::MlDsa65KeyPair key = crypto::mldsa65_generate(random);
  const crypto::MlDsa65KeyPair other = crypto::mldsa65_generate(random);
  EXPECT_NE(key.public_key, other.public_key);
  EXPECT_EQ(key.secret_key.size(), crypto::kMlDsa65SecretBytes);
  const Bytes message{1, 2, 3};
  const Bytes context{'c'};
  Bytes signature = crypto::mldsa65_sign(key.secret_key, message, context, random);
  ASSERT_EQ(signature.size(), crypto::kMlDsa65SignatureBytes);
  EXPECT_TRUE(crypto::mldsa65_verify(key.public_key, message, context, signature).ok());
  EXPECT_FALSE(crypto::mldsa65_verify(other.public_key, message, context, signature).ok());
  EXPECT_FALSE(crypto::mldsa65_verify(key.public_key, Bytes{1, 2, 4}, context, signature).ok());
  EXPECT_FALSE(crypto::mldsa65_verify(key.public_key, message, Bytes{'d'}, signature).ok());
  signature.back() ^= 1;
  EXPECT_FALSE(crypto::mldsa65_verify(key.public_key, message, context, signature).ok());

  const crypto::HybridSigKeyPair hybrid = crypto::hybrid_sig_generate(random);
  const Bytes hybrid_signature = crypto::hybrid_sign(hybrid, "ctx", message, random);
  EXPECT_EQ(hybrid_signature.size(), crypto::kHybridSignatureBytes);
  EXPECT_TRUE(crypto::hybrid_verify(hybrid.public_key, "ctx", message, hybrid_signature).ok());
  EXPECT_FALSE(crypto::hybrid_verify(hybrid.public_key, "ctY", message, hybrid_signature).ok());
}

TEST(SimulatedCrypto, KemRoundTripsRejectsImplicitlyAndPassesTheModulusCheck) {
  SimulatedCrypto scope;
  SeededRandom random(2);
  const crypto::MlKem768KeyPair key = crypto::mlkem768_generate(random);
  EXPECT_EQ(key.secret_key.size(), crypto::kMlKem768SecretBytes);
  EXPECT_TRUE(crypto::mlkem768_check_public_key(key.public_key).ok());
  crypto::KemEncapsulation enc = crypto::mlkem768_encapsulate(key.public_key, random);
  ASSERT_EQ(enc.ciphertext.size(), crypto::kMlKem768CiphertextBytes);
  ASSERT_EQ(enc.shared_secret.size(), crypto::kMlKem768SharedBytes);
  auto shared = crypto::mlkem768_decapsulate(key.secret_key, enc.ciphertext);
  ASSERT_TRUE(shared.ok());
  EXPECT_TRUE(crypto::constant_time_equal(shared->view(), enc.shared_secret.view()));
  enc.ciphertext.back() ^= 1;
  auto tampered = crypto::mlkem768_decapsulate(key.secret_key, enc.ciphertext);
  ASSERT_TRUE(tampered.ok());
  EXPECT_FALSE(crypto::constant_time_equal(tampered->view(), enc.shared_secret.view()));

  // X-Wing feeds ML-KEM exactly the coins it specifies (ExactBytesSource aborts on more).
  const crypto::HybridKemKeyPair hybrid = crypto::hybrid_kem_generate(random);
  const crypto::KemEncapsulation hybrid_enc = crypto::hybrid_kem_encapsulate(hybrid.public_key, random);
  auto hybrid_shared = crypto::hybrid_kem_decapsulate(hybrid, hybrid_enc.ciphertext);
  ASSERT_TRUE(hybrid_shared.ok());
  EXPECT_TRUE(crypto::constant_time_equal(hybrid_shared->view(), hybrid_enc.shared_secret.view()));
}

TEST(SimulatedCrypto, AStandInSignatureDoesNotVerifyWithRealCrypto) {
  SeededRandom random(3);
  const crypto::MlDsa65KeyPair real_key = crypto::mldsa65_generate(random);
  Bytes signature;
  {
    SimulatedCrypto scope;
    signature = crypto::mldsa65_sign(real_key.secret_key, Bytes{1}, Bytes{}, random);
  }
  EXPECT_FALSE(crypto::mldsa65_verify(real_key.public_key, Bytes{1}, Bytes{}, signature).ok());
}

}  // namespace
}  // namespace zmesh::sim
