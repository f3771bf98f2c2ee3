// `emkhana replay`: runs scenarios against a registry and prints one JSON object per `apply` and
// `query` step (FORMAT.md). Each file runs against a fresh in-memory registry, or, with a
// database path, against that persistent registry in file order. With `check`, results are
// compared with each step's `expect`; mismatches are reported as `FILE:LINE: ...`.
#pragma once

#include <boost/json/object.hpp>

#include <iosfwd>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "registry/registry.hpp"

namespace emkhana::scenario {

struct ReplayOptions {
  bool check = false;
  std::string db;                      // empty: a fresh in-memory registry per file
  bool table = false;                  // human-readable table instead of JSON lines
  std::size_t batch_mutations = 4096;  // group commit size for the store
};

struct ReplaySummary {
  int passed = 0;
  int failed = 0;
  int decisions = 0;
  int queries = 0;
};

// Exit codes: 0 all good; 1 some expectation failed; 2 a scenario or storage error stopped it.
int Replay(const std::vector<std::string>& files, const ReplayOptions& options, std::ostream& out,
           std::ostream& err, ReplaySummary* summary = nullptr);

}  // namespace emkhana::scenario
