// The age-out queue against a std::set of the same keys, under random inserts and erases.
#include "registry/age_out_queue.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

namespace emkhana::registry {
namespace {

using domain::Date;
using Key = AgeOutQueue::Key;

std::vector<Key> Through(const AgeOutQueue& q, Date through) {
  std::vector<Key> out;
  q.ForEachThrough(through, [&](const Key& k) { out.push_back(k); });
  return out;
}

std::vector<Key> Through(const std::set<Key>& s, Date through) {
  std::vector<Key> out;
  for (const auto& k : s) {
    if (k.birthday > through) break;
    out.push_back(k);
  }
  return out;
}

TEST(AgeOutQueue, OrdersByBirthdayThenIinThenId) {
  AgeOutQueue q(32);
  const Date d = Date::Ymd(2027, 3, 1);
  q.Insert({d, 5, 1});
  q.Insert({d, 3, 9});
  q.Insert({d, 3, 2});
  q.Insert({d.AddDays(-1), 9, 9});
  q.Insert({d, 3, 2});  // again: nothing
  EXPECT_EQ(q.size(), 4u);
  const auto all = Through(q, Date::Max());
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], (Key{d.AddDays(-1), 9, 9}));
  EXPECT_EQ(all[1], (Key{d, 3, 2}));
  EXPECT_EQ(all[2], (Key{d, 3, 9}));
  EXPECT_EQ(all[3], (Key{d, 5, 1}));
  EXPECT_EQ(Through(q, d.AddDays(-1)).size(), 1u);
  EXPECT_TRUE(Through(q, d.AddDays(-2)).empty());
  q.Erase({d, 4, 4});  // absent: nothing
  q.Erase({Date::Ymd(1960, 1, 1), 4, 4});
  EXPECT_EQ(q.size(), 4u);
}

TEST(AgeOutQueue, AgreesWithAnOrderedSet) {
  for (int width : {1, 7, 32}) {
    std::mt19937 rng(static_cast<unsigned>(width));
    AgeOutQueue q(width);
    std::set<Key> s;
    std::vector<Key> held;
    const Date base = Date::Ymd(2026, 11, 1);
    for (int i = 0; i < 20'000; ++i) {
      if (held.empty() || rng() % 3 != 0) {
        // Birthdays over 18 years, a few far in the past (before 1970) and some shared.
        const int offset = rng() % 50 == 0 ? -25'000 + static_cast<int>(rng() % 100)
                                           : static_cast<int>(rng() % 6570);
        Key k{base.AddDays(offset), rng() % 1000, static_cast<std::uint32_t>(i)};
        q.Insert(k);
        if (s.insert(k).second) held.push_back(k);
      } else {
        const auto j = rng() % held.size();
        q.Erase(held[j]);
        s.erase(held[j]);
        held[j] = held.back();
        held.pop_back();
      }
      ASSERT_EQ(q.size(), s.size());
      if (i % 997 == 0) {
        for (int days : {-30'000, -24'950, 0, 100, 3000, 7000}) {
          ASSERT_EQ(Through(q, base.AddDays(days)), Through(s, base.AddDays(days)))
              << width << " " << i << " " << days;
        }
      }
    }
    while (!held.empty()) {  // empties again
      q.Erase(held.back());
      held.pop_back();
    }
    EXPECT_TRUE(q.empty());
    EXPECT_TRUE(Through(q, Date::Max()).empty());
  }
}

}  // namespace
}  // namespace emkhana::registry
