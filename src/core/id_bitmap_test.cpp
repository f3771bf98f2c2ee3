#include "core/id_bitmap.hpp"

#include <gtest/gtest.h>

namespace emkhana {
namespace {

TEST(IdBitmap, HoldsWhatWasAdded) {
  IdBitmap ids;
  EXPECT_FALSE(ids.contains(0));
  EXPECT_TRUE(ids.insert(0));
  EXPECT_TRUE(ids.insert(63));
  EXPECT_TRUE(ids.insert(64));
  EXPECT_TRUE(ids.insert(1'000'000));
  EXPECT_TRUE(ids.contains(0));
  EXPECT_TRUE(ids.contains(63));
  EXPECT_TRUE(ids.contains(64));
  EXPECT_TRUE(ids.contains(1'000'000));
  EXPECT_FALSE(ids.contains(1));
  EXPECT_FALSE(ids.contains(65));
  EXPECT_FALSE(ids.contains(999'999));
  EXPECT_FALSE(ids.contains(50'000'000));
  EXPECT_FALSE(ids.contains(-1));
  ids.clear();
  EXPECT_FALSE(ids.contains(63));
}

TEST(IdBitmap, DenseIdsGrowTheBound) {
  IdBitmap ids;
  for (std::int64_t id = 1; id <= 3'000'000; ++id) ASSERT_TRUE(ids.insert(id)) << id;
  for (std::int64_t id = 1; id <= 3'000'000; id += 997) EXPECT_TRUE(ids.contains(id));
  EXPECT_FALSE(ids.contains(3'000'001));
}

TEST(IdBitmap, RefusesIdsFarAboveWhatItHolds) {
  IdBitmap ids;
  EXPECT_FALSE(ids.insert(-5));
  EXPECT_FALSE(ids.insert(std::int64_t{1} << 40));  // would take 128 GB of bits
  EXPECT_FALSE(ids.contains(std::int64_t{1} << 40));
  EXPECT_TRUE(ids.insert(5));
  EXPECT_TRUE(ids.contains(5));
}

}  // namespace
}  // namespace emkhana
