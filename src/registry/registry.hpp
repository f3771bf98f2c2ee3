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
// Not thread-safe: one writer owns a Registry (see pipeline.hpp for concurrent submitters).
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "registry/panel.hpp"
#include "registry/population.hpp"
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

class Registry final : public rules::RegistryView {
 public:
  // Loads the store's state. The store must outlive the registry.
  static Result<std::unique_ptr<Registry>> Open(storage::Store& store, const Clock& clock,
                                                domain::Policy default_policy);

  // --- reference data (population register, organisations) ---
  [[nodiscard]] Result<void> PutOrganization(domain::Organization org, const Actor& actor);
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
  [[nodiscard]] Result<void> RecordDeath(const domain::Iin& iin, domain::Date date,
                                         const Actor& actor);
  [[nodiscard]] Result<void> CloseOrganization(const std::string& org, domain::Date date,
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
  std::vector<const domain::Organization*> Organizations() const;
  // The stored application and its decision, if any (durable ones only; takes the store's lock,
  // so it may be called beside the pipeline's commits).
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
  const stats::Cube& cube() const { return cube_; }
  stats::Snapshot Snapshot() const;
  // The same with nothing folded: every date can be asked (a recount; slower to build).
  stats::Snapshot FullSnapshot();
  // Flushes, then stores the statistics snapshot that `stats` and `funding` read.
  [[nodiscard]] Result<void> Checkpoint();

  // --- durability ---
  // Commits the pending changes in one transaction.
  [[nodiscard]] Result<void> Flush();
  // Flush in three steps, so that a pipeline decides the next batch while this one commits:
  // TakeBatch and CommitDone on the deciding thread; CommitTaken on any one thread at a time.
  struct TakenBatch {
    storage::WriteBatch writes;
    std::vector<std::string> decided;  // application ids
  };
  TakenBatch TakeBatch();
  [[nodiscard]] Result<void> CommitTaken(const TakenBatch& taken);
  void CommitDone(const TakenBatch& taken);
  std::size_t pending_mutations() const { return batch_.size(); }
  // Set when a commit failed: the in-memory state is ahead of the store; reopen to recover.
  bool failed() const { return failed_.load(); }

  // --- RegistryView (for the rules) ---
  const domain::Person* FindPerson(const domain::Iin& iin) const override;
  const domain::Organization* FindOrg(std::string_view id) const override;
  const domain::District* FindDistrict(std::string_view id) const override;
  std::vector<const domain::District*> DistrictsOf(std::string_view org) const override;
  std::vector<const domain::Organization*> OrgsInAte(std::string_view ate) const override;
  std::vector<const domain::Attachment*> PeriodsOf(const domain::Iin& iin) const override;
  int FreeChoiceChangesIn(const domain::Iin& iin, int year) const override;
  int FreePlacesOn(const domain::District& d, domain::Date day,
                   const domain::Iin* excluding = nullptr) const override;
  int LeastFreePlacesFrom(const domain::District& d, domain::Date day,
                          const domain::Iin* excluding = nullptr) const override;

  // Explicit capacity, else norm(kind) x doctors under the norms in force on `day`.
  int CapacityOf(const domain::District& d, domain::Date day) const;
  int PanelSizeOn(const std::string& district, domain::Date day) const;
  const domain::Calendar& calendar() const { return *calendar_; }

 private:
  class Loader;
  Registry(storage::Store& store, const Clock& clock, domain::Policy policy);

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
  std::vector<std::uint32_t> LivePeriods(std::uint32_t person) const;
  // Age-out plans (see AgeOut).
  struct AgeOut;
  void PlanAgeOut(std::uint32_t pediatric, domain::Date birthday, domain::Date until);
  void SetContinuation(AgeOut& plan, std::uint32_t district);
  void CancelContinuation(AgeOut& plan);
  void DropPlan(std::uint32_t pediatric);
  void IndexAgeOut(std::uint32_t pediatric, bool add);
  void EraseAgeOut(std::uint32_t pediatric);
  void ResolvePlans(std::uint32_t org, domain::Date through);
  void ResolvePlansSeenBy(const domain::Application& app);
  void PlanStoredAgeOuts();
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
  // Statistics bookkeeping: a stored period counts in the cube (plans do not).
  stats::PersonFacts FactsOf(std::uint32_t person);
  void CountPeriod(const PeriodRow& p, int sign);
  void RebuildCube();
  // Counts every person and stored period into `cube` (folding before its `since`).
  void CountState(stats::Cube& cube);
  void Audit(const Actor& actor, std::string action, std::string subject, std::string detail);
  void RecordPolicy();

  storage::Store& store_;
  const Clock& clock_;
  domain::Policy policy_;
  std::unique_ptr<domain::Calendar> calendar_;
  storage::WriteBatch batch_;
  std::atomic<bool> failed_ = false;
  mutable std::mutex store_mu_;  // the store's connection serves one thread at a time

  Population population_;
  std::deque<domain::Organization> orgs_;  // deque: pointers stay valid as it grows
  std::map<std::string, std::uint32_t, std::less<>> org_index_;
  std::deque<domain::District> districts_;
  std::map<std::string, std::uint32_t, std::less<>> district_index_;
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> districts_by_org_;  // by id
  std::map<std::string, std::set<std::string>, std::less<>> orgs_by_ate_;
  std::vector<Panel> panels_;                // by district index
  std::vector<std::uint32_t> district_org_;  // by district index: the org's index
  stats::Cube cube_;
  domain::Date as_of_ = domain::Date::Min();  // the latest event or import when opened
  struct LoadedDecision {
    int year;
    domain::Channel channel;
    domain::Outcome outcome;
    std::vector<domain::Reason> reasons;
    std::uint32_t from_org, to_org;  // to_org kNone: not a move
    domain::Date effective;
  };
  std::vector<LoadedDecision> loaded_decisions_;  // from Open until RebuildCube
  std::vector<std::string> application_ids_;      // referenced by periods (1-based)
  boost::unordered_flat_map<std::uint64_t, std::uint16_t> free_choice_changes_;  // iin*10^4+year
  boost::unordered_flat_set<std::string> decided_;      // application ids with a decision
  std::map<std::string, domain::Decision> unflushed_;   // decided since the last TakeBatch
  std::map<std::string, domain::Decision> committing_;  // taken, commit not yet done

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
  using AgeOutKey = std::tuple<domain::Date, std::uint64_t, std::uint32_t>;  // birthday, IIN, id
  std::map<std::uint32_t, AgeOut> age_outs_;  // by pediatric period id
  // The same plans in birthday order: all (for AdvanceTo) and by organisation index.
  std::set<AgeOutKey> due_age_outs_;
  std::vector<std::set<AgeOutKey>> age_outs_by_org_;
  std::map<std::uint32_t, std::uint32_t> continuation_of_;  // continuation id -> pediatric id
  // By organisation index: its plans with a birthday up to this date have current districts.
  std::vector<domain::Date> resolved_through_;
  domain::Date today_ = domain::Date::Min();  // the story's latest event
  mutable std::uint64_t version_ = 0;         // moved by every use case (ForgetMaterialised)

  // Domain objects made from rows for the rules: valid until the next use case starts.
  mutable boost::unordered_flat_map<std::uint32_t, std::unique_ptr<domain::Person>> person_cache_;
  mutable std::deque<domain::Attachment> period_cache_;
};

}  // namespace emkhana::registry
