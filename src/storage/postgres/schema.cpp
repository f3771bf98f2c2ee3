#include "storage/postgres/schema.hpp"

#include <fmt/format.h>

#include "storage/postgres/migrations.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/postgres/queries.hpp"

namespace emkhana::storage::postgres {

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<void> Migrate(Connection& conn) {
  const auto& all = Migrations();
  if (auto r = conn.Exec("BEGIN"); !r) return r;
  auto migrated = [&]() -> Result<void> {
    // The lock first: two processes opening a new database must not both create the table.
    if (auto r = conn.Exec(queries::kLockMigrations); !r) return r;
    if (auto r = conn.Exec(queries::kCreateMigrationsTable); !r) return r;
    auto version = conn.Query(queries::kSchemaVersion);
    if (!version) return version.error();
    const auto current = Int(version->get(), 0, 0);
    if (current > static_cast<std::int64_t>(all.size())) {
      return Error::FailedPrecondition(fmt::format(
          "database schema version {} is newer than this program ({})", current, all.size()));
    }
    for (auto v = current + 1; v <= static_cast<std::int64_t>(all.size()); ++v) {
      const auto& m = all[static_cast<std::size_t>(v - 1)];
      if (auto r = conn.Exec(m.sql); !r) {
        return Error::Unavailable(fmt::format("migration {}: {}", m.name, r.error().message));
      }
      Params params;
      params.Add(v).Add(m.name);
      if (auto r = conn.Query(queries::kRecordMigration, params); !r) return r.error();
    }
    return {};
  }();
  if (!migrated) {
    if (!conn.broken()) (void)conn.Exec("ROLLBACK");
    return migrated;
  }
  return conn.Exec("COMMIT");
}

Result<void> CheckSchema(Connection& conn) {
  auto has = conn.Query(queries::kHasMigrationsTable);
  if (!has) return has.error();
  std::int64_t current = 0;
  if (Bool(has->get(), 0, 0)) {
    auto version = conn.Query(queries::kSchemaVersion);
    if (!version) return version.error();
    current = Int(version->get(), 0, 0);
  }
  if (current != LatestSchemaVersion()) {
    return Error::FailedPrecondition(fmt::format(
        "the database read from is at schema version {}, this program needs {}: open the "
        "primary with this program first (it migrates), and let the replica catch up",
        current, LatestSchemaVersion()));
  }
  return {};
}

Result<void> PrepareStatements(Connection& conn) {
  for (const auto& q : queries::kPrepared) {
    if (auto r = conn.Prepare(q.name, q.sql); !r) return r;
  }
  return {};
}

Result<void> Reconnect(Connection& conn, bool& needs_reset) {
  PQreset(conn.get());
  if (conn.broken()) return conn.LastError("reconnect");
  needs_reset = false;
  if (auto r = conn.Exec(Connection::kSessionSettings); !r) return r;
  return PrepareStatements(conn);
}

}  // namespace emkhana::storage::postgres
