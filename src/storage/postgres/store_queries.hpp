// The PostgreSQL store's answers outside the commit path (storage::Queries) and its statistics
// snapshot, through the statements prepared on the connection (schema.hpp). Used by the store
// and the bulk load; only inside storage/postgres.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/pg_conn.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::postgres {

// A decided application from row `i` of a result of the queries that select one (queries.hpp:
// its 22 columns in the order of kFindApplication).
DecidedApplication ReadApplication(const PGresult* r, int i);

[[nodiscard]] Result<StoreCounts> ReadCounts(Connection& conn);
[[nodiscard]] Result<std::vector<AuditEntry>> ReadAuditTrail(Connection& conn,
                                                             const std::string& subject, int limit);
[[nodiscard]] Result<std::vector<StoredAuditEntry>> ReadAuditPage(Connection& conn,
                                                                  std::int64_t after, int limit);
[[nodiscard]] Result<std::optional<DecidedApplication>> FindDecided(Connection& conn,
                                                                    const std::string& id);
// By organisation or by person: the caller checks that the query names one of them.
[[nodiscard]] Result<std::vector<DecidedApplication>> ReadApplicationList(
    Connection& conn, const ApplicationQuery& q);
[[nodiscard]] Result<std::string> ReadPersonName(Connection& conn, const std::string& iin);
[[nodiscard]] Result<std::vector<std::string>> DrawPersons(Connection& conn, std::int64_t n,
                                                           std::uint64_t seed);

[[nodiscard]] Result<void> WriteStats(Connection& conn, const std::string& header,
                                      const std::string& entries);
[[nodiscard]] Result<std::optional<StoredStats>> ReadStats(Connection& conn);

}  // namespace emkhana::storage::postgres
