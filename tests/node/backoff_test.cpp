// Reconnection backoff and the per-address handshake rate limiter.
#include <gtest/gtest.h>

#include "node/backoff.hpp"
#include "node/rate_limiter.hpp"

namespace zmesh::node {
namespace {

TEST(Backoff, BaseDoublesFromOneSecondToTheCap) {
  BackoffConfig config;  // 1 s doubling, 60 s cap
  const DurationUs expected[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
  for (std::uint32_t n = 0; n < 9; ++n) EXPECT_EQ(backoff_base(config, n), expected[n] * kSecond) << n;
  EXPECT_EQ(backoff_base(config, 1'000'000), 60 * kSecond);  // no overflow however many failures
}

TEST(Backoff, JitterStaysWithinTheBandAndVaries) {
  BackoffConfig config;
  SeededRandom random(7);
  for (std::uint32_t n = 0; n < 12; ++n) {
    const DurationUs base = backoff_base(config, n);
    DurationUs lowest = base, highest = 0;
    for (int i = 0; i < 200; ++i) {
      const DurationUs delay = backoff_delay(config, n, random);
      ASSERT_LE(delay, base);
      ASSERT_GT(delay, static_cast<DurationUs>(base * (1 - config.jitter)) - 1);
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    EXPECT_LT(lowest, base - base / 8) << "jitter should spread the delays";  // 200 draws: P(fail) ~ 2^-200
    EXPECT_GT(highest, base - base / 8);
  }
}

TEST(Backoff, ZeroJitterIsExact) {
  BackoffConfig config;
  config.jitter = 0;
  config.initial_delay = 250 * kMillisecond;
  config.max_delay = 1 * kSecond;
  SeededRandom random(1);
  EXPECT_EQ(backoff_delay(config, 0, random), 250 * kMillisecond);
  EXPECT_EQ(backoff_delay(config, 2, random), 1 * kSecond);
  EXPECT_EQ(backoff_delay(config, 3, random), 1 * kSecond);
}

TEST(RateLimiter, BurstThenRefill) {
  HandshakeRateLimiter limiter({2.0, 3.0, 16});
  const TimeUs t0 = 1000;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("192.0.2.1", t0));
  EXPECT_FALSE(limiter.allow("192.0.2.1", t0));
  EXPECT_TRUE(limiter.allow("192.0.2.2", t0)) << "another address has its own bucket";
  EXPECT_FALSE(limiter.allow("192.0.2.1", t0 + 400 * kMillisecond));  // 0.8 tokens
  EXPECT_TRUE(limiter.allow("192.0.2.1", t0 + 500 * kMillisecond));   // 1 token
  EXPECT_FALSE(limiter.allow("192.0.2.1", t0 + 500 * kMillisecond));
  // Never more than the burst, however long the pause.
  const TimeUs later = t0 + 3600 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("192.0.2.1", later));
  EXPECT_FALSE(limiter.allow("192.0.2.1", later));
}

TEST(RateLimiter, TableIsBounded) {
  HandshakeRateLimiter limiter({1.0, 2.0, 8});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.allow("198.51.100." + std::to_string(i), 0));
  EXPECT_LE(limiter.tracked(), 8u);
  // Refilled buckets are forgotten first, so new addresses are tracked again later.
  EXPECT_TRUE(limiter.allow("203.0.113.1", 10 * kSecond));
  EXPECT_TRUE(limiter.allow("203.0.113.1", 10 * kSecond));
  EXPECT_FALSE(limiter.allow("203.0.113.1", 10 * kSecond));
}

TEST(RateLimiter, DisabledWithZeroRate) {
  HandshakeRateLimiter limiter({0.0, 1.0, 8});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.allow("192.0.2.1", 0));
}

TEST(RateLimiter, HostOfStripsThePort) {
  EXPECT_EQ(host_of("203.0.113.7:4433"), "203.0.113.7");
  EXPECT_EQ(host_of("[2001:db8::1]:4433"), "2001:db8::1");
  EXPECT_EQ(host_of("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(host_of("name"), "name");
}

}  // namespace
}  // namespace zmesh::node
