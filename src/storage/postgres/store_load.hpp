// Reading a PostgreSQL registry back (storage::Loader): every table through a server-side
// cursor, fetched in chunks, in the order LoadSink documents; the client never holds a whole
// table. Used only inside storage/postgres.
#pragma once

#include <cstdint>

#include "storage/postgres/pg_conn.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::postgres {

// Streams the tables to `sink` inside the caller's transaction (one snapshot) and returns the
// change log position that the picture includes. A row that cannot be read back is reported,
// never skipped: the registry would be incomplete.
[[nodiscard]] Result<std::int64_t> LoadTables(Connection& conn, LoadSink& sink);

}  // namespace emkhana::storage::postgres
