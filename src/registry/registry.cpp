#include "registry/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "policy/policy_loader.hpp"
#include "rules/checks.hpp"

namespace emkhana::registry {

using domain::Attachment;
using domain::Date;
using domain::District;
using domain::Iin;
using domain::PeriodEnd;

std::uint64_t Registry::FreeChoiceKey(const Iin& iin, int year) {
  return iin.number() * 10000 + static_cast<std::uint64_t>(year);
}

// Feeds the stored state into a fresh registry.
class Registry::Loader final : public storage::LoadSink, public storage::PendingSink {
 public:
  explicit Loader(Registry& r) : r_(r) {}
  void OnPolicy(const storage::PolicyVersion& p) override {
    auto parsed = policy::ParsePolicyJson(p.body);
    if (parsed) latest_policy_ = std::move(*parsed);
  }
  void OnOrganisation(domain::Organisation o) override {
    Keep(r_.PutOrganisation(std::move(o), {}));
  }
  void OnDistrict(domain::District d) override { Keep(r_.PutDistrict(std::move(d), {})); }
  void OnPerson(domain::Person p) override {
    if (p.deceased) r_.today_ = std::max(r_.today_, *p.deceased);
    Keep(r_.population_.Put(p));
  }
  void OnAttachment(domain::Attachment a) override {
    auto person = r_.population_.Find(a.iin);
    auto district = r_.DistrictIndex(a.district);
    if (!person || district == kNone) {
      Keep(Result<void>(Error::Internal("attachment " + std::to_string(a.id) +
                                        " names an unknown person or district")));
      return;
    }
    PeriodRow row;
    row.from = a.from.days();
    row.to = a.to.days();
    row.person = *person;
    row.district = district;
    row.end = static_cast<std::uint8_t>(a.end);
    row.application = a.application_id.empty() ? 0 : r_.ApplicationRef(a.application_id);
    Keep(r_.population_.LoadPeriod(static_cast<std::uint32_t>(a.id), row));
    if (!a.Cancelled()) {
      if (periods_by_district_.size() <= district) periods_by_district_.resize(district + 1);
      periods_by_district_[district].emplace_back(a.from, a.to);
    }
  }
  void OnDecided(storage::DecidedApplication d) override {
    r_.today_ = std::max(r_.today_, d.application.date);
    if (d.decision.free_choice_change) {
      if (auto iin = Iin::Parse(d.application.iin)) {
        ++r_.free_choice_changes_[FreeChoiceKey(*iin, d.application.date.year())];
      }
    }
    r_.decided_.insert(Fingerprint(d.decision.application_id));
    // For the statistics (RebuildCube): the move's origin is the period it superseded.
    StatisticsKeeper::LoadedDecision ld{
        d.application.date.year(), d.application.channel, d.decision.outcome, d.decision.reasons,
        stats::Cube::kNone,        stats::Cube::kNone,    Date::Min()};
    if (d.decision.outcome == domain::Outcome::kApproved && d.decision.effective) {
      const auto district = r_.DistrictIndex(d.decision.district);
      auto iin = Iin::Parse(d.application.iin);
      auto person = iin ? r_.population_.Find(*iin) : std::nullopt;
      if (district != kNone && person) {
        ld.to_org = r_.refs_.OrgOf(district);
        ld.effective = *d.decision.effective;
        ld.from_org = r_.MovedFrom(*person, ld.effective);
        if (ld.from_org == ld.to_org) ld.to_org = stats::Cube::kNone;
      }
    }
    r_.statistics_.NoteLoaded(std::move(ld));
  }
  void OnIdempotencyKey(storage::IdempotencyKey k) override {
    r_.idempotency_.insert_or_assign(
        std::move(k.key), std::make_pair(std::move(k.application_id), std::move(k.fingerprint)));
  }
  // Batches the store has not yet written to its tables (SQLite's journal): applied to the
  // state loaded so far, as another process's batches are, so that the store need not write
  // them first (ADR 0021).
  void OnPending(storage::WriteBatch batch) override {
    if (error_) return;
    Finish();
    Keep(r_.ApplyBatch(batch));
    r_.ForgetMaterialised();
  }
  // What opening does once the tables are in (and before their pending batches): panels,
  // statistics, age-out plans, the policy.
  void Finish() {
    if (finished_) return;
    finished_ = true;
    BuildPanels();
    r_.batch_.mutations.clear();  // loading re-put organisations and districts: nothing to write
    r_.RebuildCube();
    r_.PlanStoredAgeOuts();
    if (latest_policy_) {
      r_.policy_ = std::move(*latest_policy_);
      r_.calendar_ = std::make_unique<domain::Calendar>(r_.policy_.holidays);
    } else {
      r_.RecordPolicy();
    }
  }
  std::optional<Error> error_;

 private:
  // Builds the panels from the loaded periods at once (see Panel::Build).
  void BuildPanels() {
    for (std::uint32_t d = 0; d < periods_by_district_.size(); ++d) {
      if (!periods_by_district_[d].empty()) r_.panels_[d].Build(std::move(periods_by_district_[d]));
    }
    periods_by_district_.clear();
  }
  template <class T>
  void Keep(const Result<T>& r) {
    if (!r && !error_) error_ = r.error();
  }
  Registry& r_;
  std::vector<std::vector<std::pair<Date, Date>>> periods_by_district_;
  std::optional<domain::Policy> latest_policy_;
  bool finished_ = false;
};

Registry::Registry(storage::Store& store, const Clock& clock, domain::Policy policy)
    : store_(store),
      clock_(clock),
      policy_(std::move(policy)),
      calendar_(std::make_unique<domain::Calendar>(policy_.holidays)) {}

Result<std::unique_ptr<Registry>> Registry::Open(storage::Store& store, const Clock& clock,
                                                 domain::Policy default_policy,
                                                 storage::Store* read_store) {
  std::unique_ptr<Registry> r(new Registry(store, clock, std::move(default_policy)));
  r->read_store_ = read_store;
  r->shared_ = store.change_log() != nullptr;
  auto& source = r->reader();
  auto* source_log = source.change_log();
  if (r->shared_ && !source_log) {
    return Error::InvalidArgument("registry: the read store has no change log to follow");
  }
  Loader loader(*r);
  auto* journal = source.journal();
  auto loaded = journal ? journal->LoadWithPending(loader, loader) : source.Load(loader);
  if (!loaded) return loaded.error();
  if (loader.error_) return *loader.error_;
  loader.Finish();  // unless pending batches made it finish before them
  r->applied_through_ = source_log ? source_log->loaded_through() : 0;
  r->reader_through_ = r->applied_through_.load();
  return r;
}

std::uint32_t Registry::MovedFrom(std::uint32_t person, Date effective) const {
  std::uint32_t from = stats::Cube::kNone;
  population_.ForEachPeriod(person, [&](std::uint32_t id) {
    const auto& p = population_.period(id);
    if (!p.planned && p.To() == effective && p.From() < effective &&
        p.end == static_cast<std::uint8_t>(PeriodEnd::kSuperseded)) {
      from = refs_.OrgOf(p.district);
    }
  });
  return from;
}

// The cube from the loaded state. Days before the first of the previous month are folded:
// statistics on older dates are recounted from the database (`stats --recount`).
void Registry::RebuildCube() {
  // The story's latest event, or for an imported registry (generated, migrated) the latest
  // imported attachment.
  Date reference = today_;
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
    const auto& p = population_.period(id);
    if (p.application == 0 && !p.Cancelled()) reference = std::max(reference, p.From());
  }
  // The window holds the clock's today as well: a decision stored with a date far ahead (a
  // mistake, or a client's date before issue 23) must not fold the present away.
  statistics_.Rebuild(reference, Date::FromUnixMicros(clock_.NowMicros()));
  as_of_ = reference;
}

stats::Snapshot Registry::FullSnapshot() {
  auto full = statistics_.Recount();
  auto s = Snapshot();
  s.cube = std::move(full);
  return s;
}

stats::Snapshot Registry::Snapshot() const {
  stats::Snapshot s;
  s.as_of = std::max(today_, as_of_);
  for (std::uint32_t i = 0; i < refs_.org_count(); ++i) {
    const auto& o = refs_.org(i);
    s.orgs.push_back(
        {o.id, o.name, o.ate, std::string(domain::RegionOfAte(o.ate)), o.rural, o.is_private});
  }
  for (std::uint32_t i = 0; i < refs_.district_count(); ++i) {
    const auto& d = refs_.district(i);
    s.districts.push_back({d.id, refs_.OrgOf(i), d.kind, d.doctors, d.capacity});
  }
  s.policy_json = policy::PolicyToJson(policy_);
  s.cube = statistics_.Copy();
  return s;
}

Result<void> Registry::Checkpoint() {
  if (auto r = Flush(); !r) return r;
  const auto s = Snapshot();
  return store_.SaveStats(stats::EncodeHeader(s), stats::EncodeEntries(s.cube));
}

Result<bool> Registry::ApplyStoreJournal(std::int64_t max_records) {
  auto* journal = store_.journal();
  if (!journal) return false;  // nothing is ever pending
  std::lock_guard lock(store_mu_);
  return journal->ApplyJournal(max_records);
}

void Registry::SetPolicy(domain::Policy policy) {
  policy_ = std::move(policy);
  calendar_ = std::make_unique<domain::Calendar>(policy_.holidays);
  RecordPolicy();
  for (std::uint32_t index = 0; index < refs_.org_count(); ++index)
    InvalidatePlans(index);  // norms may have changed
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

void Registry::ForgetMaterialised() const {
  ++version_;
  person_cache_.clear();
  period_cache_.clear();
}

// ---------------------------------------------------------------- reference data

Result<void> Registry::PutOrganisation(domain::Organisation org, const Actor& actor) {
  if (org.id.empty() || org.ate.empty()) {
    return Error::InvalidArgument("organisation: id and ate are required");
  }
  // Audit actions are stored vocabulary: `organization.*` keeps the spelling the trail began with.
  Audit(actor, "organization.put", org.id, org.name);
  batch_.mutations.push_back(org);
  refs_.PutOrganisation(std::move(org));
  return {};
}

Result<void> Registry::PutDistrict(domain::District district, const Actor& actor) {
  if (auto ok = refs_.CheckDistrict(district); !ok) return ok.error();
  Audit(actor, "district.put", district.id, district.org);
  batch_.mutations.push_back(district);
  auto put = refs_.PutDistrict(std::move(district));
  if (!put) return put.error();  // checked above: not reached
  if (put->added) panels_.emplace_back();
  InvalidatePlans(refs_.OrgOf(put->index));  // its kind may have changed
  return {};
}

Result<void> Registry::PutPerson(domain::Person person, const Actor& actor) {
  ForgetMaterialised();
  // A register update may change what the person's counts are about: take them out and back.
  const auto existing = population_.Find(person.iin);
  auto Recount = [&](std::uint32_t i, int sign) {
    statistics_.CountPerson(i, sign);
    population_.ForEachPeriod(
        i, [&](std::uint32_t id) { statistics_.CountPeriod(population_.period(id), sign); });
  };
  if (existing) Recount(*existing, -1);
  auto index = population_.Put(person);
  if (!index) {
    if (existing) Recount(*existing, +1);
    return index.error();
  }
  Recount(*index, +1);
  Audit(actor, "person.put", person.iin.ToString(), "population register record");
  batch_.mutations.push_back(std::move(person));
  return {};
}

Result<void> Registry::ImportAttachment(const Iin& iin, const std::string& district_id, Date from,
                                        const Actor& actor) {
  ForgetMaterialised();
  auto person = population_.Find(iin);
  if (!person) return Error::NotFound("attach: unknown person " + iin.Masked());
  const auto district = DistrictIndex(district_id);
  if (district == kNone) return Error::NotFound("attach: unknown district " + district_id);
  const auto live = LivePeriods(*person);
  // Importing the same period again (a replay of the same story) changes nothing.
  for (auto id : live) {
    const auto& p = population_.period(id);
    if (p.application == 0 && p.district == district && p.From() == from) return {};
  }
  // A later import replaces what the person had from that day on, as an approval would.
  for (auto id : live) {
    const auto& p = population_.period(id);
    if (p.From() >= from) {
      EndPeriod(id, p.To(), PeriodEnd::kCancelled);
    } else if (p.To() > from) {
      EndPeriod(id, from, PeriodEnd::kSuperseded);
    }
  }
  // A person already dead in the register keeps the period only up to the death date.
  const auto& row = population_.row(*person);
  const Date to = row.deceased != INT32_MIN ? Date::FromDays(row.deceased) : Date::Max();
  if (from < to) AddPeriod(*person, district, from, to, 0, PeriodEnd::kDeath);
  Audit(actor, "attachment.imported", iin.ToString(),
        fmt::format("{} from {}", district_id, from.ToString()));
  return {};
}

// ---------------------------------------------------------------- lifecycle

Result<void> Registry::RecordDeath(const Iin& iin, Date date, const Actor& actor) {
  ForgetMaterialised();
  auto person = population_.Find(iin);
  if (!person) return Error::NotFound("death: unknown person " + iin.Masked());
  AdvanceTo(date);
  statistics_.CountPerson(*person, -1);
  statistics_.CountDeath(*person, date);
  population_.SetDeceased(*person, date);
  batch_.mutations.push_back(storage::PersonDeath{iin, date});
  for (auto id : LivePeriods(*person)) {
    const auto& p = population_.period(id);
    if (p.To() <= date) continue;
    EndPeriod(id, date, p.From() >= date ? PeriodEnd::kCancelled : PeriodEnd::kDeath);
  }
  Audit(actor, "person.death", iin.ToString(), "died " + date.ToString());
  return {};
}

Result<void> Registry::CloseOrganisation(const std::string& org_id, Date date,
                                         const std::string& successor_id, const Actor& actor) {
  ForgetMaterialised();
  const auto org_index = refs_.OrgIndex(org_id);
  if (org_index == kNone) {
    return Error::NotFound("org_close: unknown organisation " + org_id);
  }
  const bool reorganised = !successor_id.empty();
  if (reorganised && (successor_id == org_id || refs_.OrgIndex(successor_id) == kNone)) {
    return Error::NotFound("org_close: unknown successor " + successor_id);
  }
  AdvanceTo(date);
  refs_.CloseOrganisation(org_index, date, successor_id);
  batch_.mutations.push_back(storage::OrgClosure{org_id, date, successor_id});
  Audit(actor, reorganised ? "organization.reorganised" : "organization.liquidated", org_id,
        reorganised ? "successor " + successor_id + " from " + date.ToString()
                    : "from " + date.ToString());

  // The organisation's people, in IIN order, so that district choices are reproducible.
  std::vector<bool> in_org(refs_.district_count(), false);
  for (const auto* d : DistrictsOf(org_id)) in_org[IndexOf(*d)] = true;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> people;  // (iin, person)
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
    const auto& p = population_.period(id);
    if (!p.Cancelled() && in_org[p.district] && p.To() > date) {
      people.emplace_back(population_.row(p.person).iin, p.person);
    }
  }
  std::sort(people.begin(), people.end());
  people.erase(std::unique(people.begin(), people.end()), people.end());

  for (const auto& [iin_number, person] : people) {
    for (auto id : LivePeriods(person)) {
      const auto p = population_.period(id);  // a copy: inserts below may move rows
      // A planned age-out goes with its child's period (ending it drops the plan).
      if (p.Cancelled() || p.planned || !in_org[p.district] || p.To() <= date) continue;
      Date until = p.To();
      if (const auto* plan = age_outs_.find(id)) until = plan->until;
      const bool pending = p.From() > date;
      if (pending) {
        EndPeriod(id, p.To(), PeriodEnd::kCancelled);
      } else {
        EndPeriod(id, date, reorganised ? PeriodEnd::kReorganisation : PeriodEnd::kLiquidation);
      }
      if (reorganised) {
        const Date start = pending ? p.From() : date;
        const int age = domain::AgeOn(Date::FromDays(population_.row(person).birth), start);
        const auto* target =
            rules::MostFreeFitting(*this, DistrictsOf(successor_id), age, start, false);
        if (target) {
          AddPeriod(person, DistrictIndex(target->id), start, until, p.application);
          continue;
        }
      }
      if (pending) {
        // The move into the liquidated organisation is cancelled: the period it had cut short
        // serves again.
        for (auto other : LivePeriods(person)) {
          const auto& q = population_.period(other);
          if (q.end == static_cast<std::uint8_t>(PeriodEnd::kSuperseded) && q.to == p.from) {
            RestorePeriod(other, until);
            break;
          }
        }
      }
    }
  }
  return {};
}

}  // namespace emkhana::registry
