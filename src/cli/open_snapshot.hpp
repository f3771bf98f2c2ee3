// Where `stats` and `funding` get their snapshot: the stored one when it is fresh and covers
// the date, else a recount by loading the whole registry (slow; said on stderr).
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::cli {

// "" is today (the system date).
std::optional<domain::Date> ParseDateOption(const std::string& text);
// The snapshot must cover [earliest, latest].
[[nodiscard]] Result<stats::Snapshot> OpenSnapshot(const std::string& db, bool recount,
                                                   domain::Date earliest, domain::Date latest);

}  // namespace emkhana::cli
