// The synthetic country's places: regions (data/kazakhstan.json), their administrative-territorial
// units, the PHC organisations of each unit and their districts, sized for a population of N.
//
// Sizing (all from N, so that a small test country looks like a scaled-down real one):
// - units: a city has one unit per ~150 000 people (up to its city districts); a region one per
//   ~70 000 (up to 13): its centre and a town (urban), the rest rural districts;
// - organisations: one per ~33 000 people of a unit (at least two where 1 000 people live), about
// 20 % private, about
//   2 % without a Fund contract (never a unit's only one);
// - districts: urban organisations have pediatricians for children and therapists for adults
//   with some GPs; rural ones have GPs. Each district has 1-2 doctors and a quota of the people it
//   is planned to serve: 72-98 % of its capacity, or for about 3 % of districts (marked
//   `over_full`) 103-115 %.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "generate/random.hpp"

namespace emkhana::generate {

struct Region {
  std::string code, name_ru, name_kk;
  bool city = false;
  double share = 0;  // of the national population
  double urban_share = 1;
  double lat = 0, lon = 0;
  int city_districts = 1;
};

struct Unit {
  std::string code;  // "<REGION>-<NN>"
  std::uint32_t region = 0;
  bool urban = true;
  double share = 0;  // of the national population
  double lat = 0, lon = 0;
  std::vector<std::uint32_t> orgs;
};

struct DistrictPlan {
  domain::District district;
  std::uint32_t org = 0;
  int capacity = 0;
  int quota = 0;  // how many people the generator attaches at most
  bool over_full = false;
  int attached = 0;
};

struct OrgPlan {
  domain::Organisation org;
  std::uint32_t unit = 0;
  std::vector<std::uint32_t> child_districts, adult_districts;  // serving under / over 18
};

// Age structure: the share of the population of each age 0..99 and the share of men at it.
struct AgeModel {
  double share[100] = {};
  double male[100] = {};
  static AgeModel Kazakhstan();
};

class Country {
 public:
  [[nodiscard]] static Result<Country> Build(std::string_view regions_json, std::int64_t population,
                                             std::uint64_t seed, const domain::Norms& norms);

  std::vector<Region> regions;
  std::vector<Unit> units;
  std::vector<OrgPlan> orgs;
  std::vector<DistrictPlan> districts;
  AgeModel ages = AgeModel::Kazakhstan();

  // A unit drawn in proportion to population.
  std::uint32_t DrawUnit(Rng& rng) const;
  // Another unit of the same region (or the same one if it is alone).
  std::uint32_t DrawNeighbour(std::uint32_t unit, Rng& rng) const;

 private:
  std::vector<double> unit_cumulative_;
};

// The regions file compiled into the binary (data/kazakhstan.json).
std::string_view KazakhstanJson();

}  // namespace emkhana::generate
