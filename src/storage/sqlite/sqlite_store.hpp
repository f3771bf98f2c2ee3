// The embedded SQLite implementation of storage::Store: one database file in WAL mode,
// numbered migrations (migrations/NNNN_*.sql, tracked by PRAGMA user_version), prepared
// statements only (queries.hpp). A WriteBatch is one transaction: one fsync for many decisions.
// It keeps a decision journal (storage::Journal, decision_journal.hpp) and no change log: one
// process owns the file.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

[[nodiscard]] Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// A new database for a one-off bulk load (the generator): fast and not crash-safe until
// BulkLoad::FinishBulkLoad has run.
[[nodiscard]] Result<std::unique_ptr<BulkLoad>> OpenSqliteStoreForBulkLoad(const std::string& path);

// The schema version the code migrates to.
int LatestSchemaVersion();

}  // namespace emkhana::storage::sqlite
