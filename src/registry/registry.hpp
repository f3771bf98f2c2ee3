// The registry of attached population: the use cases over one consistent state.
//
// It keeps the working state in memory (persons, organisations, districts, attachment periods,
// district panels, free-choice counts) for exact and fast rule evaluation, and records every
// change as a storage mutation. Changes accumulate in a pending WriteBatch that `Flush` commits
// to the Store in one transaction (group commit); nothing is acknowledged as durable before.
//
// Time: events (applications, deaths, closures) are applied in date order. Attachment periods
// are the plan as known now: a pending move on 1 January, or a child's move to an adult district
// on the 18th birthday, is a period that starts later, so a query about any day answers from
// the periods and capacity checks see every planned change.
//
// Not thread-safe: one writer owns a Registry (see pipeline.hpp for concurrent submitters).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "registry/panel.hpp"
#include "rules/facts.hpp"
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
  // the decision already taken (idempotent).
  domain::Decision Decide(const domain::Application& app, const Actor& actor);
  [[nodiscard]] Result<void> RecordDeath(const domain::Iin& iin, domain::Date date,
                                         const Actor& actor);
  [[nodiscard]] Result<void> CloseOrganization(const std::string& org, domain::Date date,
                                               const std::string& successor, const Actor& actor);
  // Where the person is attached on `day` (empty Placement: nowhere).
  Placement WhereOn(const domain::Iin& iin, domain::Date day) const;

  // --- durability ---
  // Commits the pending changes in one transaction.
  [[nodiscard]] Result<void> Flush();
  std::size_t pending_mutations() const { return batch_.size(); }
  // Set when a commit failed: the in-memory state is ahead of the store; reopen to recover.
  bool failed() const { return failed_; }

  // --- RegistryView (for the rules) ---
  const domain::Person* FindPerson(const domain::Iin& iin) const override;
  const domain::Organization* FindOrg(std::string_view id) const override;
  const domain::District* FindDistrict(std::string_view id) const override;
  std::vector<const domain::District*> DistrictsOf(std::string_view org) const override;
  std::vector<const domain::Organization*> OrgsInAte(std::string_view ate) const override;
  std::vector<const domain::Attachment*> PeriodsOf(const domain::Iin& iin) const override;
  int FreeChoiceChangesIn(const domain::Iin& iin, int year) const override;
  int FreePlacesOn(const domain::District& d, domain::Date day) const override;
  int LeastFreePlacesFrom(const domain::District& d, domain::Date day) const override;

  // Explicit capacity, else norm(kind) x doctors under the norms in force on `day`.
  int CapacityOf(const domain::District& d, domain::Date day) const;
  int PanelSizeOn(const std::string& district, domain::Date day) const;
  const domain::Calendar& calendar() const { return *calendar_; }

 private:
  class Loader;
  Registry(storage::Store& store, const Clock& clock, domain::Policy policy);

  // Period bookkeeping: every change keeps panels, indexes and the batch in step.
  void AddPeriod(const domain::Iin& iin, const domain::District& district, domain::Date from,
                 domain::Date to, const std::string& application_id);
  void InsertPeriod(const domain::Iin& iin, const domain::District& district, domain::Date from,
                    domain::Date to, domain::PeriodEnd end, const std::string& application_id);
  void EndPeriod(domain::Attachment& period, domain::Date to, domain::PeriodEnd why);
  // Reopens a period that a cancelled move had cut short, up to `to`.
  void RestorePeriod(domain::Attachment& period, domain::Date to);
  void IndexPeriod(const domain::Attachment& period);
  // The 18th birthday and adult district, if a period [from, to) in `district` reaches it.
  std::optional<std::pair<domain::Date, const domain::District*>> AgeOutOf(
      const domain::Iin& iin, const domain::District& district, domain::Date from,
      domain::Date to) const;
  const domain::District* AdultDistrictFor(const std::string& org, domain::Date day) const;
  void Audit(const Actor& actor, std::string action, std::string subject, std::string detail);
  void RecordPolicy();

  storage::Store& store_;
  const Clock& clock_;
  domain::Policy policy_;
  std::unique_ptr<domain::Calendar> calendar_;
  storage::WriteBatch batch_;
  bool failed_ = false;

  std::unordered_map<domain::Iin, domain::Person> persons_;
  std::map<std::string, domain::Organization, std::less<>> orgs_;
  std::map<std::string, domain::District, std::less<>> districts_;
  std::map<std::string, std::vector<std::string>, std::less<>> districts_by_org_;
  std::map<std::string, std::set<std::string>, std::less<>> orgs_by_ate_;
  std::unordered_map<domain::Iin, std::vector<domain::Attachment>> periods_;
  std::map<std::string, Panel, std::less<>> panels_;
  std::map<std::string, std::set<domain::Iin>, std::less<>> members_by_org_;
  std::map<std::pair<std::uint64_t, int>, int> free_choice_changes_;  // (iin, year) -> count
  std::unordered_map<std::string, domain::Decision> decisions_;
  std::int64_t next_period_id_ = 1;
};

}  // namespace emkhana::registry
