// The audit trail as a hash chain (ADR 0020): each entry holds the hash of the one before it,
// and its own hash covers its fields and that link. An entry that records a decision also
// carries the decision's digest (`ref`), so that the chain vouches for the decision rows too.
// An edited, deleted or reordered entry, or an edited decision, breaks the chain where it is:
// `emkhana audit verify` (VerifyAuditChain) finds the first such place.
//
// The stores seal entries as they write them, in commit order (AuditSealer); legacy entries,
// written before the chain existed (schema 6), have no hash and are counted, not checked.
//
// Pure functions apart from AuditSealer's state; AuditSealer is not thread-safe (one per store).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

// Lowercase hex SHA-256 of the entry's fields and `prev_hash` (empty for the chain's first).
std::string AuditEntryHash(const AuditEntry& e, const std::string& prev_hash);

// "sha256:<hex>" over every stored field of the decided application, in a fixed order.
std::string DecisionDigest(const DecidedApplication& d);

// The action of the entry that records a decision (Registry::AddDecisionRecords).
inline constexpr std::string_view kDecidedAction = "application.decided";

// Seals the entries a store writes: links each to the one before and, for a decision's entry,
// puts the decision's digest in `ref`. The store tells it what came before (Resume) at the start
// of each write transaction, since a rolled-back one leaves nothing behind.
class AuditSealer {
 public:
  // The decisions noted stay: a journal record may end between a decision and its entry, and
  // the next record may be written in a later transaction.
  void Resume(std::string tail_hash) { tail_ = std::move(tail_hash); }
  // A decided application about to be written; its audit entry follows it in the batch.
  void NoteDecided(const DecidedApplication& d);
  // True when a decision of this id was noted and its entry not sealed yet.
  bool Noted(const std::string& id) const;
  // Fills e.ref (the first entry of a noted decision), e.prev_hash and e.hash.
  void Seal(AuditEntry& e);
  const std::string& tail() const { return tail_; }

 private:
  std::string tail_;
  std::vector<std::pair<std::string, std::string>> decided_;  // (id, digest) not vouched for yet
};

// What `audit verify` found.
struct AuditVerdict {
  bool intact = true;
  std::string problem;           // the first one found, for a person to read
  std::int64_t problem_seq = 0;  // the entry where it is (0: none, or not an entry's)
  std::int64_t entries = 0;      // entries read
  std::int64_t legacy = 0;       // entries written before the chain (no hash)
  std::int64_t decisions = 0;    // decisions checked against their entries
  std::int64_t head_seq = 0;     // the last entry: anchor it elsewhere to detect truncation
  std::string head_hash;
};

struct AuditVerifyOptions {
  // When set, the entry `anchor_seq` must exist and have hash `anchor_hash` (a head printed by
  // an earlier verify): entries cut off the end leave no break in the chain otherwise.
  std::int64_t anchor_seq = 0;
  std::string anchor_hash;
  // Called now and then with the entries read so far (progress on a terminal).
  std::function<void(std::int64_t)> progress;
};

// Reads the whole trail in order and checks every link, every hash and every decision it vouches
// for, and that no decision stands outside the chain. Stops at the first problem.
[[nodiscard]] Result<AuditVerdict> VerifyAuditChain(Queries& store,
                                                    const AuditVerifyOptions& options = {});

}  // namespace emkhana::storage
