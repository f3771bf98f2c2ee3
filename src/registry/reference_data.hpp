// The organisations and districts a registry holds, with the indexes decisions find them by.
// Objects never move (the rules keep pointers to them), and a district handed out is found back
// from its address (IndexOf), so the capacity questions cost no hash lookup per candidate
// (ADR 0012) and the domain type carries nothing of the registry's.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/string_hash.hpp"
#include "domain/model.hpp"
#include "registry/stable_array.hpp"

namespace emkhana::registry {

class ReferenceData {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;  // no such index

  // Adds the organisation or replaces the one with its id; returns its index.
  std::uint32_t PutOrganisation(domain::Organisation org);
  // Closes (liquidates or reorganises into `successor`) from `date`.
  void CloseOrganisation(std::uint32_t org, domain::Date date, const std::string& successor);

  struct PutDistrictResult {
    std::uint32_t index;
    bool added;  // false: an existing district was replaced in place
  };
  // Adds the district or replaces the one with its id. Refuses an unknown organisation, negative
  // sizes, and a district that would change organisation; nothing changes then.
  Result<PutDistrictResult> PutDistrict(domain::District district);
  // What PutDistrict would refuse, without changing anything.
  Result<void> CheckDistrict(const domain::District& district) const;

  std::size_t org_count() const { return orgs_.size(); }
  std::size_t district_count() const { return districts_.size(); }
  const domain::Organisation& org(std::uint32_t index) const { return orgs_[index]; }
  const domain::District& district(std::uint32_t index) const { return districts_[index]; }
  // The organisation index of a district (by district index).
  std::uint32_t OrgOf(std::uint32_t district) const { return district_org_[district]; }

  std::uint32_t OrgIndex(std::string_view id) const;       // kNone if unknown
  std::uint32_t DistrictIndex(std::string_view id) const;  // kNone if unknown
  // The index of a district: by its address when it is one of ours, else by id; kNone if unknown.
  std::uint32_t IndexOf(const domain::District& d) const {
    if (auto index = districts_.IndexOf(&d)) return *index;
    return DistrictIndex(d.id);
  }

  const domain::Organisation* FindOrg(std::string_view id) const;
  const domain::District* FindDistrict(std::string_view id) const;
  // An organisation's districts in id order.
  std::span<const domain::District* const> DistrictsOf(std::string_view org) const;
  // The organisations of an administrative unit, in id order.
  std::vector<const domain::Organisation*> OrgsInAte(std::string_view ate) const;
  // All organisations, in id order.
  std::vector<const domain::Organisation*> Organisations() const;

 private:
  // Ids to indexes, found from a string_view without a copy. A hash: the ordered maps they
  // replace cost a string compare and a cache miss per tree level, several times per decision.
  using IdIndex =
      boost::unordered_flat_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

  StableArray<domain::Organisation> orgs_;
  std::map<std::string, std::uint32_t, std::less<>> org_order_;  // by id, for listings
  IdIndex org_index_;
  StableArray<domain::District> districts_;
  IdIndex district_index_;
  std::vector<std::uint32_t> district_org_;  // by district index: the org's index
  // An organisation's districts in id order (a hash: looked up for every decision).
  boost::unordered_flat_map<std::string, std::vector<const domain::District*>, StringHash,
                            std::equal_to<>>
      districts_by_org_;
  std::map<std::string, std::set<std::string>, std::less<>> orgs_by_ate_;
};

}  // namespace emkhana::registry
