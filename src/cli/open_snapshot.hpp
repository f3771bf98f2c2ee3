// Where `stats` and `funding` get their snapshot: the stored one when it is fresh and covers
// the date, else a recount by loading the whole registry (slow; said on stderr).
#pragma once

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::cli {

// Today by the system clock (UTC).
domain::Date Today();
// "" is today (the system date).
std::optional<domain::Date> ParseDateOption(const std::string& text);
// The snapshot must cover [earliest, latest].
[[nodiscard]] Result<stats::Snapshot> OpenSnapshot(const std::string& db, bool recount,
                                                   domain::Date earliest, domain::Date latest);

// Prints a report (anything with ToJson and ToText overloads) and, on stderr, how long the
// whole answer took from `started`.
template <class Report>
int PrintAnswer(const char* command, const Report& report, bool json,
                std::chrono::steady_clock::time_point started) {
  if (json) {
    std::cout << boost::json::serialize(ToJson(report)) << "\n";
  } else {
    std::cout << ToText(report);
  }
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::cerr << fmt::format("{}: answered in {:.1f} ms\n", command, ms);
  return 0;
}

}  // namespace emkhana::cli
