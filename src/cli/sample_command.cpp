// `emkhana sample`: random IINs of the registry (with repetition), for benchmarks and demos.
#include <iostream>

#include "cli/commands.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

int RunSample(const SampleOptions& o) {
  if (o.persons < 0) {
    std::cerr << "sample: --persons must not be negative\n";
    return 2;
  }
  auto store = storage::OpenStore(o.db);
  if (!store) {
    std::cerr << o.db << ": " << store.error().message << "\n";
    return 2;
  }
  auto iins = (*store)->SamplePersons(o.persons, o.seed);
  if (!iins) {
    std::cerr << o.db << ": " << iins.error().message << "\n";
    return 2;
  }
  std::string out;
  out.reserve(iins->size() * 13);
  for (const auto& iin : *iins) {
    out += iin;
    out += '\n';
  }
  std::cout << out;
  return 0;
}

}  // namespace emkhana::cli
