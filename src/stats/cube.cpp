#include "stats/cube.hpp"

#include <algorithm>

namespace emkhana::stats {

using domain::Date;

using namespace cube_bits;

BirthKey BirthKey::Of(Date birth) {
  // The first month whose first day counts the birthday: the birth month if born on the 1st,
  // else the next. Ages are only ever asked on first days, so people born on any day of one
  // such month share a cell (a quarter fewer cells than keying by the birth month and the 1st).
  const int months =
      (birth.year() - 1900) * 12 + static_cast<int>(birth.month()) - 1 + (birth.day() == 1 ? 0 : 1);
  return {static_cast<std::uint32_t>(std::clamp(months, 0, 4095)), true};
}

int BirthKey::AgeOnMonthStart(Date month_start) const {
  const int on = (month_start.year() - 1900) * 12 + static_cast<int>(month_start.month()) - 1;
  const int born = static_cast<int>(month);
  int age = (on - born) / 12;
  if (on < born) return -1;  // not born yet
  // On the birth month's anniversary the birthday has come only if it is the 1st.
  if ((on - born) % 12 == 0 && !born_first) age -= 1;
  return age;
}

AgesOn::AgesOn(Date month_start) : ages_(2 * 4096) {
  for (std::uint32_t month = 0; month < 4096; ++month) {
    for (int first = 0; first < 2; ++first) {
      ages_[month * 2 + first] =
          static_cast<std::int16_t>(BirthKey{month, first != 0}.AgeOnMonthStart(month_start));
    }
  }
}

std::uint64_t Cell::Pack() const {
  std::uint64_t k = static_cast<std::uint64_t>(facet) << kFacetShift;
  switch (facet) {
    case Facet::kAttached:
      k |= Bits(org, kOrgShift, 16);
      [[fallthrough]];
    case Facet::kPopulation:
      k |= Bits(region, kRegionShift, 10) | Bits(static_cast<int>(sex), kSexShift, 1) |
           Bits(birth.month, kBirthShift, 12) | Bits(birth.born_first, kBornFirstShift, 1) |
           Bits(static_cast<int>(event), kEventShift, 2);
      break;
    case Facet::kDistrict:
      k |= Bits(district, kDistrictShift, 24) | Bits(static_cast<int>(event), kEventShift, 2);
      break;
    case Facet::kInsured:
      k |= Bits(region, kRegionShift, 10) |
           Bits(static_cast<int>(osms.category), kCategoryShift, 4) |
           Bits(static_cast<int>(osms.payer), kPayerShift, 2) |
           Bits(osms.insured, kInsuredShift, 1);
      break;
    case Facet::kDecision:
      k |= Bits(static_cast<std::uint64_t>(std::clamp(year - 1900, 0, 4095)), kYearShift, 12) |
           Bits(static_cast<int>(channel), kChannelShift, 2) |
           Bits(static_cast<int>(outcome), kOutcomeShift, 1) | Bits(reason, kReasonShift, 5);
      break;
    case Facet::kFlow:
      k |= Bits(org, kOrgShift, 16) | Bits(static_cast<int>(direction), kDirectionShift, 1);
      break;
  }
  return k;
}

std::optional<std::uint32_t> Cube::FindRegionId(std::string_view region) const {
  if (auto it = region_ids_.find(region); it != region_ids_.end()) return it->second;
  return std::nullopt;
}

std::uint32_t Cube::RegionId(std::string_view region) {
  if (auto it = region_ids_.find(region); it != region_ids_.end()) return it->second;
  if (regions_.size() + 1 >= kMaxRegions) {
    if (regions_.size() + 1 == kMaxRegions) regions_.emplace_back("other");
    return kMaxRegions - 1;
  }
  const auto id = static_cast<std::uint32_t>(regions_.size());
  regions_.emplace_back(region);
  region_ids_.emplace(std::string(region), id);
  return id;
}

Cube Cube::ForReference(Date reference) {
  if (reference == Date::Min()) return Cube();
  return Cube(domain::PreviousMonthStart(reference), Date::Ymd(reference.year() + 2, 12, 31));
}

Cube Cube::ForReferences(Date reference, Date today) {
  if (reference == Date::Min()) return Cube();
  const auto a = ForReference(reference), b = ForReference(today);
  return Cube(std::min(a.since(), b.since()), std::max(a.horizon(), b.horizon()));
}

const std::vector<Entry>& Cube::Frozen() const {
  if (!frozen_valid_) {
    frozen_.clear();
    frozen_.reserve(entries_.size());
    for (const auto& [kd, n] : entries_) {
      frozen_.push_back({kd.key, kd.day, static_cast<std::int32_t>(n)});
    }
    std::sort(frozen_.begin(), frozen_.end(), [](const Entry& a, const Entry& b) {
      return a.key != b.key ? a.key < b.key : a.day < b.day;
    });
    frozen_valid_ = true;
  }
  return frozen_;
}

std::vector<Entry>::const_iterator Cube::FacetBegin(const std::vector<Entry>& all, Facet facet) {
  const std::uint64_t first = static_cast<std::uint64_t>(facet) << kFacetShift;
  return std::lower_bound(all.begin(), all.end(), first,
                          [](const Entry& e, std::uint64_t key) { return e.key < key; });
}

void Cube::Thaw() {
  if (map_stale_) {
    entries_.clear();
    entries_.reserve(frozen_.size());
    for (const auto& e : frozen_) entries_[KeyDay{e.key, e.day}] += e.count;
    map_stale_ = false;
  }
  frozen_valid_ = false;
}

void Cube::AddEntry(std::uint64_t key, std::int32_t day, std::int64_t count) {
  Thaw();
  // Decisions and flows are few and asked by their own dates: never folded.
  const auto facet = static_cast<Facet>(key >> kFacetShift);
  const bool folds = facet != Facet::kDecision && facet != Facet::kFlow;
  std::int32_t d = day;
  if (folds) d = std::clamp(d, since_, horizon_ == INT32_MAX ? INT32_MAX : horizon_ + 1);
  const KeyDay kd{key, d};
  auto& n = entries_[kd];
  n += count;
  if (n == 0) entries_.erase(kd);
}

void Cube::Apply(const CubeChanges& changes) {
  for (const auto& e : changes.entries_) AddEntry(e.key, e.day, e.count);
}

template <class Sink>
void CubeEvents<Sink>::AddPeriod(const PersonFacts& who, std::uint32_t org, std::uint32_t district,
                                 Date from, Date to, domain::PeriodEnd end, int sign) {
  if (end == domain::PeriodEnd::kCancelled || !(from < to)) return;
  AddPeriodEvent(who, org, district, from, Event::kJoin, sign);
  AddPeriodEnd(who, org, district, to, end, -sign);
}

template <class Sink>
void CubeEvents<Sink>::AddPeriodEnd(const PersonFacts& who, std::uint32_t org,
                                    std::uint32_t district, Date to, domain::PeriodEnd end,
                                    int sign) {
  if (to.IsMax()) return;
  AddPeriodEvent(who, org, district, to,
                 end == domain::PeriodEnd::kDeath ? Event::kDeath : Event::kLeave, sign);
}

template <class Sink>
void CubeEvents<Sink>::AddPeriodEvent(const PersonFacts& who, std::uint32_t org,
                                      std::uint32_t district, Date day, Event event, int sign) {
  Cell c;
  c.facet = Facet::kAttached;
  c.org = org;
  c.region = who.region;
  c.sex = who.sex;
  c.birth = BirthKey::Of(who.birth);
  c.event = event;
  Add(c, day, sign);
  Cell d;
  d.facet = Facet::kDistrict;
  d.district = district;
  d.event = event;
  Add(d, day, sign);
}

template <class Sink>
void CubeEvents<Sink>::ChangePeriodEnd(const PersonFacts& who, std::uint32_t org,
                                       std::uint32_t district, Date from, Date old_to,
                                       domain::PeriodEnd old_end, Date new_to,
                                       domain::PeriodEnd new_end) {
  const auto counts = [&](Date to, domain::PeriodEnd end) {
    return end != domain::PeriodEnd::kCancelled && from < to;
  };
  if (!counts(old_to, old_end) || !counts(new_to, new_end)) {
    AddPeriod(who, org, district, from, old_to, old_end, -1);
    AddPeriod(who, org, district, from, new_to, new_end, +1);
    return;
  }
  AddPeriodEnd(who, org, district, old_to, old_end, +1);  // undone: its leave added back
  AddPeriodEnd(who, org, district, new_to, new_end, -1);
}

template <class Sink>
void CubeEvents<Sink>::AddPerson(const PersonFacts& who, std::optional<Date> deceased, int sign) {
  Cell c;
  c.facet = Facet::kPopulation;
  c.region = who.region;
  c.sex = who.sex;
  c.birth = BirthKey::Of(who.birth);
  Add(c, Date::Min(), sign);
  if (deceased) {
    c.event = Event::kDeath;
    Add(c, *deceased, -sign);
  }
  Cell i;
  i.facet = Facet::kInsured;
  i.region = who.region;
  i.osms = who.osms;
  Add(i, Date::Min(), sign);
}

template <class Sink>
void CubeEvents<Sink>::AddDecision(int year, domain::Channel channel, domain::Outcome outcome,
                                   std::span<const domain::Reason> reasons) {
  Cell c;
  c.facet = Facet::kDecision;
  c.year = year;
  c.channel = channel;
  c.outcome = outcome;
  c.reason = kNoReason;
  Add(c, Date::Min(), 1);
  for (auto r : reasons) {
    c.reason = static_cast<std::uint32_t>(r);
    Add(c, Date::Min(), 1);
  }
}

template <class Sink>
void CubeEvents<Sink>::AddFlow(std::uint32_t from_org, std::uint32_t to_org, Date day) {
  Cell c;
  c.facet = Facet::kFlow;
  if (to_org != kNone) {
    c.org = to_org;
    c.direction = Direction::kIn;
    Add(c, day, 1);
  }
  if (from_org != kNone) {
    c.org = from_org;
    c.direction = Direction::kOut;
    Add(c, day, 1);
  }
}

template class CubeEvents<Cube>;
template class CubeEvents<CubeChanges>;

void Cube::CopyUnfolded(const Cube& other) {
  const auto& theirs = other.Frozen();
  Thaw();
  for (const auto& e : theirs) {
    const auto facet = static_cast<Facet>(e.key >> kFacetShift);
    // Org ids are the registry's, so the cells carry over unchanged.
    if (facet == Facet::kDecision || facet == Facet::kFlow)
      entries_[KeyDay{e.key, e.day}] += e.count;
  }
}

void Cube::Load(std::vector<Entry> entries, std::vector<std::string> regions, Order order) {
  frozen_ = std::move(entries);
  auto before = [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.day < b.day;
  };
  const bool sorted =
      order == Order::kSortedAndDistinct ||
      std::adjacent_find(frozen_.begin(), frozen_.end(), [&](const Entry& a, const Entry& b) {
        return !before(a, b);
      }) == frozen_.end();
  entries_.clear();
  if (!sorted) {
    for (const auto& e : frozen_) entries_[KeyDay{e.key, e.day}] += e.count;
    frozen_valid_ = false;
    map_stale_ = false;
  } else {
    frozen_valid_ = true;
    map_stale_ = true;
  }
  regions_ = std::move(regions);
  region_ids_.clear();
  for (std::uint32_t i = 0; i < regions_.size(); ++i) region_ids_.emplace(regions_[i], i);
}

bool Cube::operator==(const Cube& other) const {
  return since_ == other.since_ && horizon_ == other.horizon_ && regions_ == other.regions_ &&
         Entries() == other.Entries();
}

}  // namespace emkhana::stats
