// A realistic attachment campaign over an existing registry: who applies, through which channel,
// on which basis, to which clinic, including the mistakes that real applications carry (so that
// every refusal ground appears in realistic shares). The applications are plain domain values:
// the caller decides them through the decision pipeline or writes them out as a scenario.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "domain/model.hpp"
#include "registry/registry.hpp"

namespace emkhana::campaign {

struct CampaignOptions {
  std::int64_t applications = 0;
  std::uint64_t seed = 1;
  int year = 0;  // the campaign year (applications in its window, moves on 1 January after)
};

// Applications in date order (ids "C<year>-<nnnnnnnn>"). Reads the registry, changes nothing.
std::vector<domain::Application> MakeApplications(const registry::Registry& registry,
                                                  const CampaignOptions& options);

// One replay `apply` step (shared/conformance/FORMAT.md) per line.
void WriteScenario(const std::vector<domain::Application>& apps, std::ostream& out);

}  // namespace emkhana::campaign
