#include "storage/postgres/postgres_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "storage/audit_chain.hpp"
#include "storage/change_codec.hpp"
#include "storage/postgres/migrations.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/queries.hpp"
#include "storage/row_codec.hpp"

namespace emkhana::storage::postgres {

using codec::DateText;
using codec::NonEmpty;
using codec::ParseDateOr;
using domain::Date;
using domain::NameOf;
using domain::ParseEnum;

namespace {

bool IsAudit(const Mutation& m) { return std::holds_alternative<AuditEntry>(m); }

// Statements queued in the pipeline before a sync point: bounds what the server has to buffer
// for us (a few kB of results) while keeping round trips rare.
constexpr std::size_t kPipelineChunk = 256;
// Rows per FETCH while loading.
constexpr int kFetchRows = 10000;
constexpr const char* kLoadCursor = "emkhana_load";

DecidedApplication ReadApplication(const PGresult* r, int i) {
  DecidedApplication d;
  auto& a = d.application;
  a.id = Text(r, i, 0);
  a.date = ParseDateOr(Text(r, i, 1), Date{});
  a.iin = Text(r, i, 2);
  a.applicant = Text(r, i, 3);
  a.org = Text(r, i, 4);
  if (!IsNull(r, i, 5)) a.district = Text(r, i, 5);
  a.channel = ParseEnum<domain::Channel>(Text(r, i, 6)).value_or(domain::Channel::kEgov);
  a.basis = ParseEnum<domain::Basis>(Text(r, i, 7)).value_or(domain::Basis::kFreeChoice);
  a.consent = Bool(r, i, 8);
  a.documents.bits = static_cast<std::uint32_t>(Int(r, i, 9));
  if (!IsNull(r, i, 10)) a.declared_birth = Date::Parse(Text(r, i, 10));
  if (!IsNull(r, i, 11)) a.declared_sex = ParseEnum<domain::Sex>(Text(r, i, 11));
  auto& dec = d.decision;
  dec.application_id = a.id;
  dec.outcome = ParseEnum<domain::Outcome>(Text(r, i, 12)).value_or(domain::Outcome::kRefused);
  for (const auto& code : codec::SplitList(Text(r, i, 13))) {
    if (auto reason = ParseEnum<domain::Reason>(code)) dec.reasons.push_back(*reason);
  }
  dec.org = Text(r, i, 14);
  dec.district = Text(r, i, 15);
  if (!IsNull(r, i, 16)) dec.effective = Date::Parse(Text(r, i, 16));
  dec.decide_by = ParseDateOr(Text(r, i, 17), Date{});
  dec.alternatives = codec::SplitList(Text(r, i, 18));
  dec.policy_version = Text(r, i, 19);
  dec.free_choice_change = Bool(r, i, 20);
  d.recorded_at = Int(r, i, 21);
  return d;
}

// A text array literal of IINs ('{850305301578,900115301001}'): digits need no quoting.
std::string IinArray(const std::vector<domain::Iin>& iins) {
  std::string out = "{";
  for (const auto& iin : iins) {
    if (out.size() > 1) out += ',';
    out += iin.ToString();
  }
  out += '}';
  return out;
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(Connection conn, bool read_only = false)
      : conn_(std::move(conn)), read_only_(read_only) {}

  Result<void> Init() {
    if (auto r = read_only_ ? CheckSchema() : Migrate(); !r) return r;
    return Prepare();
  }

  // A one-off load into a database that holds no registry (the generator), in one transaction
  // from here to FinishBulkLoad: the tables locked and emptied, their foreign keys and the
  // secondary indexes of the big tables dropped (put back at the end), rows sent by COPY. A load
  // that fails or is abandoned (the connection closed) rolls back to the empty database.
  Result<void> InitBulk() {
    if (auto r = Init(); !r) return r;
    if (auto r = conn_.Exec("BEGIN"); !r) return r;
    bulk_ = true;
    auto started = [&]() -> Result<void> {
      if (auto r = conn_.Exec(queries::kBulkLock); !r) return r;
      auto counts = Counts();
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
    if (!started) AbandonBulk();
    return started;
  }

  Result<void> FinishBulkLoad() override {
    if (!bulk_) return {};
    if (conn_.broken()) return AbandonBulk("the connection was lost during the bulk load");
    auto finished = [&]() -> Result<void> {
      if (auto r = conn_.Exec(queries::kBulkIndexMemory); !r) return r;
      for (const auto& sql : restore_) {
        if (auto r = conn_.Exec(sql); !r) return r;
      }
      return conn_.Exec("COMMIT");
    }();
    if (!finished) return AbandonBulk(finished.error());
    bulk_ = false;
    restore_.clear();
    // Fresh statistics for the planner: the tables went from empty to millions of rows.
    return conn_.Exec("ANALYZE");
  }

  // A batch that changes the registry is logged (change_log) in the same transaction, under the
  // writers' lock: the turn's, or taken here after BEGIN. The audit alone needs neither.
  Result<void> Commit(const WriteBatch& batch) override {
    last_logged_ = 0;
    const bool turn = std::exchange(turn_, false);  // the commit ends the turn, however it ends
    if (batch.empty() && !turn) return {};
    if (bulk_) return CommitBulk(batch);
    if (read_only_) return ReadOnly();
    if (turn) {
      if (conn_.broken() || needs_reset_) return LostTurn();
      if (batch.empty()) return conn_.Exec("ROLLBACK");  // nothing to write: just end it
    } else if (auto r = EnsureConnected(); !r) {
      return r;
    }
    const bool logged =
        std::any_of(batch.mutations.begin(), batch.mutations.end(), ChangesRegistry);
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
        sealer_.Resume(PQntuples(tail->get()) > 0 && !PQgetisnull(tail->get(), 0, 0)
                           ? Text(tail->get(), 0, 0)
                           : std::string());
        return {};
      }();
      if (!resumed) {
        if (in_transaction && !conn_.broken()) (void)conn_.Exec("ROLLBACK");
        return resumed;
      }
    }
    auto sent = Pipeline(batch, in_transaction, logged ? &log : nullptr);
    if (!sent) {
      if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
      last_logged_ = 0;
      return sent;
    }
    auto commit = conn_.Query("COMMIT");
    if (!commit) {
      last_logged_ = 0;
      return commit.error();
    }
    if (std::strcmp(PQcmdStatus(commit->get()), "COMMIT") != 0) {
      last_logged_ = 0;
      return Error::Internal(
          fmt::format("postgresql: the transaction ended in {}", PQcmdStatus(commit->get())));
    }
    if (!batch.empty()) ++commits_;
    return {};
  }

  bool logs_changes() const override { return !bulk_; }
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

  Result<void> Load(LoadSink& sink) override;

  Result<StoreCounts> Counts() override {
    if (auto r = EnsureConnected(); !r) return r.error();
    auto r = conn_.ExecPrepared(queries::kCounts.name, {});
    if (!r) return r.error();
    const PGresult* p = r->get();
    return StoreCounts{Int(p, 0, 0), Int(p, 0, 1), Int(p, 0, 2), Int(p, 0, 3),
                       Int(p, 0, 4), Int(p, 0, 5), Int(p, 0, 6)};
  }

  Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject, int limit) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    Params params;
    params.Add(subject).Add(std::max(limit, 0));
    auto r = conn_.ExecPrepared(queries::kAuditBySubject.name, params);
    if (!r) return r.error();
    const PGresult* p = r->get();
    std::vector<AuditEntry> out;
    out.reserve(static_cast<std::size_t>(PQntuples(p)));
    for (int i = 0; i < PQntuples(p); ++i) {
      out.push_back({Int(p, i, 0), Text(p, i, 1), Text(p, i, 2), Text(p, i, 3), Text(p, i, 4),
                     Text(p, i, 5), Text(p, i, 6)});
    }
    return out;
  }

  Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after, int limit) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    Params params;
    params.Add(after).Add(std::max(limit, 0));
    auto r = conn_.ExecPrepared(queries::kAuditPage.name, params);
    if (!r) return r.error();
    const PGresult* p = r->get();
    std::vector<StoredAuditEntry> out;
    out.reserve(static_cast<std::size_t>(PQntuples(p)));
    for (int i = 0; i < PQntuples(p); ++i) {
      out.push_back({Int(p, i, 0),
                     {Int(p, i, 1), Text(p, i, 2), Text(p, i, 3), Text(p, i, 4), Text(p, i, 5),
                      Text(p, i, 6), Text(p, i, 7), Text(p, i, 8), Text(p, i, 9), Text(p, i, 10)}});
    }
    return out;
  }

  Result<std::optional<DecidedApplication>> FindApplication(const std::string& id) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    Params params;
    params.Add(id);
    auto r = conn_.ExecPrepared(queries::kFindApplication.name, params);
    if (!r) return r.error();
    std::optional<DecidedApplication> found;
    if (PQntuples(r->get()) > 0) found = ReadApplication(r->get(), 0);
    return found;
  }

  Result<std::vector<DecidedApplication>> ListApplications(const ApplicationQuery& q) override {
    if (q.org.empty() == q.iin.empty()) {
      return Error::InvalidArgument("list by an organisation or by a person");
    }
    if (auto r = EnsureConnected(); !r) return r.error();
    Params params;
    params.Add(q.org.empty() ? q.iin : q.org).Add(q.outcome);
    params.Add(q.from == Date::Min() ? std::string("-infinity") : q.from.ToString());
    params.Add(q.to.IsMax() ? std::string("infinity") : q.to.ToString());
    params.Add(std::max(q.limit, 0)).Add(std::max(q.offset, 0));
    auto r = conn_.ExecPrepared(
        (q.org.empty() ? queries::kApplicationsByPerson : queries::kApplicationsByOrg).name,
        params);
    if (!r) return r.error();
    std::vector<DecidedApplication> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
    for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadApplication(r->get(), i));
    return out;
  }

  Result<std::string> PersonName(const std::string& iin) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    Params params;
    params.Add(iin);
    auto r = conn_.ExecPrepared(queries::kPersonName.name, params);
    if (!r) return r.error();
    return PQntuples(r->get()) > 0 ? Text(r->get(), 0, 0) : std::string();
  }

  // As the SQLite store draws rowids: a random number between the smallest and largest
  // person.seq (xorshift64 from the seed), then the first person at or after it.
  Result<std::vector<std::string>> SamplePersons(std::int64_t n, std::uint64_t seed) override {
    if (auto r = EnsureConnected(); !r) return r.error();
    std::vector<std::string> out;
    auto range = conn_.ExecPrepared(queries::kPersonSeqRange.name, {});
    if (!range) return range.error();
    if (PQntuples(range->get()) == 0 || IsNull(range->get(), 0, 0)) return out;  // nobody
    const std::int64_t lo = Int(range->get(), 0, 0), hi = Int(range->get(), 0, 1);
    std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, n)));
    constexpr std::int64_t kPerQuery = 50000;
    for (std::int64_t done = 0; done < n;) {
      const std::int64_t count = std::min(kPerQuery, n - done);
      std::string targets = "{";
      for (std::int64_t i = 0; i < count; ++i) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
        if (i > 0) targets += ',';
        targets += std::to_string(
            lo + static_cast<std::int64_t>(state % static_cast<std::uint64_t>(hi - lo + 1)));
      }
      targets += '}';
      Params params;
      params.Add(targets);
      auto picked = conn_.ExecPrepared(queries::kPickPersons.name, params);
      if (!picked) return picked.error();
      for (int i = 0; i < PQntuples(picked->get()); ++i) {
        if (!IsNull(picked->get(), i, 0)) out.push_back(Text(picked->get(), i, 0));
      }
      done += count;
    }
    return out;
  }

  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    if (read_only_) return ReadOnly();
    if (auto r = EnsureConnected(); !r) return r;
    Params params;
    params.Add(header).AddBinary(entries);
    auto r = conn_.ExecPrepared(queries::kSaveStats.name, params);  // its own transaction
    if (!r) return r.error();
    return {};
  }

  Result<std::optional<StoredStats>> LoadStats() override {
    if (auto r = EnsureConnected(); !r) return r.error();
    auto r = conn_.ExecPrepared(queries::kLoadStats.name, {}, /*binary=*/true);
    if (!r) return r.error();
    const PGresult* p = r->get();
    std::optional<StoredStats> out;
    if (PQntuples(p) > 0) {
      out = StoredStats{Text(p, 0, 0), Text(p, 0, 1),
                        PQgetlength(p, 0, 2) > 0 && PQgetvalue(p, 0, 2)[0] != 0};
    }
    return out;
  }

  std::int64_t commits() const override { return commits_; }

 private:
  // One statement queued in the pipeline, and what its result must show.
  struct Pending {
    const char* name;
    std::int64_t changed_attachment = -1;  // a PeriodChange: exactly one history row
    bool returns_log_position = false;     // the change_log row: its seq
  };

  Result<void> Migrate();
  // A read-only store (a replica) is never migrated: its schema must be the latest.
  Result<void> CheckSchema();
  Result<void> Prepare();

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

  // Rolls the bulk load back (its transaction) and leaves bulk mode; returns `why`.
  Error AbandonBulk(Error why) {
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
    bulk_ = false;
    restore_.clear();
    return why;
  }
  void AbandonBulk() { (void)AbandonBulk(Error::Internal("")); }
  Error AbandonBulk(const char* why) { return AbandonBulk(Error::Unavailable(why)); }

  // A bulk load's batch: the rows of the generator's kinds by COPY, table by table in the
  // order of their references; anything else (policies, changes, decisions) after them through
  // the pipeline, in the load's transaction. Nothing is durable before FinishBulkLoad.
  Result<void> CommitBulk(const WriteBatch& batch) {
    if (conn_.broken()) return AbandonBulk("the connection was lost during the bulk load");
    for (auto& rows : copy_) rows.Clear();
    WriteBatch rest;
    for (const auto& m : batch.mutations) {
      if (const auto* decided = std::get_if<DecidedApplication>(&m)) {
        sealer_.NoteDecided(*decided);  // its entry is sealed here, before the row goes out below
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
        sealer_.Seal(e);
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
      if (auto r = conn_.CopyIn(kCopySql[t], copy_[t].data()); !r) return AbandonBulk(r.error());
    }
    if (!rest.empty()) {
      if (auto r = Pipeline(rest, /*in_transaction=*/true); !r) return AbandonBulk(r.error());
    }
    ++commits_;
    return {};
  }
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

  // After a lost connection (or a pipeline left in an unknown state): reconnect and prepare
  // again.
  Result<void> EnsureConnected() {
    if (!conn_.broken() && !needs_reset_) return {};
    // A turn's transaction and lock went with the connection: what it decided must not be
    // written outside it (Commit reports the loss).
    if (turn_) return LostTurn();
    PQreset(conn_.get());
    if (conn_.broken()) return conn_.LastError("reconnect");
    needs_reset_ = false;
    if (auto r = conn_.Exec(Connection::kSessionSettings); !r) return r;
    return Prepare();
  }

  // BEGIN, every mutation, the change log's row, the stale mark: pipelined, checked. Leaves the
  // transaction open (for COMMIT) when everything succeeded.
  // `in_transaction`: a transaction is open already (a bulk load, a writer's turn): no BEGIN.
  // `log`: the batch as the change log keeps it (none: not logged); outside a turn the writers'
  // lock is taken first, so that log positions follow the order of commits.
  Result<void> Pipeline(const WriteBatch& batch, bool in_transaction = false,
                        const std::string* log = nullptr) {
    if (auto r = conn_.EnterPipeline(); !r) return r;
    first_error_.reset();
    pending_.clear();
    auto status = [&]() -> Result<void> {
      if (!in_transaction) {
        if (!PQsendQueryParams(conn_.get(), "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0)) {
          return conn_.LastError("send BEGIN");
        }
        pending_.push_back({"BEGIN"});
        if (log) {
          if (auto r = Send(queries::kLockWriters, params_.Clear(), -1); !r) return r;
        }
      }
      for (const auto& m : batch.mutations) {
        if (auto r = std::visit([this](const auto& v) { return Write(v); }, m); !r) return r;
        if (first_error_) break;  // the rest would be skipped by the server anyway
      }
      if (!first_error_ && log) {
        if (auto r = conn_.SendPrepared(queries::kInsertChange.name, params_.Clear().Add(*log));
            !r) {
          return r;
        }
        pending_.push_back({queries::kInsertChange.name, -1, true});
      }
      if (!first_error_) {
        if (auto r = Send(queries::kMarkStatsStale, params_.Clear(), -1); !r) return r;
      }
      return Drain();
    }();
    if (auto r = conn_.ExitPipeline(); !r) {
      needs_reset_ = true;  // results still queued: start afresh next time
      if (status) status = r;
    }
    if (!status) return status;
    if (first_error_) return *first_error_;
    return {};
  }

  Result<void> Send(const queries::Query& q, const Params& params, std::int64_t attachment) {
    if (auto r = conn_.SendPrepared(q.name, params); !r) return r;
    pending_.push_back({q.name, attachment});
    if (pending_.size() >= kPipelineChunk) return Drain();
    return {};
  }

  // Marks a sync point and reads every queued result up to it. The first failure is kept in
  // first_error_; the server skips what follows it until the sync.
  Result<void> Drain() {
    if (pending_.empty()) return {};
    if (auto r = conn_.SendSync(); !r) return r;
    std::size_t next = 0;
    int nulls = 0;
    for (;;) {
      PgResult r = conn_.NextResult();
      if (!r) {
        if (conn_.broken() || ++nulls > 1) {
          needs_reset_ = true;
          return conn_.LastError("pipeline");
        }
        continue;
      }
      nulls = 0;
      const auto status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      const Pending p = next < pending_.size() ? pending_[next] : Pending{"?"};
      ++next;
      if (status == PGRES_PIPELINE_ABORTED || first_error_) continue;
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        first_error_ = ErrorOf(conn_.get(), r.get(), p.name);
      } else if (p.changed_attachment >= 0 && std::strcmp(PQcmdTuples(r.get()), "1") != 0) {
        first_error_ =
            Error::Internal(fmt::format("attachment {} does not exist", p.changed_attachment));
      } else if (p.returns_log_position && PQntuples(r.get()) == 1) {
        last_logged_ = Int(r.get(), 0, 0);
      }
    }
    pending_.clear();
    return {};
  }

  Result<void> Write(const domain::Organisation& o) {
    auto& p = params_.Clear();
    p.Add(o.id).Add(o.ate).Add(o.name).Add(o.license).Add(o.contract).Add(o.is_private);
    p.Add(o.rural).Add(o.latitude).Add(o.longitude).Add(DateText(o.closed_on));
    p.Add(NonEmpty(o.successor));
    return Send(queries::kUpsertOrganisation, p, -1);
  }
  Result<void> Write(const OrgClosure& c) {
    auto& p = params_.Clear();
    p.Add(c.org).Add(c.date.ToString()).Add(NonEmpty(c.successor));
    return Send(queries::kCloseOrganisation, p, -1);
  }
  Result<void> Write(const domain::District& d) {
    auto& p = params_.Clear();
    p.Add(d.id).Add(d.org).Add(NameOf(d.kind)).Add(d.doctors).Add(d.capacity);
    return Send(queries::kUpsertDistrict, p, -1);
  }
  Result<void> Write(const domain::Person& person) {
    const std::string iin = person.iin.ToString();
    auto& p = params_.Clear();
    p.Add(iin).Add(person.birth.ToString()).Add(NameOf(person.sex)).Add(NameOf(person.status));
    p.Add(person.name);
    for (int i = 0; i < domain::kAteRoleCount; ++i) p.Add(NonEmpty(person.ate[i]));
    p.Add(static_cast<std::int64_t>(person.categories.bits));
    if (person.insurance) {
      p.Add(NameOf(person.insurance->kind))
          .Add(person.insurance->from.ToString())
          .Add(person.insurance->until.ToString());
    } else {
      p.AddNull().AddNull().AddNull();
    }
    p.Add(DateText(person.deceased));
    p.Add(NameOf(person.osms.category)).Add(NameOf(person.osms.payer)).Add(person.osms.insured);
    if (auto r = Send(queries::kUpsertPerson, p, -1); !r) return r;
    if (auto r = Send(queries::kDeleteRepresentatives, params_.Clear().Add(iin), -1); !r) {
      return r;
    }
    if (person.representatives.empty()) return {};
    return Send(queries::kInsertRepresentatives,
                params_.Clear().Add(iin).Add(IinArray(person.representatives)), -1);
  }
  Result<void> Write(const PersonDeath& d) {
    return Send(queries::kMarkDeceased,
                params_.Clear().Add(d.iin.ToString()).Add(d.date.ToString()), -1);
  }
  Result<void> Write(const domain::Attachment& a) {
    auto& p = params_.Clear();
    p.Add(a.id).Add(a.iin.ToString()).Add(a.org).Add(a.district).Add(a.from.ToString());
    p.Add(DateText(a.to)).Add(NameOf(a.end)).Add(NonEmpty(a.application_id)).Add(a.recorded_at);
    return Send(queries::kInsertAttachment, p, -1);
  }
  Result<void> Write(const PeriodChange& c) {
    auto& p = params_.Clear();
    p.Add(c.attachment_id).Add(DateText(c.to)).Add(NameOf(c.end)).Add(c.recorded_at);
    return Send(queries::kChangeAttachment, p, c.attachment_id);
  }
  Result<void> Write(const DecidedApplication& d) {
    sealer_.NoteDecided(d);
    const auto& a = d.application;
    const auto& dec = d.decision;
    auto& p = params_.Clear();
    p.Add(a.id).Add(a.date.ToString()).Add(a.iin).Add(a.applicant).Add(a.org).Add(a.district);
    p.Add(NameOf(a.channel)).Add(NameOf(a.basis)).Add(a.consent);
    p.Add(static_cast<std::int64_t>(a.documents.bits)).Add(DateText(a.declared_birth));
    if (a.declared_sex) {
      p.Add(NameOf(*a.declared_sex));
    } else {
      p.AddNull();
    }
    p.Add(NameOf(dec.outcome)).Add(codec::JoinReasons(dec.reasons)).Add(NonEmpty(dec.org));
    p.Add(NonEmpty(dec.district)).Add(DateText(dec.effective)).Add(dec.decide_by.ToString());
    p.Add(codec::JoinList(dec.alternatives)).Add(dec.policy_version).Add(dec.free_choice_change);
    p.Add(d.recorded_at);
    return Send(queries::kInsertApplication, p, -1);
  }
  Result<void> Write(const AuditEntry& entry) {
    AuditEntry e = entry;
    sealer_.Seal(e);
    auto& p = params_.Clear();
    p.Add(e.at).Add(e.actor).Add(e.channel).Add(e.action).Add(e.subject).Add(e.detail);
    p.Add(e.policy_version).Add(e.ref).Add(e.prev_hash).Add(e.hash);
    return Send(queries::kInsertAudit, p, -1);
  }
  Result<void> Write(const PolicyVersion& v) {
    return Send(queries::kUpsertPolicy, params_.Clear().Add(v.version).Add(v.body), -1);
  }
  Result<void> Write(const IdempotencyKey& k) {
    return Send(queries::kInsertIdempotencyKey,
                params_.Clear().Add(k.key).Add(k.application_id).Add(k.fingerprint), -1);
  }

  // Runs `sql` through a cursor and hands each row to `on_row(result, row)`; stops at the
  // first error `on_row` reports.
  template <class OnRow>
  Result<void> Stream(const char* sql, OnRow&& on_row) {
    if (auto r = conn_.Exec(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", kLoadCursor, sql));
        !r) {
      return r;
    }
    const std::string fetch = fmt::format("FETCH FORWARD {} FROM {}", kFetchRows, kLoadCursor);
    for (;;) {
      auto chunk = conn_.Query(fetch);
      if (!chunk) return chunk.error();
      const int rows = PQntuples(chunk->get());
      for (int i = 0; i < rows; ++i) {
        if (auto r = on_row(chunk->get(), i); !r) return r;
      }
      if (rows < kFetchRows) break;
    }
    return conn_.Exec(fmt::format("CLOSE {}", kLoadCursor));
  }
  Result<void> LoadAll(LoadSink& sink);

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
  const bool read_only_;
  std::int64_t commits_ = 0;
  bool needs_reset_ = false;
  bool turn_ = false;                 // a writer's turn is open (BeginTurn)
  std::int64_t loaded_through_ = 0;   // the change log position of the last Load
  std::int64_t last_logged_ = 0;      // the position the last Commit gave its batch
  bool bulk_ = false;                 // in a bulk load's transaction
  std::vector<std::string> restore_;  // what FinishBulkLoad runs: indexes, then foreign keys
  CopyRows copy_[kCopyTables];        // a bulk batch's rows per table
  Params params_;                     // of the statement being queued
  AuditSealer sealer_;                // links the audit entries written (audit_chain.hpp)
  std::vector<Pending> pending_;      // queued since the last sync point
  std::optional<Error> first_error_;  // of the batch being committed
};

Result<void> PostgresStore::Migrate() {
  const auto& all = Migrations();
  if (auto r = conn_.Exec("BEGIN"); !r) return r;
  auto migrated = [&]() -> Result<void> {
    // The lock first: two processes opening a new database must not both create the table.
    if (auto r = conn_.Exec(queries::kLockMigrations); !r) return r;
    if (auto r = conn_.Exec(queries::kCreateMigrationsTable); !r) return r;
    auto version = conn_.Query(queries::kSchemaVersion);
    if (!version) return version.error();
    const auto current = Int(version->get(), 0, 0);
    if (current > static_cast<std::int64_t>(all.size())) {
      return Error::FailedPrecondition(fmt::format(
          "database schema version {} is newer than this program ({})", current, all.size()));
    }
    for (auto v = current + 1; v <= static_cast<std::int64_t>(all.size()); ++v) {
      const auto& m = all[static_cast<std::size_t>(v - 1)];
      if (auto r = conn_.Exec(m.sql); !r) {
        return Error::Unavailable(fmt::format("migration {}: {}", m.name, r.error().message));
      }
      Params params;
      params.Add(v).Add(m.name);
      if (auto r = conn_.Query(queries::kRecordMigration, params); !r) return r.error();
    }
    return {};
  }();
  if (!migrated) {
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
    return migrated;
  }
  return conn_.Exec("COMMIT");
}

Result<void> PostgresStore::CheckSchema() {
  auto has = conn_.Query(queries::kHasMigrationsTable);
  if (!has) return has.error();
  std::int64_t current = 0;
  if (Bool(has->get(), 0, 0)) {
    auto version = conn_.Query(queries::kSchemaVersion);
    if (!version) return version.error();
    current = Int(version->get(), 0, 0);
  }
  if (current != LatestSchemaVersion()) {
    return Error::FailedPrecondition(fmt::format(
        "the database read from is at schema version {}, this program needs {}: open the "
        "primary with this program first (it migrates), and let the replica catch up",
        current, LatestSchemaVersion()));
  }
  return {};
}

Result<void> PostgresStore::Prepare() {
  for (const auto& q : queries::kPrepared) {
    if (auto r = conn_.Prepare(q.name, q.sql); !r) return r;
  }
  return {};
}

Result<void> PostgresStore::Load(LoadSink& sink) {
  if (auto r = EnsureConnected(); !r) return r;
  if (auto r = conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) return r;
  auto loaded = LoadAll(sink);
  if (!loaded) {
    if (!conn_.broken()) (void)conn_.Exec("ROLLBACK");
    return loaded;
  }
  return conn_.Exec("COMMIT");
}

Result<void> PostgresStore::LoadAll(LoadSink& sink) {
  // A row that cannot be read back is reported, never skipped: the registry would be incomplete.
  auto corrupt = [](const std::string& iin_text) -> Result<void> {
    return Error::Internal("corrupt row: IIN " + domain::MaskIinsInText(iin_text));
  };
  // The log position of this picture (the same snapshot): later batches are applied on top.
  auto position = conn_.ExecPrepared(queries::kLogPosition.name, {});
  if (!position) return position.error();
  loaded_through_ = Int(position->get(), 0, 0);
  if (auto r = Stream(queries::kLoadPolicies,
                      [&](const PGresult* p, int i) -> Result<void> {
                        sink.OnPolicy({Text(p, i, 0), Text(p, i, 1)});
                        return {};
                      });
      !r) {
    return r;
  }
  if (auto r = Stream(queries::kLoadOrganisations,
                      [&](const PGresult* p, int i) -> Result<void> {
                        domain::Organisation o;
                        o.id = Text(p, i, 0);
                        o.ate = Text(p, i, 1);
                        o.name = Text(p, i, 2);
                        o.license = Bool(p, i, 3);
                        o.contract = Bool(p, i, 4);
                        o.is_private = Bool(p, i, 5);
                        o.rural = Bool(p, i, 6);
                        if (!IsNull(p, i, 7)) o.latitude = Real(p, i, 7);
                        if (!IsNull(p, i, 8)) o.longitude = Real(p, i, 8);
                        if (!IsNull(p, i, 9)) o.closed_on = Date::Parse(Text(p, i, 9));
                        o.successor = Text(p, i, 10);
                        sink.OnOrganisation(std::move(o));
                        return {};
                      });
      !r) {
    return r;
  }
  if (auto r = Stream(
          queries::kLoadDistricts,
          [&](const PGresult* p, int i) -> Result<void> {
            domain::District d;
            d.id = Text(p, i, 0);
            d.org = Text(p, i, 1);
            d.kind =
                ParseEnum<domain::DistrictKind>(Text(p, i, 2)).value_or(domain::DistrictKind::kGp);
            d.doctors = static_cast<int>(Int(p, i, 3));
            if (!IsNull(p, i, 4)) d.capacity = static_cast<int>(Int(p, i, 4));
            sink.OnDistrict(std::move(d));
            return {};
          });
      !r) {
    return r;
  }
  if (auto persons = Stream(
          queries::kLoadPersons,
          [&](const PGresult* r, int i) -> Result<void> {
            auto iin = domain::Iin::Parse(Text(r, i, 0));
            if (!iin) return corrupt(Text(r, i, 0));
            domain::Person p;
            p.iin = *iin;
            p.birth = ParseDateOr(Text(r, i, 1), Date{});
            p.sex = ParseEnum<domain::Sex>(Text(r, i, 2)).value_or(domain::Sex::kMale);
            p.status = ParseEnum<domain::LegalStatus>(Text(r, i, 3))
                           .value_or(domain::LegalStatus::kCitizen);
            p.name = Text(r, i, 4);
            for (int k = 0; k < domain::kAteRoleCount; ++k) p.ate[k] = Text(r, i, 5 + k);
            p.categories.bits = static_cast<std::uint32_t>(Int(r, i, 12));
            if (!IsNull(r, i, 13)) {
              p.insurance = domain::Insurance{ParseEnum<domain::InsuranceKind>(Text(r, i, 13))
                                                  .value_or(domain::InsuranceKind::kDms),
                                              ParseDateOr(Text(r, i, 14), Date{}),
                                              ParseDateOr(Text(r, i, 15), Date{})};
            }
            if (!IsNull(r, i, 16)) p.deceased = Date::Parse(Text(r, i, 16));
            p.osms.category = ParseEnum<domain::OsmsCategory>(Text(r, i, 17))
                                  .value_or(domain::OsmsCategory::kNone);
            p.osms.payer =
                ParseEnum<domain::OsmsPayer>(Text(r, i, 18)).value_or(domain::OsmsPayer::kNone);
            p.osms.insured = Bool(r, i, 19);
            for (const auto& rep : codec::SplitList(Text(r, i, 20))) {
              auto rep_iin = domain::Iin::Parse(rep);
              if (!rep_iin) return corrupt(rep);
              p.representatives.push_back(*rep_iin);
            }
            sink.OnPerson(std::move(p));
            return {};
          });
      !persons) {
    return persons;
  }
  if (auto r = Stream(
          queries::kLoadAttachments,
          [&](const PGresult* p, int i) -> Result<void> {
            auto iin = domain::Iin::Parse(Text(p, i, 1));
            if (!iin) return corrupt(Text(p, i, 1));
            domain::Attachment a;
            a.id = Int(p, i, 0);
            a.iin = *iin;
            a.org = Text(p, i, 2);
            a.district = Text(p, i, 3);
            a.from = ParseDateOr(Text(p, i, 4), Date{});
            a.to = IsNull(p, i, 5) ? Date::Max() : ParseDateOr(Text(p, i, 5), Date::Max());
            a.end = ParseEnum<domain::PeriodEnd>(Text(p, i, 6)).value_or(domain::PeriodEnd::kOpen);
            a.application_id = Text(p, i, 7);
            a.recorded_at = Int(p, i, 8);
            sink.OnAttachment(std::move(a));
            return {};
          });
      !r) {
    return r;
  }
  if (auto r = Stream(queries::kLoadApplications,
                      [&](const PGresult* p, int i) -> Result<void> {
                        sink.OnDecided(ReadApplication(p, i));
                        return {};
                      });
      !r) {
    return r;
  }
  return Stream(queries::kLoadIdempotencyKeys, [&](const PGresult* p, int i) -> Result<void> {
    sink.OnIdempotencyKey({Text(p, i, 0), Text(p, i, 1), Text(p, i, 2)});
    return {};
  });
}

}  // namespace

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<std::unique_ptr<Store>> OpenPostgresStoreForBulkLoad(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresStore>(std::move(*conn));
  if (auto r = store->InitBulk(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresStore>(std::move(*conn));
  if (auto r = store->Init(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenPostgresReadStore(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn) return conn.error();
  auto store = std::make_unique<PostgresStore>(std::move(*conn), /*read_only=*/true);
  if (auto r = store->Init(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace emkhana::storage::postgres
