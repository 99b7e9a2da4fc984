#include "crypto/pq_randombytes.hpp"

#include <gtest/gtest.h>

#include "randombytes.h"  // PQClean's entry point, implemented by src/crypto
#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

Bytes draw(std::size_t n) {
  Bytes out(n);
  EXPECT_EQ(randombytes(out.data(), out.size()), 0);
  return out;
}

TEST(PqRandomScope, RoutesToTheInnermostSourceAndRestores) {
  test::ScriptedRandom outer(Bytes{1, 2, 3, 4});
  test::ScriptedRandom inner(Bytes{9, 9});
  {
    detail::PqRandomScope outer_scope(outer);
    EXPECT_EQ(draw(2), (Bytes{1, 2}));
    {
      detail::PqRandomScope inner_scope(inner);
      EXPECT_EQ(draw(2), (Bytes{9, 9}));
    }
    EXPECT_EQ(draw(2), (Bytes{3, 4}));
  }
  EXPECT_TRUE(outer.fully_consumed());
  EXPECT_TRUE(inner.fully_consumed());
}

#if GTEST_HAS_DEATH_TEST
TEST(PqRandomScopeDeathTest, AbortsWithoutASource) {
  EXPECT_DEATH(draw(1), "outside a PqRandomScope");
}
#endif

}  // namespace
}  // namespace zmesh::crypto
