#include "http/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace emkhana::http {

RateLimiter::RateLimiter(double rate_per_second, double burst, std::size_t max_keys)
    : interval_us_(
          rate_per_second > 0 ? std::max<std::int64_t>(1, std::llround(1e6 / rate_per_second)) : 0),
      tolerance_us_(interval_us_ * std::max<std::int64_t>(0, std::llround(burst) - 1)),
      max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

int RateLimiter::Take(std::uint64_t key, std::int64_t now_us) { return Check(key, now_us, true); }

int RateLimiter::Peek(std::uint64_t key, std::int64_t now_us) { return Check(key, now_us, false); }

int RateLimiter::Check(std::uint64_t key, std::int64_t now_us, bool take) {
  if (interval_us_ == 0) return 0;
  // The low bits pick the bucket in the shard's map; the high ones pick the shard.
  auto& shard = shards_[(key >> 60) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.tat.find(key);
  if (it == shard.tat.end()) {
    if (!take) return 0;  // unknown: a full bucket
    if (shard.tat.size() >= max_per_shard_) {
      std::erase_if(shard.tat, [now_us](const auto& kv) { return kv.second <= now_us; });
      if (shard.tat.size() >= max_per_shard_) shard.tat.clear();
    }
    shard.tat.emplace(key, now_us + interval_us_);
    return 0;
  }
  const std::int64_t tat = std::max(it->second, now_us);
  const std::int64_t ahead = tat + interval_us_ - now_us;  // after this request
  if (ahead > tolerance_us_ + interval_us_) {
    const std::int64_t wait_us = ahead - tolerance_us_ - interval_us_;
    return static_cast<int>(std::max<std::int64_t>(1, (wait_us + 999'999) / 1'000'000));
  }
  if (take) it->second = tat + interval_us_;
  return 0;
}

std::size_t RateLimiter::size() {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.tat.size();
  }
  return n;
}

}  // namespace emkhana::http
