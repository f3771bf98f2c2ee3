#include "registry/registry.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "policy/policy_loader.hpp"
#include "rules/checks.hpp"
#include "rules/evaluate.hpp"

namespace emkhana::registry {

using domain::Attachment;
using domain::Date;
using domain::District;
using domain::DistrictKind;
using domain::Iin;
using domain::PeriodEnd;

// Feeds the stored state into a fresh registry.
class Registry::Loader final : public storage::LoadSink {
 public:
  explicit Loader(Registry& r) : r_(r) {}
  void OnPolicy(const storage::PolicyVersion& p) override {
    auto parsed = policy::ParsePolicyJson(p.body);
    if (parsed) latest_policy_ = std::move(*parsed);
  }
  void OnOrganization(domain::Organization o) override {
    r_.orgs_by_ate_[o.ate].insert(o.id);
    r_.orgs_[o.id] = std::move(o);
  }
  void OnDistrict(domain::District d) override {
    r_.districts_by_org_[d.org].push_back(d.id);
    r_.districts_[d.id] = std::move(d);
  }
  void OnPerson(domain::Person p) override {
    const Iin iin = p.iin;
    r_.persons_[iin] = std::move(p);
  }
  void OnAttachment(domain::Attachment a) override {
    r_.next_period_id_ = std::max(r_.next_period_id_, a.id + 1);
    auto& list = r_.periods_[a.iin];
    list.push_back(std::move(a));
    r_.IndexPeriod(list.back());
  }
  void OnDecided(storage::DecidedApplication d) override {
    if (d.decision.free_choice_change) {
      if (auto iin = Iin::Parse(d.application.iin)) {
        ++r_.free_choice_changes_[{iin->number(), d.application.date.year()}];
      }
    }
    r_.decisions_[d.decision.application_id] = std::move(d.decision);
  }
  std::optional<domain::Policy> latest_policy_;

 private:
  Registry& r_;
};

Registry::Registry(storage::Store& store, const Clock& clock, domain::Policy policy)
    : store_(store),
      clock_(clock),
      policy_(std::move(policy)),
      calendar_(std::make_unique<domain::Calendar>(policy_.holidays)) {}

Result<std::unique_ptr<Registry>> Registry::Open(storage::Store& store, const Clock& clock,
                                                 domain::Policy default_policy) {
  std::unique_ptr<Registry> r(new Registry(store, clock, std::move(default_policy)));
  Loader loader(*r);
  if (auto loaded = store.Load(loader); !loaded) return loaded.error();
  if (loader.latest_policy_) {
    r->policy_ = std::move(*loader.latest_policy_);
    r->calendar_ = std::make_unique<domain::Calendar>(r->policy_.holidays);
  } else {
    r->RecordPolicy();
  }
  for (auto& [iin, list] : r->periods_) {
    std::sort(list.begin(), list.end(),
              [](const Attachment& a, const Attachment& b) { return a.from < b.from; });
  }
  return r;
}

void Registry::SetPolicy(domain::Policy policy) {
  policy_ = std::move(policy);
  calendar_ = std::make_unique<domain::Calendar>(policy_.holidays);
  RecordPolicy();
}

void Registry::RecordPolicy() {
  batch_.mutations.push_back(
      storage::PolicyVersion{policy_.version, policy::PolicyToJson(policy_)});
  Audit({}, "policy.in_force", policy_.version, "policy version in force");
}

void Registry::Audit(const Actor& actor, std::string action, std::string subject,
                     std::string detail) {
  batch_.mutations.push_back(storage::AuditEntry{clock_.NowMicros(), actor.who, actor.channel,
                                                 std::move(action), std::move(subject),
                                                 std::move(detail), policy_.version});
}

// ---------------------------------------------------------------- reference data

Result<void> Registry::PutOrganization(domain::Organization org, const Actor& actor) {
  if (org.id.empty() || org.ate.empty())
    return Error::InvalidArgument("organisation: id and ate are required");
  if (auto it = orgs_.find(org.id); it != orgs_.end() && it->second.ate != org.ate) {
    orgs_by_ate_[it->second.ate].erase(org.id);
  }
  orgs_by_ate_[org.ate].insert(org.id);
  Audit(actor, "organization.put", org.id, org.name);
  batch_.mutations.push_back(org);
  orgs_[org.id] = std::move(org);
  return {};
}

Result<void> Registry::PutDistrict(domain::District district, const Actor& actor) {
  if (!orgs_.contains(district.org)) {
    return Error::NotFound(
        fmt::format("district {}: unknown organisation {}", district.id, district.org));
  }
  if (district.doctors < 0 || (district.capacity && *district.capacity < 0)) {
    return Error::InvalidArgument(fmt::format("district {}: negative size", district.id));
  }
  if (auto it = districts_.find(district.id); it != districts_.end()) {
    if (it->second.org != district.org) {
      return Error::FailedPrecondition(
          fmt::format("district {} belongs to {}", district.id, it->second.org));
    }
  } else {
    auto& ids = districts_by_org_[district.org];
    ids.insert(std::lower_bound(ids.begin(), ids.end(), district.id), district.id);
  }
  Audit(actor, "district.put", district.id, district.org);
  batch_.mutations.push_back(district);
  districts_[district.id] = std::move(district);
  return {};
}

Result<void> Registry::PutPerson(domain::Person person, const Actor& actor) {
  Audit(actor, "person.put", person.iin.ToString(), "population register record");
  batch_.mutations.push_back(person);
  const Iin iin = person.iin;
  persons_[iin] = std::move(person);
  return {};
}

Result<void> Registry::ImportAttachment(const Iin& iin, const std::string& district_id, Date from,
                                        const Actor& actor) {
  if (!persons_.contains(iin)) return Error::NotFound("attach: unknown person " + iin.Masked());
  auto d = districts_.find(district_id);
  if (d == districts_.end()) return Error::NotFound("attach: unknown district " + district_id);
  // Importing the same period again (a replay of the same story) changes nothing.
  for (const auto& p : periods_[iin]) {
    if (!p.Cancelled() && p.application_id.empty() && p.district == district_id && p.from == from) {
      return {};
    }
  }
  // A later import replaces what the person had from that day on, as an approval would.
  for (auto& p : periods_[iin]) {
    if (p.Cancelled()) continue;
    if (p.from >= from)
      EndPeriod(p, p.to, PeriodEnd::kCancelled);
    else if (p.to > from)
      EndPeriod(p, from, PeriodEnd::kSuperseded);
  }
  // A person already dead in the register keeps the period only up to the death date.
  const auto& person = persons_.at(iin);
  const Date to = person.deceased ? *person.deceased : Date::Max();
  if (from < to) AddPeriod(iin, d->second, from, to, "");
  Audit(actor, "attachment.imported", iin.ToString(),
        fmt::format("{} from {}", district_id, from.ToString()));
  return {};
}

// ---------------------------------------------------------------- periods

void Registry::IndexPeriod(const Attachment& period) {
  members_by_org_[period.org].insert(period.iin);
  if (period.Cancelled()) return;
  panels_[period.district].Add(period.from, period.to);
}

std::optional<std::pair<Date, const District*>> Registry::AgeOutOf(const Iin& iin,
                                                                   const District& district,
                                                                   Date from, Date to) const {
  if (district.kind != DistrictKind::kPediatrician) return std::nullopt;
  const auto* person = FindPerson(iin);
  if (!person) return std::nullopt;
  const Date birthday = domain::Anniversary(person->birth, 18);
  if (!(from < birthday && birthday < to)) return std::nullopt;
  const District* adult = AdultDistrictFor(district.org, birthday);
  if (!adult) return std::nullopt;  // an organisation without adult districts keeps the person
  return std::make_pair(birthday, adult);
}

void Registry::InsertPeriod(const Iin& iin, const District& district, Date from, Date to,
                            PeriodEnd end, const std::string& application_id) {
  Attachment a;
  a.id = next_period_id_++;
  a.iin = iin;
  a.org = district.org;
  a.district = district.id;
  a.from = from;
  a.to = to;
  a.end = end;
  a.application_id = application_id;
  a.recorded_at = clock_.NowMicros();
  batch_.mutations.push_back(a);
  auto& list = periods_[iin];
  auto pos = std::upper_bound(list.begin(), list.end(), from,
                              [](Date f, const Attachment& x) { return f < x.from; });
  IndexPeriod(*list.insert(pos, std::move(a)));
}

// A period in a pediatric district that reaches the person's 18th birthday is planned as two:
// the child's part up to the birthday and, from it, the adult district of the same organisation
// with most free places on that day, capacity notwithstanding, for the rest of the period. The
// plan is known at once, so panels and "room on every date" see it.
void Registry::AddPeriod(const Iin& iin, const District& district, Date from, Date to,
                         const std::string& application_id) {
  auto age_out = AgeOutOf(iin, district, from, to);
  if (!age_out) {
    InsertPeriod(iin, district, from, to, PeriodEnd::kOpen, application_id);
    return;
  }
  const auto [birthday, adult] = *age_out;
  InsertPeriod(iin, district, from, birthday, PeriodEnd::kAgeOut, application_id);
  InsertPeriod(iin, *adult, birthday, to, PeriodEnd::kOpen, application_id);
  Audit({}, "attachment.age_out", iin.ToString(),
        fmt::format("{} -> {} on {}", district.id, adult->id, birthday.ToString()));
}

void Registry::EndPeriod(Attachment& period, Date to, PeriodEnd why) {
  panels_[period.district].Remove(period.from, period.to);
  if (why == PeriodEnd::kCancelled) {
    period.end = PeriodEnd::kCancelled;
  } else {
    period.to = std::max(period.from, std::min(period.to, to));
    period.end = why;
    panels_[period.district].Add(period.from, period.to);
  }
  batch_.mutations.push_back(
      storage::PeriodChange{period.id, period.to, period.end, clock_.NowMicros()});
}

void Registry::RestorePeriod(Attachment& period, Date to) {
  const Iin iin = period.iin;
  const auto& district = districts_.at(period.district);
  auto age_out = AgeOutOf(iin, district, period.from, to);
  const std::string application_id = period.application_id;
  panels_[period.district].Remove(period.from, period.to);
  period.to = age_out ? age_out->first : to;
  period.end = age_out ? PeriodEnd::kAgeOut : PeriodEnd::kOpen;
  panels_[period.district].Add(period.from, period.to);
  batch_.mutations.push_back(
      storage::PeriodChange{period.id, period.to, period.end, clock_.NowMicros()});
  if (age_out) {  // `period` may dangle after this insert
    InsertPeriod(iin, *age_out->second, age_out->first, to, PeriodEnd::kOpen, application_id);
  }
}

const District* Registry::AdultDistrictFor(const std::string& org, Date day) const {
  std::vector<const District*> adult;
  for (const auto* d : DistrictsOf(org)) {
    if (d->kind != DistrictKind::kPediatrician) adult.push_back(d);
  }
  return rules::MostFreeFitting(*this, adult, 18, day, /*require_room=*/false);
}

// ---------------------------------------------------------------- lifecycle

Result<void> Registry::RecordDeath(const Iin& iin, Date date, const Actor& actor) {
  auto person = persons_.find(iin);
  if (person == persons_.end()) return Error::NotFound("death: unknown person " + iin.Masked());
  person->second.deceased = date;
  batch_.mutations.push_back(storage::PersonDeath{iin, date});
  for (auto& p : periods_[iin]) {
    if (p.Cancelled() || p.to <= date) continue;
    EndPeriod(p, date, p.from >= date ? PeriodEnd::kCancelled : PeriodEnd::kDeath);
  }
  Audit(actor, "person.death", iin.ToString(), "died " + date.ToString());
  return {};
}

Result<void> Registry::CloseOrganization(const std::string& org_id, Date date,
                                         const std::string& successor_id, const Actor& actor) {
  auto org = orgs_.find(org_id);
  if (org == orgs_.end()) return Error::NotFound("org_close: unknown organisation " + org_id);
  const domain::Organization* successor = nullptr;
  if (!successor_id.empty()) {
    successor = FindOrg(successor_id);
    if (!successor || successor_id == org_id) {
      return Error::NotFound("org_close: unknown successor " + successor_id);
    }
  }
  org->second.closed_on = date;
  org->second.successor = successor_id;
  batch_.mutations.push_back(storage::OrgClosure{org_id, date, successor_id});
  Audit(actor, successor ? "organization.reorganised" : "organization.liquidated", org_id,
        successor ? "successor " + successor_id + " from " + date.ToString()
                  : "from " + date.ToString());

  // People in IIN order (std::set), so that district choices are reproducible.
  const std::vector<Iin> members(members_by_org_[org_id].begin(), members_by_org_[org_id].end());
  for (const auto& iin : members) {
    auto& list = periods_[iin];
    // Indices, not references: NewPeriod inserts into this vector.
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].Cancelled() || list[i].org != org_id || list[i].to <= date) continue;
      const Date from = list[i].from, to = list[i].to;
      const std::string application_id = list[i].application_id;
      const bool pending = from > date;
      if (pending) {
        EndPeriod(list[i], to, PeriodEnd::kCancelled);
      } else {
        EndPeriod(list[i], date, successor ? PeriodEnd::kReorganisation : PeriodEnd::kLiquidation);
      }
      if (successor) {
        const Date start = pending ? from : date;
        const auto* person = FindPerson(iin);
        const int age = person ? person->AgeOn(start) : 18;
        const auto* target =
            rules::MostFreeFitting(*this, DistrictsOf(successor_id), age, start, false);
        if (target) {
          AddPeriod(iin, *target, start, to, application_id);
          continue;  // list may have grown; the new period is in the successor, so it is skipped
        }
      }
      if (pending) {
        // The move into the liquidated organisation is cancelled: the period it had cut short
        // serves again.
        for (auto& q : list) {
          if (!q.Cancelled() && q.end == PeriodEnd::kSuperseded && q.to == from) {
            RestorePeriod(q, to);
            break;
          }
        }
      }
    }
  }
  return {};
}

// ---------------------------------------------------------------- applications

domain::Decision Registry::Decide(const domain::Application& app, const Actor& actor) {
  if (auto known = decisions_.find(app.id); known != decisions_.end()) return known->second;
  domain::Decision decision = rules::Evaluate(app, *this, policy_, *calendar_);

  if (decision.outcome == domain::Outcome::kApproved) {
    const Iin iin = *Iin::Parse(app.iin);
    const Date effective = *decision.effective;
    // The latest approval wins: other periods end the day before it starts; later ones are
    // cancelled.
    for (auto& p : periods_[iin]) {
      if (p.Cancelled() || p.to <= effective) continue;
      if (p.from >= effective)
        EndPeriod(p, p.to, PeriodEnd::kCancelled);
      else
        EndPeriod(p, effective, PeriodEnd::kSuperseded);
    }
    AddPeriod(iin, districts_.at(decision.district), effective, Date::Max(), app.id);
    if (decision.free_choice_change) ++free_choice_changes_[{iin.number(), app.date.year()}];
  }
  const auto now = clock_.NowMicros();
  batch_.mutations.push_back(storage::DecidedApplication{app, decision, now});
  std::string reasons;
  for (auto r : decision.reasons) reasons += fmt::format("{} ", domain::NameOf(r));
  Audit(actor, "application.decided", app.id,
        fmt::format("{} {} {}", domain::NameOf(decision.outcome), decision.district, reasons));
  decisions_[app.id] = decision;
  return decision;
}

Placement Registry::WhereOn(const Iin& iin, Date day) const {
  auto it = periods_.find(iin);
  if (it == periods_.end()) return {};
  for (const auto& p : it->second) {
    if (!p.Cancelled() && p.Covers(day)) return {p.org, p.district, p.from};
  }
  return {};
}

Result<void> Registry::Flush() {
  if (batch_.empty()) return {};
  if (failed_) return Error::Unavailable("registry: an earlier commit failed; reopen the registry");
  auto r = store_.Commit(batch_);
  if (!r) {
    failed_ = true;
    return r;
  }
  batch_.mutations.clear();
  return {};
}

// ---------------------------------------------------------------- RegistryView

const domain::Person* Registry::FindPerson(const Iin& iin) const {
  auto it = persons_.find(iin);
  return it == persons_.end() ? nullptr : &it->second;
}
const domain::Organization* Registry::FindOrg(std::string_view id) const {
  auto it = orgs_.find(id);
  return it == orgs_.end() ? nullptr : &it->second;
}
const District* Registry::FindDistrict(std::string_view id) const {
  auto it = districts_.find(id);
  return it == districts_.end() ? nullptr : &it->second;
}
std::vector<const District*> Registry::DistrictsOf(std::string_view org) const {
  std::vector<const District*> out;
  if (auto it = districts_by_org_.find(org); it != districts_by_org_.end()) {
    for (const auto& id : it->second) out.push_back(&districts_.find(id)->second);
  }
  return out;
}
std::vector<const domain::Organization*> Registry::OrgsInAte(std::string_view ate) const {
  std::vector<const domain::Organization*> out;
  if (auto it = orgs_by_ate_.find(ate); it != orgs_by_ate_.end()) {
    for (const auto& id : it->second) out.push_back(&orgs_.find(id)->second);
  }
  return out;
}
std::vector<const Attachment*> Registry::PeriodsOf(const Iin& iin) const {
  std::vector<const Attachment*> out;
  if (auto it = periods_.find(iin); it != periods_.end()) {
    for (const auto& p : it->second) {
      if (!p.Cancelled()) out.push_back(&p);
    }
  }
  return out;
}
int Registry::FreeChoiceChangesIn(const Iin& iin, int year) const {
  auto it = free_choice_changes_.find({iin.number(), year});
  return it == free_choice_changes_.end() ? 0 : it->second;
}
int Registry::CapacityOf(const District& d, Date day) const {
  if (d.capacity) return *d.capacity;
  return policy_.NormsOn(day).For(d.kind) * d.doctors;
}
int Registry::PanelSizeOn(const std::string& district, Date day) const {
  auto it = panels_.find(district);
  return it == panels_.end() ? 0 : it->second.SizeOn(day);
}
int Registry::FreePlacesOn(const District& d, Date day) const {
  return CapacityOf(d, day) - PanelSizeOn(d.id, day);
}
int Registry::LeastFreePlacesFrom(const District& d, Date day) const {
  auto it = panels_.find(d.id);
  return CapacityOf(d, day) - (it == panels_.end() ? 0 : it->second.LargestFrom(day));
}

}  // namespace emkhana::registry
