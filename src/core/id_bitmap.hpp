// A set of small non-negative integer ids as one bit each: 20 million attachment ids take
// 2.5 MB, and a lookup is one memory read. Ids far above the number added are not kept (the
// bitmap would grow without bound for a sparse id space): `contains` answers false for them,
// so use it only where "not known" is a safe answer (a cache in front of a slower lookup).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace emkhana {

class IdBitmap {
 public:
  // Keeps `id` if it is below the bound (see above); true if it was kept.
  bool insert(std::int64_t id) {
    if (id < 0 || static_cast<std::uint64_t>(id) >= Bound()) return false;
    const auto word = static_cast<std::size_t>(id) / 64;
    if (word >= words_.size()) words_.resize(word + word / 4 + 1, 0);  // headroom: few moves
    words_[word] |= std::uint64_t{1} << (id % 64);
    ++added_;
    return true;
  }
  bool contains(std::int64_t id) const {
    if (id < 0) return false;
    const auto word = static_cast<std::size_t>(id) / 64;
    return word < words_.size() && (words_[word] >> (id % 64) & 1) != 0;
  }
  void clear() {
    words_.clear();
    added_ = 0;
  }

 private:
  // Ids up to 4 × the ids added plus a million: at least 1 bit in 4 set on average, so at most
  // 32 bits of memory per id added (and 128 KB to start with).
  std::uint64_t Bound() const { return 4 * added_ + (std::uint64_t{1} << 20); }

  std::vector<std::uint64_t> words_;
  std::uint64_t added_ = 0;
};

}  // namespace emkhana
