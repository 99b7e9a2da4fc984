#include "crypto/ed25519.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;
using test::hex;

// RFC 8032 §7.1, TEST 1 (empty message).
TEST(Ed25519, Rfc8032Test1) {
  const auto pair = ed25519_from_seed(hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  EXPECT_EQ(to_hex(pair.public_key.bytes), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto signature = ed25519_sign(pair.secret_key, {});
  EXPECT_EQ(to_hex(signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0"
            "595bbe24655141438e7a100b");
  EXPECT_TRUE(ed25519_verify(pair.public_key, {}, signature).ok());
}

TEST(Ed25519, SignVerifyAndRejections) {
  SeededRandom random(11);
  const auto pair = ed25519_generate(random);
  const auto other = ed25519_generate(random);
  const Bytes message = {'h', 'e', 'l', 'l', 'o'};
  const auto signature = ed25519_sign(pair.secret_key, message);
  EXPECT_TRUE(ed25519_verify(pair.public_key, message, signature).ok());

  auto wrong_key = ed25519_verify(other.public_key, message, signature);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, Errc::verify_failed);

  auto wrong_message = ed25519_verify(pair.public_key, flipped(message, 0), signature);
  ASSERT_FALSE(wrong_message.ok());
  EXPECT_EQ(wrong_message.error().code, Errc::verify_failed);

  for (std::size_t i = 0; i < signature.size(); ++i) {
    auto tampered = ed25519_verify(pair.public_key, message, flipped(signature, i));
    ASSERT_FALSE(tampered.ok()) << "byte " << i;
    EXPECT_EQ(tampered.error().code, Errc::verify_failed);
  }

  auto short_signature = ed25519_verify(pair.public_key, message, ByteView(signature).first(63));
  ASSERT_FALSE(short_signature.ok());
  EXPECT_EQ(short_signature.error().code, Errc::malformed);
}

TEST(Ed25519, DeterministicWithSeededRandom) {
  SeededRandom r1(5);
  SeededRandom r2(5);
  const auto a = ed25519_generate(r1);
  const auto b = ed25519_generate(r2);
  EXPECT_EQ(a.public_key, b.public_key);
  EXPECT_EQ(ed25519_sign(a.secret_key, as_bytes("m")), ed25519_sign(b.secret_key, as_bytes("m")));
}

}  // namespace
}  // namespace zmesh::crypto
