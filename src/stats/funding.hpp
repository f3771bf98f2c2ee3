// The monthly per-capita payment (КПН) of each organisation: persons attached on the first day
// of the month × base rate / 12 × the sex-age coefficient, with the change against the previous
// month explained by joins, leaves, deaths and moves between age bands.
//
// The coefficients are policy data (order ҚР ДСМ-309/2020 sets the official ones). The built-in
// table is ILLUSTRATIVE: its shape is plausible, its values are not the official ones, and every
// report made with it says so.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::stats {

struct FundingTable {
  struct Band {
    int from = 0, to = 200;  // ages [from, to)
    double men = 1.0, women = 1.0;
  };
  std::string version, source;
  bool illustrative = false;
  double base_rate_per_year = 0;  // tenge per person per year
  std::vector<Band> bands;
  double Coefficient(domain::Sex sex, int age) const;
  int BandOf(int age) const;  // index into bands, -1 if none
};

const FundingTable& IllustrativeFundingTable();
// {"version", "source", "illustrative", "base_rate_per_year", "bands":
// [{"from","to","men","women"}]}
[[nodiscard]] Result<FundingTable> ParseFundingTable(std::string_view json_text);

struct OrgFunding {
  std::string id, name, region;
  std::int64_t persons = 0, persons_before = 0;
  double amount = 0, amount_before = 0;
  std::int64_t joins = 0, leaves = 0, deaths = 0, band_moves = 0;
  double joins_amount = 0, leaves_amount = 0, deaths_amount = 0, age_effect = 0;
  void Add(const OrgFunding& o);  // the counts and amounts (a total)
};

struct FundingReport {
  int year = 0, month = 0;
  domain::Date first_day, before_first_day;
  bool explained = false;  // the previous month is within the maintained statistics
  FundingTable table;
  std::vector<OrgFunding> orgs;
  OrgFunding total;
};

[[nodiscard]] Result<FundingReport> ComputeFunding(const Snapshot& snapshot,
                                                   const FundingTable& table, int year, int month);
boost::json::value ToJson(const FundingReport& r);
std::string ToText(const FundingReport& r);

}  // namespace emkhana::stats
