// A hash set (and map) in parts, so that growing it never rehashes the whole set at once. A flat
// hash set doubles in one step: at a million application ids that step held a decision for about
// 100 ms (measured under POST load, docs/adr/0008-no-stalls-in-the-decision-path.md). Here each
// part grows alone, so a step moves about 1/64 of the entries.
#pragma once
#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace emkhana {

// Which part a key goes to: a mix of the hash unlike the one a part uses for its slots, so
// that the entries of one part still spread over its slots.
template <class Key, class Hash, std::size_t kParts>
std::size_t ShardOf(const Key& key) {
  std::uint64_t h = Hash{}(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h % kParts);
}

template <class Key, class Hash = boost::hash<Key>>
class ShardedSet {
 public:
  static constexpr std::size_t kParts = 64;

  // True if `key` was not there.
  bool insert(Key key) {
    auto& part = PartOf(key);
    return part.insert(std::move(key)).second;
  }
  bool contains(const Key& key) const { return PartOf(key).contains(key); }
  std::size_t erase(const Key& key) { return PartOf(key).erase(key); }
  void clear() {
    for (auto& part : parts_) part.clear();
  }
  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& part : parts_) n += part.size();
    return n;
  }
  bool empty() const { return size() == 0; }
  // The entries of part `i` (0 ≤ i < kParts): for tests of the spread.
  std::size_t part_size(std::size_t i) const { return parts_[i].size(); }

 private:
  using Part = boost::unordered_flat_set<Key, Hash>;
  Part& PartOf(const Key& key) { return parts_[ShardOf<Key, Hash, kParts>(key)]; }
  const Part& PartOf(const Key& key) const { return parts_[ShardOf<Key, Hash, kParts>(key)]; }

  std::array<Part, kParts> parts_;
};

// The same for a map. References to values stay valid until the next insertion.
template <class Key, class Value, class Hash = boost::hash<Key>>
class ShardedMap {
 public:
  static constexpr std::size_t kParts = 64;

  Value& operator[](const Key& key) { return PartOf(key)[key]; }
  // nullptr if absent.
  Value* find(const Key& key) {
    auto& part = PartOf(key);
    auto it = part.find(key);
    return it == part.end() ? nullptr : &it->second;
  }
  const Value* find(const Key& key) const {
    const auto& part = PartOf(key);
    auto it = part.find(key);
    return it == part.end() ? nullptr : &it->second;
  }
  // The value of a key that must be there (std::out_of_range otherwise, as std::map::at).
  Value& at(const Key& key) { return PartOf(key).at(key); }
  const Value& at(const Key& key) const { return PartOf(key).at(key); }
  bool contains(const Key& key) const { return PartOf(key).contains(key); }
  std::size_t erase(const Key& key) { return PartOf(key).erase(key); }
  void clear() {
    for (auto& part : parts_) part.clear();
  }
  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& part : parts_) n += part.size();
    return n;
  }

 private:
  using Part = boost::unordered_flat_map<Key, Value, Hash>;
  Part& PartOf(const Key& key) { return parts_[ShardOf<Key, Hash, kParts>(key)]; }
  const Part& PartOf(const Key& key) const { return parts_[ShardOf<Key, Hash, kParts>(key)]; }

  std::array<Part, kParts> parts_;
};

}  // namespace emkhana
