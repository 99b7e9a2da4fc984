// Replay cache (replay_cache.hpp): refuses repeats, fails closed when full.
#include <gtest/gtest.h>

#include "onion/replay_cache.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

TEST(ReplayCache, RemembersTagsAndRefusesRepeats) {
  SeededRandom random(3);
  ReplayCache cache(100);
  std::vector<ReplayTag> tags(50);
  for (auto& tag : tags) {
    random.fill(tag);
    EXPECT_EQ(cache.check_and_insert(tag), ReplayVerdict::fresh);
  }
  for (const auto& tag : tags) {
    EXPECT_EQ(cache.check_and_insert(tag), ReplayVerdict::replay);
    EXPECT_TRUE(cache.contains(tag));
  }
  EXPECT_EQ(cache.size(), 50u);
}

TEST(ReplayCache, FullCacheRefusesNewTagsButStillRecognisesOldOnes) {
  SeededRandom random(4);
  ReplayCache cache(3);
  ReplayTag first{};
  random.fill(first);
  EXPECT_EQ(cache.check_and_insert(first), ReplayVerdict::fresh);
  for (int i = 0; i < 2; ++i) {
    ReplayTag tag{};
    random.fill(tag);
    EXPECT_EQ(cache.check_and_insert(tag), ReplayVerdict::fresh);
  }
  ReplayTag late{};
  random.fill(late);
  EXPECT_EQ(cache.check_and_insert(late), ReplayVerdict::full);
  EXPECT_FALSE(cache.contains(late));
  EXPECT_EQ(cache.check_and_insert(first), ReplayVerdict::replay);
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace zmesh::onion
