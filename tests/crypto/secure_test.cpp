#include "crypto/secure.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::to_bytes;

TEST(SecretBytes, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.data(), nullptr);
}

TEST(SecretBytes, SizedIsZeroFilled) {
  SecretBytes s(100);
  ASSERT_EQ(s.size(), 100u);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.data()[i], 0) << i;
}

TEST(SecretBytes, CopyOfCopiesAndCloneIsIndependent) {
  const Bytes original = {1, 2, 3, 4, 5};
  SecretBytes a = SecretBytes::copy_of(original);
  EXPECT_EQ(to_bytes(a), original);
  SecretBytes b = a.clone();
  EXPECT_EQ(to_bytes(b), original);
  EXPECT_NE(a.data(), b.data());
  b.data()[0] = 99;
  EXPECT_EQ(a.data()[0], 1);
}

TEST(SecretBytes, MoveConstructionTransfersOwnership) {
  SecretBytes a = SecretBytes::copy_of(Bytes{7, 8, 9});
  const std::uint8_t* pointer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.data(), pointer);
  EXPECT_EQ(to_bytes(b), (Bytes{7, 8, 9}));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(a.data(), nullptr);
}

TEST(SecretBytes, MoveAssignmentReleasesOldAndTransfers) {
  SecretBytes a = SecretBytes::copy_of(Bytes{1, 1});
  SecretBytes b = SecretBytes::copy_of(Bytes{2, 2, 2});
  const std::uint8_t* pointer = b.data();
  a = std::move(b);
  EXPECT_EQ(a.data(), pointer);
  EXPECT_EQ(to_bytes(a), (Bytes{2, 2, 2}));
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  SecretBytes& self = a;
  a = std::move(self);  // self-move leaves the value intact
  EXPECT_EQ(to_bytes(a), (Bytes{2, 2, 2}));
}

TEST(SecretBytes, ViewsCoverTheBuffer) {
  SecretBytes s(4);
  s.mutable_view()[3] = 0xaa;
  EXPECT_EQ(s.view().size(), 4u);
  EXPECT_EQ(s.view()[3], 0xaa);
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2, 4};
  const Bytes d = {1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
  EXPECT_TRUE(constant_time_equal(ByteView{}, ByteView{}));
}

TEST(Wipe, ZeroesMemory) {
  Bytes data = {1, 2, 3, 4};
  wipe(data);
  EXPECT_EQ(data, (Bytes{0, 0, 0, 0}));
  wipe(MutableByteView{});  // empty is fine
}

TEST(Init, IsIdempotent) {
  init();
  init();
  SUCCEED();
}

}  // namespace
}  // namespace zmesh::crypto
