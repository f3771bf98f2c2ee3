// `emkhana funding`: the monthly per-capita payments from the maintained statistics.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/open_snapshot.hpp"
#include "stats/funding.hpp"

namespace emkhana::cli {

int RunFunding(const FundingOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  int year = 0, month = 0;
  char dash = 0;
  std::istringstream in(o.month);
  if (o.month.size() != 7 || !(in >> year >> dash >> month) || dash != '-' || month < 1 ||
      month > 12) {
    std::cerr << "funding: --month " << o.month << ": expected YYYY-MM\n";
    return 2;
  }
  stats::FundingTable table = stats::IllustrativeFundingTable();
  if (!o.table.empty()) {
    std::ifstream file(o.table);
    std::stringstream text;
    text << file.rdbuf();
    auto parsed = stats::ParseFundingTable(text.str());
    if (!file || !parsed) {
      std::cerr << o.table << ": " << (parsed ? "cannot read" : parsed.error().message) << "\n";
      return 2;
    }
    table = std::move(*parsed);
  }
  // The previous month's first day must be covered too, to explain the change.
  const auto first = domain::Date::Ymd(year, static_cast<unsigned>(month), 1);
  const auto before = domain::PreviousMonthStart(first);
  auto snapshot = OpenSnapshot(o.db, false, before, first);
  if (!snapshot) {
    std::cerr << o.db << ": " << snapshot.error().message << "\n";
    return 2;
  }
  auto report = stats::ComputeFunding(*snapshot, table, year, month);
  if (!report) {
    std::cerr << "funding: " << report.error().message << "\n";
    return 2;
  }
  return PrintAnswer("funding", *report, o.json, started);
}

}  // namespace emkhana::cli
