// The attachment policy in force: the parameters that the law and the Ministry change over time
// (campaign windows, capacity norms, free choices per year, who may apply on paper, holidays).
// It is data, loaded from versioned files by policy/ and overridable per scenario; every value
// carries the date it applies from and its legal source. A Decision records `version`.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/date.hpp"
#include "domain/model.hpp"

namespace emkhana::domain {

template <class T>
struct Dated {
  Date from;  // applies to dates on or after this one
  T value;
  std::string source;
};

// The campaign window of one year, inclusive at both ends.
struct CampaignWindow {
  int year = 0;
  Date start;
  Date end;
  std::string source;
};

// A window repeated every year of [from_year, to_year], as month-day pairs.
struct CampaignRule {
  int from_year = 0;
  int to_year = 9999;
  unsigned start_month = 9, start_day = 1, end_month = 11, end_day = 1;
  std::string source;
};

struct Norms {
  int gp = 1700;
  int therapist = 2200;
  int pediatrician = 900;
  int For(DistrictKind kind) const {
    switch (kind) {
      case DistrictKind::kGp:
        return gp;
      case DistrictKind::kTherapist:
        return therapist;
      case DistrictKind::kPediatrician:
        return pediatrician;
    }
    return 0;
  }
};

struct FixedHoliday {
  unsigned month = 1, day = 1;
  bool moves_off_weekend = true;  // false for 7 Jan (Orthodox Christmas)
  std::string name;
};

struct HolidayRules {
  std::vector<FixedHoliday> fixed;
  std::vector<Date> kurban_ait;     // first day, by year; never moved off a weekend
  std::set<Date> extra_days_off;    // government decrees: further non-working days
  std::set<Date> working_weekends;  // government decrees: Saturdays/Sundays worked
  std::string source;
};

struct Policy {
  std::string version;
  std::vector<CampaignRule> campaign_rules;
  std::vector<CampaignWindow> campaign_years;  // explicit years; override the rules
  std::vector<Dated<Norms>> norms;             // sorted by `from`
  std::vector<Dated<int>> free_choices_per_year;
  Categories paper_categories;                 // the person's categories allowing clinic_paper
  Categories paper_applicant_categories;       // the applicant's categories allowing clinic_paper
  std::vector<InsuranceKind> paper_insurance;  // a valid policy of these kinds allows clinic_paper
  HolidayRules holidays;

  std::optional<CampaignWindow> CampaignOf(int year) const;
  bool InCampaign(Date d) const;
  Norms NormsOn(Date d) const;
  int FreeChoicesPerYearOn(Date d) const;
};

// A partial change of the policy (a scenario's `policy` step, a "what if" run). Given campaign
// years replace those years; given norms replace those kinds' norms on every date; holidays and
// working weekends are added; the version becomes `<base>+<label>`.
struct PolicyOverride {
  std::vector<CampaignWindow> campaigns;
  std::optional<int> gp_norm, therapist_norm, pediatrician_norm;
  std::vector<Date> extra_days_off;
  std::vector<Date> working_weekends;
  std::optional<int> free_choices_per_year;
  std::string label;

  void ApplyTo(Policy& policy) const;
};

}  // namespace emkhana::domain
