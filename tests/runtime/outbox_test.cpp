// Outbox (src/runtime/core.hpp): FIFO, bounded, and its storage stays bounded even when a
// core never drains it completely.
#include <gtest/gtest.h>

#include "runtime/core.hpp"

namespace zmesh {
namespace {

TEST(Outbox, FifoAndBounded) {
  Outbox box(3);
  EXPECT_FALSE(box.pop().has_value());
  for (std::uint8_t i = 0; i < 3; ++i) EXPECT_TRUE(box.push(i, Bytes{i}));
  EXPECT_FALSE(box.push(9, Bytes{9}));
  EXPECT_EQ(box.size(), 3u);
  for (std::uint8_t i = 0; i < 3; ++i) {
    auto t = box.pop();
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->to, i);
    EXPECT_EQ(t->payload, Bytes{i});
  }
  EXPECT_FALSE(box.pop().has_value());
  EXPECT_TRUE(box.push(4, Bytes{4}));
  EXPECT_EQ(box.pop()->to, 4u);
}

TEST(Outbox, PartialDrainsKeepOrderAndCapacity) {
  Outbox box(100);
  std::uint64_t next_in = 0, next_out = 0;
  // Two in, one out, for a long time: one message more each round, then drain.
  for (int round = 0; round < 99; ++round) {
    ASSERT_TRUE(box.push(next_in++, {}));
    ASSERT_TRUE(box.push(next_in++, {}));
    ASSERT_EQ(box.pop()->to, next_out++);
  }
  EXPECT_EQ(box.size(), 99u);
  while (auto t = box.pop()) EXPECT_EQ(t->to, next_out++);
  EXPECT_EQ(next_out, next_in);
  // Never fully drained (one stays behind) across many pushes: still FIFO, size stays 1.
  ASSERT_TRUE(box.push(next_in++, {}));
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(box.push(next_in++, {}));
    ASSERT_EQ(box.pop()->to, next_out++);
    ASSERT_EQ(box.size(), 1u);
  }
}

}  // namespace
}  // namespace zmesh
