// The registry's index from an IIN (its 12 digits as a number) to the person's row.
//
// Open addressing with linear probing in one array of 16-byte slots, key and row side by side:
// where a key lives follows from the key alone, so the slot can be loaded into the cache ahead of
// the lookup (`Prefetch`). A general hash map offers no such call, and with 20 million persons
// finding the applicant was the deciding thread's largest cache miss (ADR 0014).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/huge_pages.hpp"
#include "core/prefetch.hpp"

namespace emkhana::registry {

class IinIndex {
 public:
  // Room for `count` keys without growing.
  void Reserve(std::size_t count) {
    if (count > MaxLoad(slots_.size())) Rehash(CapacityFor(count));
  }

  // Adds key → row unless the key is there. Returns the row stored for the key and whether it
  // was added.
  std::pair<std::uint32_t, bool> TryEmplace(std::uint64_t key, std::uint32_t row) {
    if (size_ + 1 > MaxLoad(slots_.size())) Rehash(CapacityFor(size_ + 1));
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      auto& slot = slots_[i];
      if (slot.key == key) return {slot.row, false};
      if (slot.key == kEmpty) {
        slot = {key, row};
        ++size_;
        return {row, true};
      }
    }
  }

  std::optional<std::uint32_t> Find(std::uint64_t key) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      const auto& slot = slots_[i];
      if (slot.key == key) return slot.row;
      if (slot.key == kEmpty) return std::nullopt;
    }
  }

  // Starts loading the cache line where Find(key) begins, and the next one (a key's run of slots
  // may cross into it).
  void Prefetch(std::uint64_t key) const {
    if (slots_.empty()) return;
    const auto* slot = &slots_[Home(key)];
    PrefetchLine(slot);
    PrefetchLine(slot + kSlotsPerLine - 1);
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = kEmpty;
    std::uint32_t row = 0;
  };
  // No IIN is this large (12 digits).
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static constexpr std::size_t kSlotsPerLine = 64 / sizeof(Slot);
  static_assert(sizeof(Slot) == 16);

  // At most 3/4 full: a lookup mostly reads one or two slots.
  static std::size_t MaxLoad(std::size_t capacity) { return capacity / 4 * 3; }
  static std::size_t CapacityFor(std::size_t count) {
    return std::bit_ceil(std::max<std::size_t>(16, count + count / 3 + 1));
  }
  // Fibonacci hashing: the top bits of the key times 2^64/φ. IINs begin with the birth date, so
  // their low digits alone would crowd some slots.
  std::size_t Home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void Rehash(std::size_t capacity) {
    std::vector<Slot, HugePageAllocator<Slot>> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    size_ = 0;
    for (const auto& slot : old) {
      if (slot.key != kEmpty) TryEmplace(slot.key, slot.row);
    }
  }

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace emkhana::registry
