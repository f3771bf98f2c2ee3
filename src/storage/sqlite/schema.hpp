// Opening a SQLite registry database: the connection's settings and the numbered migrations
// (migrations/NNNN_*.sql, tracked by PRAGMA user_version). Used only inside storage/sqlite.
#pragma once

#include <string>

#include "core/error.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace emkhana::storage::sqlite {

// The settings of every store's connection: WAL, every commit synced, foreign keys, a large
// page cache.
[[nodiscard]] Result<void> Configure(Connection& db);

// Applies the migrations the database has not had yet, each in its own transaction. A database
// migrated by a newer program is refused (kFailedPrecondition).
[[nodiscard]] Result<void> Migrate(Connection& db);

// The database's file ("" in memory).
std::string DatabaseFile(const Connection& db);

}  // namespace emkhana::storage::sqlite
