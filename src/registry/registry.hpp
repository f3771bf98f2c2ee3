// The registry of attached population: the use cases over one consistent state.
//
// It keeps the working state in memory (compact person and period rows, organisations,
// districts, district panels, free-choice counts) for exact and fast rule evaluation, and
// records every change as a storage mutation. Changes accumulate in a pending WriteBatch that
// `Flush` commits to the Store in one transaction (group commit); nothing is acknowledged as
// durable before.
//
// Time: events (applications, deaths, closures) are applied in date order. Attachment periods
// are the plan as known now: a pending move on 1 January, or a child's move to an adult district
// on the 18th birthday, is a period that starts later, so a query about any day answers from
// the periods. Capacity checks see every stored period, pending moves included; a child's
// age-out still to come holds no place (ADR 0005).
//
// Several processes on one database (ADR 0006): when the store logs its commits (PostgreSQL),
// the registry is `shared()`. It then decides only in its writer's turn (BeginTurn), after
// applying what the other processes committed (ApplyChanges, the same effect as loading it),
// and between turns it applies their batches as it polls (FetchChanges). Stored attachment ids
// and idempotency keys then agree across the processes.
//
// Not thread-safe: one writer owns a Registry (see pipeline.hpp for concurrent submitters).
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/sharded_set.hpp"
#include "core/string_hash.hpp"
#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "registry/age_out_queue.hpp"
#include "registry/panel.hpp"
#include "registry/population.hpp"
#include "registry/reference_data.hpp"
#include "registry/statistics_keeper.hpp"
#include "rules/facts.hpp"
#include "stats/snapshot.hpp"
#include "storage/store.hpp"

namespace emkhana::registry {

struct Placement {
  std::string org;       // empty when unattached
  std::string district;  // empty when unattached
  std::optional<domain::Date> since;
};

// Who did it and how: recorded with every change (invariant 3).
struct Actor {
  std::string who = "system";
  std::string channel = "registry";
};

// A key a request was sent with (a client's Idempotency-Key, or its own reference for the
// application) and the fingerprint of what it was sent with: the same key with the same
// fingerprint is the same application again; with another fingerprint it is `conflict`.
struct IdempotencyClaim {
  std::string key;
  std::string fingerprint;
  ErrorCode conflict = ErrorCode::kAlreadyExists;
};

class Registry final : public rules::RegistryView {
 public:
  // Loads the store's state. The store must outlive the registry. `read_store`, when given,
  // opens the same database for reading (a streaming replica, or a second connection to it): the
  // registry loads from it, polls the change log on it and answers the store's reads
  // (applications, audit, names) from it; writes and turns always go to `store`.
  static Result<std::unique_ptr<Registry>> Open(storage::Store& store, const Clock& clock,
                                                domain::Policy default_policy,
                                                storage::Store* read_store = nullptr);

  // --- reference data (population register, organisations) ---
  [[nodiscard]] Result<void> PutOrganisation(domain::Organisation org, const Actor& actor);
  [[nodiscard]] Result<void> PutDistrict(domain::District district, const Actor& actor);
  [[nodiscard]] Result<void> PutPerson(domain::Person person, const Actor& actor);
  // An attachment that existed before (migration of legacy data): no rules applied.
  [[nodiscard]] Result<void> ImportAttachment(const domain::Iin& iin, const std::string& district,
                                              domain::Date from, const Actor& actor);
  // Replaces the policy in force (recorded as a new policy version).
  void SetPolicy(domain::Policy policy);
  const domain::Policy& policy() const { return policy_; }

  // --- use cases ---
  // Decides an application by the rules and applies an approval. A known application id returns
  // the decision already taken (idempotent: the same application through two channels).
  domain::Decision Decide(const domain::Application& app, const Actor& actor);
  // The same for a request that carries an Idempotency-Key: a key already known (in this
  // process or, through the change log, in another) with the same fingerprint answers the
  // decision of the application it named; with another fingerprint it is kAlreadyExists.
  // Several keys (an Idempotency-Key and a reference) must all agree: a known one names the
  // application, the others are remembered for it.
  [[nodiscard]] Result<domain::Decision> Decide(domain::Application app, const Actor& actor,
                                                std::span<const IdempotencyClaim> claims);
  [[nodiscard]] Result<domain::Decision> Decide(domain::Application app, const Actor& actor,
                                                const IdempotencyClaim& claim) {
    return Decide(std::move(app), actor, std::span<const IdempotencyClaim>(&claim, 1));
  }
  // Both, for a caller that writes each new decision's records (the decided application and
  // its audit entry, AddDecisionRecords) itself, off the deciding thread: the pipeline's
  // committer (ADR 0013). `recorded_at` is set to a new decision's time, and left alone for a
  // repeat, which has no records.
  domain::Decision DecideLeavingRecords(const domain::Application& app, const Actor& actor,
                                        std::int64_t& recorded_at);
  [[nodiscard]] Result<domain::Decision> DecideLeavingRecords(
      domain::Application app, const Actor& actor, std::span<const IdempotencyClaim> claims,
      std::int64_t& recorded_at);
  // The records of a new decision, appended to `out` (what Decide adds to its batch).
  static void AddDecisionRecords(std::vector<storage::Mutation>& out,
                                 const domain::Application& app, const domain::Decision& decision,
                                 const Actor& actor, std::int64_t recorded_at);
  // Loading ahead for a batch of decisions (the pipeline), in three stages some decisions
  // apart: the first starts loading the applicant's slot in the IIN index (and returns the
  // parsed IIN, kNoIin for an invalid one), the second finds them there and starts loading
  // their row, the third their first period. Deciding then finds them in the cache: at 20
  // million people each was a miss to memory, one after another (ADR 0012, ADR 0014). Reads
  // only; the index is a hint.
  static constexpr std::uint64_t kNoIin = ~std::uint64_t{0};
  std::uint64_t PrefetchIndexFor(std::string_view iin) const;
  std::uint32_t PrefetchPerson(std::uint64_t iin) const;
  void PrefetchPeriods(std::uint32_t person) const;
  // Two more stages for choosing a district, which asks about each of the organisation's
  // districts: their records start loading, then (a stage later, from those records) the first
  // cache line of their panels.
  void PrefetchDistrictsOf(std::string_view org) const;
  void PrefetchPanelsOf(std::string_view org) const;
  [[nodiscard]] Result<void> RecordDeath(const domain::Iin& iin, domain::Date date,
                                         const Actor& actor);
  [[nodiscard]] Result<void> CloseOrganisation(const std::string& org, domain::Date date,
                                               const std::string& successor, const Actor& actor);
  // Where the person is attached on `day` (empty Placement: nowhere).
  Placement WhereOn(const domain::Iin& iin, domain::Date day) const;

  // --- pure reads: they change nothing, not even a cache, so that several threads may call
  // them at once under a shared lock while the decision pipeline holds it exclusively ---
  // WhereOn, or nullopt when the answer is an age-out plan still to be worked out (call
  // WhereOn under an exclusive lock then).
  std::optional<Placement> TryWhereOn(const domain::Iin& iin, domain::Date day) const;
  // The person as a value, or nullopt if not registered.
  std::optional<domain::Person> PersonByIin(const domain::Iin& iin) const;
  // The person's registered representatives; nullopt when there is no such person. Cheaper than
  // PersonByIin for a permission check on every read.
  std::optional<std::vector<domain::Iin>> RepresentativesOf(const domain::Iin& iin) const;
  // All organisations, in id order.
  std::vector<const domain::Organisation*> Organisations() const;
  // The stored application and its decision, if any (durable ones only). These reads of the
  // store go to the read store when there is one (taking its lock, not the writer's), after
  // waiting briefly for a replica to hold what the memory holds (AwaitReader); they may be
  // called beside the pipeline's commits.
  [[nodiscard]] Result<std::optional<storage::DecidedApplication>> StoredApplication(
      const std::string& application_id) const;
  // The audit trail of a subject (an IIN, an application id), newest first (store's lock).
  // Decided applications as stored (committed ones only), newest first.
  [[nodiscard]] Result<std::vector<storage::DecidedApplication>> ListApplications(
      const storage::ApplicationQuery& query) const;
  // The registered name (kept in the store only).
  [[nodiscard]] Result<std::string> PersonName(const domain::Iin& iin) const;
  // The persons whom `representative` represents (children, wards), in register order.
  std::vector<domain::Iin> Represented(const domain::Iin& representative) const;
  [[nodiscard]] Result<std::vector<storage::AuditEntry>> AuditTrail(const std::string& subject,
                                                                    int limit) const;
  // Every live period of the person, plans included (`planned` ones may name a provisional
  // district: call WhereOn on their start first under an exclusive lock).
  std::vector<domain::Attachment> History(const domain::Iin& iin) const;
  // Adds records of who read what to the pending batch (call under the exclusive lock).
  void AppendAudit(std::vector<storage::AuditEntry> entries);
  // IINs of the people attached to a district on `day`, in IIN order, at most `limit`.
  std::vector<domain::Iin> PanelMembers(std::string_view district, domain::Date day,
                                        std::size_t limit) const;
  // Who is on the organisation's panels on each of `days` (one scan of the periods for all):
  // for each day, (IIN, district id) sorted by IIN.
  std::vector<std::vector<std::pair<domain::Iin, std::string>>> OrgMembers(
      std::string_view org, const std::vector<domain::Date>& days) const;
  // A counter that moves with every change of the state (for caches of derived answers).
  std::uint64_t version() const { return version_; }

  // --- the population, by index (for samplers and campaigns) ---
  std::size_t person_count() const { return population_.size(); }
  domain::Iin PersonIinAt(std::size_t index) const {
    return domain::Iin::FromNumberUnchecked(population_.row(static_cast<std::uint32_t>(index)).iin);
  }
  // The person as a value (not cached: for readers that visit many people).
  domain::Person PersonAt(std::size_t index) const {
    return population_.Materialise(static_cast<std::uint32_t>(index));
  }
  domain::Date today() const { return today_; }

  // --- statistics (maintained with every change; see stats/cube.hpp) ---
  // The counts include a change once it is durable: the writer records what each change counts,
  // and they are added to the cube when its batch commits (CommitTaken, ADR 0010), on the
  // committing thread. Safe beside the pipeline's commits.
  stats::Snapshot Snapshot() const;
  // Moves each time counts are added to the statistics (a key for caches of snapshots).
  std::uint64_t statistics_version() const { return statistics_.version(); }
  // The same with nothing folded: every date can be asked (a recount; slower to build).
  stats::Snapshot FullSnapshot();
  // Flushes, then stores the statistics snapshot that `stats` and `funding` read.
  [[nodiscard]] Result<void> Checkpoint();
  // Applies up to `max_records` of the store's decision journal (Journal::ApplyJournal); true
  // when more remain. Safe beside a commit on another thread.
  [[nodiscard]] Result<bool> ApplyStoreJournal(std::int64_t max_records);

  // --- durability ---
  // Commits the pending changes in one transaction.
  [[nodiscard]] Result<void> Flush();
  // Flush in three steps, so that a pipeline decides the next batch while this one commits:
  // TakeBatch and CommitDone on the deciding thread; CommitTaken on any one thread at a time.
  struct TakenBatch {
    storage::WriteBatch writes;
    std::vector<std::string> decided;  // application ids
    stats::CubeChanges counts;         // what the batch counts, added once it is durable
  };
  TakenBatch TakeBatch();
  [[nodiscard]] Result<void> CommitTaken(const TakenBatch& taken);
  void CommitDone(const TakenBatch& taken);
  // Takes back a committed batch's mutation list (on any thread; it is emptied there): the next
  // TakeBatch reuses its memory. A new list is megabytes of fresh pages for the deciding thread
  // to fault in, batch after batch, and to grow when a batch outgrows the last.
  void RecycleMutations(std::vector<storage::Mutation> spent);
  std::size_t pending_mutations() const { return batch_.size(); }
  // Set when a commit failed: the in-memory state is ahead of the store; reopen to recover.
  bool failed() const { return failed_.load(); }

  // --- several processes on one database (ADR 0006) ---
  // True when the store logs its commits for other processes: decide only in a turn, then.
  bool shared() const { return shared_; }
  // The change log position that the memory includes.
  std::int64_t applied_through() const { return applied_through_.load(); }
  // What other processes committed since applied_through(), read from the read store without
  // waiting for a turn (may be called beside reads; takes only the read store's lock). Apply
  // the result with ApplyChanges.
  [[nodiscard]] Result<std::vector<storage::LoggedBatch>> FetchChanges() const;
  // Takes the writer's turn on the store (waits while another process has it) and returns what
  // the others committed meanwhile: apply it with ApplyChanges, then decide. The next
  // CommitTaken (or Flush) ends the turn; EndTurn ends it without writing. Writer thread only.
  [[nodiscard]] Result<std::vector<storage::LoggedBatch>> BeginTurn();
  void EndTurn();
  // Applies batches that other processes committed, as loading them would have: periods,
  // panels, counts, decisions, policy and idempotency keys. Writes nothing (what this process
  // had still to write stays pending). Batches at or before applied_through() are skipped.
  [[nodiscard]] Result<void> ApplyChanges(const std::vector<storage::LoggedBatch>& changes);

  // --- RegistryView (for the rules) ---
  const domain::Person* FindPerson(const domain::Iin& iin) const override;
  const domain::Organisation* FindOrg(std::string_view id) const override;
  const domain::District* FindDistrict(std::string_view id) const override;
  std::span<const domain::District* const> DistrictsOf(std::string_view org) const override;
  std::vector<const domain::Organisation*> OrgsInAte(std::string_view ate) const override;
  std::vector<const domain::Attachment*> PeriodsOf(const domain::Iin& iin) const override;
  int FreeChoiceChangesIn(const domain::Iin& iin, int year) const override;
  int FreePlacesOn(const domain::District& d, domain::Date day,
                   const domain::Iin* excluding = nullptr) const override;
  int LeastFreePlacesFrom(const domain::District& d, domain::Date day,
                          const domain::Iin* excluding = nullptr) const override;
  Places PlacesOf(const domain::District& d, domain::Date day,
                  const domain::Iin* excluding = nullptr) const override;

  // Explicit capacity, else norm(kind) x doctors under the norms in force on `day`.
  int CapacityOf(const domain::District& d, domain::Date day) const;
  int PanelSizeOn(const std::string& district, domain::Date day) const;
  const domain::Calendar& calendar() const { return *calendar_; }

 private:
  class Loader;
  Registry(storage::Store& store, const Clock& clock, domain::Policy policy);
  static constexpr std::uint32_t kNone = UINT32_MAX;  // no such index
  // The key of free_choice_changes_.
  static std::uint64_t FreeChoiceKey(const domain::Iin& iin, int year);

  // One stored batch applied to the memory (ApplyChanges; opening, for the batches a store has
  // not yet written to its tables). An error leaves the memory between two states.
  Result<void> ApplyBatch(const storage::WriteBatch& batch);
  // ApplyChanges, one mutation at a time (an error: this process and the log disagree).
  Result<void> ApplyStored(const domain::Attachment& a);
  Result<void> ApplyStored(const storage::PeriodChange& c);
  Result<void> ApplyStored(const storage::DecidedApplication& d);
  Result<void> ApplyStored(const storage::PolicyVersion& p);
  Result<void> ApplyStored(const storage::PersonDeath& d);
  Result<void> ApplyStored(const storage::OrgClosure& c);
  Result<void> ApplyStored(const storage::IdempotencyKey& k);
  Result<void> ApplyStored(const domain::Organisation& o);
  Result<void> ApplyStored(const domain::District& d);
  Result<void> ApplyStored(const domain::Person& p);
  Result<void> ApplyStored(const storage::AuditEntry&) { return {}; }  // never logged
  // The persons whose periods a batch touches (their age-out plans are made again after it).
  std::vector<std::uint32_t> PersonsTouchedBy(const storage::WriteBatch& batch) const;
  // Drops the person's age-out plans (made again after a batch: PlanStoredAgeOut).
  void DropPlansOf(std::uint32_t person);
  // The organisation that an approval effective on `effective` moved the person from (the
  // period it cut short), for the statistics' flows; kNone when none.
  std::uint32_t MovedFrom(std::uint32_t person, domain::Date effective) const;
  // The read store (a replica, or the store itself) and its lock.
  storage::Store& reader() const { return read_store_ ? *read_store_ : store_; }
  std::mutex& reader_mu() const { return read_store_ ? read_mu_ : store_mu_; }
  // Before a read of the read store: waits (a short, bounded while) until a replica has
  // replayed what this process's memory includes, so that the store's answers are not older
  // than the registry's.
  void AwaitReader() const;

  // Period bookkeeping: every change keeps panels and the batch in step.
  // A new period [from, to); a bounded `to` ends it for reason `end` (a later move that
  // supersedes it, or a death already in the register).
  void AddPeriod(std::uint32_t person, std::uint32_t district, domain::Date from, domain::Date to,
                 std::uint32_t application, domain::PeriodEnd end = domain::PeriodEnd::kSuperseded);
  std::uint32_t InsertPeriod(std::uint32_t person, std::uint32_t district, domain::Date from,
                             domain::Date to, domain::PeriodEnd end, std::uint32_t application);
  void EndPeriod(std::uint32_t id, domain::Date to, domain::PeriodEnd why);
  // Reopens a period that a cancelled move had cut short, up to `to`.
  void RestorePeriod(std::uint32_t id, domain::Date to);
  // The person's live (not cancelled) period ids, ordered by `from`.
  // Inline for the usual few: a heap allocation per call showed in the decision's profile.
  using PeriodIds = boost::container::small_vector<std::uint32_t, 8>;
  PeriodIds LivePeriods(std::uint32_t person) const;
  // Age-out plans (see AgeOut).
  struct AgeOut;
  void PlanAgeOut(std::uint32_t pediatric, domain::Date birthday, domain::Date until);
  void SetContinuation(AgeOut& plan, std::uint32_t district);
  void CancelContinuation(AgeOut& plan);
  void DropPlan(std::uint32_t pediatric);
  void IndexAgeOut(const AgeOut& plan, bool add);
  void EraseAgeOut(std::uint32_t pediatric);
  void ResolvePlans(std::uint32_t org, domain::Date through);
  void ResolvePlansSeenBy(const domain::Application& app);
  void PlanStoredAgeOuts();
  // Plans the age-out of stored period `id` if it ends on an 18th birthday still to come and
  // has no plan yet (on opening, and after applying another process's batch).
  void PlanStoredAgeOut(std::uint32_t id);
  void MarkDirty(std::uint32_t district);
  void InvalidatePlans(std::uint32_t org);
  // Stores the age-outs whose birthday is on or before `day`: the story has reached them.
  void AdvanceTo(domain::Date day);
  domain::Date Birthday18(std::uint32_t person) const;
  std::uint32_t DistrictIndex(std::string_view id) const;
  std::uint32_t ApplicationRef(const std::string& application_id);
  domain::Attachment MakeAttachment(std::uint32_t id) const;
  void ForgetMaterialised() const;
  // The person's live periods in the district (a capacity check does not count them).
  std::vector<std::pair<domain::Date, domain::Date>> OwnPeriodsIn(std::uint32_t district,
                                                                  const domain::Iin* person) const;
  // The statistics from the loaded state (a stored period counts in the cube; plans do not).
  void RebuildCube();
  void Audit(const Actor& actor, std::string action, std::string subject, std::string detail);
  void RecordPolicy();

  storage::Store& store_;
  const Clock& clock_;
  domain::Policy policy_;
  std::unique_ptr<domain::Calendar> calendar_;
  storage::WriteBatch batch_;
  std::atomic<bool> failed_ = false;
  mutable std::mutex store_mu_;  // the store's connection serves one thread at a time
  storage::Store* read_store_ = nullptr;
  mutable std::mutex read_mu_;  // the read store's connection, likewise
  bool shared_ = false;
  bool in_turn_ = false;
  std::atomic<std::int64_t> applied_through_ = 0;
  // The change log position a replica (read store) was last seen to have replayed.
  mutable std::atomic<std::int64_t> reader_through_ = 0;
  // Idempotency-Key -> (application id, fingerprint): from the store and the change log.
  boost::unordered_flat_map<std::string, std::pair<std::string, std::string>> idempotency_;

  Population population_;
  ReferenceData refs_;         // organisations and districts
  std::vector<Panel> panels_;  // by district index
  StatisticsKeeper statistics_{population_, refs_};
  domain::Date as_of_ = domain::Date::Min();  // the latest event or import when opened
  std::deque<std::string> application_ids_;   // referenced by periods (1-based); grows in blocks
  boost::unordered_flat_map<std::uint64_t, std::uint16_t> free_choice_changes_;  // iin*10^4+year
  // Application ids with a decision, as 64-bit fingerprints: no string to copy or hash again
  // when the set grows. A fingerprint that two ids share makes the second look like a repeat;
  // Decide then finds no decision for it (not_durable_, the store) and decides it after all.
  ShardedSet<std::uint64_t> decided_;  // of Fingerprint(id)
  // Decisions not yet durable (answered from here if asked again), and the ids of those
  // decided since the last TakeBatch (CommitDone forgets a taken batch's).
  ShardedMap<std::string, domain::Decision> not_durable_;
  std::vector<std::string> untaken_ids_;
  std::vector<storage::Mutation> spare_mutations_;  // a committed batch's list, emptied
  std::mutex spare_mu_;

  // A child's pediatric period that reaches the 18th birthday ends on it; from it, the rest of
  // the period is planned in the adult district of the same organisation with most free places
  // on that day, capacity notwithstanding (ADR 0003). The plan holds no place (ADR 0005): panels
  // count stored periods only. Its district follows the current state: it is worked out when
  // asked (ResolvePlans, cached per organisation until an adult panel changes) and made final
  // when the story reaches the birthday (AdvanceTo).
  struct AgeOut {
    std::uint32_t pediatric = 0;     // period id, ending on the birthday
    std::uint32_t continuation = 0;  // planned period id, 0 = no adult district (unattached)
    domain::Date birthday;
    domain::Date until;  // where the whole period would have ended
  };
  ShardedMap<std::uint32_t, AgeOut> age_outs_;  // by pediatric period id
  // The same plans in birthday order: all (for AdvanceTo, a day to a bucket) and by
  // organisation index (a few thousand plans each at 20 million people: 32 days to a bucket).
  AgeOutQueue due_age_outs_{1};
  std::vector<AgeOutQueue> age_outs_by_org_;
  static constexpr int kOrgAgeOutBucketDays = 32;
  ShardedMap<std::uint32_t, std::uint32_t> continuation_of_;  // continuation id -> pediatric id
  // By organisation index: its plans with a birthday up to this date have current districts.
  std::vector<domain::Date> resolved_through_;
  domain::Date today_ = domain::Date::Min();  // the story's latest event
  mutable std::uint64_t version_ = 0;         // moved by every use case (ForgetMaterialised)

  // The periods in panels (not plans) of the person whose application is being decided, as
  // (district, from, to): the capacity rules ask for them once per district of the clinic, so
  // Decide works them out once (under the exclusive lock) and OwnPeriodsIn reads them.
  struct DecidingFor {
    std::uint64_t iin = 0;
    std::uint32_t person = 0;  // the row: the rules ask for the person several times
    // (district, from, to); a person has a few periods: no allocation per decision.
    boost::container::small_vector<std::tuple<std::uint32_t, domain::Date, domain::Date>, 4>
        periods;
  };
  std::optional<DecidingFor> deciding_for_;
  // Set while DecideLeavingRecords runs: where Decide puts a new decision's time instead of
  // adding its records.
  std::int64_t* records_left_at_ = nullptr;
  // The person's row: from deciding_for_ for the applicant being decided, else by IIN.
  std::optional<std::uint32_t> FindRow(const domain::Iin& iin) const;
  // Set while Decide evaluates the rules (the writer, exclusive): panels may remember answers
  // (Panel::SizeOn). Not while age-outs are placed: each asks about its own birthday, and
  // would push out the answers about the day that a clinic's applications share.
  bool deciding_ = false;
  // The index of a district: by address if it is one we hold, else by id; kNone if unknown.
  std::uint32_t IndexOf(const domain::District& d) const { return refs_.IndexOf(d); }

  // Domain objects made from rows for the rules: valid until the next use case starts.
  mutable boost::unordered_flat_map<std::uint32_t, std::unique_ptr<domain::Person>> person_cache_;
  mutable std::deque<domain::Attachment> period_cache_;
};

}  // namespace emkhana::registry
