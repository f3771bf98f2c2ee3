// Opening a PostgreSQL registry database: numbered migrations (migrations/NNNN_*.sql, recorded
// in schema_migrations), the check a read-only replica gets instead, and the statements every
// connection prepares. Used only inside storage/postgres.
#pragma once

#include "core/error.hpp"
#include "storage/postgres/pg_conn.hpp"

namespace emkhana::storage::postgres {

// Each migration not applied yet, in one transaction under an advisory lock (two processes
// opening a new database at once apply nothing twice). A database migrated by a newer program
// is refused (kFailedPrecondition).
[[nodiscard]] Result<void> Migrate(Connection& conn);

// A read-only store (a replica) is never migrated: its schema must be the latest
// (kFailedPrecondition otherwise).
[[nodiscard]] Result<void> CheckSchema(Connection& conn);

// Prepares every statement of queries::kPrepared on the connection (again after a reconnect).
[[nodiscard]] Result<void> PrepareStatements(Connection& conn);

// Re-establishes a connection found broken, or left in an unknown state (`needs_reset`, cleared
// once the new session is up): the session's settings, the statements prepared again.
[[nodiscard]] Result<void> Reconnect(Connection& conn, bool& needs_reset);

}  // namespace emkhana::storage::postgres
