#include "storage/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string_view>

#include <sys/statvfs.h>

#include "core/huge_pages.hpp"
#include "core/id_bitmap.hpp"
#include "core/sharded_set.hpp"
#include "core/string_hash.hpp"
#include "storage/audit_chain.hpp"
#include "storage/row_codec.hpp"
#include "storage/sqlite/journal_codec.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"

namespace emkhana::storage::sqlite {

using codec::DateText;
using codec::NonEmpty;
using codec::ParseDateOr;
using domain::Date;
using domain::NameOf;
using domain::ParseEnum;

namespace {

DecidedApplication ReadApplication(Statement& s) {
  DecidedApplication d;
  auto& a = d.application;
  a.id = s.Text(0);
  a.date = ParseDateOr(s.Text(1), Date{});
  a.iin = s.Text(2);
  a.applicant = s.Text(3);
  a.org = s.Text(4);
  if (!s.IsNull(5)) a.district = s.Text(5);
  a.channel = ParseEnum<domain::Channel>(s.Text(6)).value_or(domain::Channel::kEgov);
  a.basis = ParseEnum<domain::Basis>(s.Text(7)).value_or(domain::Basis::kFreeChoice);
  a.consent = s.Int(8) != 0;
  a.documents.bits = static_cast<std::uint32_t>(s.Int(9));
  if (!s.IsNull(10)) a.declared_birth = Date::Parse(s.Text(10));
  if (!s.IsNull(11)) a.declared_sex = ParseEnum<domain::Sex>(s.Text(11));
  auto& dec = d.decision;
  dec.application_id = a.id;
  dec.outcome = ParseEnum<domain::Outcome>(s.Text(12)).value_or(domain::Outcome::kRefused);
  for (const auto& r : codec::SplitList(s.Text(13))) {
    if (auto reason = ParseEnum<domain::Reason>(r)) dec.reasons.push_back(*reason);
  }
  dec.org = s.Text(14);
  dec.district = s.Text(15);
  if (!s.IsNull(16)) dec.effective = Date::Parse(s.Text(16));
  dec.decide_by = ParseDateOr(s.Text(17), Date{});
  dec.alternatives = codec::SplitList(s.Text(18));
  dec.policy_version = s.Text(19);
  dec.free_choice_change = s.Int(20) != 0;
  d.recorded_at = s.Int(21);
  return d;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Connection db) : db_(std::move(db)) {}

  // A one-off load into a new database: no journal, no foreign-key lookups; rows come in IIN
  // order, so the person and representative keys grow at their end. Crash-safe it is not: a failed
  // load leaves a file to delete, never a registry.
  Result<void> InitBulk() {
    bulk_ = true;
    if (auto r = Init(); !r) return r;
    for (const char* pragma :
         {"PRAGMA foreign_keys = OFF", "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF",
          "PRAGMA locking_mode = EXCLUSIVE", "PRAGMA temp_store = FILE",
          // A mapped file counts in the resident set: building the indexes would read the
          // whole table through it (measured: 2.5 GB peak at 20 million people).
          "PRAGMA mmap_size = 0"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    auto counts = Counts();
    if (!counts) return counts.error();
    if (counts->persons != 0 || counts->attachments != 0 || counts->organisations != 0) {
      return Error::FailedPrecondition("a bulk load needs a new, empty database");
    }
    // Secondary indexes of attachments are built once at the end: one sort beats millions of
    // B-tree descents (measured: 1M people, 17.5 s kept live against 11 s deferred).
    auto indexes = db_.Prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name = 'attachment'");
    if (!indexes) return indexes.error();
    Error error{ErrorCode::kInternal, ""};
    std::vector<std::string> names;
    while (indexes->Step(&error)) {
      names.push_back(indexes->Text(0));
      deferred_indexes_.push_back(indexes->Text(1));
    }
    if (!error.message.empty()) return error;
    for (const auto& name : names) {
      if (auto r = db_.Exec("DROP INDEX " + name); !r) return r;
    }
    return {};
  }

  Result<void> FinishBulkLoad() override {
    if (!bulk_) return {};
    (void)db_.Exec("PRAGMA threads = 2");  // CREATE INDEX sorts on both cores
    for (const auto& sql : deferred_indexes_) {
      if (auto r = db_.Exec(sql); !r) return r;
    }
    deferred_indexes_.clear();
    bulk_ = false;
    for (const char* pragma : {"PRAGMA locking_mode = NORMAL", "PRAGMA journal_mode = WAL",
                               "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                               "PRAGMA temp_store = MEMORY", "PRAGMA mmap_size = 1073741824"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    return {};
  }

  Result<void> Init() {
    // FULL: every commit syncs the WAL, so that a decision acknowledged after its group commit
    // survives a power cut (NORMAL syncs only at checkpoints). One sync per batch (ADR 0017).
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                               "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000",
                               // A registry is read and written all over: keep its pages in
                               // memory.
                               "PRAGMA cache_size = -262144", "PRAGMA mmap_size = 1073741824",
                               "PRAGMA temp_store = MEMORY"}) {
      if (auto r = db_.Exec(pragma); !r) return r;
    }
    // Checkpoints run beside the commits (a file only: memory has no WAL).
    if (const char* file = sqlite3_db_filename(db_.get(), "main"); file && *file) {
      path_ = file;
      checkpointer_ = std::make_unique<WalCheckpointer>(db_.get(), file);
    }
    if (auto r = Migrate(); !r) return r;
    // The journal is not measured here: a reader (`stats`) must not pay for it. The first
    // journalled commit applies what an earlier run left (journal_bytes_ stays unknown till then).
    return Prepare();
  }

  // A batch of decisions (only journalled mutations) is appended to the decision journal; any
  // other batch is written to the tables, after what the journal holds, so that the tables
  // always change in commit order.
  Result<void> Commit(const WriteBatch& batch) override {
    if (batch.empty()) return {};
    const bool journal =
        !bulk_ && std::all_of(batch.mutations.begin(), batch.mutations.end(), Journalled);
    if (!journal) {
      if (auto r = ApplyJournal(kAllRecords); !r) return r.error();
    }
    if (journal && journal_bytes_ < 0) {
      // Records of an earlier run that Load did not read (their ids are not in the sets below):
      // apply them first.
      if (auto r = ApplyWholeJournal(); !r) return r;
    }
    if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r;
    const std::int64_t bytes_before = journal_bytes_;
    std::vector<std::string> new_apps;
    std::vector<std::int64_t> new_periods;
    auto written = journal ? CheckForJournal(batch, new_apps, new_periods) : Result<void>{};
    if (written) written = journal ? AppendToJournal(batch) : WriteToTables(batch);
    if (written) written = mark_stats_stale_.Run();
    if (written) written = db_.Exec("COMMIT");
    if (!written) {
      (void)db_.Exec("ROLLBACK");
      for (const auto& id : new_apps) journal_apps_.erase(id);
      for (auto id : new_periods) journal_periods_.erase(id);
      journal_bytes_ = bytes_before;  // the journal is as it was
      return written;
    }
    ++commits_;
    if (journal && journal_bytes_ > kJournalLimitBytes && !HeldBack()) {
      // The batch is committed whatever happens here; a failure shows at the next read, which
      // applies the journal first.
      (void)ApplyJournal(kAllRecords);
    }
    return {};
  }

  // Applies up to `max_records` of the journal's oldest records to the tables (see
  // ApplyJournalInTransaction). True when records remain. A transaction that fails leaves
  // nothing behind, and what is known of the journal (its size, the ids in it) stays true: commits
  // go on journalling. The tables grow by more than the journal shrinks (ADR 0021), so on a
  // nearly full disk this is what fails.
  Result<bool> ApplyJournal(std::int64_t max_records) override {
    if (journal_bytes_ == 0) return false;
    for (bool first = true;; first = false) {
      // Back-to-back transactions leave the WAL no moment to start over: past its restart size,
      // wait for that between two of them (ADR 0010). A single one (the server's idle steps)
      // leaves gaps of its own.
      if (!first && checkpointer_ && checkpointer_->wants_restart()) {
        (void)checkpointer_->GiveWay(std::chrono::seconds(60));
      }
      if (auto room = RoomToApply(); !room) return room.error();
      if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r.error();
      auto applied = ApplyJournalInTransaction(std::min(max_records, kRecordsPerTransaction));
      if (applied) {
        if (auto r = db_.Exec("COMMIT"); !r) applied = r.error();
      }
      if (!applied) {
        (void)db_.Exec("ROLLBACK");
        if (applied.error().code == ErrorCode::kUnavailable) {
          // Out of space (or unable to write at all): reads hold back from trying again for a
          // while, since each try would redo a transaction's work only to fail. The server's
          // idle steps go on trying, a record at a time.
          held_back_by_ = applied.error();
          held_back_until_ = std::chrono::steady_clock::now() + kHoldBack;
        }
        return applied.error();
      }
      held_back_by_.reset();
      max_records -= applied->records;
      if (applied->records == 0 || !applied->more) {
        journal_bytes_ = 0;
        journal_apps_.clear();  // all in the tables now
        journal_periods_.clear();
        return false;
      }
      if (journal_bytes_ > 0) {
        journal_bytes_ = std::max<std::int64_t>(journal_bytes_ - applied->bytes, 1);
      }
      if (max_records <= 0) return true;
    }
  }

  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    if (auto r = db_.Exec("BEGIN IMMEDIATE"); !r) return r;
    if (auto r = save_stats_.Bind(1, header).BindBlob(2, entries).Run(); !r) {
      (void)db_.Exec("ROLLBACK");
      return r;
    }
    return db_.Exec("COMMIT");
  }

  Result<std::vector<std::string>> SamplePersons(std::int64_t n, std::uint64_t seed) override {
    std::vector<std::string> out;
    auto range = db_.Prepare("SELECT min(rowid), max(rowid) FROM person");
    if (!range) return range.error();
    Error error{ErrorCode::kInternal, ""};
    if (!range->Step(&error) || range->IsNull(0)) {
      if (!error.message.empty()) return error;
      return out;  // nobody registered
    }
    const std::int64_t lo = range->Int(0), hi = range->Int(1);
    // A random rowid, then the first person at or after it (rowids may have gaps).
    auto pick = db_.Prepare("SELECT iin FROM person WHERE rowid >= ?1 ORDER BY rowid LIMIT 1");
    if (!pick) return pick.error();
    std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, n)));
    for (std::int64_t i = 0; i < n; ++i) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
      pick->Bind(1,
                 lo + static_cast<std::int64_t>(state % static_cast<std::uint64_t>(hi - lo + 1)));
      if (pick->Step(&error)) out.push_back(pick->Text(0));
      pick->Reset();
      if (!error.message.empty()) return error;
    }
    return out;
  }

  // The header and the entries in one read transaction. The entries (17 MB at 20 M people) are
  // read straight into their buffer by incremental blob I/O: a statement's column would first be
  // put together in a buffer of SQLite's own and then copied.
  Result<std::optional<StoredStats>> LoadStats() override {
    // Inside a caller's transaction (a bulk load) that one is enough.
    const bool began = static_cast<bool>(db_.Exec("BEGIN"));
    auto loaded = LoadStatsInTransaction();
    if (began) (void)db_.Exec("COMMIT");
    return loaded;
  }

  Result<void> Load(LoadSink& sink) override;
  Result<StoreCounts> Counts() override;
  Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject, int limit) override;
  Result<std::optional<DecidedApplication>> FindApplication(const std::string& id) override;
  Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after, int limit) override;
  Result<std::vector<DecidedApplication>> ListApplications(const ApplicationQuery& q) override;
  Result<std::string> PersonName(const std::string& iin) override;
  std::int64_t commits() const override { return commits_; }

 private:
  Result<void> Migrate();
  Result<void> Prepare();
  Result<void> LoadTables(LoadSink& sink);
  Result<void> LoadJournal(LoadSink& sink);

  Result<std::optional<StoredStats>> LoadStatsInTransaction() {
    auto s = db_.Prepare(queries::kLoadStats);
    if (!s) return s.error();
    Error error{ErrorCode::kInternal, ""};
    if (!s->Step(&error)) {
      if (!error.message.empty()) return error;
      return std::optional<StoredStats>();
    }
    StoredStats out{s->Text(0), {}, s->Int(2) != 0};
    const auto bytes = s->Int(1);
    sqlite3_blob* blob = nullptr;
    int rc = sqlite3_blob_open(db_.get(), "main", "stats_snapshot", "entries", s->Int(3), 0, &blob);
    if (rc == SQLITE_OK && bytes > 0) {
      out.entries.reserve(static_cast<std::size_t>(bytes));
      AdviseHugePages(out.entries.data(), out.entries.capacity());
      out.entries.resize(static_cast<std::size_t>(bytes));
      rc = sqlite3_blob_read(blob, out.entries.data(), static_cast<int>(bytes), 0);
    }
    sqlite3_blob_close(blob);
    if (rc != SQLITE_OK) {
      return Error::Internal(std::string("reading the statistics snapshot: ") +
                             sqlite3_errmsg(db_.get()));
    }
    return std::optional<StoredStats>(std::move(out));
  }

  // A record holds at most this many mutations: what an idle moment applies at once.
  static constexpr std::size_t kMutationsPerRecord = 512;
  // Records applied in one transaction: large transactions write a page the journal touches
  // many times only once.
  static constexpr std::int64_t kRecordsPerTransaction = 512;
  static constexpr std::int64_t kAllRecords = INT64_MAX;
  // A commit that leaves more than this in the journal applies all of it (about three million
  // decisions): it bounds the work a restart or a read may find waiting.
  static constexpr std::int64_t kJournalLimitBytes = std::int64_t{1} << 30;
  // How long reads and the limit above leave the journal alone after it could not be written to
  // the tables for want of space (kUnavailable).
  static constexpr auto kHoldBack = std::chrono::seconds(10);
  bool HeldBack() const {
    return held_back_by_ && std::chrono::steady_clock::now() < held_back_until_;
  }
  // The tables hold what the journal holds in about 2.6 times its bytes, and the journal's own
  // pages, once freed, make up one of those at most (measured, ADR 0021): with less free space
  // than 1.5 times the journal, writing it into the tables cannot complete. It is then not
  // begun: it would fail, and first take the space that commits of new decisions need.
  Result<void> RoomToApply() {
    struct statvfs fs {};
    if (path_.empty() || ::statvfs(path_.c_str(), &fs) != 0) return {};  // unknown: try
    const auto free =
        static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
    std::int64_t pending = journal_bytes_;
    if (pending < 0) {
      Error error{ErrorCode::kInternal, ""};
      if (journal_size_.Step(&error)) pending = journal_size_.Int(0);
      journal_size_.Reset();
      if (!error.message.empty()) return error;
    }
    if (free >= pending + pending / 2) return {};
    return Error::Unavailable(
        fmt::format("no room to write the decision journal into the tables: {} MiB free for {} "
                    "MiB of journal, which the tables hold in about three times as much",
                    free >> 20, pending >> 20));
  }

  // What the tables would refuse at once, checked before a batch goes to the journal, so that
  // a journalled batch fails as a whole just as a written one does: an application decided
  // before, an attachment period stored before, a change to a period that does not exist. The
  // ids of records not yet applied are kept here; the tables answer for the rest.
  Result<void> CheckForJournal(const WriteBatch& batch, std::vector<std::string>& new_apps,
                               std::vector<std::int64_t>& new_periods) {
    auto stored = [this](Statement& s, auto key) {
      s.Bind(1, key);
      const bool found = s.Step(nullptr);
      s.Reset();
      return found;
    };
    for (const auto& m : batch.mutations) {
      if (const auto* d = std::get_if<DecidedApplication>(&m)) {
        const auto& id = d->application.id;
        if (journal_apps_.contains(id) || (MayBeStored(id) && stored(application_exists_, id))) {
          return Error::FailedPrecondition("application " + id + " is already decided");
        }
        journal_apps_.insert(id);
        new_apps.push_back(id);
      } else if (const auto* a = std::get_if<domain::Attachment>(&m)) {
        if (MayBeStored(a->id) &&
            (journal_periods_.contains(a->id) || stored(attachment_exists_, a->id))) {
          return Error::FailedPrecondition(fmt::format("attachment {} already exists", a->id));
        }
        largest_period_ = std::max(largest_period_, a->id);
        journal_periods_.insert(a->id);
        new_periods.push_back(a->id);
      } else if (const auto* c = std::get_if<PeriodChange>(&m)) {
        if (!journal_periods_.contains(c->attachment_id) &&
            !loaded_periods_.contains(c->attachment_id) &&
            !stored(attachment_exists_, c->attachment_id)) {
          return Error::Internal(fmt::format("attachment {} does not exist", c->attachment_id));
        }
      }
    }
    return {};
  }

  Result<void> AppendToJournal(const WriteBatch& batch) {
    std::string body;
    std::size_t from = 0;
    while (from < batch.mutations.size()) {
      std::size_t to = from, count = 0;
      while (to < batch.mutations.size() && count < kMutationsPerRecord) {
        ++count;
        ++to;
      }
      if (count > 0) {
        body.clear();
        EncodeJournal(batch, from, to, body);
        if (auto r =
                append_journal_.Bind(1, static_cast<std::int64_t>(count)).BindBlob(2, body).Run();
            !r) {
          return r;
        }
        if (journal_bytes_ >= 0) journal_bytes_ += static_cast<std::int64_t>(body.size());
      }
      from = to;
    }
    return {};
  }

  Result<void> WriteToTables(const WriteBatch& batch) {
    // The chain goes on from the last entry in the tables: what this transaction wrote so far,
    // or, after a rollback, what is there for good.
    if (std::any_of(batch.mutations.begin(), batch.mutations.end(),
                    [](const Mutation& m) { return std::holds_alternative<AuditEntry>(m); })) {
      if (auto r = ResumeChain(); !r) return r;
    }
    for (const auto& m : batch.mutations) {
      if (auto r = std::visit([this](const auto& v) { return Write(v); }, m); !r) return r;
    }
    return {};
  }

  struct Applied {
    std::int64_t records = 0, bytes = 0;
    bool more = false;  // records remain after these
  };
  // Writes the oldest `max_records` journal records to the tables, in order, and deletes them.
  Result<Applied> ApplyJournalInTransaction(std::int64_t max_records) {
    Applied applied;
    std::int64_t last = 0;
    Error error{ErrorCode::kInternal, ""};
    read_journal_.Bind(1, max_records + 1);  // one more tells whether records remain
    while (read_journal_.Step(&error)) {
      if (applied.records == max_records) {
        applied.more = true;
        break;
      }
      last = read_journal_.Int(0);
      const std::string body = read_journal_.Blob(1);
      auto batch = DecodeJournal(body);
      if (!batch) {
        read_journal_.Reset();
        return Error::Internal(
            fmt::format("decision journal record {}: {}", last, batch.error().message));
      }
      if (auto r = WriteToTables(*batch); !r) {
        read_journal_.Reset();
        return Error{r.error().code,
                     fmt::format("decision journal record {}: {}", last, r.error().message)};
      }
      ++applied.records;
      applied.bytes += static_cast<std::int64_t>(body.size());
    }
    read_journal_.Reset();
    if (!error.message.empty()) return error;
    if (applied.records > 0) {
      if (auto r = delete_journal_.Bind(1, last).Run(); !r) return r.error();
    }
    return applied;
  }

  // What a read of the tables needs first: nothing left in the journal. Asks the database, not
  // the count kept here, since another process may have journalled (a CLI beside a server reads
  // without writing when there is nothing to apply).
  Result<void> ApplyWholeJournal() {
    Error error{ErrorCode::kInternal, ""};
    const bool pending = journal_pending_.Step(&error);
    journal_pending_.Reset();
    if (!error.message.empty()) return error;
    if (!pending) {
      journal_bytes_ = 0;
      return {};
    }
    if (HeldBack()) return *held_back_by_;
    // Records there that this store did not count (another process journalled them) make the
    // journal's size unknown, and ApplyJournal look.
    if (journal_bytes_ == 0) journal_bytes_ = -1;
    if (auto r = ApplyJournal(kAllRecords); !r) return r.error();
    return {};
  }

  // An application that may still be in the journal when it cannot be written to the tables:
  // the newest record first (a client asks again about what it sent last), decoding only those
  // whose bytes hold the id. A full scan, for a full disk only.
  Result<std::optional<DecidedApplication>> FindInJournal(const std::string& id) {
    if (journal_bytes_ >= 0 && !journal_apps_.contains(id)) return std::nullopt;  // the sets know
    Error error{ErrorCode::kInternal, ""};
    std::optional<DecidedApplication> found;
    while (!found && read_journal_newest_first_.Step(&error)) {
      const auto body = read_journal_newest_first_.BlobView(1);
      if (body.find(id) == std::string_view::npos) continue;
      auto batch = DecodeJournal(body);
      if (!batch) {
        error =
            Error::Internal(fmt::format("decision journal record {}: {}",
                                        read_journal_newest_first_.Int(0), batch.error().message));
        break;
      }
      for (auto& m : batch->mutations) {
        auto* d = std::get_if<DecidedApplication>(&m);
        if (d && d->application.id == id) found = std::move(*d);
      }
    }
    read_journal_newest_first_.Reset();
    if (!error.message.empty()) return error;
    return found;
  }

  Result<void> Write(const domain::Organisation& o) {
    return upsert_org_.Bind(1, o.id)
        .Bind(2, o.ate)
        .Bind(3, o.name)
        .Bind(4, int(o.license))
        .Bind(5, int(o.contract))
        .Bind(6, int(o.is_private))
        .Bind(7, int(o.rural))
        .Bind(8, o.latitude)
        .Bind(9, o.longitude)
        .Bind(10, DateText(o.closed_on))
        .Bind(11, NonEmpty(o.successor))
        .Run();
  }
  Result<void> Write(const OrgClosure& c) {
    return close_org_.Bind(1, c.org)
        .Bind(2, c.date.ToString())
        .Bind(3, NonEmpty(c.successor))
        .Run();
  }
  Result<void> Write(const domain::District& d) {
    return upsert_district_.Bind(1, d.id)
        .Bind(2, d.org)
        .Bind(3, NameOf(d.kind))
        .Bind(4, d.doctors)
        .Bind(5, d.capacity)
        .Run();
  }
  // Texts are bound without copies (BindStatic): each lives, in `p` or here, until Run() has
  // stepped and reset the statement. This is the bulk load's hottest path.
  Result<void> Write(const domain::Person& p) {
    auto& s = upsert_person_;
    const std::string iin = p.iin.ToString(), birth = p.birth.ToString();
    std::string insured_from, insured_until, deceased;
    s.BindStatic(1, iin).BindStatic(2, birth).BindStatic(3, NameOf(p.sex));
    s.BindStatic(4, NameOf(p.status)).BindStatic(5, p.name);
    for (int i = 0; i < domain::kAteRoleCount; ++i) {
      if (p.ate[i].empty()) {
        s.BindNull(6 + i);
      } else {
        s.BindStatic(6 + i, p.ate[i]);
      }
    }
    s.Bind(13, static_cast<std::int64_t>(p.categories.bits));
    if (p.insurance) {
      insured_from = p.insurance->from.ToString();
      insured_until = p.insurance->until.ToString();
      s.BindStatic(14, NameOf(p.insurance->kind))
          .BindStatic(15, insured_from)
          .BindStatic(16, insured_until);
    } else {
      s.BindNull(14).BindNull(15).BindNull(16);
    }
    if (p.deceased) {
      deceased = p.deceased->ToString();
      s.BindStatic(17, deceased);
    } else {
      s.BindNull(17);
    }
    s.BindStatic(18, NameOf(p.osms.category))
        .BindStatic(19, NameOf(p.osms.payer))
        .Bind(20, std::int64_t{p.osms.insured});
    if (auto r = s.Run(); !r) return r;
    if (!bulk_) {
      if (auto r = delete_reps_.BindStatic(1, iin).Run(); !r) return r;
    }
    for (const auto& rep : p.representatives) {
      const std::string representative = rep.ToString();
      if (auto r = insert_rep_.BindStatic(1, iin).BindStatic(2, representative).Run(); !r) {
        return r;
      }
    }
    return {};
  }
  Result<void> Write(const PersonDeath& d) {
    return mark_deceased_.Bind(1, d.iin.ToString()).Bind(2, d.date.ToString()).Run();
  }
  Result<void> Write(const domain::Attachment& a) {
    largest_period_ = std::max(largest_period_, a.id);
    if (auto r = insert_attachment_.Bind(1, a.id)
                     .Bind(2, a.iin.ToString())
                     .Bind(3, a.org)
                     .Bind(4, a.district)
                     .Bind(5, a.from.ToString())
                     .Bind(6, DateText(a.to))
                     .Bind(7, NameOf(a.end))
                     .Bind(8, NonEmpty(a.application_id))
                     .Bind(9, a.recorded_at)
                     .Run();
        !r) {
      return r;
    }
    // A bulk-loaded period's first version is its own row; history records later changes.
    if (bulk_) return {};
    return insert_history_.Bind(1, a.id).Bind(2, a.recorded_at).Run();
  }
  Result<void> Write(const PeriodChange& c) {
    if (auto r = change_attachment_.Bind(1, c.attachment_id)
                     .Bind(2, DateText(c.to))
                     .Bind(3, NameOf(c.end))
                     .Run();
        !r) {
      return r;
    }
    if (sqlite3_changes(db_.get()) != 1) {
      return Error::Internal(fmt::format("attachment {} does not exist", c.attachment_id));
    }
    return insert_history_.Bind(1, c.attachment_id).Bind(2, c.recorded_at).Run();
  }
  Result<void> ResumeChain() {
    Error error{ErrorCode::kInternal, ""};
    std::string tail;
    if (audit_tail_.Step(&error) && !audit_tail_.IsNull(0)) tail = audit_tail_.Text(0);
    audit_tail_.Reset();
    if (!error.message.empty()) return error;
    sealer_.Resume(std::move(tail));
    return {};
  }
  Result<void> Write(const DecidedApplication& d) {
    sealer_.NoteDecided(d);
    const auto& a = d.application;
    stored_apps_.insert(Fingerprint(a.id));
    const auto& dec = d.decision;
    auto& s = insert_application_;
    s.Bind(1, a.id)
        .Bind(2, a.date.ToString())
        .Bind(3, a.iin)
        .Bind(4, a.applicant)
        .Bind(5, a.org)
        .Bind(6, a.district)
        .Bind(7, NameOf(a.channel))
        .Bind(8, NameOf(a.basis))
        .Bind(9, int(a.consent))
        .Bind(10, static_cast<std::int64_t>(a.documents.bits))
        .Bind(11, DateText(a.declared_birth));
    if (a.declared_sex)
      s.Bind(12, NameOf(*a.declared_sex));
    else
      s.BindNull(12);
    s.Bind(13, NameOf(dec.outcome))
        .Bind(14, codec::JoinReasons(dec.reasons))
        .Bind(15, NonEmpty(dec.org))
        .Bind(16, NonEmpty(dec.district))
        .Bind(17, DateText(dec.effective))
        .Bind(18, dec.decide_by.ToString())
        .Bind(19, codec::JoinList(dec.alternatives))
        .Bind(20, dec.policy_version)
        .Bind(21, int(dec.free_choice_change))
        .Bind(22, d.recorded_at);
    return s.Run();
  }
  Result<void> Write(const AuditEntry& entry) {
    AuditEntry e = entry;
    if (e.action == kDecidedAction && !sealer_.Noted(e.subject)) {
      // Its decision went to the tables with an earlier journal record, perhaps before a
      // restart: the stored row is what the entry vouches for, unless an entry does already.
      Error error{ErrorCode::kInternal, ""};
      const bool vouched = audit_vouched_.Bind(1, e.subject).Step(&error);
      audit_vouched_.Reset();
      if (!vouched && error.message.empty()) {
        find_application_.Bind(1, e.subject);
        if (find_application_.Step(&error)) {
          sealer_.NoteDecided(ReadApplication(find_application_));
        }
        find_application_.Reset();
      }
      if (!error.message.empty()) return error;
    }
    sealer_.Seal(e);
    return insert_audit_.Bind(1, e.at)
        .Bind(2, e.actor)
        .Bind(3, e.channel)
        .Bind(4, e.action)
        .Bind(5, e.subject)
        .Bind(6, e.detail)
        .Bind(7, e.policy_version)
        .Bind(8, e.ref)
        .Bind(9, e.prev_hash)
        .Bind(10, e.hash)
        .Run();
  }
  Result<void> Write(const PolicyVersion& p) {
    return upsert_policy_.Bind(1, p.version).Bind(2, p.body).Run();
  }
  // A retry after a restart must find its decision: the keys are kept with the decisions.
  Result<void> Write(const IdempotencyKey& k) {
    return insert_idempotency_key_.Bind(1, k.key)
        .Bind(2, k.application_id)
        .Bind(3, k.fingerprint)
        .Run();
  }

  Connection db_;
  std::string path_;                               // the database file ("" in memory)
  std::unique_ptr<WalCheckpointer> checkpointer_;  // after db_: stops before it closes
  // Why the journal could not be written to the tables, and until when reads leave it alone.
  std::optional<Error> held_back_by_;
  std::chrono::steady_clock::time_point held_back_until_;
  std::int64_t commits_ = 0;
  // Bytes of journal records not yet applied; -1 when unknown: records of an earlier run that
  // Load did not read. Known (>= 0) only while every pending record was journalled here or read
  // by Load, so that the sets below hold all their ids (CheckForJournal); after a failed apply
  // they hold more (applied ones as well), which costs nothing and refuses nothing new.
  std::int64_t journal_bytes_ = -1;
  ShardedSet<std::string> journal_apps_;
  ShardedSet<std::int64_t> journal_periods_;
  // Attachment ids that Load read from the tables. Rows are never deleted (a trigger refuses
  // it), so these are stored for good: a change to one needs no lookup in the table. On a
  // registry larger than the page cache, that lookup is a random read of the disk for every
  // approved move, on the commit's path (ADR 0009).
  IdBitmap loaded_periods_;
  // Once Load has read the tables, what they can hold is known here without a lookup (the
  // lookups were a quarter of the committer's time in a campaign): ids of attachments go up to
  // largest_period_, and every application's id has its fingerprint in stored_apps_. Both are
  // kept up to date by the only writers of those rows (Write below); a failed commit leaves
  // them too large, which costs a lookup, never a wrong answer.
  bool loaded_ = false;
  std::int64_t largest_period_ = 0;
  ShardedSet<std::uint64_t> stored_apps_;
  // False when the row cannot be in the table; true when it may be (then look it up).
  bool MayBeStored(std::int64_t period_id) const {
    return !loaded_ || period_id <= largest_period_;
  }
  bool MayBeStored(const std::string& application_id) const {
    return !loaded_ || stored_apps_.contains(Fingerprint(application_id));
  }
  bool bulk_ = false;
  std::vector<std::string> deferred_indexes_;  // CREATE INDEX statements, during a bulk load
  Statement upsert_policy_, upsert_org_, close_org_, upsert_district_, upsert_person_, delete_reps_,
      insert_rep_, mark_deceased_, insert_attachment_, change_attachment_, insert_history_,
      insert_application_, insert_audit_, insert_idempotency_key_, find_application_,
      mark_stats_stale_, save_stats_, append_journal_, read_journal_, delete_journal_,
      journal_pending_, journal_size_, read_journal_newest_first_, application_exists_,
      attachment_exists_, audit_tail_, audit_vouched_;
  AuditSealer sealer_;
};

Result<void> SqliteStore::Migrate() {
  auto version = db_.Prepare("PRAGMA user_version");
  if (!version) return version.error();
  int current = 0;
  if (version->Step(nullptr)) current = static_cast<int>(version->Int(0));
  *version = Statement{};  // finalised: an open statement would lock the schema (DROP INDEX)
  const auto& all = Migrations();
  if (current > static_cast<int>(all.size())) {
    return Error::FailedPrecondition(fmt::format(
        "database schema version {} is newer than this program ({})", current, all.size()));
  }
  for (int v = current + 1; v <= static_cast<int>(all.size()); ++v) {
    const auto& m = all[static_cast<std::size_t>(v - 1)];
    auto script = fmt::format("BEGIN; {}\nPRAGMA user_version = {}; COMMIT;", m.sql, v);
    if (auto r = db_.Exec(script); !r) {
      (void)db_.Exec("ROLLBACK");
      return Error::Unavailable(fmt::format("migration {}: {}", m.name, r.error().message));
    }
  }
  return {};
}

Result<void> SqliteStore::Prepare() {
  struct Item {
    Statement* stmt;
    const char* sql;
  };
  const Item items[] = {
      {&upsert_policy_, queries::kUpsertPolicy},
      {&upsert_org_, queries::kUpsertOrganisation},
      {&close_org_, queries::kCloseOrganisation},
      {&upsert_district_, queries::kUpsertDistrict},
      {&upsert_person_, queries::kUpsertPerson},
      {&delete_reps_, queries::kDeleteRepresentatives},
      {&insert_rep_, queries::kInsertRepresentative},
      {&mark_deceased_, queries::kMarkDeceased},
      {&insert_attachment_, queries::kInsertAttachment},
      {&change_attachment_, queries::kChangeAttachment},
      {&insert_history_, queries::kInsertAttachmentHistory},
      {&insert_application_, queries::kInsertApplication},
      {&insert_audit_, queries::kInsertAudit},
      {&audit_tail_, queries::kAuditTail},
      {&audit_vouched_, queries::kAuditVouched},
      {&insert_idempotency_key_, queries::kInsertIdempotencyKey},
      {&find_application_, queries::kFindApplication},
      {&mark_stats_stale_, queries::kMarkStatsStale},
      {&save_stats_, queries::kSaveStats},
      {&append_journal_, queries::kAppendJournal},
      {&read_journal_, queries::kReadJournal},
      {&delete_journal_, queries::kDeleteJournal},
      {&journal_pending_, queries::kJournalPending},
      {&journal_size_, queries::kJournalSize},
      {&read_journal_newest_first_, queries::kReadJournalNewestFirst},
      {&application_exists_, queries::kApplicationExists},
      {&attachment_exists_, queries::kAttachmentExists},
  };
  for (const auto& item : items) {
    auto s = db_.Prepare(item.sql);
    if (!s) return s.error();
    *item.stmt = std::move(*s);
  }
  return {};
}

// A sink that takes the journal's batches (the registry) gets them as they are: nothing is
// written, so a restart needs no free space, however large the journal (ADR 0021). Any other
// sink gets them in the tables, which are written first.
Result<void> SqliteStore::Load(LoadSink& sink) {
  const bool pending = sink.TakesPending();
  if (!pending) {
    if (auto r = ApplyWholeJournal(); !r) return r;
  }
  // One read transaction: the tables and the journal as of one moment, even if another process
  // applies the journal meanwhile. Inside a caller's transaction that one is enough.
  const bool began = static_cast<bool>(db_.Exec("BEGIN"));
  auto loaded = LoadTables(sink);
  if (loaded && pending) loaded = LoadJournal(sink);
  if (began) (void)db_.Exec("COMMIT");
  if (loaded) loaded_ = true;
  return loaded;
}

// The journal's records as batches, in order, and what CheckForJournal needs to know of them
// for the commits that follow: their application and period ids, and their size.
Result<void> SqliteStore::LoadJournal(LoadSink& sink) {
  Error error{ErrorCode::kInternal, ""};
  std::int64_t bytes = 0;
  read_journal_.Bind(1, kAllRecords);
  while (read_journal_.Step(&error)) {
    const auto body = read_journal_.BlobView(1);
    auto batch = DecodeJournal(body);
    if (!batch) {
      error = Error::Internal(fmt::format("decision journal record {}: {}", read_journal_.Int(0),
                                          batch.error().message));
      break;
    }
    for (const auto& m : batch->mutations) {
      if (const auto* d = std::get_if<DecidedApplication>(&m)) {
        journal_apps_.insert(d->application.id);
      } else if (const auto* a = std::get_if<domain::Attachment>(&m)) {
        journal_periods_.insert(a->id);
        // Stored for good as well (checked when journalled): a change to it needs no lookup,
        // once the journal is in the tables either (as when Load wrote it there first).
        loaded_periods_.insert(a->id);
        largest_period_ = std::max(largest_period_, a->id);
      }
    }
    bytes += static_cast<std::int64_t>(body.size());
    sink.OnPending(std::move(*batch));
  }
  read_journal_.Reset();
  if (!error.message.empty()) return error;
  journal_bytes_ = bytes;  // the sets above now hold every pending record's ids
  return {};
}

Result<void> SqliteStore::LoadTables(LoadSink& sink) {
  Error error{ErrorCode::kInternal, ""};
  // A row that cannot be read back is reported, never skipped: the registry would be incomplete.
  auto Corrupt = [&](const std::string& iin_text) {
    if (error.message.empty()) {
      error = Error::Internal("corrupt row: IIN " + domain::MaskIinsInText(iin_text));
    }
  };
  auto run = [&](const char* sql, auto&& on_row) -> Result<void> {
    auto s = db_.Prepare(sql);
    if (!s) return s.error();
    while (s->Step(&error)) on_row(*s);
    if (!error.message.empty()) return error;
    return {};
  };
  if (auto r = run(queries::kLoadPolicies,
                   [&](Statement& s) {
                     sink.OnPolicy({s.Text(0), s.Text(1)});
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadOrganisations,
                   [&](Statement& s) {
                     domain::Organisation o;
                     o.id = s.Text(0);
                     o.ate = s.Text(1);
                     o.name = s.Text(2);
                     o.license = s.Int(3) != 0;
                     o.contract = s.Int(4) != 0;
                     o.is_private = s.Int(5) != 0;
                     o.rural = s.Int(6) != 0;
                     if (!s.IsNull(7)) o.latitude = s.Real(7);
                     if (!s.IsNull(8)) o.longitude = s.Real(8);
                     if (!s.IsNull(9)) o.closed_on = Date::Parse(s.Text(9));
                     o.successor = s.Text(10);
                     sink.OnOrganisation(std::move(o));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadDistricts,
                   [&](Statement& s) {
                     domain::District d;
                     d.id = s.Text(0);
                     d.org = s.Text(1);
                     d.kind = ParseEnum<domain::DistrictKind>(s.Text(2)).value_or(
                         domain::DistrictKind::kGp);
                     d.doctors = static_cast<int>(s.Int(3));
                     if (!s.IsNull(4)) d.capacity = static_cast<int>(s.Int(4));
                     sink.OnDistrict(std::move(d));
                   });
      !r) {
    return r;
  }
  std::multimap<std::string, domain::Iin> reps;
  if (auto r = run(queries::kLoadRepresentatives,
                   [&](Statement& s) {
                     if (auto rep = domain::Iin::Parse(s.Text(1))) reps.emplace(s.Text(0), *rep);
                   });
      !r) {
    return r;
  }
  if (auto r = run(
          queries::kLoadPersons,
          [&](Statement& s) {
            auto iin = domain::Iin::Parse(s.Text(0));
            if (!iin) return Corrupt(s.Text(0));
            domain::Person p;
            p.iin = *iin;
            p.birth = ParseDateOr(s.Text(1), Date{});
            p.sex = ParseEnum<domain::Sex>(s.Text(2)).value_or(domain::Sex::kMale);
            p.status =
                ParseEnum<domain::LegalStatus>(s.Text(3)).value_or(domain::LegalStatus::kCitizen);
            p.name = s.Text(4);
            for (int i = 0; i < domain::kAteRoleCount; ++i) p.ate[i] = s.Text(5 + i);
            p.categories.bits = static_cast<std::uint32_t>(s.Int(12));
            if (!s.IsNull(13)) {
              p.insurance = domain::Insurance{ParseEnum<domain::InsuranceKind>(s.Text(13))
                                                  .value_or(domain::InsuranceKind::kDms),
                                              ParseDateOr(s.Text(14), Date{}),
                                              ParseDateOr(s.Text(15), Date{})};
            }
            if (!s.IsNull(16)) p.deceased = Date::Parse(s.Text(16));
            p.osms.category =
                ParseEnum<domain::OsmsCategory>(s.Text(17)).value_or(domain::OsmsCategory::kNone);
            p.osms.payer =
                ParseEnum<domain::OsmsPayer>(s.Text(18)).value_or(domain::OsmsPayer::kNone);
            p.osms.insured = s.Int(19) != 0;
            auto [lo, hi] = reps.equal_range(s.Text(0));
            for (auto it = lo; it != hi; ++it) p.representatives.push_back(it->second);
            sink.OnPerson(std::move(p));
          });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadAttachments,
                   [&](Statement& s) {
                     auto iin = domain::Iin::Parse(s.Text(1));
                     if (!iin) return Corrupt(s.Text(1));
                     domain::Attachment a;
                     a.id = s.Int(0);
                     loaded_periods_.insert(a.id);
                     largest_period_ = std::max(largest_period_, a.id);
                     a.iin = *iin;
                     a.org = s.Text(2);
                     a.district = s.Text(3);
                     a.from = ParseDateOr(s.Text(4), Date{});
                     a.to = s.IsNull(5) ? Date::Max() : ParseDateOr(s.Text(5), Date::Max());
                     a.end =
                         ParseEnum<domain::PeriodEnd>(s.Text(6)).value_or(domain::PeriodEnd::kOpen);
                     a.application_id = s.Text(7);
                     a.recorded_at = s.Int(8);
                     sink.OnAttachment(std::move(a));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadApplications,
                   [&](Statement& s) {
                     auto d = ReadApplication(s);
                     stored_apps_.insert(Fingerprint(d.application.id));
                     sink.OnDecided(std::move(d));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadIdempotencyKeys,
                   [&](Statement& s) {
                     sink.OnIdempotencyKey({s.Text(0), s.Text(1), s.Text(2)});
                   });
      !r) {
    return r;
  }
  return {};
}

// Answered even when the journal cannot be written to the tables for want of space
// (kUnavailable): from the tables, else from the journal, so that a client's retry finds its
// decision and the registry does not decide it again. Other failures (a damaged record, one the
// tables refuse) are a bug to mend, and reported.
Result<std::optional<DecidedApplication>> SqliteStore::FindApplication(const std::string& id) {
  auto applied = ApplyWholeJournal();
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
    found = FindInJournal(id);
  }
  if (began) (void)db_.Exec("COMMIT");
  return found;
}

Result<std::vector<DecidedApplication>> SqliteStore::ListApplications(const ApplicationQuery& q) {
  if (q.org.empty() == q.iin.empty()) {
    return Error::InvalidArgument("list by an organisation or by a person");
  }
  if (auto r = ApplyWholeJournal(); !r) return r.error();
  auto s =
      db_.Prepare(q.org.empty() ? queries::kApplicationsByPerson : queries::kApplicationsByOrg);
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

Result<std::string> SqliteStore::PersonName(const std::string& iin) {
  auto s = db_.Prepare(queries::kPersonName);
  if (!s) return s.error();
  s->Bind(1, iin);
  Error error{ErrorCode::kInternal, ""};
  std::string name;
  if (s->Step(&error)) name = s->Text(0);
  if (!error.message.empty()) return error;
  return name;
}

Result<StoreCounts> SqliteStore::Counts() {
  if (auto r = ApplyWholeJournal(); !r) return r.error();
  auto s = db_.Prepare(queries::kCounts);
  if (!s) return s.error();
  Error error{ErrorCode::kInternal, ""};
  if (!s->Step(&error)) return error;
  return StoreCounts{s->Int(0), s->Int(1), s->Int(2), s->Int(3), s->Int(4), s->Int(5), s->Int(6)};
}

Result<std::vector<AuditEntry>> SqliteStore::AuditTrail(const std::string& subject, int limit) {
  if (auto r = ApplyWholeJournal(); !r) return r.error();
  auto s = db_.Prepare(queries::kAuditBySubject);
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

Result<std::vector<StoredAuditEntry>> SqliteStore::AuditPage(std::int64_t after, int limit) {
  if (auto r = ApplyWholeJournal(); !r) return r.error();
  auto s = db_.Prepare(queries::kAuditPage);
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

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

namespace {
Result<std::unique_ptr<Store>> Open(const std::string& path, bool bulk) {
  auto db = Connection::Open(path);
  if (!db) return db.error();
  auto store = std::make_unique<SqliteStore>(std::move(*db));
  if (auto r = bulk ? store->InitBulk() : store->Init(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}
}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return Open(path, false);
}

Result<std::unique_ptr<Store>> OpenSqliteStoreForBulkLoad(const std::string& path) {
  return Open(path, true);
}

}  // namespace emkhana::storage::sqlite
