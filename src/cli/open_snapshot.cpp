#include "cli/open_snapshot.hpp"

#include <iostream>

#include "core/clock.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

domain::Date Today() { return domain::Date::FromUnixMicros(SystemClock().NowMicros()); }

std::optional<domain::Date> ParseDateOption(const std::string& text) {
  if (text.empty()) return Today();
  return domain::Date::Parse(text);
}

Result<stats::Snapshot> OpenSnapshot(const std::string& db, bool recount, domain::Date earliest,
                                     domain::Date latest) {
  auto store = storage::OpenStore(db);
  if (!store) return store.error();
  if (!recount) {
    auto stored = (*store)->LoadStats();
    if (!stored) return stored.error();
    if (*stored && !(*stored)->stale) {
      // One answer: the entries are walked as stored, never unpacked into memory.
      auto snapshot = stats::DecodeSnapshot((*stored)->header, std::move((*stored)->entries),
                                            stats::Decode::kPacked);
      if (!snapshot) {
        std::cerr << "statistics: " << snapshot.error().message << ": recounting\n";
      } else if (snapshot->cube.Covers(earliest) && snapshot->cube.Covers(latest)) {
        return snapshot;
      } else {
        std::cerr << "statistics: the date is outside the maintained statistics ("
                  << snapshot->cube.since().ToString() << " to "
                  << snapshot->cube.horizon().ToString() << "): recounting\n";
      }
    } else {
      std::cerr << "statistics: " << (*stored ? "the snapshot is stale" : "no snapshot yet")
                << ": recounting from the registry\n";
    }
  }
  SystemClock clock;
  auto registry = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
  if (!registry) return registry.error();
  // A recount folds nothing: every date can be asked.
  return (*registry)->FullSnapshot();
}

}  // namespace emkhana::cli
