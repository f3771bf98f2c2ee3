// The statistics a registry maintains (stats/cube.hpp): what each change counts is recorded by
// the writer as it happens, and added to the cube once the change is durable, so that readers
// never see counts of a decision that could still be lost. Readers copy the cube under its lock;
// `version` moves with every addition (the HTTP layer caches answers by it).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "domain/model.hpp"
#include "registry/population.hpp"
#include "registry/reference_data.hpp"
#include "stats/cube.hpp"

namespace emkhana::registry {

class StatisticsKeeper {
 public:
  StatisticsKeeper(const Population& population, const ReferenceData& refs)
      : population_(population), refs_(refs) {}

  // --- what a change counts (the writer; added to the cube by Add) ---
  void CountPeriod(const PeriodRow& p, int sign);
  // A stored period's end moved (or it was cancelled): from `before`'s end to `after`'s.
  void CountPeriodEnd(const PeriodRow& before, const PeriodRow& after);
  // The person as the population holds them now, in or out.
  void CountPerson(std::uint32_t person, int sign);
  // The person as dead from `date` (counted in; CountPerson(-1) takes the living one out).
  void CountDeath(std::uint32_t person, domain::Date date);
  void CountDecision(int year, domain::Channel channel, domain::Outcome outcome,
                     const std::vector<domain::Reason>& reasons);
  void CountFlow(std::uint32_t from_org, std::uint32_t to_org, domain::Date effective);
  // The counts recorded since the last take (the next ones reserve about as much room).
  stats::CubeChanges TakeCounts();
  // Sets the recorded counts aside (another process's changes are counted apart from this
  // one's) and puts them back.
  stats::CubeChanges SetAside() { return std::exchange(counts_, {}); }
  void PutBack(stats::CubeChanges counts) { counts_ = std::move(counts); }
  // Adds durable counts to the cube.
  void Add(const stats::CubeChanges& counts);

  // --- opening ---
  struct LoadedDecision {
    int year;
    domain::Channel channel;
    domain::Outcome outcome;
    std::vector<domain::Reason> reasons;
    std::uint32_t from_org, to_org;  // to_org stats::Cube::kNone: not a move
    domain::Date effective;
  };
  void NoteLoaded(LoadedDecision d) { loaded_.push_back(std::move(d)); }
  // The cube from the loaded state and decisions. Days before the first of the previous month
  // of `reference` are folded (statistics on older dates are recounted from the database);
  // the window also holds `today` (the clock's).
  void Rebuild(domain::Date reference, domain::Date today);

  // --- readers ---
  stats::Cube Copy() const;
  // The cube recounted from the whole state, days before the window included (`stats
  // --recount`); takes every recorded count first (the writer only).
  stats::Cube Recount();
  std::uint64_t version() const { return version_.load(); }

 private:
  stats::PersonFacts FactsOf(std::uint32_t person);
  std::optional<domain::Date> DeceasedOf(std::uint32_t person) const;
  // Counts every person and stored period into `cube` (folding before its `since`).
  void CountState(stats::Cube& cube);

  const Population& population_;
  const ReferenceData& refs_;
  stats::Cube cube_;           // under mu_ once a pipeline runs
  stats::CubeChanges counts_;  // what the changes since the last TakeCounts count
  mutable std::mutex mu_;      // the committing thread adds counts while readers copy
  std::atomic<std::uint64_t> version_ = 0;
  std::vector<LoadedDecision> loaded_;  // from opening until Rebuild
};

}  // namespace emkhana::registry
