// Kazakhstan's working days, for application deadlines: Monday to Friday except public holidays.
// A holiday on a Saturday or Sunday moves its day off to the next working day (except those
// marked not to move: 7 January and Kurban ait); government decrees add days off and working
// weekends. Built once from the policy's HolidayRules; immutable and thread-safe afterwards.
#pragma once

#include <vector>

#include "domain/date.hpp"
#include "domain/policy.hpp"

namespace emkhana::domain {

class Calendar {
 public:
  // Covers the years [first_year, last_year]; outside them only weekends are days off.
  explicit Calendar(const HolidayRules& rules, int first_year = 1990, int last_year = 2100);

  bool IsWorkingDay(Date d) const;
  Date WorkingDayOnOrAfter(Date d) const;
  Date WorkingDayAfter(Date d) const { return WorkingDayOnOrAfter(d.Next()); }
  // The days off of a year that are not plain weekends (holidays and transferred days), sorted.
  std::vector<Date> DaysOffIn(int year) const;

 private:
  bool IsDayOff(Date d) const;
  Date first_;
  Date last_;
  std::vector<bool> off_;   // holiday or transferred day off, indexed from first_
  std::vector<bool> work_;  // a weekend made a working day
};

}  // namespace emkhana::domain
