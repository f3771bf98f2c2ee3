#include "registry/statistics_keeper.hpp"

#include <utility>

namespace emkhana::registry {

using domain::Date;
using domain::PeriodEnd;

stats::PersonFacts StatisticsKeeper::FactsOf(std::uint32_t person) {
  const auto& row = population_.row(person);
  stats::PersonFacts f;
  const auto region = population_.RegionOf(person);
  if (const auto known = cube_.FindRegionId(region)) {
    f.region = *known;  // only the writer adds regions: it may look without the lock
  } else {
    std::lock_guard lock(mu_);
    f.region = cube_.RegionId(region);
  }
  f.sex = static_cast<domain::Sex>(row.sex);
  f.birth = Date::FromDays(row.birth);
  f.osms = {static_cast<domain::OsmsCategory>(row.osms_category),
            static_cast<domain::OsmsPayer>(row.osms_payer), row.osms_insured != 0};
  return f;
}

std::optional<Date> StatisticsKeeper::DeceasedOf(std::uint32_t person) const {
  const auto deceased = population_.row(person).deceased;
  return deceased == INT32_MIN ? std::nullopt : std::optional<Date>(Date::FromDays(deceased));
}

void StatisticsKeeper::CountPeriod(const PeriodRow& p, int sign) {
  if (p.planned || p.Cancelled() || p.from >= p.to) return;
  counts_.AddPeriod(FactsOf(p.person), refs_.OrgOf(p.district), p.district, p.From(), p.To(),
                    static_cast<PeriodEnd>(p.end), sign);
}

void StatisticsKeeper::CountPeriodEnd(const PeriodRow& before, const PeriodRow& after) {
  if (after.from >= after.to && before.from >= before.to) return;
  counts_.ChangePeriodEnd(FactsOf(after.person), refs_.OrgOf(after.district), after.district,
                          after.From(), before.To(), static_cast<PeriodEnd>(before.end), after.To(),
                          static_cast<PeriodEnd>(after.end));
}

void StatisticsKeeper::CountPerson(std::uint32_t person, int sign) {
  counts_.AddPerson(FactsOf(person), DeceasedOf(person), sign);
}

void StatisticsKeeper::CountDeath(std::uint32_t person, Date date) {
  counts_.AddPerson(FactsOf(person), date, +1);
}

void StatisticsKeeper::CountDecision(int year, domain::Channel channel, domain::Outcome outcome,
                                     const std::vector<domain::Reason>& reasons) {
  counts_.AddDecision(year, channel, outcome, reasons);
}

void StatisticsKeeper::CountFlow(std::uint32_t from_org, std::uint32_t to_org, Date effective) {
  counts_.AddFlow(from_org, to_org, effective);
}

stats::CubeChanges StatisticsKeeper::TakeCounts() {
  auto taken = std::exchange(counts_, {});
  counts_.reserve(taken.size() + taken.size() / 8);
  return taken;
}

void StatisticsKeeper::Add(const stats::CubeChanges& counts) {
  if (counts.empty()) return;
  std::lock_guard lock(mu_);
  cube_.Apply(counts);
  ++version_;
}

void StatisticsKeeper::Rebuild(Date reference, Date today) {
  cube_ = stats::Cube::ForReferences(reference, today);
  counts_ = {};  // the state in memory is counted whole below
  CountState(cube_);
  for (const auto& [year, channel, outcome, reasons, from_org, to_org, effective] : loaded_) {
    cube_.AddDecision(year, channel, outcome, reasons);
    if (to_org != stats::Cube::kNone) cube_.AddFlow(from_org, to_org, effective);
  }
  loaded_.clear();
  loaded_.shrink_to_fit();
}

void StatisticsKeeper::CountState(stats::Cube& cube) {
  for (std::uint32_t i = 0; i < population_.size(); ++i) cube.AddPerson(FactsOf(i), DeceasedOf(i));
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
    const auto& p = population_.period(id);
    if (p.planned || p.Cancelled() || p.from >= p.to) continue;
    cube.AddPeriod(FactsOf(p.person), refs_.OrgOf(p.district), p.district, p.From(), p.To(),
                   static_cast<PeriodEnd>(p.end));
  }
}

stats::Cube StatisticsKeeper::Copy() const {
  std::lock_guard lock(mu_);
  return cube_;
}

stats::Cube StatisticsKeeper::Recount() {
  Add(std::exchange(counts_, {}));  // a recount sees every change, durable or not
  stats::Cube full;
  full.Load({}, cube_.regions());       // the same region ids as the live cube
  CountState(full);                     // interns into cube_ (FactsOf): take its region list again
  const auto entries = full.Entries();  // a copy: Load replaces them
  std::lock_guard lock(mu_);  // reading the live cube sorts it (Frozen), as a change would
  full.Load(entries, cube_.regions());
  full.CopyUnfolded(cube_);
  return full;
}

}  // namespace emkhana::registry
