#include "http/rate_limit.hpp"

#include <gtest/gtest.h>

namespace emkhana::http {
namespace {

constexpr std::int64_t kSecond = 1'000'000;

TEST(RateLimiter, AllowsTheBurstThenRefusesWithTheWait) {
  RateLimiter limiter(2, 5);  // 2 per second, 5 at once
  const std::int64_t t0 = 100 * kSecond;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Take(1, t0), 0) << i;
  EXPECT_EQ(limiter.Take(1, t0), 1);  // the next is due in half a second: Retry-After 1
  EXPECT_EQ(limiter.Take(1, t0 + kSecond / 4), 1);
  EXPECT_EQ(limiter.Take(1, t0 + kSecond / 2), 0);  // refilled by one
  EXPECT_NE(limiter.Take(1, t0 + kSecond / 2), 0);
}

TEST(RateLimiter, RetryAfterCountsWholeSeconds) {
  RateLimiter limiter(0.25, 1);  // one request every 4 s
  EXPECT_EQ(limiter.Take(7, 0), 0);
  EXPECT_EQ(limiter.Take(7, 0), 4);
  EXPECT_EQ(limiter.Take(7, kSecond / 2), 4);  // 3.5 s: rounded up
  EXPECT_EQ(limiter.Take(7, 3 * kSecond), 1);
  EXPECT_EQ(limiter.Take(7, 4 * kSecond), 0);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1, 2);
  EXPECT_EQ(limiter.Take(1, 0), 0);
  EXPECT_EQ(limiter.Take(1, 0), 0);
  EXPECT_NE(limiter.Take(1, 0), 0);
  EXPECT_EQ(limiter.Take(2, 0), 0);
  EXPECT_EQ(limiter.Take(0xF000'0000'0000'0001ULL, 0), 0);  // another shard
}

TEST(RateLimiter, RefusedRequestsDoNotDrainTheBucket) {
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.Take(1, 0), 0);
  for (int i = 0; i < 100; ++i) EXPECT_NE(limiter.Take(1, kSecond / 2), 0);
  EXPECT_EQ(limiter.Take(1, kSecond), 0);
}

TEST(RateLimiter, PeekTakesNothing) {
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.Peek(3, 0), 0);  // unknown: full
  EXPECT_EQ(limiter.size(), 0u);
  EXPECT_EQ(limiter.Take(3, 0), 0);
  EXPECT_EQ(limiter.Peek(3, 0), 1);
  EXPECT_EQ(limiter.Peek(3, kSecond), 0);
  EXPECT_EQ(limiter.Take(3, kSecond), 0);
}

TEST(RateLimiter, ZeroRateMeansNoLimit) {
  RateLimiter limiter(0, 0);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.Take(1, 0), 0);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, MemoryStaysBounded) {
  RateLimiter limiter(1, 10, 64);  // 4 keys per shard
  for (std::uint64_t k = 0; k < 10'000; ++k) {
    (void)limiter.Take(k * 0x9E37'79B9'7F4A'7C15ULL, 0);
    ASSERT_LE(limiter.size(), 64u);
  }
  // Keys whose bucket is full again are the first to go, active ones stay.
  RateLimiter small(1, 2, 16);  // 1 key per shard
  EXPECT_EQ(small.Take(1, 0), 0);
  EXPECT_EQ(small.Take(1, 0), 0);
  EXPECT_NE(small.Take(1, 0), 0);
}

}  // namespace
}  // namespace emkhana::http
