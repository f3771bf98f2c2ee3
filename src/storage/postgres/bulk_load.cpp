// A one-off bulk load into a PostgreSQL database that holds no registry (the generator), in one
// transaction from the opening to FinishBulkLoad: the tables locked and emptied, their foreign
// keys and the secondary indexes of the big tables dropped (put back at the end), rows sent by
// COPY. A load that fails or is abandoned (the connection closed) rolls back to the empty
// database.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/postgres/queries.hpp"
#include "storage/postgres/schema.hpp"
#include "storage/postgres/statement_pipeline.hpp"
#include "storage/postgres/store_queries.hpp"
#include "storage/row_codec.hpp"

namespace emkhana::storage::postgres {

using codec::DateText;
using codec::NonEmpty;
using domain::NameOf;

namespace {

class PostgresBulkLoad final : public BulkLoad {
 public:
  explicit PostgresBulkLoad(Connection conn)
      : conn_(std::move(conn)), pipeline_(conn_, needs_reset_) {}

  Result<void> Init() {
    if (auto r = Migrate(conn_); !r) return r;
    if (auto r = PrepareStatements(conn_); !r) return r;
    if (auto r = conn_.Exec("BEGIN"); !r) return r;
    state_ = kLoading;
    auto started = [&]() -> Result<void> {
      if (auto r = conn_.Exec(queries::kBulkLock); !r) return r;
      auto counts = ReadCounts(conn_);
      if (!counts) return counts.error();
      if (counts->persons != 0 || counts->organisations != 0 || counts->attachments != 0 ||
          counts->applications != 0) {
        return Error::FailedPrecondition(
            fmt::format("the database already holds a registry ({} persons, {} organisations, {} "
                        "applications); a bulk load needs a new, empty one",
                        counts->persons, counts->organisations, counts->applications));
      }
      auto keys = conn_.Query(queries::kBulkForeignKeys);
      if (!keys) return keys.error();
      for (int i = 0; i < PQntuples(keys->get()); ++i) {
        const auto table = Text(keys->get(), i, 0), name = Text(keys->get(), i, 1);
        if (auto r = conn_.Exec(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", table, name));
            !r) {
          return r;
        }
        restore_.push_back(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", table, name,
                                       Text(keys->get(), i, 2)));
      }
      auto indexes = conn_.Query(queries::kBulkSecondaryIndexes);
      if (!indexes) return indexes.error();
      for (int i = 0; i < PQntuples(indexes->get()); ++i) {
        if (auto r = conn_.Exec("DROP INDEX " + Text(indexes->get(), i, 0)); !r) return r;
        restore_.insert(restore_.begin(), Text(indexes->get(), i, 1));  // indexes first
      }
      return conn_.Exec(queries::kBulkTruncate);
    }();
    if (!started) (void)Abandon(Error::Internal(""));
    return started;
  }

  // A bulk load's batch: the rows of the generator's kinds by COPY, table by table in the
  // order of their references; anything else (policies, changes, decisions) after them through
  // the pipeline, in the load's transaction. Nothing is durable before FinishBulkLoad.
  Result<void> Commit(const WriteBatch& batch) override {
    if (batch.empty()) return {};
    if (auto r = Loading(); !r) return r;
    for (auto& rows : copy_) rows.Clear();
    WriteBatch rest;
    for (const auto& m : batch.mutations) {
      if (const auto* decided = std::get_if<DecidedApplication>(&m)) {
        // Its entry is sealed here, before the row goes out below.
        pipeline_.sealer().NoteDecided(*decided);
        rest.mutations.push_back(m);
      } else if (const auto* o = std::get_if<domain::Organisation>(&m)) {
        auto& c = copy_[kCopyOrg];
        c.Add(o->id).Add(o->ate).Add(o->name).Add(o->license).Add(o->contract);
        c.Add(o->is_private).Add(o->rural).Add(o->latitude).Add(o->longitude);
        c.Add(DateText(o->closed_on)).Add(NonEmpty(o->successor));
        c.EndRow();
      } else if (const auto* d = std::get_if<domain::District>(&m)) {
        auto& c = copy_[kCopyDistrict];
        c.Add(d->id).Add(d->org).Add(NameOf(d->kind)).Add(d->doctors).Add(d->capacity);
        c.EndRow();
      } else if (const auto* p = std::get_if<domain::Person>(&m)) {
        WriteBulk(*p);
      } else if (const auto* a = std::get_if<domain::Attachment>(&m)) {
        auto& c = copy_[kCopyAttachment];
        c.Add(a->id).Add(a->iin.ToString()).Add(a->org).Add(a->district);
        c.Add(a->from.ToString()).Add(DateText(a->to)).Add(NameOf(a->end));
        c.Add(NonEmpty(a->application_id)).AddMicros(a->recorded_at);
        c.EndRow();
      } else if (const auto* entry = std::get_if<AuditEntry>(&m)) {
        AuditEntry e = *entry;
        pipeline_.sealer().Seal(e);
        auto& c = copy_[kCopyAuditLog];
        c.AddMicros(e.at).Add(e.actor).Add(e.channel).Add(e.action).Add(e.subject);
        c.Add(e.detail).Add(e.policy_version).Add(e.ref).Add(e.prev_hash).Add(e.hash);
        c.EndRow();
      } else {
        rest.mutations.push_back(m);
      }
    }
    static constexpr const char* kCopySql[kCopyTables] = {
        queries::kCopyOrganisations,   queries::kCopyDistricts,   queries::kCopyPersons,
        queries::kCopyRepresentatives, queries::kCopyAttachments, queries::kCopyAudit};
    for (int t = 0; t < kCopyTables; ++t) {
      if (copy_[t].rows() == 0) continue;
      if (auto r = conn_.CopyIn(kCopySql[t], copy_[t].data()); !r) return Abandon(r.error());
    }
    if (!rest.empty()) {
      if (auto r = pipeline_.Run(rest, /*in_transaction=*/true); !r) return Abandon(r.error());
    }
    ++commits_;
    return {};
  }
  std::int64_t commits() const override { return commits_; }

  Result<void> FinishBulkLoad() override {
    if (state_ == kFinished) return {};
    if (auto r = Loading(); !r) return r;
    auto finished = [&]() -> Result<void> {
      if (auto r = conn_.Exec(queries::kBulkIndexMemory); !r) return r;
      for (const auto& sql : restore_) {
        if (auto r = conn_.Exec(sql); !r) return r;
      }
      return conn_.Exec("COMMIT");
    }();
    if (!finished) return Abandon(finished.error());
    state_ = kFinished;
    restore_.clear();
    // Fresh statistics for the planner: the tables went from empty to millions of rows.
    return conn_.Exec("ANALYZE");
  }

  // In the load's transaction before FinishBulkLoad, in one of its own after it.
  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    if (auto r = EnsureConnected(); !r) return r;
    return WriteStats(conn_, header, entries);
  }
  Result<std::optional<StoredStats>> LoadStats() override {
    if (auto r = EnsureConnected(); !r) return r.error();
    return ReadStats(conn_);
  }

 private:
  enum State { kLoading, kFinished, kAbandoned };

  // A person's row and their representatives' (each once).
  void WriteBulk(const domain::Person& person) {
    const std::string iin = person.iin.ToString();
    auto& c = copy_[kCopyPerson];
    c.Add(iin).Add(person.birth.ToString()).Add(NameOf(person.sex)).Add(NameOf(person.status));
    c.Add(person.name);
    for (int i = 0; i < domain::kAteRoleCount; ++i) c.Add(NonEmpty(person.ate[i]));
    c.Add(static_cast<std::int64_t>(person.categories.bits));
    if (person.insurance) {
      c.Add(NameOf(person.insurance->kind))
          .Add(person.insurance->from.ToString())
          .Add(person.insurance->until.ToString());
    } else {
      c.AddNull().AddNull().AddNull();
    }
    c.Add(DateText(person.deceased));
    c.Add(NameOf(person.osms.category)).Add(NameOf(person.osms.payer)).Add(person.osms.insured);
    c.EndRow();
    auto& reps = copy_[kCopyRepresentative];
    for (std::size_t i = 0; i < person.representatives.size(); ++i) {
      const auto& rep = person.representatives[i];
      if (std::find(person.representatives.begin(), person.representatives.begin() + i, rep) !=
          person.representatives.begin() + i) {
        continue;  // listed twice: one row, as ON CONFLICT DO NOTHING would keep
      }
      reps.Add(iin).Add(rep.ToString());
      reps.EndRow();
    }
  }

  // Whether the load goes on: its transaction is lost with the connection.
  Result<void> Loading() {
    if (state_ == kFinished) {
      return Error::FailedPrecondition("the bulk load is finished: open the store to write");
    }
    if (state_ == kAbandoned) return Error::FailedPrecondition("the bulk load was abandoned");
    if (conn_.broken()) {
      return Abandon(Error::Unavailable("the connection was lost during the bulk load"));
    }
    return {};
  }
  Result<void> EnsureConnected() {
    if (state_ == kLoading) return Loading();
    if (!conn_.broken() && !needs_reset_) return {};
    return Reconnect(conn_, needs_reset_);
  }
  // Rolls the bulk load back (its transaction); returns `why`.
  Error Abandon(Error why) {
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
    state_ = kAbandoned;
    restore_.clear();
    return why;
  }

  // The tables a bulk load copies into, in the order their rows are sent.
  enum CopyTable {
    kCopyOrg,
    kCopyDistrict,
    kCopyPerson,
    kCopyRepresentative,
    kCopyAttachment,
    kCopyAuditLog,
    kCopyTables
  };

  Connection conn_;
  bool needs_reset_ = false;
  StatementPipeline pipeline_;  // after conn_ and needs_reset_: it refers to both
  State state_ = kAbandoned;    // until Init has begun the load's transaction
  std::int64_t commits_ = 0;
  std::vector<std::string> restore_;  // what FinishBulkLoad runs: indexes, then foreign keys
  CopyRows copy_[kCopyTables];        // a batch's rows per table
};

}  // namespace

Result<std::unique_ptr<BulkLoad>> OpenPostgresStoreForBulkLoad(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresBulkLoad>(std::move(*conn));
  if (auto r = store->Init(); !r) return r.error();
  return std::unique_ptr<BulkLoad>(std::move(store));
}

}  // namespace emkhana::storage::postgres
