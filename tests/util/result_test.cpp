#include <gtest/gtest.h>

#include <memory>

#include "util/result.hpp"

namespace zmesh {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(Errc::invalid_argument, "not positive");
  return v;
}

Result<int> doubled(int v) {
  ZM_TRY(int x, parse_positive(v));
  return 2 * x;
}

Status check(int v) {
  ZM_CHECK(parse_positive(v));
  return {};
}

TEST(Result, PropagatesErrorsAndValues) {
  EXPECT_EQ(*doubled(4), 8);
  auto failed = doubled(-1);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::invalid_argument);
  EXPECT_EQ(failed.error().describe(), "invalid argument: not positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_FALSE(check(0).ok());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> taken = std::move(r).value();
  EXPECT_EQ(*taken, 5);
}

#if GTEST_HAS_DEATH_TEST
TEST(ResultDeathTest, UsingTheValueOfAFailureAborts) {
  Result<int> r = make_error(Errc::timeout, "late");
  EXPECT_DEATH((void)r.value(), "");
}
#endif

}  // namespace
}  // namespace zmesh
