#include "crypto/hybrid_sig.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;

constexpr std::string_view kContext = "zmesh/descriptor/v1";

void expect_error(const Status& status, Errc code) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code) << status.error().describe();
}

TEST(HybridSig, SignVerifyAndLayout) {
  SeededRandom random(40);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message = test::bytes_of("transports: tcp://127.0.0.1:4000");
  const Bytes signature = hybrid_sign(pair, kContext, message, random);
  ASSERT_EQ(signature.size(), kHybridSignatureBytes);
  EXPECT_TRUE(hybrid_verify(pair.public_key, kContext, message, signature).ok());

  // The documented layout: Ed25519 over "zmesh-sig" || u8 len || context || message,
  // then ML-DSA-65 over message with `context` as FIPS 204 ctx.
  Bytes ed_message = test::bytes_of("zmesh-sig");
  ed_message.push_back(static_cast<std::uint8_t>(kContext.size()));
  append(ed_message, as_bytes(kContext));
  append(ed_message, message);
  const ByteView sig = signature;
  EXPECT_TRUE(ed25519_verify(pair.public_key.ed25519, ed_message, sig.first(kEd25519SignatureBytes)).ok());
  EXPECT_TRUE(mldsa65_verify(pair.public_key.mldsa, message, as_bytes(kContext), sig.subspan(kEd25519SignatureBytes)).ok());
}

// Every byte of the signature matters: flipping any one must make verification fail.
TEST(HybridSig, TamperingAnySignatureByteIsRejected) {
  SeededRandom random(41);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message = test::bytes_of("m");
  const Bytes signature = hybrid_sign(pair, kContext, message, random);
  for (std::size_t i = 0; i < signature.size(); ++i) {
    auto status = hybrid_verify(pair.public_key, kContext, message, flipped(signature, i, static_cast<std::uint8_t>(1u << (i % 8))));
    ASSERT_FALSE(status.ok()) << "byte " << i;
    ASSERT_EQ(status.error().code, Errc::verify_failed) << "byte " << i;
  }
}

TEST(HybridSig, WrongKeyMessageOrContextIsRejected) {
  SeededRandom random(42);
  const auto pair = hybrid_sig_generate(random);
  const auto other = hybrid_sig_generate(random);
  const Bytes message = test::bytes_of("hello");
  const Bytes signature = hybrid_sign(pair, kContext, message, random);
  expect_error(hybrid_verify(other.public_key, kContext, message, signature), Errc::verify_failed);
  expect_error(hybrid_verify(pair.public_key, kContext, flipped(message, 4), signature), Errc::verify_failed);
  expect_error(hybrid_verify(pair.public_key, "zmesh/dht-record/v1", message, signature), Errc::verify_failed);
  expect_error(hybrid_verify(pair.public_key, "", message, signature), Errc::verify_failed);
  // Moving a byte between context and message must not keep the signature valid.
  const Bytes shifted_message = test::bytes_of("1hello");
  const Bytes shifted_signature = hybrid_sign(pair, "zmesh/descriptor/v", shifted_message, random);
  expect_error(hybrid_verify(pair.public_key, kContext, message, shifted_signature), Errc::verify_failed);
}

// Both halves are checked: a valid Ed25519 half with a foreign ML-DSA half (or vice versa) fails.
TEST(HybridSig, BothHalvesMustVerify) {
  SeededRandom random(43);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message = test::bytes_of("hello");
  const Bytes for_context = hybrid_sign(pair, kContext, message, random);
  const Bytes for_other_context = hybrid_sign(pair, "zmesh/other/v1", message, random);
  Bytes spliced_ed = for_context;  // Ed25519 ok for kContext, ML-DSA for another context
  std::copy(for_other_context.begin() + kEd25519SignatureBytes, for_other_context.end(),
            spliced_ed.begin() + kEd25519SignatureBytes);
  expect_error(hybrid_verify(pair.public_key, kContext, message, spliced_ed), Errc::verify_failed);
  Bytes spliced_ml = for_other_context;  // ML-DSA ok for kContext, Ed25519 for another context
  std::copy(for_context.begin() + kEd25519SignatureBytes, for_context.end(), spliced_ml.begin() + kEd25519SignatureBytes);
  expect_error(hybrid_verify(pair.public_key, kContext, message, spliced_ml), Errc::verify_failed);
}

TEST(HybridSig, BadLengthsAreErrors) {
  SeededRandom random(44);
  const auto pair = hybrid_sig_generate(random);
  const Bytes message = test::bytes_of("hello");
  const Bytes signature = hybrid_sign(pair, kContext, message, random);
  expect_error(hybrid_verify(pair.public_key, kContext, message, ByteView(signature).first(kHybridSignatureBytes - 1)),
               Errc::malformed);
  Bytes longer = signature;
  longer.push_back(0);
  expect_error(hybrid_verify(pair.public_key, kContext, message, longer), Errc::malformed);
  expect_error(hybrid_verify(pair.public_key, kContext, message, {}), Errc::malformed);
  const std::string long_context(256, 'c');
  expect_error(hybrid_verify(pair.public_key, long_context, message, signature), Errc::invalid_argument);
  const std::string max_context(255, 'c');
  EXPECT_TRUE(hybrid_verify(pair.public_key, max_context, message, hybrid_sign(pair, max_context, message, random)).ok());
}

TEST(HybridSig, PublicKeyEncoding) {
  SeededRandom random(45);
  const auto pair = hybrid_sig_generate(random);
  const Bytes encoded = pair.public_key.encode();
  ASSERT_EQ(encoded.size(), kHybridSigPublicBytes);
  EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + 32), test::to_bytes(pair.public_key.ed25519.bytes));
  auto decoded = HybridSigPublicKey::decode(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, pair.public_key);

  auto short_key = HybridSigPublicKey::decode(ByteView(encoded).first(kHybridSigPublicBytes - 1));
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code, Errc::malformed);
  Bytes small_order = encoded;
  std::fill(small_order.begin(), small_order.begin() + 32, 0);
  small_order[0] = 1;  // the identity point
  auto bad_point = HybridSigPublicKey::decode(small_order);
  ASSERT_FALSE(bad_point.ok());
  EXPECT_EQ(bad_point.error().code, Errc::malformed);
}

TEST(HybridSig, DeterministicWithSeededRandom) {
  SeededRandom r1(46);
  SeededRandom r2(46);
  const auto a = hybrid_sig_generate(r1);
  const auto b = hybrid_sig_generate(r2);
  EXPECT_EQ(a.public_key, b.public_key);
  EXPECT_EQ(hybrid_sign(a, kContext, as_bytes("x"), r1), hybrid_sign(b, kContext, as_bytes("x"), r2));
}

}  // namespace
}  // namespace zmesh::crypto
