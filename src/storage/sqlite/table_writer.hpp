// Writes mutations to the SQLite tables through statements prepared once: the one way rows get
// there (a commit that is not journalled, the decision journal applied, a bulk load). It seals
// the audit entries it writes (audit_chain.hpp) and keeps what the tables are known to hold
// (KnownRows) up to date. Used only inside storage/sqlite; not thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "core/id_bitmap.hpp"
#include "core/sharded_set.hpp"
#include "core/string_hash.hpp"
#include "storage/audit_chain.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::sqlite {

// A decided application from a row of the queries that select one (queries.hpp: its 22 columns
// in the order of kFindApplication).
DecidedApplication ReadApplication(Statement& s);

// What the tables hold, as far as it is known without a lookup. On a registry larger than the
// page cache a lookup is a random read of the disk on the commit's path (ADR 0009); they were a
// quarter of the committer's time in a campaign.
struct KnownRows {
  // Attachment ids that Load read from the tables (or from the journal, checked when
  // journalled). Rows are never deleted (a trigger refuses it), so these are stored for good: a
  // change to one needs no lookup.
  IdBitmap periods;
  // Once Load has read the tables (`loaded`), ids of attachments go up to `largest_period`, and
  // every application's id has its fingerprint in `apps`. The writers of those rows keep both up
  // to date; a failed commit leaves them too large, which costs a lookup, never a wrong answer.
  bool loaded = false;
  std::int64_t largest_period = 0;
  ShardedSet<std::uint64_t> apps;

  // False when the row cannot be in the table; true when it may be (then look it up).
  bool MayHold(std::int64_t period_id) const { return !loaded || period_id <= largest_period; }
  bool MayHold(const std::string& application_id) const {
    return !loaded || apps.contains(Fingerprint(application_id));
  }
};

class TableWriter {
 public:
  // `bulk`: a new database filled in one go (rows in IIN order, each person and period once): a
  // person's representatives are not deleted first, and a period's first version is its own
  // row, with no history row.
  TableWriter(Connection& db, bool bulk) : db_(db), bulk_(bulk) {}

  [[nodiscard]] Result<void> Prepare();
  // Writes the batch in order, inside the caller's transaction.
  [[nodiscard]] Result<void> Write(const WriteBatch& batch);
  KnownRows& known() { return known_; }

 private:
  Result<void> ResumeChain();
  Result<void> Write(const domain::Organisation& o);
  Result<void> Write(const OrgClosure& c);
  Result<void> Write(const domain::District& d);
  Result<void> Write(const domain::Person& p);
  Result<void> Write(const PersonDeath& d);
  Result<void> Write(const domain::Attachment& a);
  Result<void> Write(const PeriodChange& c);
  Result<void> Write(const DecidedApplication& d);
  Result<void> Write(const AuditEntry& entry);
  Result<void> Write(const PolicyVersion& p);
  Result<void> Write(const IdempotencyKey& k);

  Connection& db_;
  const bool bulk_;
  KnownRows known_;
  AuditSealer sealer_;
  Statement upsert_policy_, upsert_org_, close_org_, upsert_district_, upsert_person_, delete_reps_,
      insert_rep_, mark_deceased_, insert_attachment_, change_attachment_, insert_history_,
      insert_application_, insert_audit_, insert_idempotency_key_, find_application_, audit_tail_,
      audit_vouched_;
};

}  // namespace emkhana::storage::sqlite
