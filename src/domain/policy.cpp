#include "domain/policy.hpp"

namespace emkhana::domain {

namespace {
template <class T>
const Dated<T>* LatestOn(const std::vector<Dated<T>>& values, Date d) {
  const Dated<T>* found = nullptr;
  for (const auto& v : values) {
    if (v.from <= d) found = &v;
  }
  return found ? found : (values.empty() ? nullptr : &values.front());
}
}  // namespace

std::optional<CampaignWindow> Policy::CampaignOf(int year) const {
  for (const auto& w : campaign_years) {
    if (w.year == year) return w;
  }
  for (const auto& r : campaign_rules) {
    if (r.from_year <= year && year <= r.to_year) {
      return CampaignWindow{year, Date::Ymd(year, r.start_month, r.start_day),
                            Date::Ymd(year, r.end_month, r.end_day), r.source};
    }
  }
  return std::nullopt;
}

bool Policy::InCampaign(Date d) const {
  auto w = CampaignOf(d.year());
  return w && w->start <= d && d <= w->end;
}

Norms Policy::NormsOn(Date d) const {
  const auto* n = LatestOn(norms, d);
  return n ? n->value : Norms{};
}

int Policy::FreeChoicesPerYearOn(Date d) const {
  const auto* n = LatestOn(free_choices_per_year, d);
  return n ? n->value : 1;
}

// The start of values that hold for every date of the registry (a real date, so it survives the
// policy's text form).
constexpr Date kAlways = Date::Ymd(1900, 1, 1);

void PolicyOverride::ApplyTo(Policy& policy) const {
  for (const auto& w : campaigns) {
    std::erase_if(policy.campaign_years, [&](const CampaignWindow& c) { return c.year == w.year; });
    policy.campaign_years.push_back(w);
  }
  if (policy.norms.empty()) policy.norms.push_back({kAlways, Norms{}, "built-in"});
  for (auto& n : policy.norms) {
    if (gp_norm) n.value.gp = *gp_norm;
    if (therapist_norm) n.value.therapist = *therapist_norm;
    if (pediatrician_norm) n.value.pediatrician = *pediatrician_norm;
  }
  policy.holidays.extra_days_off.insert(extra_days_off.begin(), extra_days_off.end());
  policy.holidays.working_weekends.insert(working_weekends.begin(), working_weekends.end());
  if (free_choices_per_year) {
    if (policy.free_choices_per_year.empty()) {
      policy.free_choices_per_year.push_back({kAlways, *free_choices_per_year, "override"});
    }
    for (auto& f : policy.free_choices_per_year) f.value = *free_choices_per_year;
  }
  if (!label.empty()) policy.version += "+" + label;
}

}  // namespace emkhana::domain
