// `emkhana stats`: the statistics on a date, from the database's maintained snapshot (fast), or
// recounted by loading the registry (--recount, or when the snapshot is stale or too recent).
#include <fmt/format.h>

#include <boost/json.hpp>

#include <chrono>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/open_snapshot.hpp"
#include "stats/report.hpp"

namespace emkhana::cli {

int RunStats(const StatsOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  auto date = ParseDateOption(o.date);
  if (!date) {
    std::cerr << "stats: --date " << o.date << ": expected YYYY-MM-DD\n";
    return 2;
  }
  auto snapshot = OpenSnapshot(o.db, o.recount, *date, *date);
  if (!snapshot) {
    std::cerr << o.db << ": " << snapshot.error().message << "\n";
    return 2;
  }
  auto report = stats::Summarise(*snapshot, *date, o.region);
  if (!report) {
    std::cerr << "stats: " << report.error().message << "\n";
    return 2;
  }
  return PrintAnswer("stats", *report, o.json, started);
}

}  // namespace emkhana::cli
