// In-process lookups of a person's attachment by IIN (Registry::WhereOn) on a registry opened
// from a database: the figure for "lookups by IIN in-process" (issue 4), on one core.
//   emkhana_lookup_bench --db PATH [google-benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <memory>

#include "core/clock.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "storage/store.hpp"

namespace {

std::unique_ptr<emkhana::storage::Store> g_store;
std::unique_ptr<emkhana::registry::Registry> g_registry;
std::vector<emkhana::domain::Iin> g_iins;

void BM_WhereOnByIin(benchmark::State& state) {
  const auto day = emkhana::domain::Date::Ymd(2026, 11, 22);
  std::size_t i = 0, attached = 0;
  for (auto _ : state) {
    const auto where = g_registry->WhereOn(g_iins[i], day);
    attached += !where.org.empty();
    benchmark::DoNotOptimize(where);
    if (++i == g_iins.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["attached_share"] =
      static_cast<double>(attached) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_WhereOnByIin);

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--db") == 0) db = argv[i + 1];
  }
  if (db.empty()) {
    std::cerr << "usage: emkhana_lookup_bench --db PATH [benchmark flags]\n";
    return 2;
  }
  auto store = emkhana::storage::OpenStore(db);
  if (!store) return 2;
  g_store = std::move(*store);
  emkhana::SystemClock clock;
  auto reg = emkhana::registry::Registry::Open(*g_store, clock, emkhana::policy::DefaultPolicy());
  if (!reg) {
    std::cerr << db << ": " << reg.error().message << "\n";
    return 2;
  }
  g_registry = std::move(*reg);
  // A random sample, so that lookups miss the CPU caches as real requests do.
  std::uint64_t x = 88172645463325252ull;
  for (int k = 0; k < 1'000'000; ++k) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    g_iins.push_back(g_registry->PersonIinAt(x % g_registry->person_count()));
  }
  std::vector<char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--db") == 0) {
      ++i;
      continue;
    }
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
