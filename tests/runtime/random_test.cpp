#include <gtest/gtest.h>

#include <set>

#include "runtime/random.hpp"

namespace zmesh {
namespace {

TEST(SeededRandom, SameSeedSameStreamDifferentSeedDifferentStream) {
  SeededRandom a(7), b(7), c(8);
  Bytes xa(1000), xb(1000), xc(1000);
  a.fill(xa);
  b.fill(xb);
  c.fill(xc);
  EXPECT_EQ(xa, xb);
  EXPECT_NE(xa, xc);
}

TEST(SeededRandom, ChunkingDoesNotChangeTheStream) {
  SeededRandom whole(99), pieces(99);
  Bytes all(333);
  whole.fill(all);
  Bytes joined;
  for (std::size_t n : {1, 63, 64, 65, 140}) {
    Bytes part(n);
    pieces.fill(part);
    append(joined, part);
  }
  EXPECT_EQ(all, joined);
}

TEST(SeededRandom, UniformStaysInRangeAndCoversIt) {
  SeededRandom r(1);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    auto v = r.uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  for (int i = 0; i < 1000; ++i) {
    double u = r.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(SeededRandom, ForksAreIndependent) {
  SeededRandom parent(5);
  auto f1 = parent.fork();
  auto f2 = parent.fork();
  EXPECT_NE(f1->next_u64(), f2->next_u64());
}

TEST(SystemRandom, ProducesDifferentOutput) {
  SystemRandom r;
  EXPECT_NE(r.next_u64(), r.next_u64());
}

}  // namespace
}  // namespace zmesh
