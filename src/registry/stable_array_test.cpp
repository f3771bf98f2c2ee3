#include "registry/stable_array.hpp"

#include <gtest/gtest.h>

#include <string>

namespace emkhana::registry {
namespace {

TEST(StableArray, ElementsStayWhereTheyWereAndAreFoundByAddress) {
  StableArray<std::string> a;
  std::vector<const std::string*> addresses;
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(a.Add(std::to_string(i)), static_cast<std::uint32_t>(i));
    addresses.push_back(&a[i]);
  }
  ASSERT_EQ(a.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(addresses[i], &a[i]) << i;  // never moved
    EXPECT_EQ(a[i], std::to_string(i));
    EXPECT_EQ(a.IndexOf(addresses[i]), static_cast<std::uint32_t>(i));
  }
}

TEST(StableArray, ACopyIsNotOneOfItsElements) {
  StableArray<std::string> a;
  a.Add("x");
  a.Add("y");
  const std::string copy = a[1];
  EXPECT_EQ(a.IndexOf(&copy), std::nullopt);
  EXPECT_EQ(StableArray<std::string>{}.IndexOf(&copy), std::nullopt);
}

TEST(StableArray, ForEachGoesInIndexOrder) {
  StableArray<int> a;
  for (int i = 0; i < 300; ++i) a.Add(i);
  int next = 0;
  a.ForEach([&](int v) { EXPECT_EQ(v, next++); });
  EXPECT_EQ(next, 300);
}

}  // namespace
}  // namespace emkhana::registry
