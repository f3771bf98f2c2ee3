// `emkhana generate`: a synthetic country into a new database, with a progress bar on a terminal
// and a summary at the end.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/open_snapshot.hpp"
#include "generate/generator.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

int RunGenerate(const GenerateOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  auto as_of = ParseDateOption(o.as_of);
  if (!as_of) {
    std::cerr << "generate: --as-of " << o.as_of << ": expected YYYY-MM-DD\n";
    return 2;
  }
  if (o.population <= 0 || o.population > 100'000'000) {
    std::cerr << "generate: --population must be between 1 and 100000000\n";
    return 2;
  }
  // A file must be new; a PostgreSQL database may exist (made by `createdb`, migrated by `init`)
  // but must hold no registry: the bulk load refuses one that does.
  const bool server = storage::IsServerLocation(o.db);
  const std::string shown = storage::RedactLocation(o.db);
  std::error_code ec;
  if (!server && std::filesystem::exists(o.db, ec)) {
    std::cerr << "generate: " << o.db << " exists; generate into a new file\n";
    return 2;
  }
  auto store = storage::OpenStoreForBulkLoad(o.db);
  if (!store) {
    std::cerr << "generate: " << shown << ": " << store.error().message << "\n";
    return 2;
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto progress = [&](std::int64_t done, std::int64_t total) {
    if (!tty) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int width = 40;
    const int filled = static_cast<int>(width * std::min(1.0, double(done) / double(total)));
    std::cerr << fmt::format("\r[{}{}] {:>5.1f} %  {} / {} persons  {:.0f} s",
                             std::string(filled, '#'), std::string(width - filled, ' '),
                             100.0 * double(done) / double(total), done, total, seconds)
              << std::flush;
  };
  generate::GenerateOptions options{o.population, o.seed, *as_of};
  auto summary = generate::Generate(options, **store, progress);
  if (tty) std::cerr << "\n";
  if (!summary) {
    std::cerr << "generate: " << shown << ": " << summary.error().message << "\n";
    store->reset();                                  // on PostgreSQL, this rolls the load back
    if (!server) std::filesystem::remove(o.db, ec);  // a half-made registry is never left behind
    return 2;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& s = *summary;
  auto pct = [](std::int64_t part, std::int64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  };
  std::cout << fmt::format(
      "{}: {} persons ({:.1f} % women, {:.1f} % under 18, {:.1f} % 60+), {:.1f} % attached, "
      "{:.1f} % insured (OSMS), {} representatives\n"
      "  {} regions, {} units, {} organisations ({} private, {} rural), {} districts ({} planned "
      "over capacity)\n"
      "  seed {}, as of {}, {:.1f} s\n",
      shown, s.persons, pct(s.women, s.persons), pct(s.children, s.persons),
      pct(s.elderly, s.persons), pct(s.attached, s.persons), pct(s.insured, s.persons),
      s.representatives, s.regions, s.units, s.organisations, s.private_orgs, s.rural_orgs,
      s.districts, s.over_full_districts.size(), o.seed, as_of->ToString(), seconds);
  return 0;
}

}  // namespace emkhana::cli
