// Deciding applications and handing their writes to the store (the decision pipeline's side
// of the registry: decide, load ahead, take a batch, commit it).
#include "registry/registry.hpp"

#include <algorithm>
#include <utility>

#include "core/prefetch.hpp"
#include "rules/evaluate.hpp"

namespace emkhana::registry {

using domain::Date;
using domain::Iin;
using domain::PeriodEnd;

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
        from_org = refs_.OrgOf(p.district);
        EndPeriod(id, effective, PeriodEnd::kSuperseded);
      }
    }
    const auto district = DistrictIndex(decision.district);
    AddPeriod(person, district, effective, Date::Max(), ApplicationRef(app.id));
    if (from_org != refs_.OrgOf(district)) {
      statistics_.CountFlow(from_org, refs_.OrgOf(district), effective);
    }
    if (decision.free_choice_change) ++free_choice_changes_[FreeChoiceKey(iin, app.date.year())];
  }
  statistics_.CountDecision(app.date.year(), app.channel, decision.outcome, decision.reasons);
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
    if (const auto index = refs_.IndexOf(*d); index < panels_.size()) {
      PrefetchLine(&panels_[index]);
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
    if (p.planned && refs_.district(p.district).org == app.org) {
      ResolvePlans(refs_.OrgOf(p.district), p.From());
    }
  }
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
  taken.counts = statistics_.TakeCounts();
  return taken;
}

void Registry::RecycleMutations(std::vector<storage::Mutation> spent) {
  spent.clear();  // here, off the deciding thread
  std::lock_guard lock(spare_mu_);
  if (spent.capacity() > spare_mutations_.capacity()) spare_mutations_.swap(spent);
}

Result<void> Registry::CommitTaken(const TakenBatch& taken) {
  if (taken.writes.empty() && !in_turn_) {
    statistics_.Add(
        taken.counts);  // nothing to store: what it counts (if anything) stands as it is
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
  if (turn && store_.change_log()->last_logged() > 0) {
    // Nobody else wrote in between: the turn's lock.
    applied_through_ = store_.change_log()->last_logged();
  }
  statistics_.Add(taken.counts);
  return r;
}

void Registry::CommitDone(const TakenBatch& taken) {
  for (const auto& id : taken.decided) not_durable_.erase(id);
}

}  // namespace emkhana::registry
