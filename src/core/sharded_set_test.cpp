#include "core/sharded_set.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace emkhana {
namespace {

TEST(ShardedSet, BehavesAsASet) {
  ShardedSet<std::string> set;
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.insert("A-1"));
  EXPECT_FALSE(set.insert("A-1"));
  EXPECT_TRUE(set.insert("A-2"));
  EXPECT_TRUE(set.contains("A-1"));
  EXPECT_FALSE(set.contains("A-3"));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.erase("A-1"), 1u);
  EXPECT_EQ(set.erase("A-1"), 0u);
  EXPECT_FALSE(set.contains("A-1"));
  set.clear();
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.contains("A-2"));
}

// The point of the parts: each holds a small, even share, so growing one moves few entries.
TEST(ShardedSet, EntriesSpreadEvenlyOverTheParts) {
  ShardedSet<std::string> ids;
  ShardedSet<std::int64_t> numbers;
  constexpr int kEntries = 200'000;
  for (int i = 0; i < kEntries; ++i) {
    ids.insert("B-1763900000-" + std::to_string(i));
    numbers.insert(i + 1);  // dense ids, as the periods' are
  }
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kEntries));
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kEntries));
  const double even = static_cast<double>(kEntries) / ShardedSet<std::string>::kParts;
  for (std::size_t i = 0; i < ShardedSet<std::string>::kParts; ++i) {
    EXPECT_GT(ids.part_size(i), 0.9 * even) << "part " << i;
    EXPECT_LT(ids.part_size(i), 1.1 * even) << "part " << i;
    EXPECT_GT(numbers.part_size(i), 0.9 * even) << "part " << i;
    EXPECT_LT(numbers.part_size(i), 1.1 * even) << "part " << i;
  }
  for (int i = 0; i < kEntries; i += 997) {
    EXPECT_TRUE(ids.contains("B-1763900000-" + std::to_string(i)));
    EXPECT_TRUE(numbers.contains(i + 1));
  }
  EXPECT_FALSE(numbers.contains(kEntries + 1));
}

TEST(ShardedMap, BehavesAsAMap) {
  ShardedMap<std::uint32_t, int> map;
  EXPECT_EQ(map.find(7), nullptr);
  EXPECT_FALSE(map.contains(7));
  map[7] = 70;
  map[8] = 80;
  ASSERT_NE(map.find(7), nullptr);
  EXPECT_EQ(*map.find(7), 70);
  EXPECT_EQ(map.at(8), 80);
  EXPECT_THROW((void)map.at(9), std::out_of_range);
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.erase(7), 1u);
  EXPECT_EQ(map.erase(7), 0u);
  EXPECT_FALSE(map.contains(7));
  for (std::uint32_t i = 0; i < 100'000; ++i) map[i] = static_cast<int>(i) * 2;
  for (std::uint32_t i = 0; i < 100'000; i += 101) EXPECT_EQ(map.at(i), static_cast<int>(i) * 2);
  EXPECT_EQ(map.size(), 100'000u);
  map.clear();
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace emkhana
