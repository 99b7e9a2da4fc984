#include <gtest/gtest.h>

#include "util/bytes.hpp"

namespace zmesh {
namespace {

TEST(Hex, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string hex = to_hex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(508), "feff");
  auto back = from_hex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(Hex, AcceptsUpperCase) { EXPECT_EQ(*from_hex("ABcd"), (Bytes{0xab, 0xcd})); }

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(from_hex("abc").error().code, Errc::invalid_argument);
  EXPECT_EQ(from_hex("zz").error().code, Errc::invalid_argument);
  EXPECT_FALSE((array_from_hex<4>("0011223")).ok());
  EXPECT_EQ((*array_from_hex<2>("0a0b"))[1], 0x0b);
}

}  // namespace
}  // namespace zmesh
