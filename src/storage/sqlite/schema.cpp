#include "storage/sqlite/schema.hpp"

#include <fmt/format.h>

#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace emkhana::storage::sqlite {

Result<void> Configure(Connection& db) {
  // FULL: every commit syncs the WAL, so that a decision acknowledged after its group commit
  // survives a power cut (NORMAL syncs only at checkpoints). One sync per batch (ADR 0017).
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                             "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000",
                             // A registry is read and written all over: keep its pages in
                             // memory.
                             "PRAGMA cache_size = -262144", "PRAGMA mmap_size = 1073741824",
                             "PRAGMA temp_store = MEMORY"}) {
    if (auto r = db.Exec(pragma); !r) return r;
  }
  return {};
}

Result<void> Migrate(Connection& db) {
  auto version = db.Prepare("PRAGMA user_version");
  if (!version) return version.error();
  int current = 0;
  if (version->Step(nullptr)) current = static_cast<int>(version->Int(0));
  *version = Statement{};  // finalised: an open statement would lock the schema (DROP INDEX)
  const auto& all = Migrations();
  if (current > static_cast<int>(all.size())) {
    return Error::FailedPrecondition(fmt::format(
        "database schema version {} is newer than this program ({})", current, all.size()));
  }
  for (int v = current + 1; v <= static_cast<int>(all.size()); ++v) {
    const auto& m = all[static_cast<std::size_t>(v - 1)];
    auto script = fmt::format("BEGIN; {}\nPRAGMA user_version = {}; COMMIT;", m.sql, v);
    if (auto r = db.Exec(script); !r) {
      (void)db.Exec("ROLLBACK");
      return Error::Unavailable(fmt::format("migration {}: {}", m.name, r.error().message));
    }
  }
  return {};
}

std::string DatabaseFile(const Connection& db) {
  const char* file = sqlite3_db_filename(db.get(), "main");
  return file ? std::string(file) : std::string();
}

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

}  // namespace emkhana::storage::sqlite
