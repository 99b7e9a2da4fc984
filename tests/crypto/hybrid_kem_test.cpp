#include "crypto/hybrid_kem.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"
#include "xwing_draft_vector.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;
using test::hex;
using test::to_bytes;

TEST(HybridKem, XWingDraftVector) {
  const auto& v = test::kXWingDraftVector1;
  const auto pair = hybrid_kem_from_seed(hex(v.seed));
  EXPECT_EQ(to_hex(pair.public_key.encode()), v.pk);
  test::ScriptedRandom eseed(hex(v.eseed));
  const auto enc = hybrid_kem_encapsulate(pair.public_key, eseed);
  EXPECT_TRUE(eseed.fully_consumed());
  EXPECT_EQ(to_hex(enc.ciphertext), v.ct);
  EXPECT_EQ(to_hex(enc.shared_secret.view()), v.ss);
  auto dec = hybrid_kem_decapsulate(pair, hex(v.ct));
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(to_hex(dec->view()), v.ss);

  // hybrid_kem_generate draws exactly the 32-byte seed and expands it the same way.
  test::ScriptedRandom seed(hex(v.seed));
  EXPECT_EQ(hybrid_kem_generate(seed).public_key, pair.public_key);
  EXPECT_TRUE(seed.fully_consumed());
}

TEST(HybridKem, RoundTripAndWireSizes) {
  SeededRandom random(30);
  for (int i = 0; i < 5; ++i) {
    const auto pair = hybrid_kem_generate(random);
    const Bytes encoded = pair.public_key.encode();
    ASSERT_EQ(encoded.size(), kHybridKemPublicBytes);
    EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + kMlKem768PublicBytes), to_bytes(pair.public_key.mlkem.bytes));
    EXPECT_EQ(Bytes(encoded.begin() + kMlKem768PublicBytes, encoded.end()), to_bytes(pair.public_key.x25519.bytes));
    auto decoded = HybridKemPublicKey::decode(encoded);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, pair.public_key);

    const auto enc = hybrid_kem_encapsulate(*decoded, random);
    ASSERT_EQ(enc.ciphertext.size(), kHybridKemCiphertextBytes);
    ASSERT_EQ(enc.shared_secret.size(), kHybridKemSharedBytes);
    auto dec = hybrid_kem_decapsulate(pair, enc.ciphertext);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(to_bytes(*dec), to_bytes(enc.shared_secret));
  }
}

// Every byte of the ciphertext (ML-KEM part and X25519 part) is bound into the secret.
TEST(HybridKem, TamperingAnyCiphertextByteChangesTheSecret) {
  SeededRandom random(31);
  const auto pair = hybrid_kem_generate(random);
  const auto enc = hybrid_kem_encapsulate(pair.public_key, random);
  const Bytes good = to_bytes(enc.shared_secret);
  for (std::size_t i = 0; i < enc.ciphertext.size(); ++i) {
    auto dec = hybrid_kem_decapsulate(pair, flipped(enc.ciphertext, i, static_cast<std::uint8_t>(1u << (i % 8))));
    ASSERT_TRUE(dec.ok()) << i;
    ASSERT_NE(to_bytes(*dec), good) << "byte " << i;
  }
}

TEST(HybridKem, WrongKeyGivesDifferentSecret) {
  SeededRandom random(32);
  const auto pair = hybrid_kem_generate(random);
  const auto other = hybrid_kem_generate(random);
  const auto enc = hybrid_kem_encapsulate(pair.public_key, random);
  auto dec = hybrid_kem_decapsulate(other, enc.ciphertext);
  ASSERT_TRUE(dec.ok());
  EXPECT_NE(to_bytes(*dec), to_bytes(enc.shared_secret));
}

TEST(HybridKem, DeterministicWithSeededRandom) {
  SeededRandom r1(33);
  SeededRandom r2(33);
  const auto a = hybrid_kem_generate(r1);
  const auto b = hybrid_kem_generate(r2);
  EXPECT_EQ(a.public_key, b.public_key);
  const auto ea = hybrid_kem_encapsulate(a.public_key, r1);
  const auto eb = hybrid_kem_encapsulate(b.public_key, r2);
  EXPECT_EQ(ea.ciphertext, eb.ciphertext);
  EXPECT_EQ(to_bytes(ea.shared_secret), to_bytes(eb.shared_secret));
}

TEST(HybridKem, DecodeAndDecapsulateRejectBadInput) {
  SeededRandom random(34);
  const auto pair = hybrid_kem_generate(random);
  Bytes encoded = pair.public_key.encode();

  auto short_key = HybridKemPublicKey::decode(ByteView(encoded).first(kHybridKemPublicBytes - 1));
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code, Errc::malformed);
  Bytes long_key = encoded;
  long_key.push_back(0);
  EXPECT_FALSE(HybridKemPublicKey::decode(long_key).ok());
  encoded[0] = 0xff;
  encoded[1] |= 0x0f;  // ML-KEM coefficient 4095 >= q
  auto bad_coefficient = HybridKemPublicKey::decode(encoded);
  ASSERT_FALSE(bad_coefficient.ok());
  EXPECT_EQ(bad_coefficient.error().code, Errc::malformed);

  auto short_ct = hybrid_kem_decapsulate(pair, Bytes(kHybridKemCiphertextBytes - 1));
  ASSERT_FALSE(short_ct.ok());
  EXPECT_EQ(short_ct.error().code, Errc::invalid_argument);
}

// X-Wing does not reject a degenerate X25519 share; the secret still depends on ML-KEM and
// on ct_X, so a low-order ct_X cannot force a known key.
TEST(HybridKem, LowOrderX25519ShareStillBindsMlKem) {
  SeededRandom random(35);
  const auto pair = hybrid_kem_generate(random);
  const auto enc = hybrid_kem_encapsulate(pair.public_key, random);
  Bytes ct = enc.ciphertext;
  std::fill(ct.begin() + kMlKem768CiphertextBytes, ct.end(), 0);  // ct_X = 0 (small order)
  auto dec = hybrid_kem_decapsulate(pair, ct);
  ASSERT_TRUE(dec.ok());
  EXPECT_NE(to_bytes(*dec), to_bytes(enc.shared_secret));
  const auto other = hybrid_kem_generate(random);
  auto dec_other = hybrid_kem_decapsulate(other, ct);
  ASSERT_TRUE(dec_other.ok());
  EXPECT_NE(to_bytes(*dec_other), to_bytes(*dec));
}

}  // namespace
}  // namespace zmesh::crypto
