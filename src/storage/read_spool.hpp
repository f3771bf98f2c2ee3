// The read spool: where a record of each personal-data read is written before the data leaves
// (issue 23, point 7; ADR 0020). A reply waits for its records to be copied into a local file,
// never for a database commit: the records then reach the audit trail with the pipeline's next
// batch, and a process that dies before that leaves them here for the next one to commit.
//
// Layout: a slot is three files `<base>.reads-<slot>.{0,1,2}`, used in turn. Appends go to the
// active file. When the committer takes the records in memory (Rotate), the next file becomes
// active; a file is emptied only two rotations later, when the batch that took its records has
// been committed (the pipeline overlaps one commit with the next batch; see Rotate). A process
// owns its slot by an exclusive lock on file 0, so several servers beside one database each
// take their own; a slot found unlocked belonged to a process that is gone, and what its files
// hold is handed over (TakeLeftovers).
//
// Writing is a copy into a shared mapping of the file (the kernel's page cache, like write(2),
// but without a system call per read: a GET costs about 20 µs, a write(2) 1.4 of them; the
// GET rate measured 5 % higher this way, ADR 0020). The file's
// blocks are reserved ahead (posix_fallocate), so a full disk is an error returned here, never
// a SIGBUS; reserved bytes are zeros, which end the records.
//
// Record: 'R', a 4-byte length of what follows, then the moment (8 bytes) and five fields, each
// with a 4-byte length (actor, channel, action, subject, detail). A record cut short by a crash
// (its copy never finished, so its reply was never sent) is dropped.
//
// Thread-safety: none; the caller serialises Append and Rotate (one mutex with its queue).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

class ReadSpool {
 public:
  // Takes the first free slot under `base` (creating files 0600). What its files hold from a
  // process that is gone is moved, crash-safely, into the new active file: read it with
  // TakeLeftovers and commit it.
  [[nodiscard]] static Result<std::unique_ptr<ReadSpool>> Open(const std::string& base);
  ~ReadSpool();
  ReadSpool(const ReadSpool&) = delete;
  ReadSpool& operator=(const ReadSpool&) = delete;

  // The records an earlier process left in this slot, oldest first (once; empty afterwards).
  std::vector<AuditEntry> TakeLeftovers() { return std::move(leftovers_); }

  // Writes the records before their reply is sent. On failure (a full disk) nothing of them is
  // written, and the reply must not be sent.
  [[nodiscard]] Result<void> Append(const std::vector<AuditEntry>& entries);

  // The records appended so far have been taken for a commit: appends go on in the next file.
  // The one after that, whose records were taken two rotations ago, is emptied first: call
  // Rotate only when the commit of what the previous-but-one Rotate took has succeeded.
  [[nodiscard]] Result<void> Rotate();

  // Everything appended has been committed (a clean stop): empties the files, so that the next
  // process has nothing to hand over.
  [[nodiscard]] Result<void> Clear();

  const std::string& path() const { return path_; }  // the slot's file 0

  // Encoding, for tests and the fuzzer: records appended to `out`; decoding stops at a record
  // cut short and returns what came before it.
  static void Encode(const AuditEntry& e, std::string& out);
  static std::vector<AuditEntry> Decode(std::string_view bytes);

 private:
  ReadSpool() = default;
  Result<void> Map();
  // Room for `need` more bytes in the active file (posix_fallocate in steps).
  Result<void> Reserve(std::int64_t need);
  static constexpr std::int64_t kCapacity = std::int64_t{256} << 20;  // mapped per file
  static constexpr std::int64_t kReserveStep = std::int64_t{128} << 10;
  std::string path_;
  int lock_fd_ = -1;
  int fds_[3] = {-1, -1, -1};
  char* maps_[3] = {nullptr, nullptr, nullptr};
  std::int64_t sizes_[3] = {0, 0, 0};     // bytes of records
  std::int64_t reserved_[3] = {0, 0, 0};  // the file's length (zeros after the records)
  // A file keeps its length between turns (Rotate zeroes what it held); Clear gives it back.
  int active_ = 0;
  std::vector<AuditEntry> leftovers_;
  std::string buffer_;
};

}  // namespace emkhana::storage
