// Civil dates of the registry. A Date is a day count (std::chrono::sys_days) so that arithmetic
// and comparisons are cheap; conversions to std::chrono::year_month_day give the calendar view.
// Attachment periods are half-open [from, to): `Date::Max()` stands for "open-ended".
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emkhana::domain {

class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(std::chrono::sys_days days) : days_(days.time_since_epoch().count()) {}
  constexpr explicit Date(std::chrono::year_month_day ymd) : Date(std::chrono::sys_days(ymd)) {}
  static constexpr Date FromDays(std::int32_t days) {
    Date d;
    d.days_ = days;
    return d;
  }
  static constexpr Date Ymd(int y, unsigned m, unsigned d) {
    return Date(std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                            std::chrono::day{d}});
  }
  // The UTC date of a moment given in microseconds since the Unix epoch (Clock::NowMicros).
  static constexpr Date FromUnixMicros(std::int64_t micros) {
    constexpr std::int64_t kDay = 86'400LL * 1'000'000;
    return FromDays(static_cast<std::int32_t>((micros >= 0 ? micros : micros - kDay + 1) / kDay));
  }
  // The far future: the end of an open-ended period.
  static constexpr Date Max() { return FromDays(INT32_MAX); }
  static constexpr Date Min() { return FromDays(INT32_MIN); }

  // Strict `YYYY-MM-DD` with a real calendar day; nullopt otherwise.
  static std::optional<Date> Parse(std::string_view text);
  std::string ToString() const;  // `YYYY-MM-DD`, or "" for Max()

  constexpr std::int32_t days() const { return days_; }
  constexpr std::chrono::sys_days sys_days() const {
    return std::chrono::sys_days{std::chrono::days{days_}};
  }
  constexpr std::chrono::year_month_day ymd() const { return {sys_days()}; }
  constexpr int year() const { return static_cast<int>(ymd().year()); }
  constexpr unsigned month() const { return static_cast<unsigned>(ymd().month()); }
  constexpr unsigned day() const { return static_cast<unsigned>(ymd().day()); }
  // 0 = Monday ... 6 = Sunday.
  constexpr unsigned IsoWeekdayIndex() const {
    return std::chrono::weekday{sys_days()}.iso_encoding() - 1;
  }
  constexpr bool IsWeekend() const { return IsoWeekdayIndex() >= 5; }
  constexpr bool IsMax() const { return days_ == INT32_MAX; }

  constexpr Date AddDays(std::int32_t n) const { return FromDays(days_ + n); }
  constexpr Date Next() const { return AddDays(1); }
  constexpr Date Prev() const { return AddDays(-1); }

  constexpr auto operator<=>(const Date&) const = default;

 private:
  std::int32_t days_ = 0;
};

// Full years of age on `on` for someone born on `birth` (a 29 Feb birthday falls on 1 Mar in
// common years).
int AgeOn(Date birth, Date on);
// The day `birth` reaches `years` of age.
Date Anniversary(Date birth, int years);
// The first day of `d`'s month, and of the month before it.
inline Date MonthStart(Date d) { return Date::Ymd(d.year(), d.month(), 1); }
inline Date PreviousMonthStart(Date d) {
  return d.month() == 1 ? Date::Ymd(d.year() - 1, 12, 1) : Date::Ymd(d.year(), d.month() - 1, 1);
}

}  // namespace emkhana::domain
