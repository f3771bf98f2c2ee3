// The registry's reads: where a person is attached, their records and history, panels, and
// the RegistryView the rules ask (capacity from the panels).
#include "registry/registry.hpp"

#include <algorithm>
#include <utility>

#include "rules/checks.hpp"

namespace emkhana::registry {

using domain::Attachment;
using domain::Date;
using domain::District;
using domain::Iin;

std::optional<Placement> Registry::TryWhereOn(const Iin& iin, Date day) const {
  auto person = population_.Find(iin);
  if (!person) return Placement{};
  std::uint32_t covering = 0;
  population_.ForEachPeriod(*person, [&](std::uint32_t id) {
    const auto& p = population_.period(id);
    if (!p.Cancelled() && p.Covers(day)) covering = id;
  });
  if (covering == 0) return Placement{};
  const auto& p = population_.period(covering);
  if (p.planned) {
    const auto org = refs_.OrgOf(p.district);
    if (org >= resolved_through_.size() || resolved_through_[org] < p.From()) return std::nullopt;
  }
  const auto& d = refs_.district(p.district);
  return Placement{d.org, d.id, p.From()};
}

std::optional<domain::Person> Registry::PersonByIin(const Iin& iin) const {
  auto index = population_.Find(iin);
  if (!index) return std::nullopt;
  return population_.Materialise(*index);
}

std::optional<std::vector<Iin>> Registry::RepresentativesOf(const Iin& iin) const {
  auto index = population_.Find(iin);
  if (!index) return std::nullopt;
  return population_.RepresentativesOf(*index);
}

std::vector<const domain::Organisation*> Registry::Organisations() const {
  return refs_.Organisations();
}

Result<std::optional<storage::DecidedApplication>> Registry::StoredApplication(
    const std::string& id) const {
  std::lock_guard lock(reader_mu());
  AwaitReader();
  return reader().FindApplication(id);
}

Result<std::vector<storage::DecidedApplication>> Registry::ListApplications(
    const storage::ApplicationQuery& query) const {
  std::lock_guard lock(reader_mu());
  AwaitReader();
  return reader().ListApplications(query);
}

Result<std::string> Registry::PersonName(const Iin& iin) const {
  std::lock_guard lock(reader_mu());
  return reader().PersonName(iin.ToString());
}

std::vector<Iin> Registry::Represented(const Iin& representative) const {
  std::vector<Iin> out;
  for (auto index : population_.Represented(representative)) {
    out.push_back(Iin::FromNumberUnchecked(population_.row(index).iin));
  }
  return out;
}

Result<std::vector<storage::AuditEntry>> Registry::AuditTrail(const std::string& subject,
                                                              int limit) const {
  std::lock_guard lock(reader_mu());
  AwaitReader();
  return reader().AuditTrail(subject, limit);
}

std::vector<domain::Attachment> Registry::History(const Iin& iin) const {
  std::vector<domain::Attachment> out;
  auto person = population_.Find(iin);
  if (!person) return out;
  for (auto id : LivePeriods(*person)) out.push_back(MakeAttachment(id));
  return out;
}

void Registry::AppendAudit(std::vector<storage::AuditEntry> entries) {
  for (auto& e : entries) {
    e.policy_version = policy_.version;
    batch_.mutations.push_back(std::move(e));
  }
}

std::vector<domain::Iin> Registry::PanelMembers(std::string_view district, Date day,
                                                std::size_t limit) const {
  std::vector<std::uint64_t> found;
  const auto index = DistrictIndex(district);
  if (index == kNone) return {};
  // A scan of the periods: panels keep counts, not members (a registrar's list is rare).
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
    const auto& p = population_.period(id);
    if (p.district == index && !p.planned && !p.Cancelled() && p.Covers(day)) {
      found.push_back(population_.row(p.person).iin);
    }
  }
  std::sort(found.begin(), found.end());
  if (found.size() > limit) found.resize(limit);
  std::vector<domain::Iin> out;
  for (auto n : found) out.push_back(Iin::FromNumberUnchecked(n));
  return out;
}

std::vector<std::vector<std::pair<Iin, std::string>>> Registry::OrgMembers(
    std::string_view org, const std::vector<Date>& days) const {
  std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> found(days.size());
  if (const auto org_index = refs_.OrgIndex(org); org_index != kNone) {
    for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
      const auto& p = population_.period(id);
      if (p.planned || p.Cancelled() || refs_.OrgOf(p.district) != org_index) continue;
      for (std::size_t k = 0; k < days.size(); ++k) {
        if (p.Covers(days[k])) found[k].emplace_back(population_.row(p.person).iin, p.district);
      }
    }
  }
  std::vector<std::vector<std::pair<Iin, std::string>>> out(days.size());
  for (std::size_t k = 0; k < days.size(); ++k) {
    std::sort(found[k].begin(), found[k].end());
    for (const auto& [iin, district] : found[k]) {
      out[k].emplace_back(Iin::FromNumberUnchecked(iin), refs_.district(district).id);
    }
  }
  return out;
}

Placement Registry::WhereOn(const Iin& iin, Date day) const {
  if (auto settled = TryWhereOn(iin, day)) return *settled;
  // The answer is an age-out plan not yet worked out: a plan's district is a function of the
  // state, worked out when asked (a cache), after which the pure read answers.
  std::optional<std::pair<std::uint32_t, Date>> plan;  // resolved after the walk: it may add rows
  population_.ForEachPeriod(*population_.Find(iin), [&](std::uint32_t id) {
    const auto& p = population_.period(id);
    if (!p.Cancelled() && p.planned && p.Covers(day)) plan = {refs_.OrgOf(p.district), p.From()};
  });
  if (plan) const_cast<Registry*>(this)->ResolvePlans(plan->first, plan->second);
  return *TryWhereOn(iin, day);
}

// ---------------------------------------------------------------- RegistryView

std::optional<std::uint32_t> Registry::FindRow(const Iin& iin) const {
  if (deciding_for_ && deciding_for_->iin == iin.number()) return deciding_for_->person;
  return population_.Find(iin);
}

const domain::Person* Registry::FindPerson(const Iin& iin) const {
  auto index = FindRow(iin);
  if (!index) return nullptr;
  auto& slot = person_cache_[*index];
  if (!slot) slot = std::make_unique<domain::Person>(population_.Materialise(*index));
  return slot.get();
}
const domain::Organisation* Registry::FindOrg(std::string_view id) const {
  return refs_.FindOrg(id);
}
const District* Registry::FindDistrict(std::string_view id) const { return refs_.FindDistrict(id); }
std::span<const District* const> Registry::DistrictsOf(std::string_view org) const {
  return refs_.DistrictsOf(org);
}
std::vector<const domain::Organisation*> Registry::OrgsInAte(std::string_view ate) const {
  return refs_.OrgsInAte(ate);
}
std::vector<const Attachment*> Registry::PeriodsOf(const Iin& iin) const {
  std::vector<const Attachment*> out;
  auto person = FindRow(iin);
  if (!person) return out;
  const auto ids = LivePeriods(*person);
  out.reserve(ids.size());
  for (auto id : ids) {
    period_cache_.push_back(MakeAttachment(id));
    out.push_back(&period_cache_.back());
  }
  return out;
}
int Registry::FreeChoiceChangesIn(const Iin& iin, int year) const {
  auto it = free_choice_changes_.find(FreeChoiceKey(iin, year));
  return it == free_choice_changes_.end() ? 0 : it->second;
}
int Registry::CapacityOf(const District& d, Date day) const {
  return rules::DistrictCapacity(d, policy_.NormsOn(day));
}
int Registry::PanelSizeOn(const std::string& district, Date day) const {
  const auto index = DistrictIndex(district);
  return index == kNone ? 0 : panels_[index].SizeOn(day);
}
std::vector<std::pair<Date, Date>> Registry::OwnPeriodsIn(std::uint32_t district,
                                                          const domain::Iin* person) const {
  std::vector<std::pair<Date, Date>> own;
  if (!person) return own;
  if (deciding_for_ && deciding_for_->iin == person->number()) {
    for (const auto& [d, from, to] : deciding_for_->periods) {
      if (d == district) own.emplace_back(from, to);
    }
    return own;
  }
  if (auto index = population_.Find(*person)) {
    for (auto id : LivePeriods(*index)) {
      const auto& p = population_.period(id);
      if (p.district == district && !p.planned) own.emplace_back(p.From(), p.To());  // in panels
    }
  }
  return own;
}
// The two single questions are PlacesOf's halves (the other half is a cheap second look).
int Registry::FreePlacesOn(const District& d, Date day, const domain::Iin* excluding) const {
  return PlacesOf(d, day, excluding).free_on;
}
int Registry::LeastFreePlacesFrom(const District& d, Date day, const domain::Iin* excluding) const {
  return PlacesOf(d, day, excluding).least_from;
}
Registry::Places Registry::PlacesOf(const District& d, Date day,
                                    const domain::Iin* excluding) const {
  const auto index = IndexOf(d);
  const int capacity = CapacityOf(d, day);
  if (index == kNone) return {capacity, capacity};
  const auto own = OwnPeriodsIn(index, excluding);
  const auto& panel = panels_[index];
  return {capacity - panel.SizeOn(day, own, deciding_),
          capacity - panel.LargestFrom(day, own, deciding_)};
}

}  // namespace emkhana::registry
