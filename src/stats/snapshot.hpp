// A self-contained picture of the registry for statistics: the cube and the dictionaries that
// name its cells (regions, organisations, districts) with the policy in force, so that `stats`
// and `funding` answer from the database's snapshot without loading 20 million people.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/model.hpp"
#include "stats/cube.hpp"

namespace emkhana::stats {

struct OrgInfo {
  std::string id, name, ate, region;
  bool rural = false, is_private = false;
};

struct DistrictInfo {
  std::string id;
  std::uint32_t org = 0;  // index into Snapshot::orgs
  domain::DistrictKind kind = domain::DistrictKind::kGp;
  int doctors = 1;
  std::optional<int> capacity;
};

struct Snapshot {
  domain::Date as_of;                   // the registry's latest event when the snapshot was taken
  std::vector<OrgInfo> orgs;            // by the cube's org id
  std::vector<DistrictInfo> districts;  // by the cube's district id
  std::string policy_json;              // the policy in force (norms for district capacities)
  Cube cube;
};

// The two columns of the stored snapshot: a JSON header and the packed entries.
std::string EncodeHeader(const Snapshot& s);
std::string EncodeEntries(const Cube& cube);
[[nodiscard]] Result<Snapshot> DecodeSnapshot(std::string_view header, std::string_view entries);

}  // namespace emkhana::stats
