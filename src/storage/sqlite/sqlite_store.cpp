// The SQLite Store: commits to the decision journal or the tables, loads, answers queries. The
// work is done by TableWriter, DecisionJournal, LoadTables and the reads of store_queries.hpp;
// this class orders it (the journal before any read of the tables) and owns the connection.
#include "storage/sqlite/sqlite_store.hpp"

#include <memory>
#include <optional>

#include "storage/sqlite/decision_journal.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/store_load.hpp"
#include "storage/sqlite/store_queries.hpp"
#include "storage/sqlite/table_writer.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"

namespace emkhana::storage::sqlite {

namespace {

class SqliteStore final : public Store, public Journal {
 public:
  // `db` configured (schema.hpp). Checkpoints run beside the commits (a file only: memory has
  // no WAL).
  explicit SqliteStore(Connection db)
      : db_(std::move(db)),
        path_(DatabaseFile(db_)),
        checkpointer_(path_.empty() ? nullptr
                                    : std::make_unique<WalCheckpointer>(db_.get(), path_)),
        tables_(db_, /*bulk=*/false),
        journal_(db_, tables_, path_, checkpointer_.get()) {}

  Result<void> Init() {
    if (auto r = Migrate(db_); !r) return r;
    // The journal is not measured here: a reader (`stats`) must not pay for it. The first
    // journalled commit applies what an earlier run left (its size stays unknown till then).
    if (auto r = tables_.Prepare(); !r) return r;
    if (auto r = journal_.Prepare(); !r) return r;
    for (auto [stmt, sql] : {std::pair{&find_application_, queries::kFindApplication},
                             std::pair{&mark_stats_stale_, queries::kMarkStatsStale},
                             std::pair{&save_stats_, queries::kSaveStats}}) {
      auto s = db_.Prepare(sql);
      if (!s) return s.error();
      *stmt = std::move(*s);
    }
    return {};
  }

  Result<void> Commit(const WriteBatch& batch) override;
  std::int64_t commits() const override { return commits_; }

  // A sink that takes the journal's batches (LoadWithPending: the registry) gets them as they
  // are: nothing is written, so a restart needs no free space, however large the journal
  // (ADR 0021). Load gives them in the tables, which it writes first.
  Result<void> Load(LoadSink& sink) override {
    if (auto r = journal_.ApplyAll(); !r) return r;
    return LoadAsOfOneMoment(sink, nullptr);
  }
  Result<void> LoadWithPending(LoadSink& sink, PendingSink& pending) override {
    return LoadAsOfOneMoment(sink, &pending);
  }
  Result<bool> ApplyJournal(std::int64_t max_records) override {
    return journal_.Apply(max_records);
  }

  Result<StoreCounts> Counts() override {
    if (auto r = journal_.ApplyAll(); !r) return r.error();
    return ReadCounts(db_);
  }
  Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject, int limit) override {
    if (auto r = journal_.ApplyAll(); !r) return r.error();
    return ReadAuditTrail(db_, subject, limit);
  }
  Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after, int limit) override {
    if (auto r = journal_.ApplyAll(); !r) return r.error();
    return ReadAuditPage(db_, after, limit);
  }
  Result<std::optional<DecidedApplication>> FindApplication(const std::string& id) override;
  Result<std::vector<DecidedApplication>> ListApplications(const ApplicationQuery& q) override {
    if (q.org.empty() == q.iin.empty()) {
      return Error::InvalidArgument("list by an organisation or by a person");
    }
    if (auto r = journal_.ApplyAll(); !r) return r.error();
    return ReadApplicationList(db_, q);
  }
  // Persons are never journalled: the tables know.
  Result<std::string> PersonName(const std::string& iin) override {
    return ReadPersonName(db_, iin);
  }
  Result<std::vector<std::string>> SamplePersons(std::int64_t n, std::uint64_t seed) override {
    return DrawPersons(db_, n, seed);
  }

  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    return WriteStats(db_, save_stats_, header, entries);
  }
  Result<std::optional<StoredStats>> LoadStats() override { return ReadStats(db_); }

  ChangeLog* change_log() override { return nullptr; }  // one process owns the file
  Journal* journal() override { return this; }

 private:
  Result<void> LoadAsOfOneMoment(LoadSink& sink, PendingSink* pending);

  Connection db_;
  const std::string path_;                               // the database file ("" in memory)
  const std::unique_ptr<WalCheckpointer> checkpointer_;  // after db_: stops before it closes
  TableWriter tables_;
  DecisionJournal journal_;
  std::int64_t commits_ = 0;
  Statement find_application_, mark_stats_stale_, save_stats_;
};

// A batch of decisions (only journalled mutations) is appended to the decision journal; any
// other batch is written to the tables, after what the journal holds, so that the tables
// always change in commit order.
Result<void> SqliteStore::Commit(const WriteBatch& batch) {
  if (batch.empty()) return {};
  const bool journalled = DecisionJournal::Takes(batch);
  if (!journalled) {
    if (auto r = journal_.Apply(DecisionJournal::kAllRecords); !r) return r.error();
  } else if (auto r = journal_.Ready(); !r) {
    return r;
  }
  if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r;
  DecisionJournal::Appended appended;
  auto written = journalled ? journal_.Append(batch, appended) : tables_.Write(batch);
  if (written) written = mark_stats_stale_.Run();
  if (written) written = db_.Exec("COMMIT");
  if (!written) {
    (void)db_.Exec("ROLLBACK");
    if (journalled) journal_.Forget(appended);
    return written;
  }
  ++commits_;
  if (journalled) journal_.Committed();
  return {};
}

// One read transaction: the tables and the journal as of one moment, even if another process
// applies the journal meanwhile. Inside a caller's transaction that one is enough.
Result<void> SqliteStore::LoadAsOfOneMoment(LoadSink& sink, PendingSink* pending) {
  const bool began = static_cast<bool>(db_.Exec("BEGIN"));
  auto loaded = LoadTables(db_, sink, tables_.known());
  if (loaded && pending) loaded = journal_.Load(*pending);
  if (began) (void)db_.Exec("COMMIT");
  if (loaded) tables_.known().loaded = true;
  return loaded;
}

// Answered even when the journal cannot be written to the tables for want of space
// (kUnavailable): from the tables, else from the journal, so that a client's retry finds its
// decision and the registry does not decide it again. Other failures (a damaged record, one the
// tables refuse) are a bug to mend, and reported.
Result<std::optional<DecidedApplication>> SqliteStore::FindApplication(const std::string& id) {
  auto applied = journal_.ApplyAll();
  if (!applied && applied.error().code != ErrorCode::kUnavailable) return applied.error();
  // The tables and the journal as of one moment.
  const bool began = !applied && static_cast<bool>(db_.Exec("BEGIN"));
  find_application_.Bind(1, id);
  Error error{ErrorCode::kInternal, ""};
  Result<std::optional<DecidedApplication>> found = std::nullopt;
  if (find_application_.Step(&error)) found = ReadApplication(find_application_);
  find_application_.Reset();
  if (!error.message.empty()) {
    found = error;
  } else if (!applied && !*found) {
    found = journal_.Find(id);
  }
  if (began) (void)db_.Exec("COMMIT");
  return found;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  auto db = Connection::Open(path);
  if (!db) return db.error();
  if (auto r = Configure(*db); !r) return r.error();
  auto store = std::make_unique<SqliteStore>(std::move(*db));
  if (auto r = store->Init(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace emkhana::storage::sqlite
