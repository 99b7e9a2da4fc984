#include "crypto/mldsa65.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;
using test::to_bytes;

const ByteView kContext = as_bytes("zmesh/test/v1");

TEST(MlDsa65, SignVerify) {
  SeededRandom random(20);
  const auto pair = mldsa65_generate(random);
  const Bytes message = test::bytes_of("a node descriptor");
  const Bytes signature = mldsa65_sign(pair.secret_key, message, kContext, random);
  ASSERT_EQ(signature.size(), kMlDsa65SignatureBytes);
  EXPECT_TRUE(mldsa65_verify(pair.public_key, message, kContext, signature).ok());
  // Empty message and empty context are valid too.
  const Bytes empty_signature = mldsa65_sign(pair.secret_key, {}, {}, random);
  EXPECT_TRUE(mldsa65_verify(pair.public_key, {}, {}, empty_signature).ok());
}

TEST(MlDsa65, Rejections) {
  SeededRandom random(21);
  const auto pair = mldsa65_generate(random);
  const auto other = mldsa65_generate(random);
  const Bytes message = test::bytes_of("hello");
  const Bytes signature = mldsa65_sign(pair.secret_key, message, kContext, random);

  auto expect_code = [](const Status& status, Errc code) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, code);
  };
  expect_code(mldsa65_verify(other.public_key, message, kContext, signature), Errc::verify_failed);
  expect_code(mldsa65_verify(pair.public_key, flipped(message, 0), kContext, signature), Errc::verify_failed);
  expect_code(mldsa65_verify(pair.public_key, message, as_bytes("zmesh/test/v2"), signature), Errc::verify_failed);
  expect_code(mldsa65_verify(pair.public_key, message, {}, signature), Errc::verify_failed);
  expect_code(mldsa65_verify(pair.public_key, message, kContext, ByteView(signature).first(100)), Errc::malformed);
  expect_code(mldsa65_verify(pair.public_key, message, Bytes(256), signature), Errc::invalid_argument);
  for (std::size_t i = 0; i < signature.size(); i += 13) {
    EXPECT_FALSE(mldsa65_verify(pair.public_key, message, kContext, flipped(signature, i)).ok()) << i;
  }
}

TEST(MlDsa65, DrawsExactlyTheSpecifiedCoinsAndIsDeterministic) {
  test::ScriptedRandom seed(Bytes(32, 0x33));  // xi
  const auto pair = mldsa65_generate(seed);
  EXPECT_TRUE(seed.fully_consumed());
  test::ScriptedRandom rnd_a(Bytes(32, 0x44));
  test::ScriptedRandom rnd_b(Bytes(32, 0x44));
  test::ScriptedRandom rnd_c(Bytes(32, 0x45));
  const Bytes a = mldsa65_sign(pair.secret_key, as_bytes("m"), kContext, rnd_a);
  const Bytes b = mldsa65_sign(pair.secret_key, as_bytes("m"), kContext, rnd_b);
  const Bytes c = mldsa65_sign(pair.secret_key, as_bytes("m"), kContext, rnd_c);
  EXPECT_TRUE(rnd_a.fully_consumed());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);  // hedged: rnd changes the signature
  EXPECT_TRUE(mldsa65_verify(pair.public_key, as_bytes("m"), kContext, c).ok());

  SeededRandom r1(77);
  SeededRandom r2(77);
  EXPECT_EQ(mldsa65_generate(r1).public_key, mldsa65_generate(r2).public_key);
}

}  // namespace
}  // namespace zmesh::crypto
