#include "domain/calendar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "policy/policy_loader.hpp"

namespace emkhana::domain {
namespace {

Date D(const char* text) {
  auto d = Date::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

std::vector<std::string> Strings(const std::vector<Date>& dates) {
  std::vector<std::string> out;
  for (Date d : dates) out.push_back(d.ToString());
  return out;
}

class DefaultCalendarTest : public ::testing::Test {
 protected:
  const Calendar& cal() const {
    static const Calendar calendar(policy::DefaultPolicy().holidays);
    return calendar;
  }
  bool Off(const char* text) const { return !cal().IsWorkingDay(D(text)); }
  bool Works(const char* text) const { return cal().IsWorkingDay(D(text)); }
};

TEST_F(DefaultCalendarTest, PlainWeekdaysWorkAndWeekendsDoNot) {
  EXPECT_TRUE(Works("2025-10-22"));  // Wednesday
  EXPECT_TRUE(Works("2025-10-24"));  // Friday
  EXPECT_TRUE(Off("2025-10-18"));    // Saturday
  EXPECT_TRUE(Off("2025-10-19"));    // Sunday
  EXPECT_TRUE(Works("2025-11-03"));  // Monday
}

TEST_F(DefaultCalendarTest, RepublicDayOnSaturday2025MovesToMonday) {
  EXPECT_TRUE(Off("2025-10-25"));  // Saturday, the holiday
  EXPECT_TRUE(Off("2025-10-26"));  // Sunday
  EXPECT_TRUE(Off("2025-10-27"));  // Monday, the transferred day off
  EXPECT_TRUE(Works("2025-10-28"));
}

TEST_F(DefaultCalendarTest, WomensDayOnSaturday2025MovesToMonday) {
  EXPECT_TRUE(Off("2025-03-08"));
  EXPECT_TRUE(Off("2025-03-10"));
  EXPECT_TRUE(Works("2025-03-07"));
  EXPECT_TRUE(Works("2025-03-11"));
}

TEST_F(DefaultCalendarTest, Nauryz2025FridayToSundayGivesTuesdayAndWednesdayOff) {
  EXPECT_TRUE(Works("2025-03-20"));
  EXPECT_TRUE(Off("2025-03-21"));  // Friday
  EXPECT_TRUE(Off("2025-03-22"));  // Saturday
  EXPECT_TRUE(Off("2025-03-23"));  // Sunday
  EXPECT_TRUE(Off("2025-03-24"));  // for 22 Mar
  EXPECT_TRUE(Off("2025-03-25"));  // for 23 Mar
  EXPECT_TRUE(Works("2025-03-26"));
}

TEST_F(DefaultCalendarTest, OtherTransfers2025) {
  EXPECT_TRUE(Off("2025-07-06"));  // Capital Day, Sunday
  EXPECT_TRUE(Off("2025-07-07"));
  EXPECT_TRUE(Works("2025-07-08"));
  EXPECT_TRUE(Off("2025-08-30"));  // Constitution Day, Saturday
  EXPECT_TRUE(Off("2025-09-01"));
  EXPECT_TRUE(Works("2025-09-02"));
  EXPECT_TRUE(Off("2025-06-06"));  // Kurban ait, Friday
  EXPECT_TRUE(Works("2025-06-09"));
  EXPECT_TRUE(Off("2025-12-16"));  // Independence Day, Tuesday
  EXPECT_TRUE(Works("2025-12-17"));
  EXPECT_TRUE(Off("2025-05-01"));
  EXPECT_TRUE(Off("2025-05-07"));
  EXPECT_TRUE(Off("2025-05-09"));
  EXPECT_TRUE(Off("2025-01-07"));
}

TEST_F(DefaultCalendarTest, Nauryz2026SaturdayToMonday) {
  EXPECT_TRUE(Works("2026-03-20"));  // Friday
  EXPECT_TRUE(Off("2026-03-21"));    // Saturday
  EXPECT_TRUE(Off("2026-03-22"));    // Sunday
  EXPECT_TRUE(Off("2026-03-23"));    // Monday, itself a holiday
  EXPECT_TRUE(Off("2026-03-24"));
  EXPECT_TRUE(Off("2026-03-25"));
  EXPECT_TRUE(Works("2026-03-26"));
}

TEST_F(DefaultCalendarTest, OrthodoxChristmasIsOffButNeverMoved) {
  EXPECT_TRUE(Off("2026-01-07"));  // Wednesday
  EXPECT_TRUE(Works("2026-01-08"));
  // 7 Jan 2024 is a Sunday: no day off is transferred.
  ASSERT_EQ(D("2024-01-07").IsoWeekdayIndex(), 6u);
  EXPECT_TRUE(Off("2024-01-07"));
  EXPECT_TRUE(Works("2024-01-08"));
  // 7 Jan 2023 is a Saturday (1-2 Jan 2023 are Sunday/Monday: 1 Jan moves to 3 Jan).
  ASSERT_EQ(D("2023-01-07").IsoWeekdayIndex(), 5u);
  EXPECT_TRUE(Off("2023-01-03"));
  EXPECT_TRUE(Works("2023-01-04"));
  EXPECT_TRUE(Works("2023-01-09"));
}

TEST_F(DefaultCalendarTest, KurbanAitIsOffButNeverMoved) {
  EXPECT_TRUE(Off("2026-05-27"));  // Wednesday
  EXPECT_TRUE(Works("2026-05-28"));
  // 16 Jun 2024 is a Sunday.
  ASSERT_EQ(D("2024-06-16").IsoWeekdayIndex(), 6u);
  EXPECT_TRUE(Works("2024-06-17"));
}

TEST_F(DefaultCalendarTest, VictoryDay2026OnSaturdayMovesToMonday) {
  EXPECT_TRUE(Off("2026-05-09"));
  EXPECT_TRUE(Off("2026-05-11"));
  EXPECT_TRUE(Works("2026-05-12"));
  EXPECT_TRUE(Off("2026-05-01"));  // Friday
  EXPECT_TRUE(Off("2026-05-07"));  // Thursday
  EXPECT_TRUE(Works("2026-05-08"));
}

TEST_F(DefaultCalendarTest, DaysOffIn2025) {
  EXPECT_EQ(Strings(cal().DaysOffIn(2025)),
            (std::vector<std::string>{
                "2025-01-01", "2025-01-02", "2025-01-07", "2025-03-08", "2025-03-10", "2025-03-21",
                "2025-03-22", "2025-03-23", "2025-03-24", "2025-03-25", "2025-05-01", "2025-05-07",
                "2025-05-09", "2025-06-06", "2025-07-06", "2025-07-07", "2025-08-30", "2025-09-01",
                "2025-10-25", "2025-10-27", "2025-12-16"}));
}

TEST_F(DefaultCalendarTest, DaysOffIn2026) {
  EXPECT_EQ(Strings(cal().DaysOffIn(2026)),
            (std::vector<std::string>{
                "2026-01-01", "2026-01-02", "2026-01-07", "2026-03-08", "2026-03-09", "2026-03-21",
                "2026-03-22", "2026-03-23", "2026-03-24", "2026-03-25", "2026-05-01", "2026-05-07",
                "2026-05-09", "2026-05-11", "2026-05-27", "2026-07-06", "2026-08-30", "2026-08-31",
                "2026-10-25", "2026-10-26", "2026-12-16"}));
}

TEST_F(DefaultCalendarTest, DaysOffIn2024) {
  EXPECT_EQ(Strings(cal().DaysOffIn(2024)),
            (std::vector<std::string>{
                "2024-01-01", "2024-01-02", "2024-01-07", "2024-03-08", "2024-03-21", "2024-03-22",
                "2024-03-23", "2024-03-25", "2024-05-01", "2024-05-07", "2024-05-09", "2024-06-16",
                "2024-07-06", "2024-07-08", "2024-08-30", "2024-10-25", "2024-12-16"}));
}

TEST_F(DefaultCalendarTest, WorkingDayOnOrAfter) {
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2025-10-24")).ToString(),
            "2025-10-24");  // a working Friday
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2025-10-25")).ToString(), "2025-10-28");
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2025-10-26")).ToString(), "2025-10-28");
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2025-03-21")).ToString(), "2025-03-26");
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2025-12-31")).ToString(), "2025-12-31");
  EXPECT_EQ(cal().WorkingDayOnOrAfter(D("2026-01-01")).ToString(),
            "2026-01-05");  // Thu, Fri, weekend
}

TEST_F(DefaultCalendarTest, WorkingDayAfter) {
  EXPECT_EQ(cal().WorkingDayAfter(D("2025-10-24")).ToString(), "2025-10-28");
  EXPECT_EQ(cal().WorkingDayAfter(D("2025-12-15")).ToString(), "2025-12-17");
  EXPECT_EQ(cal().WorkingDayAfter(D("2025-10-22")).ToString(), "2025-10-23");
  EXPECT_EQ(cal().WorkingDayAfter(D("2025-10-28")).ToString(), "2025-10-29");
  EXPECT_EQ(cal().WorkingDayAfter(D("2026-03-20")).ToString(), "2026-03-26");
  EXPECT_EQ(cal().WorkingDayAfter(D("2026-01-06")).ToString(), "2026-01-08");
  // From a day off: the first working day strictly after it.
  EXPECT_EQ(cal().WorkingDayAfter(D("2025-10-25")).ToString(), "2025-10-28");
}

TEST(CalendarTest, DecreesAddDaysOffAndWorkingWeekends) {
  HolidayRules rules = policy::DefaultPolicy().holidays;
  rules.extra_days_off.insert(Date::Ymd(2025, 1, 3));     // Friday
  rules.working_weekends.insert(Date::Ymd(2025, 1, 18));  // Saturday
  const Calendar cal(rules);
  const Calendar plain(policy::DefaultPolicy().holidays);

  EXPECT_TRUE(plain.IsWorkingDay(Date::Ymd(2025, 1, 3)));
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2025, 1, 3)));
  EXPECT_FALSE(plain.IsWorkingDay(Date::Ymd(2025, 1, 18)));
  EXPECT_TRUE(cal.IsWorkingDay(Date::Ymd(2025, 1, 18)));
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2025, 1, 19)));  // the Sunday after stays off

  // 2 Jan is a holiday, 3 Jan a decree day off, then the weekend.
  EXPECT_EQ(plain.WorkingDayAfter(Date::Ymd(2024, 12, 31)).ToString(), "2025-01-03");
  EXPECT_EQ(cal.WorkingDayAfter(Date::Ymd(2024, 12, 31)).ToString(), "2025-01-06");
  EXPECT_EQ(cal.WorkingDayAfter(Date::Ymd(2025, 1, 17)).ToString(), "2025-01-18");
  EXPECT_EQ(cal.WorkingDayAfter(Date::Ymd(2025, 1, 18)).ToString(), "2025-01-20");
  EXPECT_EQ(cal.WorkingDayOnOrAfter(Date::Ymd(2025, 1, 18)).ToString(), "2025-01-18");

  auto off = cal.DaysOffIn(2025);
  EXPECT_NE(std::find(off.begin(), off.end(), Date::Ymd(2025, 1, 3)), off.end());
  EXPECT_EQ(std::find(off.begin(), off.end(), Date::Ymd(2025, 1, 18)), off.end());
  EXPECT_EQ(off.size(), plain.DaysOffIn(2025).size() + 1);
}

TEST(CalendarTest, ATransferredDaySkipsADecreeDayOff) {
  HolidayRules rules = policy::DefaultPolicy().holidays;
  rules.extra_days_off.insert(Date::Ymd(2025, 10, 27));  // already the transfer of 25 Oct
  rules.extra_days_off.insert(Date::Ymd(2025, 10, 28));
  const Calendar cal(rules);
  // 25 Oct (Sat) cannot take 27 Oct (already off): its day off goes to the next free weekday.
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2025, 10, 29)));
  EXPECT_TRUE(cal.IsWorkingDay(Date::Ymd(2025, 10, 30)));
}

TEST(CalendarTest, EmptyRulesGiveOnlyWeekends) {
  const Calendar cal(HolidayRules{});
  EXPECT_TRUE(cal.IsWorkingDay(Date::Ymd(2025, 1, 1)));
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2025, 10, 25)));
  EXPECT_TRUE(cal.DaysOffIn(2025).empty());
  EXPECT_EQ(cal.WorkingDayAfter(Date::Ymd(2025, 10, 24)).ToString(), "2025-10-27");
}

TEST(CalendarTest, OutsideItsYearsOnlyWeekendsAreOff) {
  const Calendar cal(policy::DefaultPolicy().holidays, 2025, 2025);
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2025, 12, 16)));
  EXPECT_TRUE(cal.IsWorkingDay(Date::Ymd(2026, 12, 16)));  // Wednesday, not covered
  EXPECT_TRUE(cal.IsWorkingDay(Date::Ymd(2024, 12, 16)));  // Monday, not covered
  EXPECT_FALSE(cal.IsWorkingDay(Date::Ymd(2026, 1, 3)));   // Saturday
  EXPECT_TRUE(cal.DaysOffIn(2026).empty());
  EXPECT_EQ(cal.DaysOffIn(2025).size(), 21u);
  // Crossing the edge of the covered years.
  EXPECT_EQ(cal.WorkingDayAfter(Date::Ymd(2025, 12, 31)).ToString(), "2026-01-01");
}

}  // namespace
}  // namespace emkhana::domain
