#include "crypto/mlkem768.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;
using test::to_bytes;

TEST(MlKem768, RoundTrip) {
  SeededRandom random(100);
  for (int i = 0; i < 5; ++i) {
    const auto pair = mlkem768_generate(random);
    const auto enc = mlkem768_encapsulate(pair.public_key, random);
    ASSERT_EQ(enc.ciphertext.size(), kMlKem768CiphertextBytes);
    ASSERT_EQ(enc.shared_secret.size(), kMlKem768SharedBytes);
    auto dec = mlkem768_decapsulate(pair.secret_key, enc.ciphertext);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(to_bytes(*dec), to_bytes(enc.shared_secret));
  }
}

TEST(MlKem768, DrawsExactlyTheSpecifiedCoins) {
  test::ScriptedRandom keygen_coins(Bytes(64, 0x11));  // d || z
  const auto pair = mlkem768_generate(keygen_coins);
  EXPECT_TRUE(keygen_coins.fully_consumed());
  test::ScriptedRandom encaps_coins(Bytes(32, 0x22));  // m
  const auto enc = mlkem768_encapsulate(pair.public_key, encaps_coins);
  EXPECT_TRUE(encaps_coins.fully_consumed());
}

TEST(MlKem768, DeterministicWithSeededRandom) {
  SeededRandom r1(5);
  SeededRandom r2(5);
  SeededRandom r3(6);
  const auto a = mlkem768_generate(r1);
  const auto b = mlkem768_generate(r2);
  EXPECT_EQ(a.public_key, b.public_key);
  EXPECT_EQ(to_bytes(a.secret_key), to_bytes(b.secret_key));
  EXPECT_NE(a.public_key, mlkem768_generate(r3).public_key);
  const auto ea = mlkem768_encapsulate(a.public_key, r1);
  const auto eb = mlkem768_encapsulate(b.public_key, r2);
  EXPECT_EQ(ea.ciphertext, eb.ciphertext);
  EXPECT_EQ(to_bytes(ea.shared_secret), to_bytes(eb.shared_secret));
}

// Implicit rejection: a modified ciphertext decapsulates to an unrelated secret.
TEST(MlKem768, TamperedCiphertextGivesDifferentSecret) {
  SeededRandom random(7);
  const auto pair = mlkem768_generate(random);
  const auto enc = mlkem768_encapsulate(pair.public_key, random);
  const Bytes good = to_bytes(enc.shared_secret);
  for (std::size_t i = 0; i < enc.ciphertext.size(); i += 17) {
    auto dec = mlkem768_decapsulate(pair.secret_key, flipped(enc.ciphertext, i));
    ASSERT_TRUE(dec.ok());
    EXPECT_NE(to_bytes(*dec), good) << "byte " << i;
  }
  const auto other = mlkem768_generate(random);
  auto wrong_key = mlkem768_decapsulate(other.secret_key, enc.ciphertext);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_NE(to_bytes(*wrong_key), good);
}

TEST(MlKem768, WrongSizesAreErrors) {
  SeededRandom random(8);
  const auto pair = mlkem768_generate(random);
  auto short_ct = mlkem768_decapsulate(pair.secret_key, Bytes(kMlKem768CiphertextBytes - 1));
  ASSERT_FALSE(short_ct.ok());
  EXPECT_EQ(short_ct.error().code, Errc::invalid_argument);
  auto bad_key = mlkem768_decapsulate(SecretBytes(10), Bytes(kMlKem768CiphertextBytes));
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().code, Errc::invalid_argument);
}

TEST(MlKem768, PublicKeyModulusCheck) {
  SeededRandom random(9);
  auto pair = mlkem768_generate(random);
  EXPECT_TRUE(mlkem768_check_public_key(pair.public_key).ok());
  MlKem768PublicKey bad = pair.public_key;
  bad.bytes[0] = 0xff;  // first coefficient = 0x?ff with high nibble of byte 1
  bad.bytes[1] |= 0x0f;  // -> 0xfff = 4095 >= q
  auto status = mlkem768_check_public_key(bad);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::malformed);
  MlKem768PublicKey bad_second = pair.public_key;
  bad_second.bytes[1150] = 0xff;  // second coefficient of the last triple: 0xff?
  bad_second.bytes[1151] = 0xff;
  EXPECT_FALSE(mlkem768_check_public_key(bad_second).ok());
  MlKem768PublicKey rho_changed = pair.public_key;
  rho_changed.bytes[kMlKem768PublicBytes - 1] ^= 0xff;  // rho is unconstrained
  EXPECT_TRUE(mlkem768_check_public_key(rho_changed).ok());
}

}  // namespace
}  // namespace zmesh::crypto
