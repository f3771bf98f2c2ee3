#include "registry/population.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace emkhana::registry {

using domain::Date;

Result<std::uint16_t> AteCodes::Intern(std::string_view code) {
  if (code.empty()) return std::uint16_t{0};
  if (auto it = ids_.find(std::string(code)); it != ids_.end()) return it->second;
  if (names_.size() > UINT16_MAX) {
    return Error::FailedPrecondition("more than 65535 administrative-territorial units");
  }
  const auto id = static_cast<std::uint16_t>(names_.size());
  names_.emplace_back(code);
  ids_.emplace(std::string(code), id);
  return id;
}

Result<std::uint32_t> Population::Put(const domain::Person& p) {
  PersonRow row;
  row.iin = p.iin.number();
  row.birth = p.birth.days();
  row.deceased = p.deceased ? p.deceased->days() : INT32_MIN;
  row.categories = p.categories.bits;
  row.sex = static_cast<std::uint8_t>(p.sex);
  row.status = static_cast<std::uint8_t>(p.status);
  row.osms_category = static_cast<std::uint8_t>(p.osms.category);
  row.osms_payer = static_cast<std::uint8_t>(p.osms.payer);
  row.osms_insured = p.osms.insured ? 1 : 0;
  if (p.insurance) {
    row.insurance = static_cast<std::uint8_t>(1 + static_cast<int>(p.insurance->kind));
    row.insurance_from = p.insurance->from.days();
    row.insurance_until = p.insurance->until.days();
  }
  for (int i = 0; i < domain::kAteRoleCount; ++i) {
    auto id = ates_.Intern(p.ate[i]);
    if (!id) return id.error();
    row.ate[i] = *id;
  }
  if (p.representatives.size() > UINT8_MAX) {
    return Error::InvalidArgument("person: too many representatives");
  }
  row.representatives_begin = static_cast<std::uint32_t>(representatives_.size());
  row.representatives_count = static_cast<std::uint8_t>(p.representatives.size());
  const auto [index, inserted] =
      by_iin_.TryEmplace(row.iin, static_cast<std::uint32_t>(rows_.size()));
  for (const auto& r : p.representatives) {
    auto& head = represented_head_[r.number()];
    represented_next_.push_back(head);
    head = static_cast<std::uint32_t>(representatives_.size()) + 1;
    representatives_.push_back(r.number());
    represented_person_.push_back(index);
  }
  if (inserted) {
    rows_.push_back(row);
  } else {
    row.first_period = rows_[index].first_period;  // periods survive a register update
    rows_[index] = row;
  }
  return index;
}

std::vector<domain::Iin> Population::RepresentativesOf(std::uint32_t index) const {
  const auto& row = rows_[index];
  std::vector<domain::Iin> out;
  for (std::uint32_t k = 0; k < row.representatives_count; ++k) {
    out.push_back(
        domain::Iin::FromNumberUnchecked(representatives_[row.representatives_begin + k]));
  }
  return out;
}

std::vector<std::uint32_t> Population::Represented(const domain::Iin& representative) const {
  std::vector<std::uint32_t> out;
  auto head = represented_head_.find(representative.number());
  if (head == represented_head_.end()) return out;
  for (auto slot = head->second; slot != 0; slot = represented_next_[slot - 1]) {
    const auto person = represented_person_[slot - 1];
    const auto& row = rows_[person];
    // A slot of an earlier version of the person stays in the chain: it counts only when the
    // person's current row still names this representative.
    const bool current = slot - 1 >= row.representatives_begin &&
                         slot - 1 < row.representatives_begin + row.representatives_count;
    if (current) out.push_back(person);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::uint32_t> Population::Find(const domain::Iin& iin) const {
  return by_iin_.Find(iin.number());
}

std::string_view Population::RegionOf(std::uint32_t index) const {
  const auto& row = rows_[index];
  auto ate = row.ate[static_cast<int>(domain::AteRole::kResidence)];
  if (ate == 0) ate = row.ate[static_cast<int>(domain::AteRole::kRegistration)];
  return domain::RegionOfAte(ates_.Name(ate));
}

void Population::Reserve(std::size_t persons) {
  rows_.reserve(persons);
  by_iin_.Reserve(persons);
  // Address space, not memory, for the periods decisions will add: a vector that doubles while
  // serving moves every period at once (560 MB at 20 million).
  periods_.reserve(persons + persons / 4);
}

domain::Person Population::Materialise(std::uint32_t index) const {
  const auto& row = rows_[index];
  domain::Person p;
  p.iin = domain::Iin::FromNumberUnchecked(row.iin);
  p.birth = Date::FromDays(row.birth);
  if (row.deceased != INT32_MIN) p.deceased = Date::FromDays(row.deceased);
  p.categories.bits = row.categories;
  p.sex = static_cast<domain::Sex>(row.sex);
  p.status = static_cast<domain::LegalStatus>(row.status);
  p.osms.category = static_cast<domain::OsmsCategory>(row.osms_category);
  p.osms.payer = static_cast<domain::OsmsPayer>(row.osms_payer);
  p.osms.insured = row.osms_insured != 0;
  if (row.insurance != 0) {
    p.insurance =
        domain::Insurance{static_cast<domain::InsuranceKind>(row.insurance - 1),
                          Date::FromDays(row.insurance_from), Date::FromDays(row.insurance_until)};
  }
  for (int i = 0; i < domain::kAteRoleCount; ++i) p.ate[i] = ates_.Name(row.ate[i]);
  for (std::uint32_t k = 0; k < row.representatives_count; ++k) {
    p.representatives.push_back(
        domain::Iin::FromNumberUnchecked(representatives_[row.representatives_begin + k]));
  }
  return p;
}

std::uint32_t Population::InsertPeriod(const PeriodRow& row) {
  auto& rows = row.planned ? plans_ : periods_;
  rows.push_back(row);
  const auto id = row.planned ? kFirstPlanId + static_cast<std::uint32_t>(plans_.size() - 1)
                              : static_cast<std::uint32_t>(periods_.size());
  Link(id);
  return id;
}

Result<void> Population::LoadPeriod(std::uint32_t id, const PeriodRow& row) {
  if (id <= periods_.size()) {
    return Error::Internal(fmt::format("attachment id {} out of order", id));
  }
  PeriodRow hole;
  hole.end = static_cast<std::uint8_t>(domain::PeriodEnd::kCancelled);
  while (periods_.size() + 1 < id) periods_.push_back(hole);
  periods_.push_back(row);
  Link(id);
  return {};
}

// Puts period `id` into its person's list, after every period that starts on or before it.
void Population::Link(std::uint32_t id) {
  auto& p = period(id);
  p.next = 0;
  std::uint32_t* slot = &rows_[p.person].first_period;
  while (*slot != 0 && period(*slot).from <= p.from) slot = &period(*slot).next;
  p.next = *slot;
  *slot = id;
}

}  // namespace emkhana::registry
