// Age-out plans in the order they fall due: by birthday, then IIN, then period id.
//
// A std::set of 5 million plans (20 million people) cost a cache miss per tree level, about 23
// for each insert and erase, and a child's move does several. Here the plans sit in buckets of
// `days_per_bucket` consecutive birthdays, each a sorted vector, in a deque that spans the
// birthdays held: a bucket is found by arithmetic and searched within a few cache lines
// (ADR 0009).
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "domain/date.hpp"

namespace emkhana::registry {

class AgeOutQueue {
 public:
  struct Key {
    domain::Date birthday;
    std::uint64_t iin = 0;
    std::uint32_t id = 0;  // the pediatric period's
    friend auto operator<=>(const Key&, const Key&) = default;
  };

  explicit AgeOutQueue(int days_per_bucket = 1) : width_(std::max(1, days_per_bucket)) {}

  // Adds `key` (nothing if it is there).
  void Insert(const Key& key) {
    const std::int64_t b = BucketOf(key.birthday);
    if (buckets_.empty()) {
      first_ = b;
      buckets_.emplace_back();
    } else if (b < first_) {
      buckets_.insert(buckets_.begin(), static_cast<std::size_t>(first_ - b), {});
      first_ = b;
    } else if (b >= first_ + static_cast<std::int64_t>(buckets_.size())) {
      buckets_.resize(static_cast<std::size_t>(b - first_ + 1));
    }
    auto& bucket = buckets_[static_cast<std::size_t>(b - first_)];
    auto it = std::lower_bound(bucket.begin(), bucket.end(), key);
    if (it != bucket.end() && *it == key) return;
    bucket.insert(it, key);
    ++size_;
  }

  // Removes `key` (nothing if it is not there).
  void Erase(const Key& key) {
    const std::int64_t b = BucketOf(key.birthday);
    if (b < first_ || b >= first_ + static_cast<std::int64_t>(buckets_.size())) return;
    auto& bucket = buckets_[static_cast<std::size_t>(b - first_)];
    auto it = std::lower_bound(bucket.begin(), bucket.end(), key);
    if (it == bucket.end() || *it != key) return;
    bucket.erase(it);
    --size_;
    // Empty buckets at either end go, so that the deque spans only the birthdays held.
    while (!buckets_.empty() && buckets_.front().empty()) {
      buckets_.pop_front();
      ++first_;
    }
    while (!buckets_.empty() && buckets_.back().empty()) buckets_.pop_back();
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(key) in order for every key with a birthday on or before `through`. `f` must not
  // change the queue.
  template <class F>
  void ForEachThrough(domain::Date through, F&& f) const {
    const std::int64_t last = BucketOf(through);
    for (std::size_t i = 0; i < buckets_.size() && first_ + static_cast<std::int64_t>(i) <= last;
         ++i) {
      for (const auto& key : buckets_[i]) {
        if (key.birthday > through) return;
        f(key);
      }
    }
  }

 private:
  std::int64_t BucketOf(domain::Date day) const {
    const std::int64_t d = day.days();
    return d >= 0 ? d / width_ : -((-d + width_ - 1) / width_);  // floor, for dates before 1970
  }

  std::int64_t width_;
  std::deque<std::vector<Key>> buckets_;
  std::int64_t first_ = 0;  // the bucket number of buckets_.front()
  std::size_t size_ = 0;
};

}  // namespace emkhana::registry
