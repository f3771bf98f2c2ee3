#include "domain/date.hpp"

#include <gtest/gtest.h>

#include <string>

namespace emkhana::domain {
namespace {

Date D(const char* text) {
  auto d = Date::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

TEST(DateTest, ParsesAValidDate) {
  auto d = Date::Parse("2025-10-25");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->year(), 2025);
  EXPECT_EQ(d->month(), 10u);
  EXPECT_EQ(d->day(), 25u);
  EXPECT_EQ(*d, Date::Ymd(2025, 10, 25));
}

TEST(DateTest, LeapDays) {
  EXPECT_FALSE(Date::Parse("2025-02-29").has_value());
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
  EXPECT_TRUE(Date::Parse("2000-02-29").has_value());   // divisible by 400
  EXPECT_FALSE(Date::Parse("1900-02-29").has_value());  // divisible by 100 only
  EXPECT_FALSE(Date::Parse("2024-02-30").has_value());
}

TEST(DateTest, ParseIsStrict) {
  for (const char* bad : {"2025-1-01",
                          "2025-01-1",
                          "25-01-01",
                          "2025-01-01x",
                          "x2025-01-01",
                          "2025-01-01 ",
                          " 2025-01-01",
                          "2025/01/01",
                          "2025-01/01",
                          "20250101",
                          "2025-13-01",
                          "2025-00-10",
                          "2025-01-00",
                          "2025-01-32",
                          "2025-04-31",
                          "2025-+1-01",
                          "2025--1-01",
                          "+025-01-01",
                          "",
                          "2025-01-0a",
                          "2025-01-01T00:00"}) {
    EXPECT_FALSE(Date::Parse(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(DateTest, ToStringRoundTrips) {
  for (const char* text : {"2025-10-25", "2024-02-29", "2000-01-01", "1999-12-31", "1900-03-01",
                           "2100-12-31", "1970-01-01", "1800-01-01", "9999-12-31"}) {
    auto d = Date::Parse(text);
    ASSERT_TRUE(d.has_value()) << text;
    EXPECT_EQ(d->ToString(), text);
    EXPECT_EQ(Date::Parse(d->ToString()), d);
  }
  EXPECT_EQ(Date::Ymd(2025, 1, 5).ToString(), "2025-01-05");
}

TEST(DateTest, EveryDayOfSomeYearsRoundTrips) {
  for (Date d = Date::Ymd(2023, 1, 1); d <= Date::Ymd(2025, 12, 31); d = d.Next()) {
    EXPECT_EQ(Date::Parse(d.ToString()), d) << d.ToString();
  }
}

TEST(DateTest, MaxPrintsEmpty) {
  EXPECT_TRUE(Date::Max().IsMax());
  EXPECT_EQ(Date::Max().ToString(), "");
  EXPECT_FALSE(D("2100-12-31").IsMax());
  EXPECT_LT(D("9999-12-31"), Date::Max());
  EXPECT_LT(Date::Min(), D("1800-01-01"));
}

TEST(DateTest, DayArithmetic) {
  EXPECT_EQ(D("2024-02-28").Next().ToString(), "2024-02-29");
  EXPECT_EQ(D("2025-02-28").Next().ToString(), "2025-03-01");
  EXPECT_EQ(D("2025-01-01").Prev().ToString(), "2024-12-31");
  EXPECT_EQ(D("2025-01-01").AddDays(365).ToString(), "2026-01-01");
  EXPECT_EQ(D("2024-01-01").AddDays(366).ToString(), "2025-01-01");
  EXPECT_EQ(D("2025-03-10").AddDays(-10).ToString(), "2025-02-28");
  EXPECT_EQ(D("1970-01-01").days(), 0);
  EXPECT_EQ(Date::FromDays(0).ToString(), "1970-01-01");
  EXPECT_EQ(D("2025-10-25").days() - D("2025-10-24").days(), 1);
}

TEST(DateTest, Weekday) {
  Date sat = D("2025-10-25");
  EXPECT_EQ(sat.IsoWeekdayIndex(), 5u);  // Saturday
  EXPECT_TRUE(sat.IsWeekend());
  EXPECT_EQ(sat.Next().IsoWeekdayIndex(), 6u);  // Sunday
  EXPECT_TRUE(sat.Next().IsWeekend());
  EXPECT_EQ(D("2025-10-27").IsoWeekdayIndex(), 0u);  // Monday
  EXPECT_FALSE(D("2025-10-27").IsWeekend());
  EXPECT_EQ(D("2025-10-24").IsoWeekdayIndex(), 4u);  // Friday
  EXPECT_FALSE(D("2025-10-24").IsWeekend());
  EXPECT_EQ(D("2026-01-07").IsoWeekdayIndex(), 2u);  // Wednesday
  EXPECT_EQ(D("2024-01-07").IsoWeekdayIndex(), 6u);  // Sunday
  EXPECT_EQ(D("1970-01-01").IsoWeekdayIndex(), 3u);  // Thursday
}

TEST(DateTest, AgeAroundABirthday) {
  Date birth = D("2007-10-25");
  EXPECT_EQ(AgeOn(birth, D("2025-10-24")), 17);  // the day before
  EXPECT_EQ(AgeOn(birth, D("2025-10-25")), 18);  // on the birthday
  EXPECT_EQ(AgeOn(birth, D("2025-10-26")), 18);
  EXPECT_EQ(AgeOn(birth, D("2026-10-24")), 18);
  EXPECT_EQ(AgeOn(birth, birth), 0);
  EXPECT_EQ(AgeOn(birth, D("2008-10-24")), 0);
  EXPECT_EQ(AgeOn(birth, D("2008-10-25")), 1);
  // Earlier month in the later year.
  EXPECT_EQ(AgeOn(birth, D("2025-01-15")), 17);
  EXPECT_EQ(AgeOn(birth, D("2025-12-31")), 18);
}

TEST(DateTest, AgeBeforeBirthIsNegative) { EXPECT_LT(AgeOn(D("2020-05-05"), D("2020-05-04")), 0); }

TEST(DateTest, LeapDayBirthdayCountsOnFirstMarchInCommonYears) {
  Date birth = D("2008-02-29");
  EXPECT_EQ(AgeOn(birth, D("2026-02-28")), 17);
  EXPECT_EQ(AgeOn(birth, D("2026-03-01")), 18);
  EXPECT_EQ(AgeOn(birth, D("2025-02-28")), 16);
  EXPECT_EQ(AgeOn(birth, D("2025-03-01")), 17);
  // In a leap year the birthday is 29 Feb itself.
  EXPECT_EQ(AgeOn(birth, D("2024-02-28")), 15);
  EXPECT_EQ(AgeOn(birth, D("2024-02-29")), 16);
  EXPECT_EQ(AgeOn(birth, D("2024-03-01")), 16);
}

TEST(DateTest, Anniversary) {
  EXPECT_EQ(Anniversary(D("2007-10-25"), 18).ToString(), "2025-10-25");
  EXPECT_EQ(Anniversary(D("2007-10-25"), 0).ToString(), "2007-10-25");
  EXPECT_EQ(Anniversary(D("1990-12-31"), 35).ToString(), "2025-12-31");
  EXPECT_EQ(Anniversary(D("2008-02-29"), 18).ToString(), "2026-03-01");
  EXPECT_EQ(Anniversary(D("2008-02-29"), 16).ToString(), "2024-02-29");
  EXPECT_EQ(Anniversary(D("2008-02-29"), 17).ToString(), "2025-03-01");
  EXPECT_EQ(Anniversary(D("2008-02-28"), 17).ToString(), "2025-02-28");
  EXPECT_EQ(Anniversary(D("2008-03-01"), 17).ToString(), "2025-03-01");
}

TEST(DateTest, AgeOnAgreesWithAnniversary) {
  for (const char* b : {"2008-02-29", "2007-10-25", "2000-01-01", "1999-12-31"}) {
    Date birth = D(b);
    for (int years : {1, 5, 17, 18, 60}) {
      Date a = Anniversary(birth, years);
      EXPECT_EQ(AgeOn(birth, a), years) << b << " +" << years;
      EXPECT_EQ(AgeOn(birth, a.Prev()), years - 1) << b << " +" << years;
    }
  }
}

}  // namespace
}  // namespace emkhana::domain
