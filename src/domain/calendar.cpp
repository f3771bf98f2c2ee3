#include "domain/calendar.hpp"

#include <algorithm>

namespace emkhana::domain {

Calendar::Calendar(const HolidayRules& rules, int first_year, int last_year)
    : first_(Date::Ymd(first_year, 1, 1)), last_(Date::Ymd(last_year, 12, 31)) {
  const auto size = static_cast<std::size_t>(last_.days() - first_.days() + 1);
  off_.assign(size, false);
  work_.assign(size, false);
  auto in_range = [&](Date d) { return first_ <= d && d <= last_; };
  auto index = [&](Date d) { return static_cast<std::size_t>(d.days() - first_.days()); };

  for (Date d : rules.working_weekends) {
    if (in_range(d)) work_[index(d)] = true;
  }
  for (Date d : rules.extra_days_off) {
    if (in_range(d)) off_[index(d)] = true;
  }
  for (int year = first_year; year <= last_year; ++year) {
    struct Holiday {
      Date date;
      bool moves;
    };
    std::vector<Holiday> holidays;
    for (const auto& h : rules.fixed) {
      holidays.push_back({Date::Ymd(year, h.month, h.day), h.moves_off_weekend});
    }
    for (Date k : rules.kurban_ait) {
      if (k.year() == year) holidays.push_back({k, false});
    }
    std::sort(holidays.begin(), holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
    for (const auto& h : holidays) off_[index(h.date)] = true;
    // In date order, each weekend holiday that moves takes the next day that is neither a
    // weekend nor already off (so 21-22 Mar on a weekend, with 23 Mar a holiday, give 24-25 Mar).
    for (const auto& h : holidays) {
      if (!h.moves || !h.date.IsWeekend()) continue;
      // "the next working day": a weekend made a working day by decree counts as one.
      Date d = h.date.Next();
      while (in_range(d) && ((d.IsWeekend() && !work_[index(d)]) || off_[index(d)])) d = d.Next();
      if (in_range(d)) off_[index(d)] = true;
    }
  }
}

bool Calendar::IsDayOff(Date d) const {
  if (d < first_ || d > last_) return d.IsWeekend();
  const auto i = static_cast<std::size_t>(d.days() - first_.days());
  if (off_[i]) return true;
  return d.IsWeekend() && !work_[i];
}

bool Calendar::IsWorkingDay(Date d) const { return !IsDayOff(d); }

Date Calendar::WorkingDayOnOrAfter(Date d) const {
  while (IsDayOff(d)) d = d.Next();
  return d;
}

std::vector<Date> Calendar::DaysOffIn(int year) const {
  std::vector<Date> out;
  for (Date d = Date::Ymd(year, 1, 1); d.year() == year; d = d.Next()) {
    if (d < first_ || d > last_) continue;
    if (off_[static_cast<std::size_t>(d.days() - first_.days())]) out.push_back(d);
  }
  return out;
}

}  // namespace emkhana::domain
