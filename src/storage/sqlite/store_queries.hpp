// The SQLite store's answers outside the commit path (storage::Queries) and its statistics
// snapshot, over the tables alone: the caller applies the decision journal first. Used by the
// store and the bulk load; only inside storage/sqlite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite/sqlite_db.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

[[nodiscard]] Result<StoreCounts> ReadCounts(Connection& db);
[[nodiscard]] Result<std::vector<AuditEntry>> ReadAuditTrail(Connection& db,
                                                             const std::string& subject, int limit);
[[nodiscard]] Result<std::vector<StoredAuditEntry>> ReadAuditPage(Connection& db,
                                                                  std::int64_t after, int limit);
// By organisation or by person: the caller checks that the query names one of them.
[[nodiscard]] Result<std::vector<DecidedApplication>> ReadApplicationList(
    Connection& db, const ApplicationQuery& q);
[[nodiscard]] Result<std::string> ReadPersonName(Connection& db, const std::string& iin);
[[nodiscard]] Result<std::vector<std::string>> DrawPersons(Connection& db, std::int64_t n,
                                                           std::uint64_t seed);

// `save`: the prepared kSaveStats.
[[nodiscard]] Result<void> WriteStats(Connection& db, Statement& save, const std::string& header,
                                      const std::string& entries);
[[nodiscard]] Result<std::optional<StoredStats>> ReadStats(Connection& db);

}  // namespace emkhana::storage::sqlite
