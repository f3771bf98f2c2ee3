// Reading a SQLite registry's tables back (storage::Loader): every row in the order LoadSink
// documents. Used only inside storage/sqlite.
#pragma once

#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/table_writer.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

// Streams the tables (not the decision journal) to `sink`, noting in `known` the attachments
// and applications read. A row that cannot be read back is reported, never skipped.
[[nodiscard]] Result<void> LoadTables(Connection& db, LoadSink& sink, KnownRows& known);

}  // namespace emkhana::storage::sqlite
