#include "generate/country.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "generate/kazakhstan_json.hpp"

namespace emkhana::generate {

namespace json = boost::json;
using domain::DistrictKind;

std::string_view KazakhstanJson() { return kKazakhstanJson; }

AgeModel AgeModel::Kazakhstan() {
  // Five-year bands (per cent of the population), shaped on the 2025 age structure: children
  // under 18 about 30 %, people aged 60 and over about 13.5 %.
  constexpr double kBands[20] = {9.2, 9.2, 8.2, 6.9, 6.0, 7.0, 8.5, 8.2, 6.9,  6.0,
                                 5.5, 5.2, 4.7, 3.7, 2.5, 1.2, 0.9, 0.4, 0.07, 0.03};
  // Share of men by age: slightly more boys at birth, far more women in old age.
  auto male = [](int age) {
    if (age < 15) return 0.513;
    if (age < 30) return 0.505;
    if (age < 45) return 0.495;
    if (age < 60) return 0.47;
    if (age < 70) return 0.42;
    if (age < 80) return 0.36;
    return 0.30;
  };
  AgeModel m;
  double total = 0;
  for (int a = 0; a < 100; ++a) {
    m.share[a] = kBands[a / 5] / 5.0;
    m.male[a] = male(a);
    total += m.share[a];
  }
  for (double& s : m.share) s /= total;
  return m;
}

namespace {

double ChildShare(const AgeModel& ages) {
  double s = 0;
  for (int a = 0; a < 18; ++a) s += ages.share[a];
  return s;
}

const char* OrgName(bool urban, bool is_private, int number) {
  (void)number;
  if (is_private) return "Медицинский центр";
  return urban ? "Городская поликлиника" : "Районная больница";
}

}  // namespace

Result<Country> Country::Build(std::string_view regions_json, std::int64_t population,
                               std::uint64_t seed, const domain::Norms& norms) {
  if (population <= 0) return Error::InvalidArgument("generate: --population must be positive");
  boost::system::error_code ec;
  auto doc = json::parse(regions_json, ec);
  if (ec) return Error::InvalidArgument("generate: the regions file is not JSON");
  Country c;
  Rng rng(seed, 0xC0FFEE);
  try {
    double total = 0;
    for (const auto& v : doc.at("regions").as_array()) {
      const auto& o = v.as_object();
      Region r;
      r.code = o.at("code").as_string();
      r.name_ru = o.at("name_ru").as_string();
      r.name_kk = o.at("name_kk").as_string();
      r.city = o.at("kind").as_string() == "city";
      r.share = o.at("population").to_number<double>();
      r.urban_share = r.city ? 1.0 : o.at("urban_share").to_number<double>();
      r.lat = o.at("lat").to_number<double>();
      r.lon = o.at("lon").to_number<double>();
      if (r.city) r.city_districts = o.at("city_districts").to_number<int>();
      total += r.share;
      c.regions.push_back(std::move(r));
    }
    for (auto& r : c.regions) r.share /= total;
  } catch (const std::exception& e) {
    return Error::InvalidArgument(std::string("generate: regions file: ") + e.what());
  }

  // Units.
  const double n = static_cast<double>(population);
  for (std::uint32_t ri = 0; ri < c.regions.size(); ++ri) {
    const auto& r = c.regions[ri];
    const double people = n * r.share;
    std::vector<Unit> made;
    auto unit = [&](bool urban, double share) {
      Unit u;
      u.code = fmt::format("{}-{:02}", r.code, made.size() + 1);
      u.region = ri;
      u.urban = urban;
      u.share = share;
      u.lat = r.lat + rng.Between(-0.6, 0.6) * (made.empty() ? 0.05 : 1.0);
      u.lon = r.lon + rng.Between(-0.9, 0.9) * (made.empty() ? 0.05 : 1.0);
      made.push_back(std::move(u));
    };
    if (r.city) {
      const int k =
          std::clamp(static_cast<int>(std::lround(people / 150'000)), 1, r.city_districts);
      for (int i = 0; i < k; ++i) unit(true, r.share / k);
    } else {
      const int k = std::clamp(static_cast<int>(std::lround(people / 70'000)), 1, 13);
      const double u = r.urban_share;
      if (k == 1) {
        unit(u >= 0.5, r.share);
      } else if (k == 2) {
        unit(true, r.share * u);
        unit(false, r.share * (1 - u));
      } else {
        unit(true, r.share * u * 0.7);
        unit(true, r.share * u * 0.3);
        const int rural = k - 2;
        std::vector<double> w(rural);
        double sum = 0;
        for (auto& x : w) sum += (x = rng.Between(0.6, 1.4));
        for (int i = 0; i < rural; ++i) unit(false, r.share * (1 - u) * w[i] / sum);
      }
    }
    for (auto& u : made) c.units.push_back(std::move(u));
  }
  double cumulative = 0;
  for (const auto& u : c.units) c.unit_cumulative_.push_back(cumulative += u.share);

  // Organisations and districts.
  const double child_share = ChildShare(c.ages);
  // Districts are planned for everyone who may attach, so that quotas do not run out where
  // chance puts a few more people than expected (the unattached are those who never applied).
  constexpr double kAttachedShare = 1.0;
  int org_number = 0;
  for (std::uint32_t ui = 0; ui < c.units.size(); ++ui) {
    auto& u = c.units[ui];
    const double people = n * u.share;
    // At least two clinics wherever a thousand people live: there is a choice to make.
    const int k = std::max(people >= 1000 ? 2 : 1, static_cast<int>(std::lround(people / 33'000)));
    for (int i = 0; i < k; ++i) {
      OrgPlan plan;
      plan.unit = ui;
      auto& o = plan.org;
      o.id = fmt::format("{}-P{:02}", u.code, i + 1);
      o.ate = u.code;
      o.is_private = rng.Chance(0.20);
      o.rural = !u.urban;
      o.contract = k == 1 || !rng.Chance(0.02);
      o.name = fmt::format("{} №{}", OrgName(u.urban, o.is_private, ++org_number), org_number);
      o.latitude = std::round((u.lat + rng.Between(-0.05, 0.05)) * 1e5) / 1e5;
      o.longitude = std::round((u.lon + rng.Between(-0.07, 0.07)) * 1e5) / 1e5;
      const auto org_index = static_cast<std::uint32_t>(c.orgs.size());
      u.orgs.push_back(org_index);

      // What the organisation is planned to serve; none without a contract (not eligible).
      const double served = o.contract ? people / k * kAttachedShare : 0;
      const double children = served * child_share, adults = served - children;
      int number = 0;
      auto add_districts = [&](DistrictKind kind, double need, bool for_children, bool for_adults) {
        double planned = 0;
        while (planned < need) {
          DistrictPlan d;
          d.district.id = fmt::format("{}-{}{:02}", o.id,
                                      kind == DistrictKind::kGp          ? 'G'
                                      : kind == DistrictKind::kTherapist ? 'T'
                                                                         : 'P',
                                      ++number);
          d.district.org = o.id;
          d.district.kind = kind;
          d.district.doctors = rng.Chance(0.2) ? 2 : 1;
          d.org = org_index;
          d.capacity = norms.For(kind) * d.district.doctors;
          d.over_full = rng.Chance(0.03);
          const double util = d.over_full ? rng.Between(1.03, 1.15) : rng.Between(0.72, 0.98);
          d.quota = static_cast<int>(d.capacity * util);
          planned += d.quota;
          const auto index = static_cast<std::uint32_t>(c.districts.size());
          if (for_children) plan.child_districts.push_back(index);
          if (for_adults) plan.adult_districts.push_back(index);
          c.districts.push_back(std::move(d));
        }
      };
      if (u.urban) {
        // Most children with pediatricians, most adults with therapists, the rest with GPs.
        add_districts(DistrictKind::kPediatrician, children * 0.9, true, false);
        add_districts(DistrictKind::kTherapist, adults * 0.9, false, true);
        add_districts(DistrictKind::kGp, served * 0.1, true, true);
      } else {
        add_districts(DistrictKind::kGp, served, true, true);
      }
      c.orgs.push_back(std::move(plan));
    }
  }
  return c;
}

std::uint32_t Country::DrawUnit(Rng& rng) const {
  const double x = rng.Real() * unit_cumulative_.back();
  auto it = std::upper_bound(unit_cumulative_.begin(), unit_cumulative_.end(), x);
  return static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(
      it - unit_cumulative_.begin(), static_cast<std::ptrdiff_t>(units.size()) - 1));
}

std::uint32_t Country::DrawNeighbour(std::uint32_t unit, Rng& rng) const {
  // Units of a region are contiguous.
  std::uint32_t lo = unit, hi = unit;
  while (lo > 0 && units[lo - 1].region == units[unit].region) --lo;
  while (hi + 1 < units.size() && units[hi + 1].region == units[unit].region) ++hi;
  return static_cast<std::uint32_t>(lo + rng.Below(hi - lo + 1));
}

}  // namespace emkhana::generate
