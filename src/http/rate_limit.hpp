// Request rate limits by key (a bearer token, a client address): a token bucket per key, kept as
// GCRA (one "theoretical arrival time" per key), so a check is a hash, a shard lock and a few
// integer operations, with no allocation for a key already seen.
//
// Each key may send `burst` requests at once and `rate` per second on average. Memory is bounded:
// a shard that reaches its share of `max_keys` first forgets the keys whose bucket is full again
// (forgetting them changes nothing), then, under a flood of distinct keys, all of its keys.
// Thread-safe: the keys are spread over shards, each under its own mutex.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace emkhana::http {

class RateLimiter {
 public:
  // rate <= 0: no limit (every call allows).
  RateLimiter(double rate_per_second, double burst, std::size_t max_keys = 1 << 16);

  bool enabled() const { return interval_us_ > 0; }

  // Takes one request from the key's bucket at `now_us` (a steady clock). 0: allowed; otherwise
  // refused, and the whole seconds until the key may send again (at least 1).
  [[nodiscard]] int Take(std::uint64_t key, std::int64_t now_us);
  // Like Take, but takes nothing: whether the key could send now.
  [[nodiscard]] int Peek(std::uint64_t key, std::int64_t now_us);

  std::size_t size();  // keys remembered (tests)

 private:
  static constexpr std::size_t kShards = 16;
  struct alignas(64) Shard {
    std::mutex mu;
    std::unordered_map<std::uint64_t, std::int64_t> tat;  // key -> theoretical arrival time
  };
  int Check(std::uint64_t key, std::int64_t now_us, bool take);

  std::int64_t interval_us_;   // one request's worth of time; 0: no limit
  std::int64_t tolerance_us_;  // how far ahead of now a key may run: (burst - 1) intervals
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace emkhana::http
