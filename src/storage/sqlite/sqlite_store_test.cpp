// Tests of what is particular to the SQLite store: the in-memory database, its
// append-only triggers seen through the raw sqlite3 API, PRAGMA user_version.
// The behaviour every backend shares is tested once for all in
// storage/store_conformance_test.cpp.
#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

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
    EXPECT_EQ(c.organizations, 2);
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

}  // namespace
}  // namespace emkhana::storage
