#include "registry/reference_data.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace emkhana::registry {

std::uint32_t ReferenceData::PutOrganisation(domain::Organisation org) {
  if (auto index = OrgIndex(org.id); index != kNone) {
    auto& existing = orgs_[index];
    orgs_by_ate_[existing.ate].erase(org.id);
    existing = std::move(org);
    orgs_by_ate_[existing.ate].insert(existing.id);
    return index;
  }
  orgs_by_ate_[org.ate].insert(org.id);
  org_order_.emplace(org.id, static_cast<std::uint32_t>(orgs_.size()));
  org_index_.emplace(org.id, static_cast<std::uint32_t>(orgs_.size()));
  return orgs_.Add(std::move(org));
}

void ReferenceData::CloseOrganisation(std::uint32_t org, domain::Date date,
                                      const std::string& successor) {
  orgs_[org].closed_on = date;
  orgs_[org].successor = successor;
}

Result<void> ReferenceData::CheckDistrict(const domain::District& district) const {
  if (OrgIndex(district.org) == kNone) {
    return Error::NotFound(
        fmt::format("district {}: unknown organisation {}", district.id, district.org));
  }
  if (district.doctors < 0 || (district.capacity && *district.capacity < 0)) {
    return Error::InvalidArgument(fmt::format("district {}: negative size", district.id));
  }
  if (const auto* existing = FindDistrict(district.id); existing && existing->org != district.org) {
    return Error::FailedPrecondition(
        fmt::format("district {} belongs to {}", district.id, existing->org));
  }
  return {};
}

Result<ReferenceData::PutDistrictResult> ReferenceData::PutDistrict(domain::District district) {
  if (auto ok = CheckDistrict(district); !ok) return ok.error();
  if (auto index = DistrictIndex(district.id); index != kNone) {
    districts_[index] = std::move(district);  // in place: pointers to it stay valid
    return PutDistrictResult{index, false};
  }
  const auto org = OrgIndex(district.org);
  const auto index = districts_.Add(std::move(district));
  const auto* added = &districts_[index];
  district_index_.emplace(added->id, index);
  district_org_.push_back(org);
  auto& in_org = districts_by_org_[added->org];
  in_org.insert(
      std::lower_bound(in_org.begin(), in_org.end(), added->id,
                       [](const domain::District* d, const std::string& id) { return d->id < id; }),
      added);
  return PutDistrictResult{index, true};
}

std::uint32_t ReferenceData::OrgIndex(std::string_view id) const {
  auto it = org_index_.find(id);
  return it == org_index_.end() ? kNone : it->second;
}

std::uint32_t ReferenceData::DistrictIndex(std::string_view id) const {
  auto it = district_index_.find(id);
  return it == district_index_.end() ? kNone : it->second;
}

const domain::Organisation* ReferenceData::FindOrg(std::string_view id) const {
  const auto index = OrgIndex(id);
  return index == kNone ? nullptr : &orgs_[index];
}

const domain::District* ReferenceData::FindDistrict(std::string_view id) const {
  const auto index = DistrictIndex(id);
  return index == kNone ? nullptr : &districts_[index];
}

std::span<const domain::District* const> ReferenceData::DistrictsOf(std::string_view org) const {
  if (auto it = districts_by_org_.find(org); it != districts_by_org_.end()) return it->second;
  return {};
}

std::vector<const domain::Organisation*> ReferenceData::OrgsInAte(std::string_view ate) const {
  std::vector<const domain::Organisation*> out;
  if (auto it = orgs_by_ate_.find(ate); it != orgs_by_ate_.end()) {
    for (const auto& id : it->second) out.push_back(FindOrg(id));
  }
  return out;
}

std::vector<const domain::Organisation*> ReferenceData::Organisations() const {
  std::vector<const domain::Organisation*> out;
  out.reserve(org_order_.size());
  for (const auto& [id, index] : org_order_) out.push_back(&orgs_[index]);
  return out;
}

}  // namespace emkhana::registry
