#include <gtest/gtest.h>

#include "dht/distance.hpp"

namespace zmesh::dht {
namespace {

NodeId with_byte(std::size_t i, std::uint8_t v) {
  NodeId id;
  id.bytes[i] = v;
  return id;
}

TEST(Distance, XorIsSymmetricAndZeroOnlyForEqual) {
  SeededRandom random(1);
  for (int i = 0; i < 100; ++i) {
    NodeId a, b;
    random.fill(a.bytes);
    random.fill(b.bytes);
    EXPECT_EQ(xor_distance(a, b), xor_distance(b, a));
    EXPECT_EQ(xor_distance(a, a), NodeId{});
    EXPECT_NE(xor_distance(a, b), NodeId{});
  }
}

TEST(Distance, CommonPrefixBitsIsTheBucketIndex) {
  const NodeId zero{};
  EXPECT_EQ(common_prefix_bits(zero, zero), 256);
  EXPECT_EQ(common_prefix_bits(zero, with_byte(0, 0x80)), 0);
  EXPECT_EQ(common_prefix_bits(zero, with_byte(0, 0x01)), 7);
  EXPECT_EQ(common_prefix_bits(zero, with_byte(1, 0x40)), 9);
  EXPECT_EQ(common_prefix_bits(zero, with_byte(31, 0x01)), 255);
}

TEST(Distance, CloserToComparesXorDistance) {
  const NodeId target = with_byte(0, 0x0f);
  EXPECT_TRUE(closer_to(target, with_byte(0, 0x0e), with_byte(0, 0x10)));   // 0x01 < 0x1f
  EXPECT_FALSE(closer_to(target, with_byte(0, 0x10), with_byte(0, 0x0e)));
  EXPECT_FALSE(closer_to(target, target, target));  // strict
  EXPECT_TRUE(closer_to(target, target, with_byte(0, 0x0e)));
}

TEST(Distance, RandomIdInBucketLandsInThatBucket) {
  SeededRandom random(2);
  NodeId self;
  random.fill(self.bytes);
  for (int bucket = 0; bucket < 256; ++bucket) {
    for (int i = 0; i < 4; ++i) EXPECT_EQ(common_prefix_bits(self, random_id_in_bucket(self, bucket, random)), bucket);
  }
}

}  // namespace
}  // namespace zmesh::dht
