// The registry's part in several processes sharing one database (ADR 0006): turns, polling the
// change log, and applying what other processes committed as loading it would have.
#include <fmt/format.h>

#include <chrono>
#include <set>
#include <thread>
#include <utility>

#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"

namespace emkhana::registry {

using domain::Date;
using domain::Iin;
using domain::PeriodEnd;

namespace {
// Batches applied per poll at most: a process far behind catches up in steps, between which
// reads and turns go on.
constexpr int kBatchesPerPoll = 256;
// How long a read of a replica waits for it to replay what this process's memory includes.
constexpr auto kReplicaWait = std::chrono::seconds(2);
constexpr auto kReplicaStep = std::chrono::milliseconds(10);
}  // namespace

Result<std::vector<storage::LoggedBatch>> Registry::FetchChanges() const {
  if (!shared_) return std::vector<storage::LoggedBatch>{};
  std::lock_guard lock(reader_mu());
  auto changes = reader().change_log()->ChangesAfter(applied_through_.load(), kBatchesPerPoll);
  if (changes && !changes->empty() && changes->back().seq > reader_through_.load()) {
    reader_through_ = changes->back().seq;
  }
  return changes;
}

Result<std::vector<storage::LoggedBatch>> Registry::BeginTurn() {
  if (!shared_) return std::vector<storage::LoggedBatch>{};
  if (failed_) return Error::Unavailable("registry: an earlier commit failed; reopen the registry");
  std::lock_guard lock(store_mu_);
  auto changes = store_.change_log()->BeginTurn(applied_through_.load());
  if (changes) in_turn_ = true;
  return changes;
}

void Registry::EndTurn() {
  if (!in_turn_) return;
  std::lock_guard lock(store_mu_);
  store_.change_log()->EndTurn();
  in_turn_ = false;
}

void Registry::AwaitReader() const {
  if (!read_store_ || !shared_) return;
  const auto wanted = applied_through_.load();
  const auto deadline = std::chrono::steady_clock::now() + kReplicaWait;
  while (reader_through_.load() < wanted) {
    auto position = read_store_->change_log()->LogPosition();
    if (!position) return;  // the read that follows reports the trouble
    if (*position > reader_through_.load()) reader_through_ = *position;
    if (*position >= wanted || std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(kReplicaStep);
  }
}

// ---------------------------------------------------------------- applying the log

Result<void> Registry::ApplyChanges(const std::vector<storage::LoggedBatch>& changes) {
  for (const auto& logged : changes) {
    if (logged.seq <= applied_through_.load()) continue;
    if (auto applied = ApplyBatch(logged.batch); !applied) {
      failed_ = true;  // the memory is between two states: reopen
      return Error::Internal(fmt::format("registry: change {} of the log cannot be applied: {}",
                                         logged.seq, applied.error().message));
    }
    applied_through_ = logged.seq;
  }
  ForgetMaterialised();
  return {};
}

Result<void> Registry::ApplyBatch(const storage::WriteBatch& batch) {
  ForgetMaterialised();
  // What this process has still to write stays pending; what the stored batch would make this
  // process write (audit records of the re-put reference data) is dropped.
  storage::WriteBatch own;
  own.mutations.swap(batch_.mutations);
  // Likewise its counts: what the stored batch counts is durable, and counted at once.
  auto own_counts = statistics_.SetAside();
  // Plans follow the stored periods: dropped for the persons the batch touches, made again after
  // it, as on opening.
  for (auto person : PersonsTouchedBy(batch)) DropPlansOf(person);
  Result<void> applied;
  for (const auto& m : batch.mutations) {
    applied = std::visit([this](const auto& v) { return ApplyStored(v); }, m);
    if (!applied) break;
  }
  if (applied) {
    for (auto person : PersonsTouchedBy(batch)) {
      for (auto id : LivePeriods(person)) {
        if (!Population::IsPlanId(id)) PlanStoredAgeOut(id);
      }
    }
  }
  batch_.mutations.swap(own.mutations);
  auto stored_counts = statistics_.SetAside();
  statistics_.PutBack(std::move(own_counts));
  statistics_.Add(stored_counts);
  return applied;
}

std::vector<std::uint32_t> Registry::PersonsTouchedBy(const storage::WriteBatch& batch) const {
  std::set<std::uint32_t> persons;
  auto add = [&](const Iin& iin) {
    if (auto index = population_.Find(iin)) persons.insert(*index);
  };
  for (const auto& m : batch.mutations) {
    if (const auto* a = std::get_if<domain::Attachment>(&m)) {
      add(a->iin);
    } else if (const auto* c = std::get_if<storage::PeriodChange>(&m)) {
      if (c->attachment_id > 0 && c->attachment_id <= population_.period_count()) {
        persons.insert(population_.period(static_cast<std::uint32_t>(c->attachment_id)).person);
      }
    } else if (const auto* d = std::get_if<storage::PersonDeath>(&m)) {
      add(d->iin);
    } else if (const auto* p = std::get_if<domain::Person>(&m)) {
      add(p->iin);
    }
  }
  return {persons.begin(), persons.end()};
}

void Registry::DropPlansOf(std::uint32_t person) {
  for (auto id : LivePeriods(person)) {
    if (age_outs_.contains(id)) DropPlan(id);
  }
}

Result<void> Registry::ApplyStored(const domain::Attachment& a) {
  const auto person = population_.Find(a.iin);
  const auto district = DistrictIndex(a.district);
  if (!person || district == kNone) {
    return Error::Internal(fmt::format("attachment {} names an unknown person or district", a.id));
  }
  if (a.id <= 0 || a.id >= Population::kFirstPlanId) {
    return Error::Internal(fmt::format("attachment id {} out of range", a.id));
  }
  PeriodRow row;
  row.from = a.from.days();
  row.to = a.to.days();
  row.person = *person;
  row.district = district;
  row.end = static_cast<std::uint8_t>(a.end);
  row.application = a.application_id.empty() ? 0 : ApplicationRef(a.application_id);
  // An id this process has taken already means that it decided without the batch: the
  // processes disagree (LoadPeriod refuses it).
  if (auto r = population_.LoadPeriod(static_cast<std::uint32_t>(a.id), row); !r) return r;
  if (!row.Cancelled()) panels_[district].Add(a.from, a.to);
  statistics_.CountPeriod(row, +1);
  MarkDirty(district);
  return {};
}

Result<void> Registry::ApplyStored(const storage::PeriodChange& c) {
  if (c.attachment_id <= 0 || c.attachment_id > population_.period_count()) {
    return Error::Internal(fmt::format("attachment {} is not known here", c.attachment_id));
  }
  auto& p = population_.period(static_cast<std::uint32_t>(c.attachment_id));
  if (!p.Cancelled()) panels_[p.district].Remove(p.From(), p.To());
  statistics_.CountPeriod(p, -1);
  p.to = c.to.days();
  p.end = static_cast<std::uint8_t>(c.end);
  if (!p.Cancelled()) panels_[p.district].Add(p.From(), p.To());
  statistics_.CountPeriod(p, +1);
  MarkDirty(p.district);
  return {};
}

Result<void> Registry::ApplyStored(const storage::DecidedApplication& d) {
  const auto& app = d.application;
  today_ = std::max(today_, app.date);
  decided_.insert(Fingerprint(app.id));
  const auto iin = Iin::Parse(app.iin);
  if (d.decision.free_choice_change && iin) {
    ++free_choice_changes_[FreeChoiceKey(*iin, app.date.year())];
  }
  statistics_.CountDecision(app.date.year(), app.channel, d.decision.outcome, d.decision.reasons);
  if (d.decision.outcome == domain::Outcome::kApproved && d.decision.effective && iin) {
    const auto person = population_.Find(*iin);
    const auto district = DistrictIndex(d.decision.district);
    if (person && district != kNone) {
      const auto from_org = MovedFrom(*person, *d.decision.effective);
      if (from_org != refs_.OrgOf(district)) {
        statistics_.CountFlow(from_org, refs_.OrgOf(district), *d.decision.effective);
      }
    }
  }
  return {};
}

Result<void> Registry::ApplyStored(const storage::PolicyVersion& p) {
  auto parsed = policy::ParsePolicyJson(p.body);
  if (!parsed) return parsed.error();
  policy_ = std::move(*parsed);
  calendar_ = std::make_unique<domain::Calendar>(policy_.holidays);
  for (std::uint32_t index = 0; index < refs_.org_count(); ++index)
    InvalidatePlans(index);  // norms may have changed
  return {};
}

Result<void> Registry::ApplyStored(const storage::PersonDeath& d) {
  const auto person = population_.Find(d.iin);
  if (!person) return Error::Internal("death of an unknown person " + d.iin.Masked());
  today_ = std::max(today_, d.date);
  statistics_.CountPerson(*person, -1);
  statistics_.CountDeath(*person, d.date);
  population_.SetDeceased(*person, d.date);
  return {};  // the periods' ends come as their own changes
}

Result<void> Registry::ApplyStored(const storage::OrgClosure& c) {
  const auto org = refs_.OrgIndex(c.org);
  if (org == kNone) return Error::Internal("closure of an unknown organisation " + c.org);
  today_ = std::max(today_, c.date);
  refs_.CloseOrganisation(org, c.date, c.successor);
  return {};  // the people's moves come as their own changes
}

Result<void> Registry::ApplyStored(const storage::IdempotencyKey& k) {
  idempotency_.insert_or_assign(k.key, std::make_pair(k.application_id, k.fingerprint));
  return {};
}

// Reference data goes through the use cases; their writes are dropped (ApplyChanges).
Result<void> Registry::ApplyStored(const domain::Organisation& o) { return PutOrganisation(o, {}); }
Result<void> Registry::ApplyStored(const domain::District& d) { return PutDistrict(d, {}); }
Result<void> Registry::ApplyStored(const domain::Person& p) { return PutPerson(p, {}); }

}  // namespace emkhana::registry
