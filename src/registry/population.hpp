// The population register and attachment periods as the registry's writer holds them in memory:
// compact rows (about 56 bytes a person, 28 a period) so that a whole country fits on one
// machine. Codes of administrative-territorial units are interned; names stay in the database.
// Domain objects (domain::Person, domain::Attachment) are made from rows on demand.
//
// Not thread-safe: owned by one Registry.
#pragma once

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "core/prefetch.hpp"
#include "domain/model.hpp"
#include "registry/iin_index.hpp"

namespace emkhana::registry {

// Interned ATE codes: id 0 is "absent".
class AteCodes {
 public:
  AteCodes() : names_(1) {}
  Result<std::uint16_t> Intern(std::string_view code);
  const std::string& Name(std::uint16_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  boost::unordered_flat_map<std::string, std::uint16_t> ids_;
};

struct PersonRow {
  std::uint64_t iin = 0;
  std::int32_t birth = 0;
  std::int32_t deceased = INT32_MIN;  // INT32_MIN: alive
  std::int32_t insurance_from = 0, insurance_until = 0;
  std::uint32_t categories = 0;
  std::uint32_t representatives_begin = 0;
  std::uint32_t first_period = 0;  // period id, 0 = none
  std::uint16_t ate[domain::kAteRoleCount] = {};
  std::uint8_t sex = 0, status = 0;
  std::uint8_t insurance = 0;  // 0 none, 1 + InsuranceKind
  std::uint8_t representatives_count = 0;
  std::uint8_t osms_category = 0;   // domain::OsmsCategory
  std::uint8_t osms_payer : 7 = 0;  // domain::OsmsPayer
  std::uint8_t osms_insured : 1 = 0;
};

struct PeriodRow {
  std::int32_t from = 0;
  std::int32_t to = INT32_MAX;    // INT32_MAX: open-ended
  std::uint32_t person = 0;       // index into Population
  std::uint32_t district = 0;     // index into the registry's districts
  std::uint32_t next = 0;         // the person's next period by `from` (id), 0 = none
  std::uint32_t application = 0;  // 1 + index into application ids, 0 = none
  std::uint8_t end = 0;           // domain::PeriodEnd
  // A planned age-out (the adult part after the 18th birthday): kept in memory only, re-planned
  // as the registry changes, stored once the story reaches the birthday.
  std::uint8_t planned = 0;

  domain::Date From() const { return domain::Date::FromDays(from); }
  domain::Date To() const { return domain::Date::FromDays(to); }
  bool Cancelled() const { return end == static_cast<std::uint8_t>(domain::PeriodEnd::kCancelled); }
  bool Covers(domain::Date d) const { return from <= d.days() && d.days() < to; }
};

class Population {
 public:
  // Adds or replaces a person; returns its index.
  Result<std::uint32_t> Put(const domain::Person& person);
  std::optional<std::uint32_t> Find(const domain::Iin& iin) const;
  // Start loading a person's slot in the IIN index, their row, or their first period into the
  // cache (Registry::Prefetch*).
  void PrefetchIndex(std::uint64_t iin) const { by_iin_.Prefetch(iin); }
  void PrefetchRow(std::uint32_t index) const {
    if (index < rows_.size()) PrefetchWhole(rows_[index]);
  }
  void PrefetchFirstPeriod(std::uint32_t index) const {
    if (index >= rows_.size()) return;
    if (const auto id = rows_[index].first_period; id != 0) PrefetchWhole(period(id));
  }
  const PersonRow& row(std::uint32_t index) const { return rows_[index]; }
  // The person's region: the part of the residence (else registration) ATE code before '-'.
  std::string_view RegionOf(std::uint32_t index) const;
  const AteCodes& ates() const { return ates_; }
  void SetDeceased(std::uint32_t index, domain::Date date) { rows_[index].deceased = date.days(); }
  std::size_t size() const { return rows_.size(); }
  domain::Person Materialise(std::uint32_t index) const;
  std::vector<domain::Iin> RepresentativesOf(std::uint32_t index) const;
  // The persons `representative` is registered for (children, wards), by index.
  std::vector<std::uint32_t> Represented(const domain::Iin& representative) const;
  void Reserve(std::size_t persons);

  // Periods: stored ones have 1-based, dense ids (the database's attachment ids). Plans (rows
  // with `planned`, never stored) take ids from kFirstPlanId on, so that the stored ids depend
  // on the stored story alone: processes that share a database agree on them (ADR 0006).
  static constexpr std::uint32_t kFirstPlanId = 0x80000000u;
  static bool IsPlanId(std::uint32_t id) { return id >= kFirstPlanId; }
  // Inserts keeping the person's periods ordered by `from`; returns the id (a plan's if
  // `row.planned`).
  std::uint32_t InsertPeriod(const PeriodRow& row);
  // Loads a stored period with its id (ids in increasing order; a gap, left by a plan that an
  // older version stored under a dense id, is kept as an empty, unlinked slot).
  Result<void> LoadPeriod(std::uint32_t id, const PeriodRow& row);
  PeriodRow& period(std::uint32_t id) {
    return IsPlanId(id) ? plans_[id - kFirstPlanId] : periods_[id - 1];
  }
  const PeriodRow& period(std::uint32_t id) const {
    return IsPlanId(id) ? plans_[id - kFirstPlanId] : periods_[id - 1];
  }
  // The number of stored ids (plans not counted): the next stored period takes this plus one.
  std::uint32_t period_count() const { return static_cast<std::uint32_t>(periods_.size()); }
  // The person's period ids in order of `from` (cancelled ones included).
  template <class F>
  void ForEachPeriod(std::uint32_t person, F&& f) const {
    for (auto id = rows_[person].first_period; id != 0; id = period(id).next) f(id);
  }

 private:
  void Link(std::uint32_t id);
  // A decision reads a few rows scattered over gigabytes: on huge pages (ADR 0011).
  template <class T>
  using Rows = std::vector<T, HugePageAllocator<T>>;
  template <class K, class V>
  using Table = boost::unordered_flat_map<K, V, boost::hash<K>, std::equal_to<K>,
                                          HugePageAllocator<std::pair<const K, V>>>;
  AteCodes ates_;
  Rows<PersonRow> rows_;
  Rows<std::uint64_t> representatives_;
  // The reverse of representatives_, as chains: the representative's last slot (1-based) in
  // represented_head_, then represented_next_; represented_person_ is each slot's person.
  Table<std::uint64_t, std::uint32_t> represented_head_;
  Rows<std::uint32_t> represented_next_, represented_person_;
  IinIndex by_iin_;
  Rows<PeriodRow> periods_;
  Rows<PeriodRow> plans_;  // by id - kFirstPlanId
};

}  // namespace emkhana::registry
