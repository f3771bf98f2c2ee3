#include "stats/cube.hpp"

#include <gtest/gtest.h>

#include <random>

namespace emkhana::stats {
namespace {

using domain::Date;

int MonthsSince1900(Date d) { return (d.year() - 1900) * 12 + static_cast<int>(d.month()) - 1; }

TEST(BirthKey, IsTheFirstMonthWhoseFirstDayCountsTheBirthday) {
  EXPECT_EQ(BirthKey::Of(Date::Ymd(2000, 3, 1)).month, MonthsSince1900(Date::Ymd(2000, 3, 1)));
  EXPECT_EQ(BirthKey::Of(Date::Ymd(2000, 3, 2)).month, MonthsSince1900(Date::Ymd(2000, 4, 1)));
  EXPECT_EQ(BirthKey::Of(Date::Ymd(2000, 12, 31)).month, MonthsSince1900(Date::Ymd(2001, 1, 1)));
  EXPECT_TRUE(BirthKey::Of(Date::Ymd(2000, 12, 31)).born_first);
  // Everyone born from the 2nd of one month to the 1st of the next shares a key.
  EXPECT_EQ(BirthKey::Of(Date::Ymd(2024, 2, 2)).month, BirthKey::Of(Date::Ymd(2024, 3, 1)).month);
  EXPECT_NE(BirthKey::Of(Date::Ymd(2024, 2, 1)).month, BirthKey::Of(Date::Ymd(2024, 2, 2)).month);
}

TEST(BirthKey, GivesTheExactAgeOnEveryFirstDay) {
  // Every day of 1999-2002 against every first day of 1999-2005: completed years, -1 before birth.
  for (Date birth = Date::Ymd(1999, 1, 1); birth < Date::Ymd(2003, 1, 1); birth = birth.Next()) {
    const BirthKey key = BirthKey::Of(birth);
    for (int y = 1999; y <= 2005; ++y) {
      for (unsigned m = 1; m <= 12; ++m) {
        const Date on = Date::Ymd(y, m, 1);
        const int expected = on < birth ? -1 : domain::AgeOn(birth, on);
        ASSERT_EQ(key.AgeOnMonthStart(on), expected) << birth.ToString() << " on " << on.ToString();
      }
    }
  }
}

TEST(BirthKey, OlderSnapshotsKeysReadTheSameAges) {
  // Before, a cell kept the birth month and whether born on its 1st.
  for (std::uint32_t month = 1000; month < 1400; ++month) {
    const AgesOn ages(Date::Ymd(2026, 12, 1));
    EXPECT_EQ(ages(BirthKey{month, false}), ages(BirthKey{month + 1, true})) << month;
  }
}

TEST(Cube, PeopleOfOneKeyShareCells) {
  Cube cube(Date::Ymd(2026, 10, 1), Date::Ymd(2028, 12, 31));
  PersonFacts a{cube.RegionId("AST"), domain::Sex::kFemale, Date::Ymd(1990, 5, 17), {}};
  PersonFacts b = a;
  b.birth = Date::Ymd(1990, 6, 1);  // the same first day counts both birthdays
  cube.AddPerson(a, std::nullopt);
  cube.AddPerson(b, std::nullopt);
  std::int64_t cells = 0, people = 0;
  cube.ForEachOn(Facet::kPopulation, Date::Ymd(2026, 12, 1), [&](const Cell& c, std::int64_t n) {
    ++cells;
    people += n;
    EXPECT_EQ(AgesOn(Date::Ymd(2026, 12, 1))(c.birth), 36);
  });
  EXPECT_EQ(cells, 1);
  EXPECT_EQ(people, 2);
}

// Recorded changes added later make the same cube as the events added directly, whatever the
// events: periods, changed ends, people, decisions and flows, inside and outside the window.
TEST(CubeChanges, AppliedLaterEqualTheEventsAddedDirectly) {
  std::mt19937 rng(11);
  Cube direct(Date::Ymd(2026, 10, 1), Date::Ymd(2028, 12, 31));
  Cube later = direct;
  CubeChanges changes;
  const auto region = direct.RegionId("AST");
  ASSERT_EQ(later.RegionId("AST"), region);
  auto day = [&] { return Date::Ymd(2025, 1, 1).AddDays(static_cast<int>(rng() % 2000)); };
  for (int i = 0; i < 3000; ++i) {
    const PersonFacts who{region,
                          rng() % 2 ? domain::Sex::kFemale : domain::Sex::kMale,
                          Date::Ymd(1950, 1, 1).AddDays(static_cast<int>(rng() % 25000)),
                          {}};
    const auto org = static_cast<std::uint32_t>(rng() % 5);
    const auto district = static_cast<std::uint32_t>(rng() % 20);
    const Date from = day(),
               to = rng() % 3 ? from.AddDays(1 + static_cast<int>(rng() % 900)) : Date::Max();
    const auto end = rng() % 4 ? domain::PeriodEnd::kSuperseded : domain::PeriodEnd::kDeath;
    const int sign = rng() % 5 ? +1 : -1;
    const Date new_to = from.AddDays(static_cast<int>(rng() % 500));
    const domain::Reason reasons[] = {domain::Reason::kCapacityExceeded};
    const auto deceased = rng() % 2 ? std::optional<Date>(to) : std::nullopt;
    const auto from_org = rng() % 2 ? Cube::kNone : org + 1;
    const auto both = [&](auto&& event) {
      event(direct);
      event(changes);
    };
    switch (rng() % 5) {
      case 0:
        both([&](auto& c) { c.AddPeriod(who, org, district, from, to, end, sign); });
        break;
      case 1:
        both([&](auto& c) {
          c.ChangePeriodEnd(who, org, district, from, to, end, new_to,
                            domain::PeriodEnd::kSuperseded);
        });
        break;
      case 2:
        both([&](auto& c) { c.AddPerson(who, deceased, sign); });
        break;
      case 3:
        both([&](auto& c) {
          c.AddDecision(2027, domain::Channel::kEgov, domain::Outcome::kRefused, reasons);
        });
        break;
      default:
        both([&](auto& c) { c.AddFlow(from_org, org, from); });
    }
  }
  EXPECT_GT(changes.size(), 1000u);
  EXPECT_NE(later, direct);  // nothing added yet
  later.Apply(changes);
  EXPECT_EQ(later, direct);
  EXPECT_EQ(later.Entries(), direct.Entries());
}

}  // namespace
}  // namespace emkhana::stats
