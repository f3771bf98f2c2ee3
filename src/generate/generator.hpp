// `emkhana generate`: a synthetic Kazakhstan, streamed into a new registry database.
//
// People are made in IIN order (birth date, century and sex, serial), so the person table and
// its primary key grow at the end; every person's attributes come from a random source seeded
// by (seed, IIN), so the result is the same for a seed whatever the batch sizes. Memory holds the
// places, the quotas and, for households, the IINs of possible parents (about 8 bytes for each
// person aged 20-50): never the people themselves.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/date.hpp"
#include "storage/store.hpp"

namespace emkhana::generate {

struct GenerateOptions {
  std::int64_t population = 0;
  std::uint64_t seed = 1;
  domain::Date as_of;  // the registry's "today": ages, attachment dates and insurance around it
};

struct GenerateSummary {
  std::int64_t persons = 0, men = 0, women = 0, children = 0, elderly = 0;  // 0-17, 60+
  std::int64_t attached = 0, representatives = 0, insured = 0;
  std::int64_t regions = 0, units = 0, organisations = 0, private_orgs = 0, rural_orgs = 0,
               districts = 0;
  std::int64_t by_status[6] = {};
  std::vector<std::string> over_full_districts;  // planned above capacity on purpose
  boost::json::value ToJson() const;
};

// Called now and then with (persons written, persons planned).
using Progress = std::function<void(std::int64_t, std::int64_t)>;

[[nodiscard]] Result<GenerateSummary> Generate(const GenerateOptions& options,
                                               storage::BulkLoad& store, const Progress& progress);

}  // namespace emkhana::generate
