// The PostgreSQL Store and its change log: commits (through StatementPipeline), turns, loading
// and queries (store_load.hpp, store_queries.hpp), over one connection that is re-established
// when found broken.
#include "storage/postgres/postgres_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "storage/change_codec.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/queries.hpp"
#include "storage/postgres/schema.hpp"
#include "storage/postgres/statement_pipeline.hpp"
#include "storage/postgres/store_load.hpp"
#include "storage/postgres/store_queries.hpp"

namespace emkhana::storage::postgres {

namespace {

bool IsAudit(const Mutation& m) { return std::holds_alternative<AuditEntry>(m); }

class PostgresStore final : public Store, public ChangeLog {
 public:
  explicit PostgresStore(Connection conn, bool read_only)
      : conn_(std::move(conn)), read_only_(read_only), pipeline_(conn_, needs_reset_) {}

  Result<void> Init() {
    if (auto r = read_only_ ? CheckSchema(conn_) : Migrate(conn_); !r) return r;
    return PrepareStatements(conn_);
  }

  Result<void> Commit(const WriteBatch& batch) override;
  std::int64_t commits() const override { return commits_; }

  Result<void> Load(LoadSink& sink) override {
    if (auto r = EnsureConnected(); !r) return r;
    if (auto r = conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) return r;
    auto through = LoadTables(conn_, sink);
    if (!through) {
      if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
      return through.error();
    }
    loaded_through_ = *through;
    return conn_.Exec("COMMIT");
  }

  // --- ChangeLog (ADR 0006) ---
  std::int64_t loaded_through() const override { return loaded_through_; }
  std::int64_t last_logged() const override { return last_logged_; }

  Result<std::vector<LoggedBatch>> ChangesAfter(std::int64_t after, int limit) override {
    if (turn_) return Error::Internal("postgresql: ChangesAfter inside a turn");
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadChanges(after, limit);
  }

  Result<std::vector<LoggedBatch>> BeginTurn(std::int64_t after) override {
    if (read_only_) return ReadOnly();
    if (turn_) return Error::Internal("postgresql: a turn is open already");
    if (auto r = EnsureConnected(); !r) return r.error();
    if (auto r = conn_.Exec("BEGIN"); !r) return r.error();
    turn_ = true;
    // Read committed: the read below, after the lock, sees every batch committed before it.
    auto changes = [&]() -> Result<std::vector<LoggedBatch>> {
      if (auto r = conn_.ExecPrepared(queries::kLockWriters.name, {}); !r) return r.error();
      return ReadChanges(after, INT32_MAX);
    }();
    if (!changes) EndTurn();
    return changes;
  }

  void EndTurn() override {
    if (!std::exchange(turn_, false)) return;
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
  }

  Result<std::int64_t> LogPosition() override {
    if (turn_) return Error::Internal("postgresql: LogPosition inside a turn");
    if (auto r = EnsureConnected(); !r) return r.error();
    auto r = conn_.ExecPrepared(queries::kLogPosition.name, {});
    if (!r) return r.error();
    return Int(r->get(), 0, 0);
  }

  // --- Queries, StatsStore ---
  Result<StoreCounts> Counts() override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadCounts(conn_);
  }
  Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject, int limit) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadAuditTrail(conn_, subject, limit);
  }
  Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after, int limit) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadAuditPage(conn_, after, limit);
  }
  Result<std::optional<DecidedApplication>> FindApplication(const std::string& id) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return FindDecided(conn_, id);
  }
  Result<std::vector<DecidedApplication>> ListApplications(const ApplicationQuery& q) override {
    if (q.org.empty() == q.iin.empty()) {
      return Error::InvalidArgument("list by an organisation or by a person");
    }
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadApplicationList(conn_, q);
  }
  Result<std::string> PersonName(const std::string& iin) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadPersonName(conn_, iin);
  }
  Result<std::vector<std::string>> SamplePersons(std::int64_t n, std::uint64_t seed) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return DrawPersons(conn_, n, seed);
  }
  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    if (read_only_) return ReadOnly();
    if (auto r = EnsureConnected(); !r) return r;
    return WriteStats(conn_, header, entries);
  }
  Result<std::optional<StoredStats>> LoadStats() override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadStats(conn_);
  }

  ChangeLog* change_log() override { return this; }
  Journal* journal() override { return nullptr; }  // a batch goes to the tables at once

 private:
  Error ReadOnly() const {
    return Error::FailedPrecondition("postgresql: this connection is for reading (--read-db)");
  }
  Error LostTurn() {
    needs_reset_ = true;
    return Error::Unavailable("postgresql: the connection was lost during the writer's turn");
  }

  // The change log after `after` (inside a turn: in its transaction).
  Result<std::vector<LoggedBatch>> ReadChanges(std::int64_t after, int limit) {
    Params params;
    params.Add(after).Add(limit);
    auto r = conn_.ExecPrepared(queries::kChangesAfter.name, params);
    if (!r) return r.error();
    std::vector<LoggedBatch> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      auto batch = DecodeChanges(Text(r->get(), i, 1));
      if (!batch) return batch.error();
      out.push_back({Int(r->get(), i, 0), std::move(*batch)});
    }
    return out;
  }

  // After a lost connection (or a pipeline left in an unknown state): reconnect and prepare
  // again.
  Result<void> EnsureConnected() {
    if (!conn_.broken() && !needs_reset_) return {};
    // A turn's transaction and lock went with the connection: what it decided must not be
    // written outside it (Commit reports the loss).
    if (turn_) return LostTurn();
    return Reconnect(conn_, needs_reset_);
  }

  Connection conn_;
  const bool read_only_;
  bool needs_reset_ = false;
  StatementPipeline pipeline_;  // after conn_ and needs_reset_: it refers to both
  std::int64_t commits_ = 0;
  bool turn_ = false;                // a writer's turn is open (BeginTurn)
  std::int64_t loaded_through_ = 0;  // the change log position of the last Load
  std::int64_t last_logged_ = 0;     // the position the last Commit gave its batch
};

// A batch that changes the registry is logged (change_log) in the same transaction, under the
// writers' lock: the turn's, or taken here after BEGIN. The audit alone needs neither.
Result<void> PostgresStore::Commit(const WriteBatch& batch) {
  last_logged_ = 0;
  const bool turn = std::exchange(turn_, false);  // the commit ends the turn, however it ends
  if (batch.empty() && !turn) return {};
  if (read_only_) return ReadOnly();
  if (turn) {
    if (conn_.broken() || needs_reset_) return LostTurn();
    if (batch.empty()) return conn_.Exec("ROLLBACK");  // nothing to write: just end it
  } else if (auto r = EnsureConnected(); !r) {
    return r;
  }
  const bool logged = std::any_of(batch.mutations.begin(), batch.mutations.end(), ChangesRegistry);
  const bool audited = std::any_of(batch.mutations.begin(), batch.mutations.end(), IsAudit);
  const std::string log = logged ? EncodeChanges(batch) : std::string();
  // Audit entries go on from the trail's last entry, read under the writers' lock so that no
  // other process writes between that read and this commit (the chain is in commit order).
  bool in_transaction = turn;
  if (audited) {
    auto resumed = [&]() -> Result<void> {
      if (!turn) {
        if (auto r = conn_.Exec("BEGIN"); !r) return r;
        in_transaction = true;
        if (auto r = conn_.ExecPrepared(queries::kLockWriters.name, {}); !r) return r.error();
      }
      auto tail = conn_.ExecPrepared(queries::kAuditTail.name, {});
      if (!tail) return tail.error();
      pipeline_.sealer().Resume(PQntuples(tail->get()) > 0 && !PQgetisnull(tail->get(), 0, 0)
                                    ? Text(tail->get(), 0, 0)
                                    : std::string());
      return {};
    }();
    if (!resumed) {
      if (in_transaction && !conn_.broken()) (void)conn_.Exec("ROLLBACK");
      return resumed;
    }
  }
  auto sent = pipeline_.Run(batch, in_transaction, logged ? &log : nullptr);
  if (!sent) {
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
    return sent;
  }
  auto commit = conn_.Query("COMMIT");
  if (!commit) return commit.error();
  if (std::strcmp(PQcmdStatus(commit->get()), "COMMIT") != 0) {
    return Error::Internal(
        fmt::format("postgresql: the transaction ended in {}", PQcmdStatus(commit->get())));
  }
  last_logged_ = pipeline_.logged();
  if (!batch.empty()) ++commits_;
  return {};
}

Result<std::unique_ptr<Store>> Open(const std::string& url, bool read_only) {
  auto conn = Connection::Open(url);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresStore>(std::move(*conn), read_only);
  if (auto r = store->Init(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  return Open(url, /*read_only=*/false);
}

Result<std::unique_ptr<Store>> OpenPostgresReadStore(const std::string& url) {
  return Open(url, /*read_only=*/true);
}

}  // namespace emkhana::storage::postgres
