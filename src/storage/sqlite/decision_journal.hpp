// The SQLite store's decision journal (ADR 0007): a commit of decisions only appends them as
// compact records (journal_codec.hpp) instead of updating half a dozen person-keyed indexes; the
// records are written to the tables later (TableWriter), in large transactions: before any read
// of the tables, when the committer is idle, and when more than 1 GiB is pending. Used only
// inside storage/sqlite; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sharded_set.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/table_writer.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

class DecisionJournal {
 public:
  static constexpr std::int64_t kAllRecords = INT64_MAX;

  // `path`: the database file ("" in memory), whose free space is checked before the journal is
  // written to the tables; `checkpointer` (may be null) is given way to between transactions.
  DecisionJournal(Connection& db, TableWriter& tables, std::string path,
                  WalCheckpointer* checkpointer)
      : db_(db), tables_(tables), path_(std::move(path)), checkpointer_(checkpointer) {}

  [[nodiscard]] Result<void> Prepare();

  // True for a batch that goes to the journal: decisions only (see Journalled).
  static bool Takes(const WriteBatch& batch);

  // What an append added to what is known of the journal, to be forgotten when its transaction
  // rolls back.
  struct Appended {
    std::int64_t bytes_before = 0;
    std::vector<std::string> apps;
    std::vector<std::int64_t> periods;
  };
  // Before a batch that Takes() is appended: applies what an earlier run left that Load did not
  // read (the ids below would not know it).
  [[nodiscard]] Result<void> Ready();
  // Checks the batch as the tables would, then appends it, inside the caller's transaction.
  [[nodiscard]] Result<void> Append(const WriteBatch& batch, Appended& appended);
  // After the transaction of Append rolled back: the journal is as it was.
  void Forget(const Appended& appended);
  // After the transaction of Append committed: past the limit, the journal goes to the tables.
  void Committed();

  // Applies up to `max_records` of the oldest records to the tables; true when records remain
  // (storage::Journal::ApplyJournal).
  [[nodiscard]] Result<bool> Apply(std::int64_t max_records);
  // What a read of the tables needs first: nothing left in the journal.
  [[nodiscard]] Result<void> ApplyAll();
  // An application that may still be in the journal when it cannot be written to the tables.
  [[nodiscard]] Result<std::optional<DecidedApplication>> Find(const std::string& id);
  // The records as batches, in order, to `pending`, left where they are; what Append needs to
  // know of them is noted (their ids and size).
  [[nodiscard]] Result<void> Load(PendingSink& pending);

  // True for a while after the journal could not be written to the tables for want of space:
  // reads and the limit leave it alone then, since each try would redo a transaction's work only
  // to fail.
  bool HeldBack() const {
    return held_back_by_ && std::chrono::steady_clock::now() < held_back_until_;
  }

 private:
  struct Applied {
    std::int64_t records = 0, bytes = 0;
    bool more = false;  // records remain after these
  };
  Result<void> RoomToApply();
  Result<void> Check(const WriteBatch& batch, Appended& appended);
  Result<void> AppendRecords(const WriteBatch& batch);
  Result<Applied> ApplyInTransaction(std::int64_t max_records);

  // A record holds at most this many mutations: what an idle moment applies at once.
  static constexpr std::size_t kMutationsPerRecord = 512;
  // Records applied in one transaction: large transactions write a page the journal touches
  // many times only once.
  static constexpr std::int64_t kRecordsPerTransaction = 512;
  // A commit that leaves more than this in the journal applies all of it (about three million
  // decisions): it bounds the work a restart or a read may find waiting.
  static constexpr std::int64_t kLimitBytes = std::int64_t{1} << 30;
  // How long reads and the limit above leave the journal alone after it could not be written to
  // the tables for want of space (kUnavailable).
  static constexpr auto kHoldBack = std::chrono::seconds(10);

  Connection& db_;
  TableWriter& tables_;
  const std::string path_;
  WalCheckpointer* const checkpointer_;
  std::optional<Error> held_back_by_;
  std::chrono::steady_clock::time_point held_back_until_;
  // Bytes of records not yet applied; -1 when unknown: records of an earlier run that Load did
  // not read. Known (>= 0) only while every pending record was journalled here or read by Load,
  // so that the sets below hold all their ids (Check); after a failed apply they hold more
  // (applied ones as well), which costs nothing and refuses nothing new.
  std::int64_t bytes_ = -1;
  ShardedSet<std::string> apps_;
  ShardedSet<std::int64_t> periods_;
  Statement append_, read_, delete_, pending_, size_, read_newest_first_, application_exists_,
      attachment_exists_;
};

}  // namespace emkhana::storage::sqlite
