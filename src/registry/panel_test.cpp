// The panel step function: size on a date and the largest size from a date on.
#include "registry/panel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <vector>

namespace emkhana::registry {
namespace {

using domain::Date;

Date D(int y, unsigned m, unsigned d) { return Date::Ymd(y, m, d); }

TEST(PanelTest, EmptyPanel) {
  Panel panel;
  EXPECT_EQ(panel.SizeOn(D(2025, 1, 1)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2025, 1, 1)), 0);
}

TEST(PanelTest, SizeOnAndLargestFrom) {
  Panel panel;
  panel.Add(D(2025, 1, 1), Date::Max());
  panel.Add(D(2025, 1, 1), D(2026, 1, 1));
  panel.Add(D(2026, 1, 1), Date::Max());
  panel.Add(D(2026, 1, 1), Date::Max());
  EXPECT_EQ(panel.SizeOn(D(2024, 12, 31)), 0);
  EXPECT_EQ(panel.SizeOn(D(2025, 6, 1)), 2);
  EXPECT_EQ(panel.SizeOn(D(2025, 12, 31)), 2);
  EXPECT_EQ(panel.SizeOn(D(2026, 1, 1)), 3);
  EXPECT_EQ(panel.LargestFrom(D(2024, 1, 1)), 3);
  EXPECT_EQ(panel.LargestFrom(D(2025, 6, 1)), 3);
  panel.Remove(D(2026, 1, 1), Date::Max());
  EXPECT_EQ(panel.LargestFrom(D(2025, 6, 1)), 2);
  EXPECT_EQ(panel.SizeOn(D(2030, 1, 1)), 2);
}

TEST(PanelTest, PeriodEndIsExclusive) {
  Panel panel;
  panel.Add(D(2025, 3, 1), D(2025, 3, 10));
  EXPECT_EQ(panel.SizeOn(D(2025, 2, 28)), 0);
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 1);
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 9)), 1);
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 10)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2025, 3, 10)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2025, 2, 1)), 1);
}

TEST(PanelTest, EmptyPeriodChangesNothing) {
  Panel panel;
  panel.Add(D(2025, 3, 1), D(2025, 3, 1));
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 0);
  panel.Remove(D(2025, 3, 1), D(2025, 3, 1));
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 0);
}

TEST(PanelTest, LargestFromLooksPastADip) {
  Panel panel;
  panel.Add(D(2025, 1, 1), D(2025, 6, 1));  // leaves in June
  panel.Add(D(2025, 9, 1), Date::Max());    // two arrive in September
  panel.Add(D(2025, 9, 1), Date::Max());
  EXPECT_EQ(panel.SizeOn(D(2025, 7, 1)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2025, 7, 1)), 2);
  EXPECT_EQ(panel.LargestFrom(D(2025, 2, 1)), 2);
}

// --- More cases: open-ended and bounded periods, future starts, Remove, a brute-force check. ---

TEST(PanelTest, OpenEndedPeriod) {
  Panel panel;
  panel.Add(D(2025, 3, 1), Date::Max());
  EXPECT_EQ(panel.SizeOn(D(2025, 2, 28)), 0);
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 1);  // from is included
  EXPECT_EQ(panel.SizeOn(D(2099, 1, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2020, 1, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2030, 1, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(Date::Min()), 1);
}

TEST(PanelTest, InvertedPeriodCountsNothing) {
  Panel panel;
  panel.Add(D(2025, 3, 2), D(2025, 3, 1));
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 0);
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 2)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2020, 1, 1)), 0);
}

TEST(PanelTest, SeveralPeriods) {
  Panel panel;
  panel.Add(D(2024, 1, 1), Date::Max());    // a
  panel.Add(D(2024, 6, 1), D(2026, 1, 1));  // b: moves away on 1 Jan 2026
  panel.Add(D(2025, 1, 1), Date::Max());    // c
  panel.Add(D(2026, 1, 1), Date::Max());    // d: arrives 1 Jan 2026
  EXPECT_EQ(panel.SizeOn(D(2023, 12, 31)), 0);
  EXPECT_EQ(panel.SizeOn(D(2024, 1, 1)), 1);
  EXPECT_EQ(panel.SizeOn(D(2024, 6, 1)), 2);
  EXPECT_EQ(panel.SizeOn(D(2025, 1, 1)), 3);
  EXPECT_EQ(panel.SizeOn(D(2025, 12, 31)), 3);
  EXPECT_EQ(panel.SizeOn(D(2026, 1, 1)), 3);  // b leaves, d arrives on the same day
  EXPECT_EQ(panel.LargestFrom(D(2024, 1, 1)), 3);
  EXPECT_EQ(panel.LargestFrom(D(2030, 1, 1)), 3);
}

TEST(PanelTest, LargestFromSeesAFuturePeakButNotAPastOne) {
  Panel panel;
  panel.Add(D(2025, 1, 1), Date::Max());
  panel.Add(D(2025, 11, 1), D(2025, 12, 1));  // a temporary stay in November
  panel.Add(D(2025, 11, 15), D(2025, 11, 20));
  EXPECT_EQ(panel.SizeOn(D(2025, 10, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2025, 10, 1)), 3);  // peak on 15-19 Nov
  EXPECT_EQ(panel.LargestFrom(D(2025, 11, 19)), 3);
  EXPECT_EQ(panel.LargestFrom(D(2025, 11, 20)), 2);
  EXPECT_EQ(panel.LargestFrom(D(2025, 12, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2026, 1, 1)), 1);
}

TEST(PanelTest, PeriodsStartingInTheFuture) {
  Panel panel;
  // Free-choice moves approved in the campaign take effect on 1 January.
  panel.Add(D(2020, 1, 1), D(2026, 1, 1));  // leaves at the new year
  panel.Add(D(2026, 1, 1), Date::Max());    // two arrive at the new year
  panel.Add(D(2026, 1, 1), Date::Max());
  const Date today = D(2025, 10, 25);
  EXPECT_EQ(panel.SizeOn(today), 1);
  EXPECT_EQ(panel.LargestFrom(today), 2);
  EXPECT_EQ(panel.SizeOn(D(2025, 12, 31)), 1);
  EXPECT_EQ(panel.SizeOn(D(2026, 1, 1)), 2);
}

TEST(PanelTest, RemoveUndoesAdd) {
  Panel panel;
  panel.Add(D(2024, 1, 1), Date::Max());
  panel.Add(D(2025, 1, 1), D(2025, 6, 1));
  panel.Add(D(2026, 1, 1), Date::Max());
  panel.Remove(D(2025, 1, 1), D(2025, 6, 1));
  EXPECT_EQ(panel.SizeOn(D(2025, 3, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2024, 1, 1)), 2);
  panel.Remove(D(2026, 1, 1), Date::Max());
  EXPECT_EQ(panel.SizeOn(D(2026, 6, 1)), 1);
  EXPECT_EQ(panel.LargestFrom(D(2024, 1, 1)), 1);
  panel.Remove(D(2024, 1, 1), Date::Max());
  EXPECT_EQ(panel.SizeOn(D(2024, 6, 1)), 0);
  EXPECT_EQ(panel.LargestFrom(Date::Min()), 0);
}

TEST(PanelTest, CuttingAPeriodShortIsRemoveThenAdd) {
  Panel panel;
  panel.Add(D(2024, 1, 1), Date::Max());
  // The person leaves on 1 Jan 2026: the open period becomes [2024-01-01, 2026-01-01).
  panel.Remove(D(2024, 1, 1), Date::Max());
  panel.Add(D(2024, 1, 1), D(2026, 1, 1));
  EXPECT_EQ(panel.SizeOn(D(2025, 12, 31)), 1);
  EXPECT_EQ(panel.SizeOn(D(2026, 1, 1)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2026, 1, 1)), 0);
  EXPECT_EQ(panel.LargestFrom(D(2025, 12, 31)), 1);
}

// Against a brute-force count over a small window of days.
TEST(PanelTest, AgreesWithBruteForce) {
  struct Period {
    Date from, to;
  };
  const Date base = D(2025, 1, 1);
  std::vector<Period> periods;
  Panel panel;
  unsigned seed = 12345;
  auto next = [&seed](int mod) {
    seed = seed * 1103515245u + 12345u;
    return static_cast<int>((seed >> 16) % static_cast<unsigned>(mod));
  };
  for (int i = 0; i < 200; ++i) {
    Date from = base.AddDays(next(60));
    Date to = next(4) == 0 ? Date::Max() : from.AddDays(next(30));
    periods.push_back({from, to});
    panel.Add(from, to);
    if (next(5) == 0) {  // remove some period added earlier
      std::size_t k = static_cast<std::size_t>(next(static_cast<int>(periods.size())));
      panel.Remove(periods[k].from, periods[k].to);
      periods.erase(periods.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  auto brute_size = [&](Date d) {
    int n = 0;
    for (const auto& x : periods) n += (x.from <= d && d < x.to) ? 1 : 0;
    return n;
  };
  for (int day = -5; day < 100; ++day) {
    Date d = base.AddDays(day);
    EXPECT_EQ(panel.SizeOn(d), brute_size(d)) << d.ToString();
    int largest = 0;
    for (int later = day; later < 100; ++later) {
      largest = std::max(largest, brute_size(base.AddDays(later)));
    }
    EXPECT_EQ(panel.LargestFrom(d), largest) << d.ToString();
  }
}

// Thousands of distinct dates: blocks split as steps arrive and vanish as they cancel out.
TEST(PanelTest, AgreesWithBruteForceOverManyDates) {
  std::mt19937 rng(2026);
  const Date base = D(2020, 1, 1);
  std::vector<std::pair<Date, Date>> periods;
  Panel panel;
  auto brute_sizes = [&] {
    std::vector<int> size(3001, 0);
    for (const auto& [from, to] : periods) {
      for (int d = 0; d <= 3000; ++d) {
        const Date day = base.AddDays(d);
        size[static_cast<std::size_t>(d)] += from <= day && day < to ? 1 : 0;
      }
    }
    return size;
  };
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 700; ++i) {
      const Date from = base.AddDays(static_cast<int>(rng() % 3000));
      const Date to =
          rng() % 3 == 0 ? Date::Max() : from.AddDays(1 + static_cast<int>(rng() % 900));
      periods.emplace_back(from, to);
      panel.Add(from, to);
    }
    for (int i = 0; i < 500 && !periods.empty(); ++i) {  // remove some, from anywhere
      const auto k = rng() % periods.size();
      panel.Remove(periods[k].first, periods[k].second);
      periods.erase(periods.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (round == 3) {  // a rebuild from the same periods answers the same
      Panel rebuilt;
      rebuilt.Build(periods);
      panel = rebuilt;
    }
    const auto size = brute_sizes();
    int largest = 0;
    for (int d = 3000; d >= 0; --d) {
      const auto i = static_cast<std::size_t>(d);
      largest = std::max(largest, size[i]);
      const Date day = base.AddDays(d);
      ASSERT_EQ(panel.SizeOn(day), size[i]) << round << " " << day.ToString();
      ASSERT_EQ(panel.LargestFrom(day), largest) << round << " " << day.ToString();
    }
  }
}

// A remembered answer is the same as a fresh one after any changes: adds and removes on random
// days, a few at a time, each time followed by remembered questions about one or two of three
// days (two are remembered, so the third pushes one out).
TEST(PanelTest, RememberedAnswersFollowEveryChange) {
  std::mt19937 rng(7);
  const Date base = D(2026, 1, 1);
  const std::vector<Date> asked = {base, base.AddDays(100), base.AddDays(365)};
  std::vector<std::pair<Date, Date>> periods;
  Panel remembering, fresh;
  for (int i = 0; i < 3000; ++i) {
    for (auto changes = 1 + rng() % 3; changes > 0; --changes) {
      if (periods.empty() || rng() % 3 != 0) {
        const Date from = base.AddDays(static_cast<int>(rng() % 500) - 100);
        const Date to = rng() % 2 ? Date::Max() : from.AddDays(1 + static_cast<int>(rng() % 400));
        periods.emplace_back(from, to);
        remembering.Add(from, to);
        fresh.Add(from, to);
      } else {
        const auto k = rng() % periods.size();
        remembering.Remove(periods[k].first, periods[k].second);
        fresh.Remove(periods[k].first, periods[k].second);
        periods.erase(periods.begin() + static_cast<std::ptrdiff_t>(k));
      }
    }
    const std::pair<Date, Date> own[] = {periods.front()};
    for (auto days = 1 + rng() % 2; days > 0; --days) {
      const Date day = asked[rng() % asked.size()];
      for (int repeat = 0; repeat < 2; ++repeat) {  // the second time from memory
        ASSERT_EQ(remembering.SizeOn(day, {}, true), fresh.SizeOn(day)) << i;
        ASSERT_EQ(remembering.LargestFrom(day, {}, true), fresh.LargestFrom(day)) << i;
        ASSERT_EQ(remembering.SizeOn(day, own, true), fresh.SizeOn(day, own)) << i;
        ASSERT_EQ(remembering.LargestFrom(day, own, true), fresh.LargestFrom(day, own)) << i;
      }
    }
  }
}

// A campaign's pattern: most changes on one effective day (which waits in the panel's first
// cache line, see `pending_`), some on other days that push pending days into the blocks, and
// steps that cancel out. Every question, remembered or not, with or without a person's own
// periods, equals a brute-force count.
TEST(PanelTest, PendingDaysCountInEveryAnswer) {
  std::mt19937 rng(99);
  const Date base = D(2026, 1, 1);
  const Date effective = base.AddDays(400);
  std::vector<std::pair<Date, Date>> periods;
  for (int i = 0; i < 300; ++i) {
    const Date from = base.AddDays(static_cast<int>(rng() % 500));
    periods.emplace_back(from, rng() % 2 ? Date::Max() : from.AddDays(200));
  }
  Panel panel;
  panel.Build(periods);
  auto brute_size = [&](Date d) {
    int n = 0;
    for (const auto& [from, to] : periods) n += from <= d && d < to ? 1 : 0;
    return n;
  };
  for (int i = 0; i < 2000; ++i) {
    const auto pick = rng() % 10;
    if (pick < 5) {  // a move in: from the effective day, now and then to a birthday
      const Date to =
          rng() % 3 ? Date::Max() : effective.AddDays(1 + static_cast<int>(rng() % 900));
      periods.emplace_back(effective, to);
      panel.Add(effective, to);
    } else if (pick < 8 && !periods.empty()) {  // a move out: the period ends on the effective day
      const auto k = rng() % periods.size();
      auto& [from, to] = periods[k];
      if (from < effective && effective < to) {
        panel.ChangeEnd(from, to, effective);
        to = effective;
      }
    } else if (!periods.empty()) {  // a cancellation
      const auto k = rng() % periods.size();
      panel.Remove(periods[k].first, periods[k].second);
      periods.erase(periods.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (i % 50 != 0) continue;
    const std::pair<Date, Date> own[] = {periods.front()};
    for (int d = 350; d <= 1400; d += 7) {
      const Date day = base.AddDays(d);
      int largest = 0, largest_without_own = 0;
      for (int later = d; later <= 1500; ++later) {
        const Date l = base.AddDays(later);
        const int size = brute_size(l);
        const int mine = own[0].first <= l && l < own[0].second ? 1 : 0;
        largest = std::max(largest, size);
        largest_without_own = std::max(largest_without_own, size - mine);
      }
      const int mine = own[0].first <= day && day < own[0].second ? 1 : 0;
      const bool remember = d == 400 || d == 406;
      ASSERT_EQ(panel.SizeOn(day, {}, remember), brute_size(day)) << i << " " << d;
      ASSERT_EQ(panel.LargestFrom(day, {}, remember), largest) << i << " " << d;
      ASSERT_EQ(panel.SizeOn(day, own, remember), brute_size(day) - mine) << i << " " << d;
      ASSERT_EQ(panel.LargestFrom(day, own), largest_without_own) << i << " " << d;
    }
  }
}

}  // namespace
}  // namespace emkhana::registry

// Not counting one person's periods must equal removing them from a copy of the panel.
TEST(PanelMinus, EqualsRemovingFromACopy) {
  std::mt19937 rng(17);
  for (int round = 0; round < 300; ++round) {
    emkhana::registry::Panel panel;
    std::vector<std::pair<emkhana::domain::Date, emkhana::domain::Date>> periods;
    for (int i = 0; i < 12; ++i) {
      const auto from = emkhana::domain::Date::FromDays(20000 + static_cast<int>(rng() % 60));
      const auto to =
          rng() % 3 == 0
              ? emkhana::domain::Date::Max()
              : emkhana::domain::Date::FromDays(from.days() + static_cast<int>(rng() % 30));
      panel.Add(from, to);
      periods.emplace_back(from, to);
    }
    std::vector<std::pair<emkhana::domain::Date, emkhana::domain::Date>> minus;
    auto copy = panel;
    for (std::size_t i = 0; i < periods.size(); ++i) {
      if (rng() % 4 == 0) {
        minus.push_back(periods[i]);
        copy.Remove(periods[i].first, periods[i].second);
      }
    }
    for (int d = 19995; d < 20100; ++d) {
      const auto day = emkhana::domain::Date::FromDays(d);
      ASSERT_EQ(panel.SizeOn(day, minus), copy.SizeOn(day)) << round << " " << d;
      ASSERT_EQ(panel.LargestFrom(day, minus), copy.LargestFrom(day)) << round << " " << d;
    }
  }
}
