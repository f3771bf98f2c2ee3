#include "registry/iin_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace emkhana::registry {
namespace {

TEST(IinIndexTest, EmptyFindsNothing) {
  IinIndex index;
  EXPECT_FALSE(index.Find(850305301578));
  index.Prefetch(850305301578);  // harmless on an empty index
  EXPECT_EQ(index.size(), 0u);
}

TEST(IinIndexTest, AKeyIsAddedOnce) {
  IinIndex index;
  EXPECT_EQ(index.TryEmplace(850305301578, 7), std::make_pair(7u, true));
  EXPECT_EQ(index.TryEmplace(850305301578, 9), std::make_pair(7u, false));
  EXPECT_EQ(index.Find(850305301578), 7u);
  EXPECT_EQ(index.size(), 1u);
}

// Against a standard map, through many rehashes, with keys shaped like IINs (a birth date, then
// serial digits) and key 0: every key added is found with its row, and no other.
TEST(IinIndexTest, AgreesWithAStandardMap) {
  std::mt19937_64 rng(4);
  IinIndex index;
  std::unordered_map<std::uint64_t, std::uint32_t> expected;
  for (std::uint32_t row = 0; row < 200'000; ++row) {
    const std::uint64_t date = 100 * (100 * (rng() % 100) + 1 + rng() % 12) + 1 + rng() % 28;
    const std::uint64_t key = row == 0 ? 0 : date * 1'000'000 + rng() % 1'000'000;
    const auto [stored, added] = index.TryEmplace(key, row);
    const auto [it, expected_added] = expected.try_emplace(key, row);
    ASSERT_EQ(added, expected_added) << key;
    ASSERT_EQ(stored, it->second) << key;
  }
  EXPECT_EQ(index.size(), expected.size());
  for (const auto& [key, row] : expected) ASSERT_EQ(index.Find(key), row) << key;
  for (int i = 0; i < 100'000; ++i) {
    const std::uint64_t key = 999'999'999'999 - rng() % 1'000'000'000;  // no date this late
    ASSERT_EQ(index.Find(key).has_value(), expected.contains(key)) << key;
  }
}

TEST(IinIndexTest, ReserveKeepsWhatIsThere) {
  IinIndex index;
  for (std::uint32_t row = 0; row < 100; ++row) index.TryEmplace(1000 + row, row);
  index.Reserve(1'000'000);
  for (std::uint32_t row = 0; row < 100; ++row) ASSERT_EQ(index.Find(1000 + row), row);
  EXPECT_EQ(index.size(), 100u);
}

}  // namespace
}  // namespace emkhana::registry
