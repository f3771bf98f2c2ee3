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

// What the set and the map share: 64 parts, a key's part, and the whole-container operations.
template <class Part, class Key, class Hash>
class ShardedParts {
 public:
  static constexpr std::size_t kParts = 64;

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

 protected:
  Part& PartOf(const Key& key) { return parts_[ShardOf<Key, Hash, kParts>(key)]; }
  const Part& PartOf(const Key& key) const { return parts_[ShardOf<Key, Hash, kParts>(key)]; }

 private:
  std::array<Part, kParts> parts_;
};

template <class Key, class Hash = boost::hash<Key>>
class ShardedSet : public ShardedParts<boost::unordered_flat_set<Key, Hash>, Key, Hash> {
 public:
  // True if `key` was not there.
  bool insert(Key key) {
    auto& part = this->PartOf(key);
    return part.insert(std::move(key)).second;
  }
};

// The same for a map. References to values stay valid until the next insertion.
template <class Key, class Value, class Hash = boost::hash<Key>>
class ShardedMap : public ShardedParts<boost::unordered_flat_map<Key, Value, Hash>, Key, Hash> {
 public:
  Value& operator[](const Key& key) { return this->PartOf(key)[key]; }
  // nullptr if absent.
  Value* find(const Key& key) {
    auto& part = this->PartOf(key);
    auto it = part.find(key);
    return it == part.end() ? nullptr : &it->second;
  }
  const Value* find(const Key& key) const {
    const auto& part = this->PartOf(key);
    auto it = part.find(key);
    return it == part.end() ? nullptr : &it->second;
  }
  // The value of a key that must be there (std::out_of_range otherwise, as std::map::at).
  Value& at(const Key& key) { return this->PartOf(key).at(key); }
  const Value& at(const Key& key) const { return this->PartOf(key).at(key); }
};

}  // namespace emkhana
