// An array whose elements never move: it grows by adding chunks (64, 128, 256, ... elements), so
// a pointer handed out stays valid, and an element's index is found back from its address by
// looking at a few chunks (at most 8 for 16,000 elements) instead of a hash lookup.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace emkhana::registry {

template <class T>
class StableArray {
 public:
  std::size_t size() const { return size_; }

  T& operator[](std::size_t i) {
    const auto [chunk, offset] = Locate(i);
    return chunks_[chunk][offset];
  }
  const T& operator[](std::size_t i) const {
    const auto [chunk, offset] = Locate(i);
    return chunks_[chunk][offset];
  }

  // Appends; returns the new element's index.
  std::uint32_t Add(T value) {
    const auto [chunk, offset] = Locate(size_);
    if (chunk == chunks_.size()) {
      chunks_.emplace_back().reserve(kFirst << chunk);  // never grows past this: no move
    }
    chunks_[chunk].push_back(std::move(value));
    return static_cast<std::uint32_t>(size_++);
  }

  // The index of the element at `p`, or nullopt when `p` is not one of ours (a copy). The
  // largest chunks hold most elements: they are looked at first.
  std::optional<std::uint32_t> IndexOf(const T* p) const {
    const std::less<const T*> before;
    for (std::size_t chunk = chunks_.size(); chunk-- > 0;) {
      const T* first = chunks_[chunk].data();
      if (!before(p, first) && before(p, first + chunks_[chunk].size())) {
        return static_cast<std::uint32_t>((kFirst << chunk) - kFirst + (p - first));
      }
    }
    return std::nullopt;
  }

  template <class F>
  void ForEach(F&& f) const {
    for (const auto& chunk : chunks_) {
      for (const auto& item : chunk) f(item);
    }
  }

 private:
  static constexpr std::size_t kFirst = 64;  // chunk k holds kFirst << k elements
  static constexpr int kFirstBits = std::bit_width(kFirst);

  // Element i is in chunk bit_width(i + kFirst) - bit_width(kFirst), after the elements of the
  // chunks before it ((kFirst << chunk) - kFirst of them).
  static std::pair<std::size_t, std::size_t> Locate(std::size_t i) {
    const std::size_t shifted = i + kFirst;
    const std::size_t chunk = std::bit_width(shifted) - kFirstBits;
    return {chunk, shifted - (kFirst << chunk)};
  }

  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace emkhana::registry
