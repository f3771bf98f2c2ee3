// Sends a batch's statements to PostgreSQL in libpq's pipeline mode: statements prepared once
// per connection (queries.hpp), a sync point every few hundred of them, so that a batch of
// thousands of rows costs a handful of round trips. Every result is checked; the first failure
// fails the batch (the server skips what follows it up to the sync). It seals the audit entries
// it writes (audit_chain.hpp). Used only inside storage/postgres; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/audit_chain.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/queries.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::postgres {

class StatementPipeline {
 public:
  // `needs_reset` is set when the connection is left in an unknown state (results still queued,
  // or lost): its owner resets the connection before using it again.
  StatementPipeline(Connection& conn, bool& needs_reset) : conn_(conn), needs_reset_(needs_reset) {}

  // BEGIN, every mutation, the change log's row, the stale mark: pipelined, checked. Leaves the
  // transaction open (for COMMIT) when everything succeeded.
  // `in_transaction`: a transaction is open already (a bulk load, a writer's turn): no BEGIN.
  // `log`: the batch as the change log keeps it (none: not logged); outside a turn the writers'
  // lock is taken first, so that log positions follow the order of commits.
  [[nodiscard]] Result<void> Run(const WriteBatch& batch, bool in_transaction = false,
                                 const std::string* log = nullptr);
  // The change log position the last Run gave its batch (0: not logged).
  std::int64_t logged() const { return logged_; }
  AuditSealer& sealer() { return sealer_; }

 private:
  // One statement queued in the pipeline, and what its result must show.
  struct Pending {
    const char* name;
    std::int64_t changed_attachment = -1;  // a PeriodChange: exactly one history row
    bool returns_log_position = false;     // the change_log row: its seq
  };

  Result<void> Send(const queries::Query& q, const Params& params, std::int64_t attachment);
  // Marks a sync point and reads every queued result up to it.
  Result<void> Drain();
  Result<void> Write(const domain::Organisation& o);
  Result<void> Write(const OrgClosure& c);
  Result<void> Write(const domain::District& d);
  Result<void> Write(const domain::Person& person);
  Result<void> Write(const PersonDeath& d);
  Result<void> Write(const domain::Attachment& a);
  Result<void> Write(const PeriodChange& c);
  Result<void> Write(const DecidedApplication& d);
  Result<void> Write(const AuditEntry& entry);
  Result<void> Write(const PolicyVersion& v);
  Result<void> Write(const IdempotencyKey& k);

  Connection& conn_;
  bool& needs_reset_;
  Params params_;                     // of the statement being queued
  AuditSealer sealer_;                // links the audit entries written
  std::vector<Pending> pending_;      // queued since the last sync point
  std::optional<Error> first_error_;  // of the batch being run
  std::int64_t logged_ = 0;
};

}  // namespace emkhana::storage::postgres
