#include "registry/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/prefetch.hpp"
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

std::uint64_t Registry::FreeChoiceKey(const Iin& iin, int year) {
  return iin.number() * 10000 + static_cast<std::uint64_t>(year);
}

// Feeds the stored state into a fresh registry.
class Registry::Loader final : public storage::LoadSink {
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
    LoadedDecision ld{
        d.application.date.year(), d.application.channel, d.decision.outcome, d.decision.reasons,
        stats::Cube::kNone,        stats::Cube::kNone,    Date::Min()};
    if (d.decision.outcome == domain::Outcome::kApproved && d.decision.effective) {
      const auto district = r_.DistrictIndex(d.decision.district);
      auto iin = Iin::Parse(d.application.iin);
      auto person = iin ? r_.population_.Find(*iin) : std::nullopt;
      if (district != kNone && person) {
        ld.to_org = r_.district_org_[district];
        ld.effective = *d.decision.effective;
        ld.from_org = r_.MovedFrom(*person, ld.effective);
        if (ld.from_org == ld.to_org) ld.to_org = stats::Cube::kNone;
      }
    }
    r_.loaded_decisions_.push_back(std::move(ld));
  }
  void OnIdempotencyKey(storage::IdempotencyKey k) override {
    r_.idempotency_.insert_or_assign(
        std::move(k.key), std::make_pair(std::move(k.application_id), std::move(k.fingerprint)));
  }
  // Batches the store has not yet written to its tables (SQLite's journal): applied to the
  // state loaded so far, as another process's batches are, so that the store need not write
  // them first (ADR 0021).
  bool TakesPending() const override { return true; }
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
  r->shared_ = store.logs_changes();
  auto& source = r->reader();
  Loader loader(*r);
  if (auto loaded = source.Load(loader); !loaded) return loaded.error();
  if (loader.error_) return *loader.error_;
  loader.Finish();  // unless pending batches made it finish before them
  r->applied_through_ = source.loaded_through();
  r->reader_through_ = source.loaded_through();
  return r;
}

// Plans are not stored: a child's period stored as ending on a birthday still to come is
// planned again on opening, up to the person's next period.
void Registry::PlanStoredAgeOuts() {
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) PlanStoredAgeOut(id);
}

void Registry::PlanStoredAgeOut(std::uint32_t id) {
  const auto row = population_.period(id);
  if (row.Cancelled() || row.planned || row.end != static_cast<std::uint8_t>(PeriodEnd::kAgeOut) ||
      age_outs_.contains(id)) {
    return;
  }
  const Date birthday = Birthday18(row.person);
  if (row.To() != birthday || birthday <= today_) return;
  Date until = Date::Max();
  for (auto other : LivePeriods(row.person)) {
    const auto& q = population_.period(other);
    if (!q.planned && q.From() >= birthday) {
      until = q.From();
      break;
    }
  }
  if (until > birthday) PlanAgeOut(id, birthday, until);
}

std::uint32_t Registry::MovedFrom(std::uint32_t person, Date effective) const {
  std::uint32_t from = stats::Cube::kNone;
  population_.ForEachPeriod(person, [&](std::uint32_t id) {
    const auto& p = population_.period(id);
    if (!p.planned && p.To() == effective && p.From() < effective &&
        p.end == static_cast<std::uint8_t>(PeriodEnd::kSuperseded)) {
      from = district_org_[p.district];
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
  cube_ = stats::Cube::ForReferences(reference, Date::FromUnixMicros(clock_.NowMicros()));
  counts_ = {};  // the state in memory is counted whole below
  as_of_ = reference;
  CountState(cube_);
  for (const auto& [year, channel, outcome, reasons, from_org, to_org, effective] :
       loaded_decisions_) {
    cube_.AddDecision(year, channel, outcome, reasons);
    if (to_org != stats::Cube::kNone) cube_.AddFlow(from_org, to_org, effective);
  }
  loaded_decisions_.clear();
  loaded_decisions_.shrink_to_fit();
}

void Registry::CountState(stats::Cube& cube) {
  for (std::uint32_t i = 0; i < population_.size(); ++i) {
    const auto& row = population_.row(i);
    cube.AddPerson(FactsOf(i), row.deceased == INT32_MIN
                                   ? std::nullopt
                                   : std::optional<Date>(Date::FromDays(row.deceased)));
  }
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
    const auto& p = population_.period(id);
    if (p.planned || p.Cancelled() || p.from >= p.to) continue;
    cube.AddPeriod(FactsOf(p.person), district_org_[p.district], p.district, p.From(), p.To(),
                   static_cast<PeriodEnd>(p.end));
  }
}

stats::Snapshot Registry::FullSnapshot() {
  AddCounts(std::exchange(counts_, {}));  // a recount sees every change, durable or not
  stats::Cube full;
  full.Load({}, cube_.regions());       // the same region ids as the live cube
  CountState(full);                     // interns into cube_ (FactsOf): take its region list again
  const auto entries = full.Entries();  // a copy: Load replaces them
  {
    std::lock_guard lock(cube_mu_);  // reading the live cube sorts it (Frozen), as a change would
    full.Load(entries, cube_.regions());
    full.CopyUnfolded(cube_);
  }
  auto s = Snapshot();
  s.cube = std::move(full);
  return s;
}

stats::PersonFacts Registry::FactsOf(std::uint32_t person) {
  const auto& row = population_.row(person);
  stats::PersonFacts f;
  const auto region = population_.RegionOf(person);
  if (const auto known = cube_.FindRegionId(region)) {
    f.region = *known;  // only the writer adds regions: it may look without the lock
  } else {
    std::lock_guard lock(cube_mu_);
    f.region = cube_.RegionId(region);
  }
  f.sex = static_cast<domain::Sex>(row.sex);
  f.birth = Date::FromDays(row.birth);
  f.osms = {static_cast<domain::OsmsCategory>(row.osms_category),
            static_cast<domain::OsmsPayer>(row.osms_payer), row.osms_insured != 0};
  return f;
}

void Registry::CountPeriod(const PeriodRow& p, int sign) {
  if (p.planned || p.Cancelled() || p.from >= p.to) return;
  counts_.AddPeriod(FactsOf(p.person), district_org_[p.district], p.district, p.From(), p.To(),
                    static_cast<PeriodEnd>(p.end), sign);
}

stats::Snapshot Registry::Snapshot() const {
  stats::Snapshot s;
  s.as_of = std::max(today_, as_of_);
  for (const auto& o : orgs_) {
    s.orgs.push_back(
        {o.id, o.name, o.ate, std::string(domain::RegionOfAte(o.ate)), o.rural, o.is_private});
  }
  for (std::size_t i = 0; i < districts_.size(); ++i) {
    const auto& d = districts_[i];
    s.districts.push_back({d.id, district_org_[i], d.kind, d.doctors, d.capacity});
  }
  s.policy_json = policy::PolicyToJson(policy_);
  std::lock_guard lock(cube_mu_);
  s.cube = cube_;
  return s;
}

void Registry::AddCounts(const stats::CubeChanges& counts) {
  if (counts.empty()) return;
  std::lock_guard lock(cube_mu_);
  cube_.Apply(counts);
  ++statistics_version_;
}

Result<void> Registry::Checkpoint() {
  if (auto r = Flush(); !r) return r;
  const auto s = Snapshot();
  return store_.SaveStats(stats::EncodeHeader(s), stats::EncodeEntries(s.cube));
}

Result<bool> Registry::ApplyStoreJournal(std::int64_t max_records) {
  std::lock_guard lock(store_mu_);
  return store_.ApplyJournal(max_records);
}

void Registry::SetPolicy(domain::Policy policy) {
  policy_ = std::move(policy);
  calendar_ = std::make_unique<domain::Calendar>(policy_.holidays);
  RecordPolicy();
  for (const auto& [org, index] : org_index_) InvalidatePlans(index);  // norms may have changed
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
  if (auto it = org_index_.find(org.id); it != org_index_.end()) {
    auto& existing = orgs_[it->second];
    orgs_by_ate_[existing.ate].erase(org.id);
    existing = std::move(org);
    orgs_by_ate_[existing.ate].insert(existing.id);
    return {};
  }
  org_index_.emplace(org.id, static_cast<std::uint32_t>(orgs_.size()));
  org_lookup_.emplace(org.id, static_cast<std::uint32_t>(orgs_.size()));
  orgs_by_ate_[org.ate].insert(org.id);
  orgs_.push_back(std::move(org));
  return {};
}

Result<void> Registry::PutDistrict(domain::District district, const Actor& actor) {
  if (!org_index_.contains(district.org)) {
    return Error::NotFound(
        fmt::format("district {}: unknown organisation {}", district.id, district.org));
  }
  if (district.doctors < 0 || (district.capacity && *district.capacity < 0)) {
    return Error::InvalidArgument(fmt::format("district {}: negative size", district.id));
  }
  Audit(actor, "district.put", district.id, district.org);
  batch_.mutations.push_back(district);
  if (auto it = district_index_.find(district.id); it != district_index_.end()) {
    auto& existing = districts_[it->second];
    if (existing.org != district.org) {
      batch_.mutations.pop_back();
      batch_.mutations.pop_back();
      return Error::FailedPrecondition(
          fmt::format("district {} belongs to {}", district.id, existing.org));
    }
    district.registry_slot = existing.registry_slot;
    existing = std::move(district);
    InvalidatePlans(org_index_.at(existing.org));  // its kind may have changed
    return {};
  }
  const auto index = static_cast<std::uint32_t>(districts_.size());
  district_index_.emplace(district.id, index);
  district_org_.push_back(org_index_.at(district.org));
  district.registry_slot = index + 1;
  districts_.push_back(std::move(district));
  const auto* added = &districts_.back();
  auto& in_org = districts_by_org_[added->org];
  in_org.insert(
      std::lower_bound(in_org.begin(), in_org.end(), added->id,
                       [](const District* d, const std::string& id) { return d->id < id; }),
      added);
  panels_.emplace_back();
  InvalidatePlans(district_org_[index]);
  return {};
}

Result<void> Registry::PutPerson(domain::Person person, const Actor& actor) {
  ForgetMaterialised();
  // A register update may change what the person's counts are about: take them out and back.
  const auto existing = population_.Find(person.iin);
  auto Recount = [&](std::uint32_t i, int sign) {
    const auto& row = population_.row(i);
    counts_.AddPerson(FactsOf(i),
                      row.deceased == INT32_MIN ? std::nullopt
                                                : std::optional<Date>(Date::FromDays(row.deceased)),
                      sign);
    population_.ForEachPeriod(i,
                              [&](std::uint32_t id) { CountPeriod(population_.period(id), sign); });
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

// ---------------------------------------------------------------- periods

std::uint32_t Registry::DistrictIndex(std::string_view id) const {
  auto it = district_index_.find(id);
  return it == district_index_.end() ? kNone : it->second;
}

std::uint32_t Registry::ApplicationRef(const std::string& application_id) {
  application_ids_.push_back(application_id);
  return static_cast<std::uint32_t>(application_ids_.size());
}

Registry::PeriodIds Registry::LivePeriods(std::uint32_t person) const {
  PeriodIds ids;
  population_.ForEachPeriod(person, [&](std::uint32_t id) {
    if (!population_.period(id).Cancelled()) ids.push_back(id);
  });
  return ids;
}

domain::Attachment Registry::MakeAttachment(std::uint32_t id) const {
  const auto& row = population_.period(id);
  const auto& district = districts_[row.district];
  domain::Attachment a;
  a.id = id;
  a.iin = Iin::FromNumberUnchecked(population_.row(row.person).iin);
  a.org = district.org;
  a.district = district.id;
  a.from = row.From();
  a.to = row.To();
  a.end = static_cast<PeriodEnd>(row.end);
  if (row.application != 0) a.application_id = application_ids_[row.application - 1];
  return a;
}

Date Registry::Birthday18(std::uint32_t person) const {
  return domain::Anniversary(Date::FromDays(population_.row(person).birth), 18);
}

// Plans depend on the adult (therapist, GP) panels of their organisation and on the set of
// plans: a pediatric panel changing alone leaves them as they are.
void Registry::MarkDirty(std::uint32_t district) {
  if (districts_[district].kind == DistrictKind::kPediatrician) return;
  InvalidatePlans(district_org_[district]);
}

void Registry::InvalidatePlans(std::uint32_t org) {
  if (resolved_through_.size() <= org) resolved_through_.resize(org + 1, Date::Min());
  resolved_through_[org] = Date::Min();
}

void Registry::IndexAgeOut(const AgeOut& plan, bool add) {
  const auto& row = population_.period(plan.pediatric);
  const AgeOutQueue::Key key{plan.birthday, population_.row(row.person).iin, plan.pediatric};
  const auto org = district_org_[row.district];
  if (age_outs_by_org_.size() <= org) {
    age_outs_by_org_.resize(org + 1, AgeOutQueue(kOrgAgeOutBucketDays));
  }
  if (add) {
    due_age_outs_.Insert(key);
    age_outs_by_org_[org].Insert(key);
  } else {
    due_age_outs_.Erase(key);
    age_outs_by_org_[org].Erase(key);
  }
  InvalidatePlans(org);
}

void Registry::EraseAgeOut(std::uint32_t pediatric) {
  const auto* plan = age_outs_.find(pediatric);
  if (!plan) return;
  IndexAgeOut(*plan, false);
  age_outs_.erase(pediatric);
}

std::uint32_t Registry::InsertPeriod(std::uint32_t person, std::uint32_t district, Date from,
                                     Date to, PeriodEnd end, std::uint32_t application) {
  PeriodRow row;
  row.from = from.days();
  row.to = to.days();
  row.person = person;
  row.district = district;
  row.end = static_cast<std::uint8_t>(end);
  row.application = application;
  const auto id = population_.InsertPeriod(row);
  panels_[district].Add(from, to);
  CountPeriod(row, +1);
  MarkDirty(district);
  auto a = MakeAttachment(id);
  a.recorded_at = clock_.NowMicros();
  batch_.mutations.push_back(std::move(a));
  return id;
}

// A period in a pediatric district that reaches the person's 18th birthday ends on it, and the
// rest is planned (see AgeOut in registry.hpp).
void Registry::AddPeriod(std::uint32_t person, std::uint32_t district, Date from, Date to,
                         std::uint32_t application, PeriodEnd end) {
  const Date birthday = Birthday18(person);
  if (districts_[district].kind != DistrictKind::kPediatrician ||
      !(from < birthday && birthday < to)) {
    InsertPeriod(person, district, from, to, to.IsMax() ? PeriodEnd::kOpen : end, application);
    return;
  }
  const auto id = InsertPeriod(person, district, from, birthday, PeriodEnd::kAgeOut, application);
  PlanAgeOut(id, birthday, to);
}

void Registry::PlanAgeOut(std::uint32_t pediatric, Date birthday, Date until) {
  EraseAgeOut(pediatric);
  auto& plan = age_outs_[pediatric] = AgeOut{pediatric, 0, birthday, until};
  IndexAgeOut(plan, true);
  // The continuation exists from now on, so that later moves and deaths cut it as any period.
  // Its district is provisional: IndexAgeOut marked the organisation's plans unresolved, and
  // nothing reads a plan's district before ResolvePlans (or AdvanceTo) works it out from the
  // panels. So any adult district will do here; whether there is one is what counts. Choosing
  // the one with most room here as well was 4 % of deciding at 20 M (ADR 0012).
  const auto org = districts_[population_.period(pediatric).district].org;
  const auto adults = DistrictsOf(org);
  const auto adult = std::find_if(adults.begin(), adults.end(),
                                  [](const District* d) { return d->ServesAge(18); });
  if (adult != adults.end()) SetContinuation(plan, IndexOf(**adult));
  if (birthday <= today_) AdvanceTo(today_);  // already due: make it history at once
}

void Registry::SetContinuation(AgeOut& plan, std::uint32_t district) {
  if (plan.continuation != 0) {
    population_.period(plan.continuation).district = district;
    return;
  }
  const auto& p = population_.period(plan.pediatric);
  PeriodRow row;
  row.from = plan.birthday.days();
  row.to = plan.until.days();
  row.person = p.person;
  row.district = district;
  row.application = p.application;
  row.end =
      static_cast<std::uint8_t>(plan.until.IsMax() ? PeriodEnd::kOpen : PeriodEnd::kSuperseded);
  row.planned = 1;
  plan.continuation = population_.InsertPeriod(row);
  continuation_of_[plan.continuation] = plan.pediatric;
}

void Registry::CancelContinuation(AgeOut& plan) {
  if (plan.continuation == 0) return;
  population_.period(plan.continuation).end = static_cast<std::uint8_t>(PeriodEnd::kCancelled);
  continuation_of_.erase(plan.continuation);
  plan.continuation = 0;
}

void Registry::DropPlan(std::uint32_t pediatric) {
  auto* plan = age_outs_.find(pediatric);
  if (!plan) return;
  CancelContinuation(*plan);
  EraseAgeOut(pediatric);
}

// Works out the districts of the organisation's plans with a birthday up to `through`, from the
// current panels: in birthday order (then IIN), each seeing the earlier ones; the adult district
// with most free places on the birthday among those keeping room from then on, else the one with
// most free places (capacity notwithstanding). Plans hold no place (ADR 0005), so they are put
// into the panels only for this pass and taken out again; later plans do not change earlier
// ones, so a prefix is exact.
void Registry::ResolvePlans(std::uint32_t org, Date through) {
  if (resolved_through_.size() <= org) resolved_through_.resize(org + 1, Date::Min());
  if (through <= resolved_through_[org]) return;
  if (age_outs_by_org_.size() <= org) {  // no plans at all
    resolved_through_[org] = through;
    return;
  }
  const auto candidates = DistrictsOf(orgs_[org].id);
  std::vector<std::uint32_t> placed;
  age_outs_by_org_[org].ForEachThrough(through, [&](const AgeOutQueue::Key& key) {
    auto& plan = age_outs_.at(key.id);
    const auto* adult = rules::MostFreeFitting(*this, candidates, 18, key.birthday, false);
    if (!adult) {  // no adult district: the person is unattached from the birthday
      CancelContinuation(plan);
      return;
    }
    SetContinuation(plan, IndexOf(*adult));
    const auto& c = population_.period(plan.continuation);
    panels_[c.district].Add(c.From(), c.To());
    placed.push_back(plan.continuation);
  });
  for (auto id : placed) {
    const auto& c = population_.period(id);
    panels_[c.district].Remove(c.From(), c.To());
  }
  resolved_through_[org] = through;
}

// The story has reached these birthdays: each age-out is placed from the panels as they are
// (the earlier age-outs already stored) and stored.
void Registry::AdvanceTo(Date day) {
  today_ = std::max(today_, day);
  std::vector<AgeOutQueue::Key> due;
  due_age_outs_.ForEachThrough(today_, [&](const AgeOutQueue::Key& key) { due.push_back(key); });
  for (const auto& key : due) {
    const auto pediatric = key.id;
    auto plan = age_outs_[pediatric];
    EraseAgeOut(pediatric);
    const auto iin = Iin::FromNumberUnchecked(key.iin).ToString();
    const auto org = districts_[population_.period(pediatric).district].org;
    const auto* adult = rules::MostFreeFitting(*this, DistrictsOf(org), 18, plan.birthday, false);
    if (!adult) {
      CancelContinuation(plan);
      Audit({}, "attachment.age_out", iin,
            fmt::format("no adult district: unattached from {}", plan.birthday.ToString()));
      continue;
    }
    SetContinuation(plan, IndexOf(*adult));
    continuation_of_.erase(plan.continuation);
    // The plan gives way to a stored period with the next stored id (plans' ids are never
    // stored: ADR 0006).
    auto& planned = population_.period(plan.continuation);
    const PeriodRow c = planned;
    planned.end = static_cast<std::uint8_t>(PeriodEnd::kCancelled);
    InsertPeriod(c.person, c.district, c.From(), c.To(), static_cast<PeriodEnd>(c.end),
                 c.application);
    Audit({}, "attachment.age_out", iin,
          fmt::format("{} from {}", districts_[c.district].id, plan.birthday.ToString()));
  }
}

void Registry::EndPeriod(std::uint32_t id, Date to, PeriodEnd why) {
  auto& p = population_.period(id);
  if (p.Cancelled()) return;
  const PeriodRow before = p;
  if (why != PeriodEnd::kCancelled) p.to = std::max(p.From(), std::min(p.To(), to)).days();
  p.end = static_cast<std::uint8_t>(why);
  if (!p.planned) {  // a plan holds no place, and does not count
    if (why == PeriodEnd::kCancelled) {
      panels_[p.district].Remove(p.From(), before.To());
    } else {
      panels_[p.district].ChangeEnd(p.From(), before.To(), p.To());
    }
    if (p.from < p.to || before.from < before.to) {
      counts_.ChangePeriodEnd(FactsOf(p.person), district_org_[p.district], p.district, p.From(),
                              before.To(), static_cast<PeriodEnd>(before.end), p.To(),
                              static_cast<PeriodEnd>(p.end));
    }
  }
  MarkDirty(p.district);
  if (p.planned) {
    // Only a plan: nothing stored yet. Cancelled, the age-out is gone (a later attachment
    // starts by then); cut short, it keeps the plan with its new end.
    auto pediatric = continuation_of_.at(id);
    if (why == PeriodEnd::kCancelled) {
      continuation_of_.erase(id);
      age_outs_[pediatric].continuation = 0;
      EraseAgeOut(pediatric);
    } else {
      age_outs_[pediatric].until = p.To();
    }
    return;
  }
  // The child's period ends before the birthday. Only a period ending on it has a plan (each
  // PlanAgeOut's caller ends it so), which spares the others a look into the plans.
  if (before.end == static_cast<std::uint8_t>(PeriodEnd::kAgeOut) && age_outs_.contains(id)) {
    DropPlan(id);
  }
  batch_.mutations.push_back(storage::PeriodChange{id, p.To(), why, clock_.NowMicros()});
}

void Registry::RestorePeriod(std::uint32_t id, Date to) {
  auto& p = population_.period(id);
  if (p.planned) {  // a planned age-out cut short by the cancelled move: plan it to `to`
    const auto pediatric = continuation_of_.at(id);
    p.to = to.days();
    p.end = static_cast<std::uint8_t>(to.IsMax() ? PeriodEnd::kOpen : PeriodEnd::kSuperseded);
    age_outs_[pediatric].until = to;
    MarkDirty(p.district);
    return;
  }
  const Date birthday = Birthday18(p.person);
  const bool ages_out = districts_[p.district].kind == DistrictKind::kPediatrician &&
                        p.From() < birthday && birthday < to;
  panels_[p.district].Remove(p.From(), p.To());
  CountPeriod(p, -1);
  p.to = ages_out ? birthday.days() : to.days();
  p.end = static_cast<std::uint8_t>(ages_out     ? PeriodEnd::kAgeOut
                                    : to.IsMax() ? PeriodEnd::kOpen
                                                 : PeriodEnd::kSuperseded);
  panels_[p.district].Add(p.From(), p.To());
  CountPeriod(p, +1);
  MarkDirty(p.district);
  batch_.mutations.push_back(
      storage::PeriodChange{id, p.To(), static_cast<PeriodEnd>(p.end), clock_.NowMicros()});
  if (ages_out) PlanAgeOut(id, birthday, to);
}

// ---------------------------------------------------------------- lifecycle

Result<void> Registry::RecordDeath(const Iin& iin, Date date, const Actor& actor) {
  ForgetMaterialised();
  auto person = population_.Find(iin);
  if (!person) return Error::NotFound("death: unknown person " + iin.Masked());
  AdvanceTo(date);
  {
    const auto& row = population_.row(*person);
    counts_.AddPerson(FactsOf(*person),
                      row.deceased == INT32_MIN ? std::nullopt
                                                : std::optional<Date>(Date::FromDays(row.deceased)),
                      -1);
    counts_.AddPerson(FactsOf(*person), date, +1);
  }
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
  auto org_it = org_index_.find(org_id);
  if (org_it == org_index_.end()) {
    return Error::NotFound("org_close: unknown organisation " + org_id);
  }
  const bool reorganised = !successor_id.empty();
  if (reorganised && (successor_id == org_id || !org_index_.contains(successor_id))) {
    return Error::NotFound("org_close: unknown successor " + successor_id);
  }
  AdvanceTo(date);
  auto& org = orgs_[org_it->second];
  org.closed_on = date;
  org.successor = successor_id;
  batch_.mutations.push_back(storage::OrgClosure{org_id, date, successor_id});
  Audit(actor, reorganised ? "organization.reorganised" : "organization.liquidated", org_id,
        reorganised ? "successor " + successor_id + " from " + date.ToString()
                    : "from " + date.ToString());

  // The organisation's people, in IIN order, so that district choices are reproducible.
  std::vector<bool> in_org(districts_.size(), false);
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

// ---------------------------------------------------------------- applications

Result<domain::Decision> Registry::Decide(domain::Application app, const Actor& actor,
                                          std::span<const IdempotencyClaim> claims) {
  const std::string* known = nullptr;  // the application a known key named
  for (const auto& claim : claims) {
    auto it = idempotency_.find(claim.key);
    if (it == idempotency_.end()) continue;
    if (it->second.second != claim.fingerprint) {
      return Error{claim.conflict, "this key was sent before with another application"};
    }
    if (!known) known = &it->second.first;
  }
  if (known) app.id = *known;  // the same application again: the decision already taken
  for (const auto& claim : claims) {
    if (idempotency_.emplace(claim.key, std::make_pair(app.id, claim.fingerprint)).second) {
      batch_.mutations.push_back(storage::IdempotencyKey{claim.key, app.id, claim.fingerprint});
    }
  }
  return Decide(app, actor);
}

domain::Decision Registry::Decide(const domain::Application& app, const Actor& actor) {
  ForgetMaterialised();
  // Marked decided before it is: one look into the set instead of two. An id marked without a
  // decision (the rules threw) is decided again when it comes back, as below.
  if (!decided_.insert(Fingerprint(app.id))) {
    if (const auto* known = not_durable_.find(app.id)) return *known;
    std::lock_guard lock(store_mu_);  // a commit may be running on the pipeline's committer
    auto stored = store_.FindApplication(app.id);
    if (stored && *stored) return (*stored)->decision;
  }
  AdvanceTo(app.date);
  ResolvePlansSeenBy(app);
  deciding_for_.reset();
  const auto parsed = Iin::Parse(app.iin);
  const auto row = parsed ? population_.Find(*parsed) : std::nullopt;
  if (row) {
    // Not emplace(): clang judges the nested struct not default-constructible (incomplete then).
    deciding_for_ = DecidingFor{.iin = parsed->number(), .person = *row};
    for (auto id : LivePeriods(*row)) {
      const auto& p = population_.period(id);
      if (!p.planned) deciding_for_->periods.emplace_back(p.district, p.From(), p.To());
    }
  }
  domain::Decision decision;
  {
    // Reset even if the rules throw: readers beside a stopped pipeline must not write memory.
    struct Deciding {
      bool& flag;
      explicit Deciding(bool& f) : flag(f) { flag = true; }
      ~Deciding() { flag = false; }
    } deciding{deciding_};
    decision = rules::Evaluate(app, *this, policy_, *calendar_);
  }
  deciding_for_.reset();
  ForgetMaterialised();

  if (decision.outcome == domain::Outcome::kApproved) {
    const Iin iin = *parsed;  // an approved applicant is a registered person
    const auto person = row.value();
    const Date effective = *decision.effective;
    // The latest approval wins: other periods end the day before it starts; later ones are
    // cancelled.
    std::uint32_t from_org = stats::Cube::kNone;  // where the person moves from (statistics)
    for (auto id : LivePeriods(person)) {
      const auto& p = population_.period(id);
      if (p.To() <= effective) continue;
      if (p.From() >= effective) {
        EndPeriod(id, p.To(), PeriodEnd::kCancelled);
      } else {
        from_org = district_org_[p.district];
        EndPeriod(id, effective, PeriodEnd::kSuperseded);
      }
    }
    const auto district = DistrictIndex(decision.district);
    AddPeriod(person, district, effective, Date::Max(), ApplicationRef(app.id));
    if (from_org != district_org_[district]) {
      counts_.AddFlow(from_org, district_org_[district], effective);
    }
    if (decision.free_choice_change) ++free_choice_changes_[FreeChoiceKey(iin, app.date.year())];
  }
  counts_.AddDecision(app.date.year(), app.channel, decision.outcome, decision.reasons);
  const auto now = clock_.NowMicros();
  if (records_left_at_) {
    *records_left_at_ = now;
  } else {
    AddDecisionRecords(batch_.mutations, app, decision, actor, now);
  }
  not_durable_[app.id] = decision;
  untaken_ids_.push_back(app.id);
  return decision;
}

void Registry::AddDecisionRecords(std::vector<storage::Mutation>& out,
                                  const domain::Application& app, const domain::Decision& decision,
                                  const Actor& actor, std::int64_t recorded_at) {
  out.push_back(storage::DecidedApplication{app, decision, recorded_at});
  // "<outcome> <district> <reason> <reason> ", built without a format call per reason.
  std::string detail(domain::NameOf(decision.outcome));
  detail += ' ';
  detail += decision.district;
  detail += ' ';
  for (auto r : decision.reasons) {
    detail += domain::NameOf(r);
    detail += ' ';
  }
  // The policy the decision was taken under (Audit's, read here off the deciding thread).
  out.push_back(storage::AuditEntry{recorded_at, actor.who, actor.channel, "application.decided",
                                    app.id, std::move(detail), decision.policy_version});
}

namespace {
// Points the registry's records_left_at_ at `at` for one call, even if the rules throw.
struct LeavingRecords {
  std::int64_t*& slot;
  LeavingRecords(std::int64_t*& s, std::int64_t& at) : slot(s) { slot = &at; }
  ~LeavingRecords() { slot = nullptr; }
};
}  // namespace

domain::Decision Registry::DecideLeavingRecords(const domain::Application& app, const Actor& actor,
                                                std::int64_t& recorded_at) {
  LeavingRecords leaving(records_left_at_, recorded_at);
  return Decide(app, actor);
}

Result<domain::Decision> Registry::DecideLeavingRecords(domain::Application app, const Actor& actor,
                                                        std::span<const IdempotencyClaim> claims,
                                                        std::int64_t& recorded_at) {
  LeavingRecords leaving(records_left_at_, recorded_at);
  return Decide(std::move(app), actor, claims);
}

std::uint64_t Registry::PrefetchIndexFor(std::string_view iin) const {
  const auto parsed = Iin::Parse(iin);
  if (!parsed) return kNoIin;
  population_.PrefetchIndex(parsed->number());
  return parsed->number();
}
std::uint32_t Registry::PrefetchPerson(std::uint64_t iin) const {
  const auto person =
      iin == kNoIin ? std::nullopt : population_.Find(Iin::FromNumberUnchecked(iin));
  if (!person) return kNone;
  population_.PrefetchRow(*person);
  return *person;
}
void Registry::PrefetchPeriods(std::uint32_t person) const {
  population_.PrefetchFirstPeriod(person);
}
void Registry::PrefetchDistrictsOf(std::string_view org) const {
  for (const auto* d : DistrictsOf(org)) PrefetchWhole(*d);
}
void Registry::PrefetchPanelsOf(std::string_view org) const {
  for (const auto* d : DistrictsOf(org)) {
    if (d->registry_slot != 0 && d->registry_slot <= panels_.size()) {
      PrefetchLine(&panels_[d->registry_slot - 1]);
    }
  }
}

// The rules compare a planned continuation's district only with a district chosen in the same
// organisation (already_attached): only then is its plan worked out.
void Registry::ResolvePlansSeenBy(const domain::Application& app) {
  if (!app.district) return;
  const auto iin = Iin::Parse(app.iin);  // an invalid one is refused by the rules
  const auto person = iin ? population_.Find(*iin) : std::nullopt;
  if (!person) return;
  for (auto id : LivePeriods(*person)) {
    const auto& p = population_.period(id);
    if (p.planned && districts_[p.district].org == app.org) {
      ResolvePlans(district_org_[p.district], p.From());
    }
  }
}

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
    const auto org = district_org_[p.district];
    if (org >= resolved_through_.size() || resolved_through_[org] < p.From()) return std::nullopt;
  }
  const auto& d = districts_[p.district];
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
  std::vector<const domain::Organisation*> out;
  for (const auto& [id, index] : org_index_) out.push_back(&orgs_[index]);
  return out;
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
  auto it = org_index_.find(std::string(org));
  if (it != org_index_.end()) {
    const auto org_index = it->second;
    for (std::uint32_t id = 1; id <= population_.period_count(); ++id) {
      const auto& p = population_.period(id);
      if (p.planned || p.Cancelled() || district_org_[p.district] != org_index) continue;
      for (std::size_t k = 0; k < days.size(); ++k) {
        if (p.Covers(days[k])) found[k].emplace_back(population_.row(p.person).iin, p.district);
      }
    }
  }
  std::vector<std::vector<std::pair<Iin, std::string>>> out(days.size());
  for (std::size_t k = 0; k < days.size(); ++k) {
    std::sort(found[k].begin(), found[k].end());
    for (const auto& [iin, district] : found[k]) {
      out[k].emplace_back(Iin::FromNumberUnchecked(iin), districts_[district].id);
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
    if (!p.Cancelled() && p.planned && p.Covers(day)) plan = {district_org_[p.district], p.From()};
  });
  if (plan) const_cast<Registry*>(this)->ResolvePlans(plan->first, plan->second);
  return *TryWhereOn(iin, day);
}

Result<void> Registry::Flush() {
  if (shared_) {
    // In a turn, after what others committed: unless this batch was decided without it.
    auto changes = BeginTurn();
    if (!changes) return changes.error();
    if (!changes->empty()) {
      // A policy recorded on opening stands on nothing; anything else was decided here on the
      // state before the others' changes.
      const bool decided_here =
          std::any_of(batch_.mutations.begin(), batch_.mutations.end(), [](const auto& m) {
            return storage::ChangesRegistry(m) &&
                   !std::holds_alternative<storage::PolicyVersion>(m);
          });
      if (decided_here) {
        EndTurn();
        failed_ = true;
        return Error::FailedPrecondition(
            "another process wrote to the registry's database since this one read it: the "
            "changes made here stood on an older state and were not written (run again)");
      }
      if (auto applied = ApplyChanges(*changes); !applied) {
        EndTurn();
        return applied;
      }
    }
  }
  auto taken = TakeBatch();
  auto r = CommitTaken(taken);
  CommitDone(taken);
  return r;
}

Registry::TakenBatch Registry::TakeBatch() {
  // Decisions of the batch stay answerable from memory until CommitDone.
  TakenBatch taken;
  taken.decided.swap(untaken_ids_);
  taken.writes.mutations.swap(batch_.mutations);
  {
    std::lock_guard lock(spare_mu_);
    batch_.mutations.swap(spare_mutations_);  // empty, or a list given back by RecycleMutations
  }
  // The next batch is about as large, give or take: growing would move every mutation.
  const auto last = taken.writes.mutations.size();
  batch_.mutations.reserve(last + last / 8);
  taken.counts = std::exchange(counts_, {});
  counts_.reserve(taken.counts.size() + taken.counts.size() / 8);
  return taken;
}

void Registry::RecycleMutations(std::vector<storage::Mutation> spent) {
  spent.clear();  // here, off the deciding thread
  std::lock_guard lock(spare_mu_);
  if (spent.capacity() > spare_mutations_.capacity()) spare_mutations_.swap(spent);
}

Result<void> Registry::CommitTaken(const TakenBatch& taken) {
  if (taken.writes.empty() && !in_turn_) {
    AddCounts(taken.counts);  // nothing to store: what it counts (if anything) stands as it is
    return {};
  }
  if (failed_) {
    EndTurn();
    return Error::Unavailable("registry: an earlier commit failed; reopen the registry");
  }
  const bool changes = std::any_of(taken.writes.mutations.begin(), taken.writes.mutations.end(),
                                   storage::ChangesRegistry);
  if (shared_ && changes && !in_turn_) {
    // Its own batch would come back through the log as another process's.
    failed_ = true;
    return Error::Internal("registry: a shared registry commits its changes in a turn");
  }
  std::lock_guard lock(store_mu_);
  auto r = store_.Commit(taken.writes);  // ends the turn, if any
  const bool turn = in_turn_;
  in_turn_ = false;
  if (!r) {
    failed_ = true;
    return r;
  }
  if (turn && store_.last_logged() > 0) {
    applied_through_ = store_.last_logged();  // nobody else wrote in between: the turn's lock
  }
  AddCounts(taken.counts);
  return r;
}

void Registry::CommitDone(const TakenBatch& taken) {
  for (const auto& id : taken.decided) not_durable_.erase(id);
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
  auto it = org_lookup_.find(id);
  return it == org_lookup_.end() ? nullptr : &orgs_[it->second];
}
const District* Registry::FindDistrict(std::string_view id) const {
  auto it = district_index_.find(id);
  return it == district_index_.end() ? nullptr : &districts_[it->second];
}
std::span<const District* const> Registry::DistrictsOf(std::string_view org) const {
  if (auto it = districts_by_org_.find(org); it != districts_by_org_.end()) return it->second;
  return {};
}
std::vector<const domain::Organisation*> Registry::OrgsInAte(std::string_view ate) const {
  std::vector<const domain::Organisation*> out;
  if (auto it = orgs_by_ate_.find(ate); it != orgs_by_ate_.end()) {
    for (const auto& id : it->second) out.push_back(FindOrg(id));
  }
  return out;
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
  if (d.capacity) return *d.capacity;
  return policy_.NormsOn(day).For(d.kind) * d.doctors;
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
std::uint32_t Registry::IndexOf(const District& d) const {
  if (d.registry_slot != 0 && d.registry_slot <= districts_.size() &&
      &districts_[d.registry_slot - 1] == &d) {
    return d.registry_slot - 1;
  }
  return DistrictIndex(d.id);
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
