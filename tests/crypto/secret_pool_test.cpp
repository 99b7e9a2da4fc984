// The pooled allocator behind SecretBytes (src/crypto/secret_pool.hpp).
#include "crypto/secret_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "crypto/secure.hpp"

#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZMESH_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ZMESH_TEST_ASAN 1
#endif

namespace zmesh::crypto {
namespace {

using detail::secret_pool_stats;

void fill(SecretBytes& secret, std::uint8_t value) { std::memset(secret.data(), value, secret.size()); }

bool all_equal(const SecretBytes& secret, std::uint8_t value) {
  return std::all_of(secret.view().begin(), secret.view().end(), [value](std::uint8_t b) { return b == value; });
}

// Secrets of every size class (and past the largest) are zero-filled, disjoint, and a write
// to one never shows up in another.
TEST(SecretPool, SecretsOfAllSizesAreZeroedAndDisjoint) {
  std::vector<SecretBytes> secrets;
  for (std::size_t size : {1, 15, 16, 17, 31, 32, 33, 64, 100, 255, 1000, 2048, 2400, 4032, 4096, 4097, 10000}) {
    for (int copy = 0; copy < 3; ++copy) {
      secrets.emplace_back(size);
      ASSERT_EQ(secrets.back().size(), size);
      EXPECT_TRUE(all_equal(secrets.back(), 0)) << size;
    }
  }
  for (std::size_t i = 0; i < secrets.size(); ++i) fill(secrets[i], static_cast<std::uint8_t>(i + 1));
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    EXPECT_TRUE(all_equal(secrets[i], static_cast<std::uint8_t>(i + 1))) << "secret " << i << " was overwritten";
    for (std::size_t j = i + 1; j < secrets.size(); ++j) {
      const auto* a = secrets[i].data();
      const auto* b = secrets[j].data();
      EXPECT_TRUE(a + secrets[i].size() <= b || b + secrets[j].size() <= a) << i << " overlaps " << j;
    }
  }
}

TEST(SecretPool, LargeSecretsGetTheirOwnRegion) {
  const auto before = secret_pool_stats();
  {
    SecretBytes large(detail::kMaxPooledSecretBytes + 1);
    EXPECT_EQ(secret_pool_stats().dedicated_regions, before.dedicated_regions + 1);
    EXPECT_EQ(secret_pool_stats().live_slots, before.live_slots);
  }
  EXPECT_EQ(secret_pool_stats().dedicated_regions, before.dedicated_regions);
}

// The point of the pool: a short-lived secret costs no new region once one exists.
TEST(SecretPool, TemporariesReuseSlots) {
  SecretBytes keep(32);  // makes sure the 32-byte class has a chunk
  const auto before = secret_pool_stats();
  for (int i = 0; i < 10000; ++i) {
    SecretBytes temporary(32);
    temporary.data()[31] = 1;
  }
  const auto after = secret_pool_stats();
  EXPECT_EQ(after.chunks, before.chunks);
  EXPECT_EQ(after.live_slots, before.live_slots);
}

// Many live secrets need more chunks; once they are gone the extra chunks are unmapped
// (one spare per class may stay).
TEST(SecretPool, ChunksAreReturnedWhenEmpty) {
  const auto before = secret_pool_stats();
  {
    std::vector<SecretBytes> many;
    for (int i = 0; i < 5000; ++i) many.emplace_back(32);
    EXPECT_GE(secret_pool_stats().chunks, before.chunks + 3);
    EXPECT_EQ(secret_pool_stats().live_slots, before.live_slots + 5000);
  }
  EXPECT_LE(secret_pool_stats().chunks, before.chunks + 1);
  EXPECT_EQ(secret_pool_stats().live_slots, before.live_slots);
}

#ifndef ZMESH_TEST_ASAN
// The freed slot stays mapped (its chunk has other live secrets), so its bytes can be read
// back: they must be zero. Under AddressSanitizer the freed slot is poisoned instead.
TEST(SecretPool, FreedSlotIsWiped) {
  SecretBytes neighbour(64);  // keeps the chunk mapped
  const std::uint8_t* raw = nullptr;
  {
    SecretBytes secret(64);
    fill(secret, 0xa5);
    raw = secret.data();
  }
  for (std::size_t i = 0; i < 64; ++i) ASSERT_EQ(raw[i], 0) << "byte " << i << " survived the free";
}
#endif

// One byte past the end overwrites the canary; freeing then aborts instead of going on.
// Under AddressSanitizer the canary is poisoned, so the write itself is reported.
TEST(SecretPoolDeathTest, OverflowIsDetectedOnFree) {
#ifdef ZMESH_TEST_ASAN
  const char* expected = "use-after-poison";
#else
  const char* expected = "canary overwritten";
#endif
  EXPECT_DEATH_IF_SUPPORTED(
      {
        SecretBytes secret(20);
        secret.data()[20] = static_cast<std::uint8_t>(secret.data()[20] ^ 0xff);  // NOLINT: the point of the test
      },
      expected);
}

#ifndef __EMSCRIPTEN__
// SecretBytes is used from several threads (tests, tools): allocate, fill, check and free
// concurrently; a pool race shows up as a foreign pattern, a canary abort or a crash.
TEST(SecretPool, ConcurrentUseKeepsSecretsApart) {
  const auto before = secret_pool_stats();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      std::vector<std::pair<SecretBytes, std::uint8_t>> held;
      for (int i = 0; i < 4000; ++i) {
        const auto value = static_cast<std::uint8_t>(t * 50 + i % 50 + 1);
        SecretBytes secret(static_cast<std::size_t>(16 + (i * 37) % 3000));
        fill(secret, value);
        held.emplace_back(std::move(secret), value);
        if (held.size() > 20) {
          if (!all_equal(held.front().first, held.front().second)) ++failures[static_cast<std::size_t>(t)];
          held.erase(held.begin());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  EXPECT_EQ(secret_pool_stats().live_slots, before.live_slots);
}
#endif

}  // namespace
}  // namespace zmesh::crypto
