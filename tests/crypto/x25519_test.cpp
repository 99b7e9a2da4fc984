#include "crypto/x25519.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::hex;
using test::to_bytes;

// RFC 7748 §6.1.
TEST(X25519, Rfc7748Vector) {
  const auto alice = x25519_from_secret(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const auto bob = x25519_from_secret(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  EXPECT_EQ(to_hex(alice.public_key.bytes), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob.public_key.bytes), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto ab = x25519_shared(alice.secret_key, bob.public_key);
  auto ba = x25519_shared(bob.secret_key, alice.public_key);
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(to_hex(ab->view()), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(to_bytes(*ab), to_bytes(*ba));
}

TEST(X25519, RandomPairsAgreeAndDiffer) {
  SeededRandom random(1);
  for (int i = 0; i < 20; ++i) {
    auto a = x25519_generate(random);
    auto b = x25519_generate(random);
    auto c = x25519_generate(random);
    auto ab = x25519_shared(a.secret_key, b.public_key);
    auto ba = x25519_shared(b.secret_key, a.public_key);
    auto ac = x25519_shared(a.secret_key, c.public_key);
    ASSERT_TRUE(ab.ok() && ba.ok() && ac.ok());
    EXPECT_EQ(to_bytes(*ab), to_bytes(*ba));
    EXPECT_NE(to_bytes(*ab), to_bytes(*ac));  // wrong peer key: different secret
  }
}

TEST(X25519, DeterministicWithSeededRandom) {
  SeededRandom r1(42);
  SeededRandom r2(42);
  SeededRandom r3(43);
  const auto a = x25519_generate(r1);
  EXPECT_EQ(a.public_key, x25519_generate(r2).public_key);
  EXPECT_NE(a.public_key, x25519_generate(r3).public_key);
}

// Points of small order give an all-zero shared secret for every scalar (RFC 7748 §6.1).
TEST(X25519, RefusesLowOrderPoints) {
  SeededRandom random(7);
  const auto me = x25519_generate(random);
  const char* low_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
  };
  for (const char* point : low_order) {
    X25519PublicKey peer;
    const Bytes raw = hex(point);
    std::copy(raw.begin(), raw.end(), peer.bytes.begin());
    auto shared = x25519_shared(me.secret_key, peer);
    ASSERT_FALSE(shared.ok()) << point;
    EXPECT_EQ(shared.error().code, Errc::crypto_failure);
  }
}

TEST(X25519, WrongSecretSizeIsAnError) {
  SeededRandom random(3);
  const auto peer = x25519_generate(random);
  auto shared = x25519_shared(SecretBytes(31), peer.public_key);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace zmesh::crypto
