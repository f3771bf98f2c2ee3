// The questions a regional health department and the Fund ask, answered from a Snapshot on a
// date: attached and unattached population by region, organisation, sex and age; organisation
// types; district utilisation; campaign flows; refusals; OSMS coverage.
#pragma once

#include <boost/json/value.hpp>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::stats {

inline constexpr int kFiveYearBands = 18;  // 0-4 ... 80-84, 85+
inline constexpr int kBroadBands = 4;      // 0-4, 5-17, 18-59, 60+
int BroadBand(int age);
std::string FiveYearBandName(int band);
extern const std::array<const char*, kBroadBands> kBroadBandNames;

struct SexCounts {
  std::int64_t men = 0, women = 0;
  std::int64_t total() const { return men + women; }
  void Add(domain::Sex s, std::int64_t n) { (s == domain::Sex::kMale ? men : women) += n; }
};

struct RegionRow {
  std::string region;
  std::int64_t population = 0, attached = 0;
  std::int64_t registered = 0, insured = 0;  // OSMS: persons in the register, insured now
};

struct OrgRow {
  std::string id, name, region;
  bool rural = false, is_private = false;
  SexCounts attached;
  std::array<std::int64_t, kBroadBands> bands{};
  std::int64_t inflow = 0, outflow = 0;          // approved moves of the campaign year
  std::int64_t pending_in = 0, pending_out = 0;  // of which not yet effective on the date
};

struct DistrictUse {
  std::int64_t districts = 0, with_capacity = 0, above_90 = 0, above_100 = 0;
};

struct Report {
  std::string region;     // empty: the whole country; else only this region's people and orgs
  domain::Date date;      // attachments on this day
  domain::Date age_date;  // ages in completed years on this day (the 1st of the month)
  domain::Date as_of, since;
  int campaign_year = 0;
  SexCounts population, attached;
  std::vector<RegionRow> regions;
  std::vector<OrgRow> orgs;
  std::array<SexCounts, kFiveYearBands> attached_pyramid{}, population_pyramid{};
  std::array<std::int64_t, kBroadBands> attached_broad{}, population_broad{};
  std::int64_t urban = 0, rural = 0, private_orgs = 0, public_orgs = 0;  // attached persons
  DistrictUse districts;
  std::map<std::string, DistrictUse> districts_by_kind;
  // Decisions of applications dated in the campaign year, by channel: outcome counts and
  // refusal reasons (a refusal may give several).
  std::map<std::string, std::array<std::int64_t, 2>> decisions_by_channel;  // approved, refused
  std::map<std::string, std::map<std::string, std::int64_t>> refusals;  // reason -> channel -> n
  // OSMS: category -> {registered, insured}; payer -> registered.
  std::map<std::string, std::array<std::int64_t, 2>> insured_by_category;
  std::map<std::string, std::int64_t> by_payer;
};

// Counts on `date` (>= the snapshot's `since`).
// With `region`, only people registered in it and organisations in it are counted (a regional
// health department's view); decisions are counted nationally either way (they carry no region).
[[nodiscard]] Result<Report> Summarise(const Snapshot& snapshot, domain::Date date,
                                       std::string_view region = {});
boost::json::value ToJson(const Report& r);
std::string ToText(const Report& r);

}  // namespace emkhana::stats
