#include "storage/sqlite/store_queries.hpp"

#include <algorithm>

#include "core/huge_pages.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/table_writer.hpp"

namespace emkhana::storage::sqlite {

Result<StoreCounts> ReadCounts(Connection& db) {
  auto s = db.Prepare(queries::kCounts);
  if (!s) return s.error();
  Error error{ErrorCode::kInternal, ""};
  if (!s->Step(&error)) return error;
  return StoreCounts{s->Int(0), s->Int(1), s->Int(2), s->Int(3), s->Int(4), s->Int(5), s->Int(6)};
}

Result<std::vector<AuditEntry>> ReadAuditTrail(Connection& db, const std::string& subject,
                                               int limit) {
  auto s = db.Prepare(queries::kAuditBySubject);
  if (!s) return s.error();
  s->Bind(1, subject).Bind(2, limit);
  std::vector<AuditEntry> out;
  Error error{ErrorCode::kInternal, ""};
  while (s->Step(&error)) {
    out.push_back(
        {s->Int(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), s->Text(5), s->Text(6)});
  }
  if (!error.message.empty()) return error;
  return out;
}

Result<std::vector<StoredAuditEntry>> ReadAuditPage(Connection& db, std::int64_t after, int limit) {
  auto s = db.Prepare(queries::kAuditPage);
  if (!s) return s.error();
  s->Bind(1, after).Bind(2, limit);
  std::vector<StoredAuditEntry> out;
  Error error{ErrorCode::kInternal, ""};
  while (s->Step(&error)) {
    out.push_back({s->Int(0),
                   {s->Int(1), s->Text(2), s->Text(3), s->Text(4), s->Text(5), s->Text(6),
                    s->Text(7), s->Text(8), s->Text(9), s->Text(10)}});
  }
  if (!error.message.empty()) return error;
  return out;
}

Result<std::vector<DecidedApplication>> ReadApplicationList(Connection& db,
                                                            const ApplicationQuery& q) {
  auto s = db.Prepare(q.org.empty() ? queries::kApplicationsByPerson : queries::kApplicationsByOrg);
  if (!s) return s.error();
  s->Bind(1, q.org.empty() ? q.iin : q.org)
      .Bind(2, q.outcome)
      .Bind(3, q.from == domain::Date::Min() ? std::string("0000-01-01") : q.from.ToString())
      .Bind(4, q.to.IsMax() ? std::string("9999-12-31") : q.to.ToString())
      .Bind(5, q.limit)
      .Bind(6, q.offset);
  std::vector<DecidedApplication> out;
  Error error{ErrorCode::kInternal, ""};
  while (s->Step(&error)) out.push_back(ReadApplication(*s));
  if (!error.message.empty()) return error;
  return out;
}

Result<std::string> ReadPersonName(Connection& db, const std::string& iin) {
  auto s = db.Prepare(queries::kPersonName);
  if (!s) return s.error();
  s->Bind(1, iin);
  Error error{ErrorCode::kInternal, ""};
  std::string name;
  if (s->Step(&error)) name = s->Text(0);
  if (!error.message.empty()) return error;
  return name;
}

Result<std::vector<std::string>> DrawPersons(Connection& db, std::int64_t n, std::uint64_t seed) {
  std::vector<std::string> out;
  auto range = db.Prepare("SELECT min(rowid), max(rowid) FROM person");
  if (!range) return range.error();
  Error error{ErrorCode::kInternal, ""};
  if (!range->Step(&error) || range->IsNull(0)) {
    if (!error.message.empty()) return error;
    return out;  // nobody registered
  }
  const std::int64_t lo = range->Int(0), hi = range->Int(1);
  // A random rowid, then the first person at or after it (rowids may have gaps).
  auto pick = db.Prepare("SELECT iin FROM person WHERE rowid >= ?1 ORDER BY rowid LIMIT 1");
  if (!pick) return pick.error();
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, n)));
  for (std::int64_t i = 0; i < n; ++i) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
    pick->Bind(1, lo + static_cast<std::int64_t>(state % static_cast<std::uint64_t>(hi - lo + 1)));
    if (pick->Step(&error)) out.push_back(pick->Text(0));
    pick->Reset();
    if (!error.message.empty()) return error;
  }
  return out;
}

Result<void> WriteStats(Connection& db, Statement& save, const std::string& header,
                        const std::string& entries) {
  if (auto r = db.Exec("BEGIN IMMEDIATE"); !r) return r;
  if (auto r = save.Bind(1, header).BindBlob(2, entries).Run(); !r) {
    (void)db.Exec("ROLLBACK");
    return r;
  }
  return db.Exec("COMMIT");
}

namespace {

Result<std::optional<StoredStats>> ReadStatsInTransaction(Connection& db) {
  auto s = db.Prepare(queries::kLoadStats);
  if (!s) return s.error();
  Error error{ErrorCode::kInternal, ""};
  if (!s->Step(&error)) {
    if (!error.message.empty()) return error;
    return std::optional<StoredStats>();
  }
  StoredStats out{s->Text(0), {}, s->Int(2) != 0};
  const auto bytes = s->Int(1);
  sqlite3_blob* blob = nullptr;
  int rc = sqlite3_blob_open(db.get(), "main", "stats_snapshot", "entries", s->Int(3), 0, &blob);
  if (rc == SQLITE_OK && bytes > 0) {
    out.entries.reserve(static_cast<std::size_t>(bytes));
    AdviseHugePages(out.entries.data(), out.entries.capacity());
    out.entries.resize(static_cast<std::size_t>(bytes));
    rc = sqlite3_blob_read(blob, out.entries.data(), static_cast<int>(bytes), 0);
  }
  sqlite3_blob_close(blob);
  if (rc != SQLITE_OK) {
    return Error::Internal(std::string("reading the statistics snapshot: ") +
                           sqlite3_errmsg(db.get()));
  }
  return std::optional<StoredStats>(std::move(out));
}

}  // namespace

// The header and the entries in one read transaction. The entries (17 MB at 20 M people) are
// read straight into their buffer by incremental blob I/O: a statement's column would first be
// put together in a buffer of SQLite's own and then copied.
Result<std::optional<StoredStats>> ReadStats(Connection& db) {
  // Inside a caller's transaction (a bulk load) that one is enough.
  const bool began = static_cast<bool>(db.Exec("BEGIN"));
  auto loaded = ReadStatsInTransaction(db);
  if (began) (void)db.Exec("COMMIT");
  return loaded;
}

}  // namespace emkhana::storage::sqlite
