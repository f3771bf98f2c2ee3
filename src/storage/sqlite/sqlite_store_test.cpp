// Tests of what is particular to the SQLite store: the in-memory database, its
// append-only triggers seen through the raw sqlite3 API, PRAGMA user_version.
// The behaviour every backend shares is tested once for all in
// storage/store_conformance_test.cpp.
#include "storage/sqlite/sqlite_store.hpp"

#include "storage/sqlite/journal_codec.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "storage/audit_chain.hpp"
#include "storage/store.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::storage {
namespace {

using namespace storage::testing;  // NOLINT: the sample data

// A unique database file under the test temporary directory, removed (with its
// WAL files) afterwards (SqliteBackend).
class SqliteStoreTest : public BackendTest<SqliteBackend> {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    path_ = backend_.location();
  }

  // Runs one SQL statement on the file through the raw sqlite3 API; returns the
  // error text, or
  // "" on success.
  std::string RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "open failed";
      sqlite3_close(db);
      ADD_FAILURE() << "cannot open " << path_ << ": " << msg;
      return msg;
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err ? err : "error");
    sqlite3_free(err);
    sqlite3_close(db);
    return msg;
  }

  std::int64_t RawInt(const std::string& sql) {
    sqlite3* db = nullptr;
    std::int64_t value = -1;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        value = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
  }

  std::string path_;
};

TEST_F(SqliteStoreTest, InMemoryStoreWorks) {
  auto opened = OpenStore(":memory:");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  Store& store = **opened;
  EXPECT_NE(store.journal(), nullptr);
  EXPECT_EQ(store.change_log(), nullptr) << "one process owns the file";
  ASSERT_TRUE(store.Commit(FullBatch()).has_value());
  EXPECT_EQ(store.commits(), 1);
  StoreCounts c = CountsOf(store);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.applications, 2);
  RecordingSink sink;
  ASSERT_TRUE(store.Load(sink).has_value());
  ASSERT_EQ(sink.persons.size(), 2u);
  ExpectSamePerson(sink.persons[0], PersonP());
  ASSERT_EQ(sink.decided.size(), 2u);
  ExpectSameDecided(sink.decided[1], Refused());

  // A second in-memory store is a separate, empty database.
  auto other = OpenStore(":memory:");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(CountsOf(**other).persons, 0);
}

TEST_F(SqliteStoreTest, AuditLogAndDecisionsAreAppendOnly) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  std::string err = RawExec("UPDATE audit_log SET actor = 'someone else'");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "UPDATE audit_log: '" << err << "'";
  err = RawExec("DELETE FROM audit_log");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "DELETE FROM audit_log: '" << err << "'";
  err = RawExec("DELETE FROM application");
  EXPECT_NE(err.find("append-only"), std::string::npos)
      << "DELETE FROM application: '" << err << "'";
  err = RawExec("UPDATE application SET outcome = 'refused' WHERE id = 'APP-1'");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "UPDATE application: '" << err << "'";
  err = RawExec("DELETE FROM attachment_history");
  EXPECT_FALSE(err.empty()) << "DELETE FROM attachment_history succeeded";
  err = RawExec("DELETE FROM attachment");
  EXPECT_FALSE(err.empty()) << "DELETE FROM attachment succeeded";

  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log WHERE actor = 'someone else'"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 2);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment_history"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment"), 2);
}

TEST_F(SqliteStoreTest, ReopeningAMigratedFileWorks) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  EXPECT_EQ(RawInt("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_GE(sqlite::LatestSchemaVersion(), 1);
  for (int i = 0; i < 2; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->commits(), 0);  // counted per open store
    StoreCounts c = CountsOf(*store);
    EXPECT_EQ(c.organisations, 2);
    EXPECT_EQ(c.audit, 3);
  }
  EXPECT_EQ(RawInt("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(RawInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                   "AND name = 'person'"),
            1);
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefused) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(RawExec("PRAGMA user_version = 999"), "");
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition) << store.error().message;
}

// The decision journal (ADR 0007): batches of decisions are appended as records and written to
// the tables later; every read sees them all the same.
WriteBatch Registered() {  // what the decisions below refer to
  WriteBatch b;
  for (auto& m : FullBatch().mutations) {
    if (!sqlite::Journalled(m)) b.mutations.push_back(std::move(m));
  }
  return b;
}
WriteBatch Decisions() {
  WriteBatch b;
  for (auto& m : FullBatch().mutations) {
    if (sqlite::Journalled(m)) b.mutations.push_back(std::move(m));
  }
  return b;
}

TEST_F(SqliteStoreTest, DecisionsWaitInTheJournalUntilARead) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 0);

  auto found = store->FindApplication("APP-1");
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  ExpectSameDecided(**found, Approved());
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 2);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment_history"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment WHERE id = 1 AND valid_to = '2026-01-01'"), 1);
}

// A journal record holds 512 mutations: one may end between a decision and its audit entry, and
// the next may reach the tables in another transaction, after a restart. The entry still
// vouches for its decision (found in the table), and the chain verifies.
TEST_F(SqliteStoreTest, TheChainHoldsAcrossJournalRecordsAndARestart) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Registered()).has_value());
    WriteBatch b;
    b.mutations.push_back(AuditEntry{1, "registrar:ORG-A", "http", "read", "x", "panel", "v"});
    for (int i = 0; i < 400; ++i) {  // decision 255's entry opens the second record
      DecidedApplication d = Refused();
      d.application.id = d.decision.application_id = "J-" + std::to_string(i);
      b.mutations.push_back(d);
      AuditEntry e = Audit(d.application.id, 100 + i);
      b.mutations.push_back(e);
    }
    ASSERT_TRUE(store->Commit(b).has_value());
    ASSERT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 2);
    auto more = store->journal()->ApplyJournal(1);  // the first record only, then the process ends
    ASSERT_TRUE(more.has_value()) << more.error().message;
    EXPECT_TRUE(*more);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  EXPECT_TRUE(verdict->intact) << verdict->problem;
  EXPECT_EQ(verdict->decisions, 400);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log WHERE subject = 'J-255' AND ref != ''"), 1);
}

TEST_F(SqliteStoreTest, EveryReadSeesTheJournal) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  auto trail = store->AuditTrail("APP-1", 10);
  ASSERT_TRUE(trail.has_value());
  EXPECT_EQ(trail->size(), 2u);

  ApplicationQuery q;
  q.org = "ORG-B";
  auto listed = store->ListApplications(q);
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  EXPECT_EQ(listed->size(), 1u);
  EXPECT_EQ(CountsOf(*store).audit, 3);
}

// The registry never journals a decision twice; if a record cannot be written to the tables all
// the same, reads fail with the reason and the journal keeps it (nothing is lost or half-written).
TEST_F(SqliteStoreTest, ARecordTheTablesRefuseStaysInTheJournal) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  // APP-1 written behind the store's back: the tables now refuse the journal's APP-1.
  ASSERT_EQ(RawExec("INSERT INTO application SELECT 'APP-1', 1, '2025-10-25', '', '', 'ORG-A', "
                    "NULL, 'egov', 'free_choice', 1, 0, NULL, NULL, 'refused', '', NULL, NULL, "
                    "NULL, '2025-10-28', '', 'v', 0, 1"),
            "");
  auto found = store->FindApplication("APP-1");
  ASSERT_FALSE(found.has_value());
  EXPECT_NE(found.error().message.find("journal"), std::string::npos) << found.error().message;
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment"), 0);  // nothing of the record applied
}

TEST_F(SqliteStoreTest, AJournalledDuplicateIsRefusedWhole) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  WriteBatch again;
  again.mutations.push_back(Audit("APP-1", 100));
  again.mutations.push_back(Approved());  // still in the journal
  auto r = store->Commit(again);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
  WriteBatch period_again;
  period_again.mutations.push_back(AttachmentTwo());
  EXPECT_FALSE(store->Commit(period_again).has_value());
  WriteBatch no_such_period;
  no_such_period.mutations.push_back(
      PeriodChange{404, Date::Ymd(2026, 1, 1), domain::PeriodEnd::kCancelled, 1});
  EXPECT_FALSE(store->Commit(no_such_period).has_value());
  // A failed batch leaves its ids behind: the same new application commits afterwards.
  WriteBatch fresh;
  auto other = Approved();
  other.application.id = other.decision.application_id = "APP-3";
  fresh.mutations.push_back(other);
  fresh.mutations.push_back(other);  // twice in one batch: refused
  EXPECT_FALSE(store->Commit(fresh).has_value());
  fresh.mutations.pop_back();
  ASSERT_TRUE(store->Commit(fresh).has_value());
  EXPECT_EQ(CountsOf(*store).applications, 3);
  EXPECT_EQ(CountsOf(*store).audit, 3);
}

// Records left by an earlier run are not in the store's id sets: partly applied or not, they are
// all applied before a new batch is checked against the tables.
TEST_F(SqliteStoreTest, ADuplicateOfARecordLeftByAnEarlierRunIsRefused) {
  auto later = Approved();
  later.application.id = later.decision.application_id = "APP-9";
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Registered()).has_value());
    ASSERT_TRUE(store->Commit(Decisions()).has_value());
    WriteBatch second;
    second.mutations.push_back(later);
    ASSERT_TRUE(store->Commit(second).has_value());
  }
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 2);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto more = store->journal()->ApplyJournal(1);  // an idle moment: the first record only
  ASSERT_TRUE(more.has_value());
  EXPECT_TRUE(*more);
  WriteBatch again;
  again.mutations.push_back(later);  // APP-9 is still in the journal only
  auto r = store->Commit(again);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
  EXPECT_EQ(CountsOf(*store).applications, 3);
}

TEST_F(SqliteStoreTest, AReopenedStoreLoadsTheJournal) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Registered()).has_value());
    ASSERT_TRUE(store->Commit(Decisions()).has_value());
  }  // closed (or crashed) with the decisions in the journal only
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  ASSERT_EQ(sink.decided.size(), 2u);
  ExpectSameDecided(sink.decided[0], Approved());
  ASSERT_EQ(sink.attachments.size(), 2u);
  EXPECT_EQ(sink.attachments[0].end, domain::PeriodEnd::kSuperseded);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
}

// A sink that takes the journal's batches (the registry, ADR 0021) gets them as they are: the
// load writes nothing, so a restart needs no free space. The store still refuses whatever
// duplicates the journal, without writing it to the tables first.
TEST_F(SqliteStoreTest, ALoadThatTakesTheJournalWritesNothing) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Registered()).has_value());
    ASSERT_TRUE(store->Commit(Decisions()).has_value());
  }  // closed (or crashed) with the decisions in the journal only
  const auto wal_bytes = [&] {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_ + "-wal", ec);
    return ec ? std::uintmax_t{0} : size;
  };
  ASSERT_EQ(wal_bytes(), 0u);  // the last close copied the WAL into the database
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ApplyingSink sink;
  auto loaded = LoadTakingPending(*store, sink);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(sink.pending, 1);
  ASSERT_EQ(sink.decided.size(), 2u);
  ExpectSameDecided(sink.decided[0], Approved());
  ASSERT_EQ(sink.attachments.size(), 2u);
  EXPECT_EQ(sink.attachments[0].end, domain::PeriodEnd::kSuperseded);
  EXPECT_EQ(wal_bytes(), 0u) << "the load wrote";
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 0);

  auto refused = [&](auto mutation) {
    WriteBatch b;
    b.mutations.push_back(std::move(mutation));
    auto r = store->Commit(b);
    return !r.has_value() && r.error().code == ErrorCode::kFailedPrecondition;
  };
  EXPECT_TRUE(refused(Approved()));
  EXPECT_TRUE(refused(AttachmentTwo()));
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);  // still not applied
  // A change to a period in the journal and a new application go through, journalled.
  auto other = Approved();
  other.application.id = other.decision.application_id = "APP-3";
  WriteBatch more;
  more.mutations.push_back(
      PeriodChange{2, Date::Ymd(2026, 6, 1), domain::PeriodEnd::kSuperseded, 5});
  more.mutations.push_back(other);
  auto committed = store->Commit(more);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 2);
  // Reads write it all to the tables, in order.
  EXPECT_EQ(CountsOf(*store).applications, 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment WHERE id = 2 AND valid_to = '2026-06-01'"), 1);
}

// A loaded store knows which ids its tables can hold and looks up only those: duplicates of rows
// it loaded, of rows it journalled and of rows it wrote from the journal since are all refused,
// and new ids go through.
TEST_F(SqliteStoreTest, ALoadedStoreStillRefusesEveryDuplicate) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(Registered()).has_value());
    ASSERT_TRUE(store->Commit(Decisions()).has_value());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());  // APP-1, APP-2 and attachments 1, 2 are loaded
  auto refused = [&](auto mutation) {
    WriteBatch b;
    b.mutations.push_back(std::move(mutation));
    auto r = store->Commit(b);
    return !r.has_value() && r.error().code == ErrorCode::kFailedPrecondition;
  };
  EXPECT_TRUE(refused(Approved()));
  EXPECT_TRUE(refused(AttachmentTwo()));

  auto app = Approved();
  app.application.id = app.decision.application_id = "APP-7";
  auto period = AttachmentTwo();
  period.id = 7;
  period.to = Date::Ymd(2026, 6, 1);  // closed: one open period per person
  period.end = domain::PeriodEnd::kSuperseded;
  WriteBatch fresh;
  fresh.mutations.push_back(app);
  fresh.mutations.push_back(period);
  ASSERT_TRUE(store->Commit(fresh).has_value());  // journalled
  EXPECT_TRUE(refused(app));
  EXPECT_TRUE(refused(period));
  auto applied = store->journal()->ApplyJournal(100);  // now in the tables, the journal empty
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
  EXPECT_TRUE(refused(app));
  EXPECT_TRUE(refused(period));

  auto later = Approved();
  later.application.id = later.decision.application_id = "APP-8";
  auto lower = AttachmentTwo();
  lower.id = 5;  // below the largest id, yet new
  lower.to = Date::Ymd(2026, 6, 1);
  lower.end = domain::PeriodEnd::kSuperseded;
  WriteBatch more;
  more.mutations.push_back(later);
  more.mutations.push_back(lower);
  EXPECT_TRUE(store->Commit(more).has_value());
  EXPECT_EQ(CountsOf(*store).applications, 4);
}

TEST_F(SqliteStoreTest, TheJournalIsAppliedARecordAtATime) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  // 1 200 audit entries: three records of at most 512 mutations.
  WriteBatch reads;
  for (int i = 0; i < 1200; ++i) reads.mutations.push_back(Audit("850305301578", i));
  ASSERT_TRUE(store->Commit(reads).has_value());
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 3);
  EXPECT_EQ(RawInt("SELECT max(mutations) FROM decision_journal"), 512);
  auto more = store->journal()->ApplyJournal(1);
  ASSERT_TRUE(more.has_value());
  EXPECT_TRUE(*more);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 512);
  more = store->journal()->ApplyJournal(1);
  ASSERT_TRUE(more.has_value());
  EXPECT_TRUE(*more);
  more = store->journal()->ApplyJournal(1);
  ASSERT_TRUE(more.has_value());
  EXPECT_FALSE(*more);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 1200);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
  more = store->journal()->ApplyJournal(1);  // nothing left
  ASSERT_TRUE(more.has_value());
  EXPECT_FALSE(*more);
}

// While it lives, no file of this process grows past `bytes` (RLIMIT_FSIZE, with the signal that
// would end the process ignored): writes past that fail as on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uintmax_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = static_cast<rlim_t>(bytes);
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*handler_)(int) = SIG_DFL;
};

// The tables grow by more than the journal shrinks: on a nearly full disk, writing the journal to
// them is what fails (ADR 0021). Nothing is lost then, commits go on journalling without first
// writing the whole journal, and an application is still found by its id.
TEST_F(SqliteStoreTest, WithoutSpaceForTheTablesNothingIsLostAndApplicationsAreFound) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  {
    // The WAL may not grow: nothing more can be written.
    FileSizeLimit full(std::filesystem::file_size(path_ + "-wal"));
    auto applied = store->journal()->ApplyJournal(1);  // an idle step
    ASSERT_FALSE(applied.has_value());
    EXPECT_EQ(applied.error().code, ErrorCode::kUnavailable) << applied.error().message;
    EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 1);
    EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 0);

    auto found = store->FindApplication("APP-1");
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    ExpectSameDecided(**found, Approved());
    found = store->FindApplication("APP-404");
    ASSERT_TRUE(found.has_value()) << found.error().message;
    EXPECT_FALSE(found->has_value());
    // Reads that need the tables report why they cannot be answered.
    ApplicationQuery q;
    q.org = "ORG-B";
    auto listed = store->ListApplications(q);
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().code, ErrorCode::kUnavailable);
    // What the journal holds is still refused.
    WriteBatch again;
    again.mutations.push_back(Approved());
    auto refused = store->Commit(again);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << refused.error().message;
  }
  // Space again: a commit appends to the journal, as before the failure.
  auto other = Approved();
  other.application.id = other.decision.application_id = "APP-3";
  WriteBatch more;
  more.mutations.push_back(other);
  auto committed = store->Commit(more);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 2);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 0);
  // The next idle step writes it all.
  auto applied = store->journal()->ApplyJournal(10);
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_FALSE(*applied);
  EXPECT_EQ(CountsOf(*store).applications, 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 0);
}

TEST_F(SqliteStoreTest, ADamagedRecordIsAnErrorAndChangesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(Registered()).has_value());
  ASSERT_TRUE(store->Commit(Decisions()).has_value());
  WriteBatch more;
  more.mutations.push_back(Audit("x", 1));
  ASSERT_TRUE(store->Commit(more).has_value());
  ASSERT_EQ(RawExec("UPDATE decision_journal SET body = x'0104' WHERE seq = (SELECT max(seq) "
                    "FROM decision_journal)"),
            "");
  auto found = store->FindApplication("APP-1");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().code, ErrorCode::kInternal);
  EXPECT_NE(found.error().message.find("journal"), std::string::npos) << found.error().message;
  // All or nothing: the good record before it was not applied either.
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM decision_journal"), 2);
}

}  // namespace
}  // namespace emkhana::storage
