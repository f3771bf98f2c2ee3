// The statistics cube: counts maintained with every change of the registry, so that questions
// over 20 million people are answered by summing a few hundred thousand cells, not by a scan.
//
// Every fact is a signed count in a cell (a packed 64-bit key of dimensions) on a day. A period
// [from, to) adds +1 on `from` (a join) and -1 on `to` (a leave or a death); the count on a day D
// is the sum of the cell's entries on days <= D. Days before `since` are folded into `since`, and
// days after `horizon` into the day after it, which keeps the cube small (a child's 18th birthday
// is a day of its own) and makes it answer exactly for every D in [since, horizon].
//
// Ages: a cell keeps a birth month and whether the person was born on its 1st, so the age in
// completed years on the first day of any month is exact. Statistics count ages on the first
// day of the month of the date asked, as the Fund does for per-capita payments. Cells are made
// with the first month whose 1st counts the birthday (and the flag set): snapshots stored before
// keyed by the birth month itself, and both read the same ages.
//
// Not thread-safe; copyable (a reader takes a copy or a snapshot).
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_hash.hpp"
#include "domain/date.hpp"
#include "domain/model.hpp"

namespace emkhana::stats {

enum class Facet : std::uint8_t {
  kAttached = 1,    // org, person's region, sex, birth month, born on the 1st, event
  kDistrict = 2,    // district, event
  kPopulation = 3,  // person's region, sex, birth month, born on the 1st, event
  kInsured = 4,     // person's region, OSMS category, payer, insured
  kDecision = 5,    // year, channel, outcome, reason (kNoReason: the decision itself)
  kFlow = 6,        // org, direction (in/out): approved moves by effective day
};

// What an entry on a day records.
enum class Event : std::uint8_t { kJoin = 0, kLeave = 1, kDeath = 2 };
enum class Direction : std::uint8_t { kIn = 0, kOut = 1 };

inline constexpr std::uint32_t kNoReason = 31;
inline constexpr std::uint32_t kMaxRegions = 1024;  // the last id collects any beyond

// Who a count is about, reduced to the dimensions the cube keeps.
struct PersonFacts {
  std::uint32_t region = 0;  // id from Cube::RegionId
  domain::Sex sex = domain::Sex::kMale;
  domain::Date birth;
  domain::OsmsStanding osms;
};

namespace cube_bits {
// Bit layout of a key: facet in the top 4 bits, then the facet's dimensions.
inline constexpr int kFacetShift = 60;
inline constexpr int kOrgShift = 44;        // 16 bits (attached, flow)
inline constexpr int kRegionShift = 34;     // 10 bits
inline constexpr int kSexShift = 33;        // 1 bit
inline constexpr int kBirthShift = 21;      // 12 bits: months since 1900-01
inline constexpr int kBornFirstShift = 20;  // 1 bit
inline constexpr int kEventShift = 18;      // 2 bits
inline constexpr int kDistrictShift = 36;   // 24 bits
inline constexpr int kCategoryShift = 28;   // 4 bits
inline constexpr int kPayerShift = 26;      // 2 bits
inline constexpr int kInsuredShift = 25;    // 1 bit
inline constexpr int kYearShift = 48;       // 12 bits: years since 1900
inline constexpr int kChannelShift = 46;    // 2 bits
inline constexpr int kOutcomeShift = 45;    // 1 bit
inline constexpr int kReasonShift = 40;     // 5 bits
inline constexpr int kDirectionShift = 43;  // 1 bit

inline std::uint64_t Bits(std::uint64_t value, int shift, int width) {
  return (value & ((1ull << width) - 1)) << shift;
}
inline std::uint32_t Field(std::uint64_t key, int shift, int width) {
  return static_cast<std::uint32_t>((key >> shift) & ((1ull << width) - 1));
}
}  // namespace cube_bits

// Months since January 1900 and the 1st-of-month flag: the birth part of a cell.
struct BirthKey {
  std::uint32_t month = 0;
  bool born_first = false;
  // The key cells are made with: the month from whose first day the birthday counts, born on
  // its 1st. (month, false) from older snapshots is the same as (month + 1, true).
  static BirthKey Of(domain::Date birth);
  // Age in completed years on the first day of `month_start`'s month.
  int AgeOnMonthStart(domain::Date month_start) const;
};

// Ages on the first day of one month for every birth key, worked out once: a report asks the same
// question of two million cells.
class AgesOn {
 public:
  explicit AgesOn(domain::Date month_start);
  int operator()(BirthKey b) const { return ages_[b.month * 2 + (b.born_first ? 1 : 0)]; }

 private:
  std::vector<std::int16_t> ages_;  // by month * 2 + born on the 1st; -1: not born yet
};

// The decoded key of an entry.
struct Cell {
  Facet facet = Facet::kAttached;
  std::uint32_t org = 0, district = 0, region = 0;
  domain::Sex sex = domain::Sex::kMale;
  BirthKey birth;
  Event event = Event::kJoin;
  // kInsured
  domain::OsmsStanding osms;
  // kDecision
  int year = 0;
  domain::Channel channel = domain::Channel::kEgov;
  domain::Outcome outcome = domain::Outcome::kApproved;
  std::uint32_t reason = kNoReason;
  // kFlow
  Direction direction = Direction::kIn;

  std::uint64_t Pack() const;
  static Cell Unpack(std::uint64_t key);
};

inline Cell Cell::Unpack(std::uint64_t k) {
  using namespace cube_bits;
  Cell c;
  c.facet = static_cast<Facet>(k >> kFacetShift);
  switch (c.facet) {
    case Facet::kAttached:
      c.org = Field(k, kOrgShift, 16);
      [[fallthrough]];
    case Facet::kPopulation:
      c.region = Field(k, kRegionShift, 10);
      c.sex = static_cast<domain::Sex>(Field(k, kSexShift, 1));
      c.birth = {Field(k, kBirthShift, 12), Field(k, kBornFirstShift, 1) != 0};
      c.event = static_cast<Event>(Field(k, kEventShift, 2));
      break;
    case Facet::kDistrict:
      c.district = Field(k, kDistrictShift, 24);
      c.event = static_cast<Event>(Field(k, kEventShift, 2));
      break;
    case Facet::kInsured:
      c.region = Field(k, kRegionShift, 10);
      c.osms.category = static_cast<domain::OsmsCategory>(Field(k, kCategoryShift, 4));
      c.osms.payer = static_cast<domain::OsmsPayer>(Field(k, kPayerShift, 2));
      c.osms.insured = Field(k, kInsuredShift, 1) != 0;
      break;
    case Facet::kDecision:
      c.year = 1900 + static_cast<int>(Field(k, kYearShift, 12));
      c.channel = static_cast<domain::Channel>(Field(k, kChannelShift, 2));
      c.outcome = static_cast<domain::Outcome>(Field(k, kOutcomeShift, 1));
      c.reason = Field(k, kReasonShift, 5);
      break;
    case Facet::kFlow:
      c.org = Field(k, kOrgShift, 16);
      c.direction = static_cast<Direction>(Field(k, kDirectionShift, 1));
      break;
  }
  return c;
}

struct Entry {  // 16 bytes: a 20-million registry has a few million entries
  std::uint64_t key = 0;
  std::int32_t day = 0;
  std::int32_t count = 0;  // one cell on one day: far below 2^31
  bool operator==(const Entry&) const = default;
};

// What a registry change counts, as entries of cells: written once for both sinks, the cube that
// keeps the counts (Cube) and the changes recorded for it to take later (CubeChanges).
template <class Sink>
class CubeEvents {
 public:
  // A period of attachment [from, to) in `district` of `org`, ended for `end` (sign -1 undoes).
  void AddPeriod(const PersonFacts& who, std::uint32_t org, std::uint32_t district,
                 domain::Date from, domain::Date to, domain::PeriodEnd end, int sign = +1);
  // The same period [from, old_to) ended for `old_end` now ends on `new_to` for `new_end`: the
  // same as undoing it and adding it again, with half the entries touched when both count (the
  // join stays as it is).
  void ChangePeriodEnd(const PersonFacts& who, std::uint32_t org, std::uint32_t district,
                       domain::Date from, domain::Date old_to, domain::PeriodEnd old_end,
                       domain::Date new_to, domain::PeriodEnd new_end);
  // A person of the population register, alive until `deceased` (sign -1 undoes).
  void AddPerson(const PersonFacts& who, std::optional<domain::Date> deceased, int sign = +1);
  void AddDecision(int year, domain::Channel channel, domain::Outcome outcome,
                   std::span<const domain::Reason> reasons);
  // An approved move into `to_org` from `from_org` (kNone: from nowhere) effective on `day`.
  void AddFlow(std::uint32_t from_org, std::uint32_t to_org, domain::Date day);
  static constexpr std::uint32_t kNone = UINT32_MAX;

 private:
  // A period's entries for one event (its join, its leave or death) on `day`: the
  // organisation's cell and the district's.
  void AddPeriodEvent(const PersonFacts& who, std::uint32_t org, std::uint32_t district,
                      domain::Date day, Event event, int sign);
  // The leave (or death) entries of a period ending on `to` (nothing if open-ended).
  void AddPeriodEnd(const PersonFacts& who, std::uint32_t org, std::uint32_t district,
                    domain::Date to, domain::PeriodEnd end, int sign);
  void Add(const Cell& cell, domain::Date day, std::int64_t count) {
    static_cast<Sink&>(*this).AddEntry(cell.Pack(), day.days(), count);
  }
};

// Entries recorded for a cube and not yet in it: the registry's writer records what a batch of
// decisions counts, and the thread that commits the batch adds it to the cube (ADR 0010), so that
// the statistics count durable decisions and cost the writer a list append per entry.
class CubeChanges : public CubeEvents<CubeChanges> {
 public:
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  void reserve(std::size_t n) { entries_.reserve(n); }

 private:
  friend class CubeEvents<CubeChanges>;
  friend class Cube;
  void AddEntry(std::uint64_t key, std::int32_t day, std::int64_t count) {
    entries_.push_back({key, day, static_cast<std::int32_t>(count)});
  }
  std::vector<Entry> entries_;  // in the order recorded; days not yet folded
};

class Cube : public CubeEvents<Cube> {
 public:
  explicit Cube(domain::Date since = domain::Date::Min(),
                domain::Date horizon = domain::Date::Max())
      : since_(since.days()), horizon_(horizon.days()) {}
  // The window a registry keeps around its latest event: from the first of the previous month to
  // the end of the year after next (a campaign's 1 January included).
  static Cube ForReference(domain::Date reference);
  // The windows of both the registry's latest event and today, joined: statistics of today
  // answer whatever dates are stored.
  static Cube ForReferences(domain::Date reference, domain::Date today);

  domain::Date since() const { return domain::Date::FromDays(since_); }
  domain::Date horizon() const { return domain::Date::FromDays(horizon_); }
  bool Covers(domain::Date d) const { return since_ <= d.days() && d.days() <= horizon_; }
  // The id of a region, made on first sight. FindRegionId only looks (nullopt: not seen yet),
  // and changes nothing.
  std::uint32_t RegionId(std::string_view region);
  std::optional<std::uint32_t> FindRegionId(std::string_view region) const;
  const std::vector<std::string>& regions() const { return regions_; }

  // Adds the recorded entries, as if their events had been added here.
  void Apply(const CubeChanges& changes);

  // Calls f(cell, count on `day`) for every cell of `facet` with a non-zero count.
  template <class F>
  void ForEachOn(Facet facet, domain::Date day, F&& f) const;
  // Calls f(cell, sum of entries on days in (after, upto]) for `facet`, by cell and event.
  template <class F>
  void ForEachBetween(Facet facet, domain::Date after, domain::Date upto, F&& f) const;

  // Calls f(cell, entries) for every cell of `facet`: its entries (all events and days), adjacent
  // in key-then-day order.
  template <class F>
  void ForEachCell(Facet facet, F&& f) const;

  // Calls f(cell key, entries) for every cell of every facet in key order (a key without its
  // event bits; the entries are all its events and days); stops when f returns false.
  template <class F>
  void ForEachRawCell(F&& f) const;

  // Copies the facets that are never folded (decisions and flows) from `other`.
  void CopyUnfolded(const Cube& other);

  std::size_t size() const { return Frozen().size(); }
  const std::vector<Entry>& Entries() const { return Frozen(); }  // sorted by key, then day
  static constexpr std::uint64_t kEventMask = 3ull << 18;
  // Entries known to be sorted and distinct (as Entries() gives them) are taken as they are;
  // anything else is checked and merged.
  enum class Order { kCheck, kSortedAndDistinct };
  void Load(std::vector<Entry> entries, std::vector<std::string> regions,
            Order order = Order::kCheck);
  bool operator==(const Cube& other) const;

 private:
  struct KeyDay {
    std::uint64_t key;
    std::int32_t day;
    bool operator==(const KeyDay&) const = default;
  };
  struct KeyDayHash {
    std::size_t operator()(const KeyDay& k) const {
      return std::hash<std::uint64_t>{}(k.key * 0x9E3779B97F4A7C15ull ^
                                        static_cast<std::uint32_t>(k.day));
    }
  };
  friend class CubeEvents<Cube>;
  void AddEntry(std::uint64_t key, std::int32_t day, std::int64_t count);
  // Two forms of the same entries: a hash map for changes, a sorted array for reading (made on
  // demand after changes; Load fills it directly, and the map is made on the next change).
  const std::vector<Entry>& Frozen() const;
  static std::vector<Entry>::const_iterator FacetBegin(const std::vector<Entry>& all, Facet facet);
  void Thaw();

  std::int32_t since_, horizon_;
  std::vector<std::string> regions_;
  boost::unordered_flat_map<std::string, std::uint32_t, StringHash, std::equal_to<>> region_ids_;
  boost::unordered_flat_map<KeyDay, std::int64_t, KeyDayHash> entries_;
  bool map_stale_ = false;  // entries_ must be rebuilt from frozen_ before a change
  mutable std::vector<Entry> frozen_;
  mutable bool frozen_valid_ = true;
};

template <class F>
void Cube::ForEachOn(Facet facet, domain::Date day, F&& f) const {
  // Entries are sorted by key, then day; the event bits are the lowest of a key, so the entries
  // of one cell (all its events and days) are adjacent: one pass sums them.
  const auto& all = Frozen();
  auto it = FacetBegin(all, facet);
  const std::uint64_t facet_bits = static_cast<std::uint64_t>(facet) << 60;
  while (it != all.end() && (it->key & (0xFull << 60)) == facet_bits) {
    const std::uint64_t cell = it->key & ~kEventMask;
    std::int64_t n = 0;
    for (; it != all.end() && (it->key & ~kEventMask) == cell; ++it) {
      if (it->day <= day.days()) n += it->count;
    }
    if (n != 0) f(Cell::Unpack(cell), n);
  }
}

template <class F>
void Cube::ForEachCell(Facet facet, F&& f) const {
  const auto& all = Frozen();
  const std::uint64_t facet_bits = static_cast<std::uint64_t>(facet) << 60;
  auto it = FacetBegin(all, facet);
  while (it != all.end() && (it->key & (0xFull << 60)) == facet_bits) {
    const std::uint64_t cell = it->key & ~kEventMask;
    auto first = it;
    while (it != all.end() && (it->key & ~kEventMask) == cell) ++it;
    f(Cell::Unpack(cell), std::span<const Entry>(&*first, static_cast<std::size_t>(it - first)));
  }
}

template <class F>
void Cube::ForEachRawCell(F&& f) const {
  const auto& all = Frozen();
  auto it = all.begin();
  while (it != all.end()) {
    const std::uint64_t cell = it->key & ~kEventMask;
    auto first = it;
    while (it != all.end() && (it->key & ~kEventMask) == cell) ++it;
    if (!f(cell, std::span<const Entry>(&*first, static_cast<std::size_t>(it - first)))) return;
  }
}

template <class F>
void Cube::ForEachBetween(Facet facet, domain::Date after, domain::Date upto, F&& f) const {
  const auto& all = Frozen();
  const std::uint64_t facet_bits = static_cast<std::uint64_t>(facet) << 60;
  for (auto it = FacetBegin(all, facet);
       it != all.end() && (it->key & (0xFull << 60)) == facet_bits; ++it) {
    if (it->day <= after.days() || it->day > upto.days() || it->count == 0) continue;
    f(Cell::Unpack(it->key), it->count);
  }
}

}  // namespace emkhana::stats
