// The PostgreSQL 15 implementation of storage::Store, on libpq: the production backend.
//
// - Location: a `postgresql://` or `postgres://` URL (libpq's URI syntax); the tables live in
//   the connection's search_path (normally `public`), so a URL with
//   `?options=-csearch_path%3Dname` keeps one registry per schema.
// - Schema: numbered migrations (migrations/NNNN_*.sql), each applied in one transaction under
//   an advisory lock and recorded in schema_migrations; reopening applies nothing twice. A
//   database migrated by a newer program is refused (kFailedPrecondition).
// - Commit: one transaction per WriteBatch. Its statements are prepared once per connection
//   (queries.hpp) and pipelined (libpq pipeline mode), a sync point every few hundred statements,
//   so a batch of thousands of rows costs a handful of round trips. All or nothing: the first
//   failing statement rolls the whole batch back.
// - Load: streams rows through server-side cursors, fetched in chunks, all in one
//   REPEATABLE READ READ ONLY transaction (a consistent picture even while others write); the
//   client never holds a whole table.
// - Errors: a refused or lost connection is kUnavailable (the URL's password redacted); a
//   violated key, foreign key, CHECK or append-only trigger is kFailedPrecondition. A connection
//   found broken is re-established before the next call.
// - Several writers (ADR 0006): the store is its own storage::ChangeLog. A Commit that changes
//   the registry appends the batch to change_log in its transaction, under a transaction-scoped
//   advisory lock (the writers' lock), so that log positions follow commit order. BeginTurn
//   takes that lock in an open transaction and reads the log after the caller's position; the
//   next Commit continues that transaction. Idempotency keys are a table with the key as
//   primary key. No decision journal: a batch goes to the tables at once.
// - Not thread-safe, like every Store: one owner at a time. Several processes may open the same
//   database; they take turns to write (above).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "storage/store.hpp"

namespace emkhana::storage::postgres {

// True for the locations this backend opens.
bool IsPostgresUrl(std::string_view location);

[[nodiscard]] Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);

// A database holding no registry (refused otherwise: kFailedPrecondition) for a one-off bulk load
// (the generator): everything from here to BulkLoad::FinishBulkLoad is one transaction, rows go
// by COPY (each organisation, district, person and attachment at most once), foreign keys and
// the big tables' secondary indexes are put back at the end, then ANALYZE. Nothing is visible to
// others, or durable, before FinishBulkLoad; a failed or abandoned load leaves the database as
// it was.
[[nodiscard]] Result<std::unique_ptr<BulkLoad>> OpenPostgresStoreForBulkLoad(
    const std::string& url);

// The same database for reading only, e.g. a streaming replica (hot standby): nothing is
// migrated (a schema other than the latest is refused: kFailedPrecondition), and Commit,
// BeginTurn and SaveStats are refused. Load, the reads and the change log work as on the primary.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenPostgresReadStore(const std::string& url);

// The schema version the code migrates to.
int LatestSchemaVersion();

}  // namespace emkhana::storage::postgres
