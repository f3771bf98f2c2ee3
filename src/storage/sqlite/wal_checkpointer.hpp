// Checkpoints a WAL database on a thread and a connection of its own, so that no commit waits
// for a checkpoint. SQLite's automatic checkpoint runs inside the commit that crosses its
// threshold: copying the WAL into the database and syncing it stalled POST replies by 75–170 ms
// (measured on the 1 M registry, docs/adr/0008-no-stalls-in-the-decision-path.md).
#pragma once
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace emkhana::storage::sqlite {

struct WalCheckpointerOptions {
  // A checkpoint starts when the WAL holds this many frames (pages) not yet copied back. It runs
  // beside the writer (SQLite's PASSIVE mode): commits go on while it copies and syncs.
  int start_frames = 16384;
  // Under a steady load the writer never finds the WAL fully copied, so the WAL never starts
  // over. Above this many frames (1 GiB) the checkpointer copies the rest with the writer held
  // back (RESTART mode). Passive steps copy nearly all of it first, but the restart still syncs
  // the database once: 70 ms here, so it is kept rare.
  int restart_frames = 262144;
};

struct WalCheckpointerStats {
  std::int64_t passive = 0;   // passive checkpoints run
  std::int64_t restarts = 0;  // WAL restarts forced
  std::int64_t failures = 0;  // checkpoints that returned an error other than "busy"
};

class WalCheckpointer {
 public:
  // Takes over `writer`'s WAL hook, which turns SQLite's automatic checkpoint off for it, and
  // its busy handler, so that a commit held back by a restart goes on as soon as it ends. The
  // thread and its connection start at the first checkpoint due, so that a short-lived reader
  // (`emkhana stats`) pays nothing.
  WalCheckpointer(sqlite3* writer, std::string path, WalCheckpointerOptions options = {});
  ~WalCheckpointer();  // stops the thread; give the hook back before the writer closes
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  WalCheckpointerStats stats() const;
  // Whether the WAL has grown past `restart_frames` and should start over.
  bool wants_restart() const {
    return !broken_.load(std::memory_order_relaxed) && wal_frames() >= options_.restart_frames;
  }
  // For a writer that runs back-to-back transactions (the journal written into the tables at
  // once): called between two of them when wants_restart(), it waits until the WAL has been
  // copied back and started over, or `limit` has passed. Such a writer leaves the restart no
  // gap, and its WAL grew past 20 GB (ADR 0010). True when the WAL started over.
  bool GiveWay(std::chrono::milliseconds limit);
  // The WAL's size in frames after the last commit (0 before the first).
  int wal_frames() const { return wal_frames_.load(std::memory_order_relaxed); }

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  static int WaitBriefly(void* wait_ms, int tries);  // wait_ms: const int*
  static constexpr int kWriterWaitMs = 5000;         // as the store's busy_timeout
  static constexpr int kRestartWaitMs = 1000;        // then the restart is tried at a later commit
  static constexpr int kRestartLeftFrames = 1024;  // frames a restart may copy with the writer held
  static constexpr int kMaxPasses = 8;             // passive steps before giving up a restart
  void Due();
  void Run();
  void CheckpointOnce(sqlite3* db);

  sqlite3* writer_;
  const std::string path_;
  const WalCheckpointerOptions options_;
  std::atomic<int> wal_frames_{0};
  std::atomic<int> copied_frames_{0};  // the WAL's frames already in the database
  std::atomic<bool> broken_{false};    // no connection of its own: commits checkpoint, as before
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable checkpointed_;  // after each checkpoint (GiveWay waits on it)
  bool due_ = false;
  bool stopping_ = false;
  WalCheckpointerStats stats_;
  std::thread thread_;  // started by the first due checkpoint
};

}  // namespace emkhana::storage::sqlite
