// A self-contained picture of the registry for statistics: the cube and the dictionaries that
// name its cells (regions, organisations, districts) with the policy in force, so that `stats`
// and `funding` answer from the database's snapshot without loading 20 million people.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/model.hpp"
#include "stats/cube.hpp"
#include "stats/packed_entries.hpp"

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
  // The counts: in the cube's memory, or (for one answer from the database) still packed as
  // stored, when the cube holds only its window and regions. Walking the packed form once costs
  // less than making 60 MB of entries for a 20 M registry.
  Cube cube;
  std::string packed;

  // Every cell in key order, from whichever form holds them; false if the packed form is
  // damaged. f returns false to stop.
  template <class F>
  [[nodiscard]] bool ForEachRawCell(F&& f) const {
    if (packed.empty()) {
      cube.ForEachRawCell(f);
      return true;
    }
    return stats::packed::WalkCells(packed, cube.since(), f);
  }
};

// The two columns of the stored snapshot: a JSON header and the packed entries.
std::string EncodeHeader(const Snapshot& s);
std::string EncodeEntries(const Cube& cube);
// kInMemory fills the cube; kPacked keeps the entries as they are, for one answer.
enum class Decode { kInMemory, kPacked };
[[nodiscard]] Result<Snapshot> DecodeSnapshot(std::string_view header, std::string entries,
                                              Decode how = Decode::kInMemory);

}  // namespace emkhana::stats
