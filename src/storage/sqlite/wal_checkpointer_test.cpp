#include "storage/sqlite/wal_checkpointer.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace emkhana::storage::sqlite {
namespace {

// A WAL database file of its own, opened as the writer, removed afterwards.
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "wal_checkpointer_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    Remove();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    Exec("PRAGMA journal_mode = WAL");
    Exec("PRAGMA synchronous = NORMAL");
    Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)");
  }
  void TearDown() override {
    sqlite3_close(db_);
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  void Exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  // `commits` transactions of `rows` rows of about a page each.
  void Write(int commits, int rows) {
    for (int c = 0; c < commits; ++c) {
      Exec("BEGIN");
      for (int r = 0; r < rows; ++r) Exec("INSERT INTO t (body) VALUES (randomblob(3900))");
      Exec("COMMIT");
    }
  }
  std::int64_t Rows() {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT count(*) FROM t", -1, &s, nullptr);
    sqlite3_step(s);
    const auto n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }
  static bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(WalCheckpointerTest, CommitsNoLongerCheckpointThemselves) {
  // Never due: what the WAL holds is what the commits wrote (SQLite alone would have copied
  // it back at 1000 frames).
  WalCheckpointer checkpointer(db_, path_, {.start_frames = 1 << 30, .restart_frames = 1 << 30});
  Write(30, 50);
  EXPECT_GE(checkpointer.wal_frames(), 1500);
  EXPECT_EQ(checkpointer.stats().passive, 0);
}

TEST_F(WalCheckpointerTest, ItsThreadCopiesTheWalBack) {
  WalCheckpointer checkpointer(db_, path_, {.start_frames = 100, .restart_frames = 1 << 30});
  Write(10, 50);
  EXPECT_TRUE(Eventually([&] { return checkpointer.stats().passive >= 1; }));
  EXPECT_EQ(checkpointer.stats().failures, 0);
  EXPECT_EQ(Rows(), 500);
}

TEST_F(WalCheckpointerTest, AGrowingWalStartsOver) {
  WalCheckpointer checkpointer(db_, path_, {.start_frames = 64, .restart_frames = 256});
  Write(200, 10);  // 2 000 pages or more, eight times the restart size
  EXPECT_TRUE(Eventually([&] { return checkpointer.stats().restarts >= 1; }));
  // Whatever is still due is done, then the next commit starts the WAL over.
  EXPECT_TRUE(Eventually([&] {
    Write(1, 1);
    return checkpointer.wal_frames() < 256;
  }));
  EXPECT_EQ(checkpointer.stats().failures, 0);
  EXPECT_GE(Rows(), 2001);  // the writes, then at least one more
}

// A writer of back-to-back transactions gives the restart its moment: after GiveWay the next
// commit starts the WAL over, and the WAL stays near its restart size however much is written.
TEST_F(WalCheckpointerTest, AWriterThatGivesWayKeepsTheWalBounded) {
  WalCheckpointer checkpointer(db_, path_, {.start_frames = 64, .restart_frames = 512});
  int largest = 0;
  for (int c = 0; c < 60; ++c) {
    if (checkpointer.wants_restart()) {
      ASSERT_TRUE(checkpointer.GiveWay(std::chrono::seconds(10))) << c;
      Write(1, 1);
      EXPECT_LT(checkpointer.wal_frames(), 64) << c;  // started over
    }
    Write(1, 100);  // 100 pages or more each
    largest = std::max(largest, checkpointer.wal_frames());
  }
  EXPECT_GE(checkpointer.stats().restarts, 5);
  EXPECT_LT(largest, 512 + 200);
  EXPECT_EQ(checkpointer.stats().failures, 0);
  EXPECT_GE(Rows(), 6000);
}

TEST_F(WalCheckpointerTest, WithoutAConnectionOfItsOwnCommitsCheckpointAsBefore) {
  WalCheckpointer checkpointer(db_, path_ + ".missing/x.db",
                               {.start_frames = 64, .restart_frames = 1 << 30});
  Write(5, 20);  // due: its thread cannot open the file
  EXPECT_TRUE(Eventually([&] { return checkpointer.stats().failures == 1; }));
  Write(50, 10);
  // Each commit copied the WAL back, so each next one started it over.
  EXPECT_LT(checkpointer.wal_frames(), 64 + 20);
  EXPECT_EQ(Rows(), 600);
}

}  // namespace
}  // namespace emkhana::storage::sqlite
