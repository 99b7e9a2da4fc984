#include <gtest/gtest.h>

#include <set>

#include "crypto/hash.hpp"
#include "identity/identity.hpp"
#include "identity/onion_key.hpp"

namespace zmesh {
namespace {

TEST(NodeId, IsBlake2bOfTheEncodedSigningKey) {
  SeededRandom random(1);
  const NodeIdentity identity = NodeIdentity::generate(random);
  EXPECT_EQ(identity.id.bytes, crypto::blake2b_256(identity.signing.public_key.encode()));
  EXPECT_EQ(NodeId::of(identity.signing.public_key), identity.id);
}

TEST(NodeId, SameSeedGivesSameIdentity) {
  SeededRandom a(42);
  SeededRandom b(42);
  EXPECT_EQ(NodeIdentity::generate(a).id, NodeIdentity::generate(b).id);
}

TEST(NodeId, DifferentKeysGiveDifferentIds) {
  SeededRandom random(2);
  std::set<NodeId> seen;
  for (int i = 0; i < 8; ++i) seen.insert(NodeIdentity::generate(random).id);
  EXPECT_EQ(seen.size(), 8u);
}

TEST(NodeId, EveryPartOfTheKeyMatters) {
  SeededRandom random(3);
  const NodeIdentity identity = NodeIdentity::generate(random);
  // A bit flip anywhere in either half of the hybrid key changes the id (sampled positions,
  // including the first and last byte of each half).
  for (std::size_t i : {0u, 1u, 17u, 31u}) {
    crypto::HybridSigPublicKey key = identity.signing.public_key;
    key.ed25519.bytes[i] ^= 0x01;
    EXPECT_NE(NodeId::of(key), identity.id) << "ed25519 byte " << i;
  }
  for (std::size_t i : {0u, 100u, 977u, 1951u}) {
    crypto::HybridSigPublicKey key = identity.signing.public_key;
    key.mldsa.bytes[i] ^= 0x80;
    EXPECT_NE(NodeId::of(key), identity.id) << "ml-dsa byte " << i;
  }
}

TEST(NodeId, HexRoundTripAndBadHexRefused) {
  SeededRandom random(4);
  const NodeId id = NodeIdentity::generate(random).id;
  auto parsed = NodeId::from_hex(id.hex());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, id);
  EXPECT_EQ(id.short_hex(), id.hex().substr(0, 12));
  EXPECT_FALSE(NodeId::from_hex(id.hex().substr(2)).ok());
  std::string bad = id.hex();
  bad[5] = 'g';
  EXPECT_FALSE(NodeId::from_hex(bad).ok());
}

TEST(NodeId, OrderIsBytewiseBigEndian) {
  NodeId low;
  NodeId high;
  high.bytes[0] = 1;
  low.bytes[31] = 0xff;
  EXPECT_LT(low, high);
  EXPECT_GT(high, low);
  EXPECT_EQ(low <=> low, std::strong_ordering::equal);
  NodeId copy = low;
  EXPECT_EQ(copy, low);
  copy.bytes[31] = 0xfe;
  EXPECT_LT(copy, low);
}

TEST(OnionKey, IdIsDerivedFromTheKeyAndWindowIsHalfOpen) {
  SeededRandom random(5);
  const OnionKeyPair a = OnionKeyPair::generate(random, 1000, 500);
  const OnionKeyPair b = OnionKeyPair::generate(random, 1000, 500);
  EXPECT_EQ(a.id(), onion_key_id(a.keys.public_key));
  EXPECT_NE(a.id(), b.id());
  EXPECT_EQ(a.valid_until, 1500u);
  EXPECT_FALSE(a.valid_at(999));
  EXPECT_TRUE(a.valid_at(1000));
  EXPECT_TRUE(a.valid_at(1499));
  EXPECT_FALSE(a.valid_at(1500));
  // Lifetime is clamped.
  EXPECT_EQ(OnionKeyPair::generate(random, 0, 100 * kDay).valid_until, kMaxOnionKeyLifetime);
}

}  // namespace
}  // namespace zmesh
