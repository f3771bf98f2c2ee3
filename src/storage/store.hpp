// Where the registry's truth lives. A store persists organisations, districts, persons,
// attachment periods, applications with their decisions, policy versions and the append-only
// audit log, and streams them back when a registry opens.
//
// Its faces are narrow interfaces, each taken by the callers that need it: Loader (opening a
// registry), Committer (the pipeline, the generator), Queries (reads of what memory does not
// hold), StatsStore (the statistics snapshot); Store is all four, as OpenStore gives it. What
// only one backend has is an interface of its own that Store hands out or not: Journal
// (SQLite's decision journal) and ChangeLog (PostgreSQL's log for several processes). A bulk
// load (the generator) is a BulkLoad.
//
// Contract:
// - `Commit` applies one WriteBatch atomically: all of it or none of it, durable on return.
//   The decision pipeline calls it with many decisions at once (group commit). A store may keep
//   a batch of decisions in a journal and write its tables later (SQLite, ADR 0007); every read
//   it answers includes every committed batch all the same.
// - Attachment periods are inserted once; later changes (cut short, cancelled) are recorded as
//   new rows of attachment_history and reflected in the period's current `to`/`end`.
// - Decisions and the audit log are append-only: a store never updates or deletes them.
// - Not thread-safe: one writer (the registry's pipeline) owns a store.
// - Several processes (ADR 0006): a store that they share (PostgreSQL) logs every committed batch
//   that changes the registry in a change log, in commit order, and lets writers take turns
//   (ChangeLog::BeginTurn); each process applies the others' batches to its memory. A store that
//   one process owns (SQLite) has no change log (`change_log()` is null) and needs no turns.
//
// Implementations: storage/sqlite (embedded default); storage/postgres follows the same contract.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "domain/model.hpp"

namespace emkhana::storage {

struct AuditEntry {
  std::int64_t at = 0;  // microseconds since the epoch
  std::string actor;    // who (an IIN, a user or "system")
  std::string channel;  // through which channel, or "replay" / "lifecycle"
  std::string action;   // e.g. "application.decided", "attachment.ended"
  std::string subject;  // what: an IIN, an organisation id, an application id
  std::string detail;   // a short, human-readable account
  std::string policy_version;
  // The hash chain (storage/audit_chain.hpp), filled by the store as it writes the entry: what a
  // decision's entry vouches for (its digest), the hash of the entry before, this entry's hash.
  std::string ref, prev_hash, hash;
};

// An audit entry as stored, with its position in the trail.
struct StoredAuditEntry {
  std::int64_t seq = 0;
  AuditEntry entry;
};

struct PeriodChange {
  std::int64_t attachment_id = 0;
  domain::Date to;
  domain::PeriodEnd end = domain::PeriodEnd::kOpen;
  std::int64_t recorded_at = 0;
};

struct DecidedApplication {
  domain::Application application;
  domain::Decision decision;
  std::int64_t recorded_at = 0;
};

// Which decided applications to list (newest first): those to one organisation or of one
// person, optionally of one outcome and within dates of application (inclusive).
struct ApplicationQuery {
  std::string org;      // either this organisation...
  std::string iin;      // ...or this person
  std::string outcome;  // "approved", "refused" or empty for both
  domain::Date from = domain::Date::Min();
  domain::Date to = domain::Date::Max();
  int limit = 50;
  int offset = 0;
};

struct PolicyVersion {
  std::string version;
  std::string body;  // the policy as JSON
};

struct PersonDeath {
  domain::Iin iin;
  domain::Date date;
};

struct OrgClosure {
  std::string org;
  domain::Date date;
  std::string successor;
};

// A client's Idempotency-Key and the application it named: the same key again means the same
// application (its fingerprint, the request body as sent, tells a retry from a conflict). Unique
// per key: the store refuses a key twice (kFailedPrecondition). A store that one process owns
// may keep none (SQLite: the registry's memory is enough, as before).
struct IdempotencyKey {
  std::string key;
  std::string application_id;
  std::string fingerprint;
};

using Mutation = std::variant<domain::Organisation, domain::District, domain::Person,
                              domain::Attachment, PeriodChange, DecidedApplication, AuditEntry,
                              PolicyVersion, PersonDeath, OrgClosure, IdempotencyKey>;

struct WriteBatch {
  std::vector<Mutation> mutations;
  bool empty() const { return mutations.empty(); }
  std::size_t size() const { return mutations.size(); }
};

// A committed batch as the change log holds it: its position (increasing in commit order, not
// necessarily dense) and the mutations that change the registry (audit entries are left out).
struct LoggedBatch {
  std::int64_t seq = 0;
  WriteBatch batch;
};

// Receives the stored state in dependency order: policies, organisations, districts, persons,
// attachments (by id), decided applications (by decision order), idempotency keys (a store that
// keeps none streams none).
class LoadSink {
 public:
  virtual ~LoadSink() = default;
  virtual void OnPolicy(const PolicyVersion& p) = 0;
  virtual void OnOrganisation(domain::Organisation o) = 0;
  virtual void OnDistrict(domain::District d) = 0;
  virtual void OnPerson(domain::Person p) = 0;
  virtual void OnAttachment(domain::Attachment a) = 0;
  virtual void OnDecided(DecidedApplication d) = 0;
  virtual void OnIdempotencyKey(IdempotencyKey k) = 0;
};

// Takes the batches committed but not yet in a store's tables (Journal::LoadWithPending), in
// commit order, each to be applied to what the LoadSink got before, as the change log's batches
// are (Registry::ApplyChanges).
class PendingSink {
 public:
  virtual ~PendingSink() = default;
  virtual void OnPending(WriteBatch batch) = 0;
};

struct StoreCounts {
  std::int64_t organisations = 0, districts = 0, persons = 0, attachments = 0,
               attachment_history = 0, applications = 0, audit = 0;
};

// The statistics snapshot (see stats/snapshot.hpp): written at checkpoints, marked stale by
// every later commit.
struct StoredStats {
  std::string header, entries;
  bool stale = false;
};

// Streams the stored state back (a registry opening, tests).
class Loader {
 public:
  virtual ~Loader() = default;
  // Every committed batch included: a store with a journal writes it to its tables first (see
  // Journal::LoadWithPending for the way that writes nothing).
  [[nodiscard]] virtual Result<void> Load(LoadSink& sink) = 0;
};

// Writes batches (the registry's pipeline, the generator).
class Committer {
 public:
  virtual ~Committer() = default;
  [[nodiscard]] virtual Result<void> Commit(const WriteBatch& batch) = 0;
  // Number of Commit calls that wrote something (for tests and metrics of group commit).
  virtual std::int64_t commits() const = 0;
};

// What is read from the store itself rather than a registry's memory: the registry's reads of
// applications, audit and names, `audit verify`, `sample`, `init`. Every committed batch is
// included.
class Queries {
 public:
  virtual ~Queries() = default;
  [[nodiscard]] virtual Result<StoreCounts> Counts() = 0;
  [[nodiscard]] virtual Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject,
                                                                   int limit) = 0;
  // Up to `limit` entries of the audit trail after position `after`, in order (the chain's).
  [[nodiscard]] virtual Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after,
                                                                        int limit) = 0;
  // The decided application with this id, if any.
  [[nodiscard]] virtual Result<std::optional<DecidedApplication>> FindApplication(
      const std::string& id) = 0;
  // Decided applications by organisation or person (see ApplicationQuery).
  [[nodiscard]] virtual Result<std::vector<DecidedApplication>> ListApplications(
      const ApplicationQuery& query) = 0;
  // The person's name as registered (names are not kept in the registry's memory); empty when
  // the person is unknown.
  [[nodiscard]] virtual Result<std::string> PersonName(const std::string& iin) = 0;
  // `n` IINs of registered persons drawn at random (with repetition), reproducible for a seed.
  [[nodiscard]] virtual Result<std::vector<std::string>> SamplePersons(std::int64_t n,
                                                                       std::uint64_t seed) = 0;
};

// The statistics snapshot (`Registry::Checkpoint` and the generator save it; `stats` and
// `funding` load it).
class StatsStore {
 public:
  virtual ~StatsStore() = default;
  [[nodiscard]] virtual Result<void> SaveStats(const std::string& header,
                                               const std::string& entries) = 0;
  [[nodiscard]] virtual Result<std::optional<StoredStats>> LoadStats() = 0;
};

// A journal of committed batches of decisions not yet written to the store's tables (SQLite,
// ADR 0007): only a store that keeps one has it (Store::journal).
class Journal {
 public:
  virtual ~Journal() = default;
  // Applies up to `max_records` of the journal to the tables, oldest first; true when more
  // remain. For idle moments: reads apply what is left themselves. One that fails (a nearly full
  // disk: the tables take more room than the journal, ADR 0021) changes nothing, and commits go
  // on.
  [[nodiscard]] virtual Result<bool> ApplyJournal(std::int64_t max_records) = 0;
  // Load, except that the journal's batches are not written to the tables first: they go to
  // `pending` after everything else, and stay where they are, so that a restart writes nothing
  // and needs no free space (ADR 0021).
  [[nodiscard]] virtual Result<void> LoadWithPending(LoadSink& sink, PendingSink& pending) = 0;
};

// The log of committed batches that several processes sharing one database follow (PostgreSQL,
// ADR 0006): only such a store has it (Store::change_log). Its Commit logs each batch that
// changes the registry, in commit order; a Commit outside a turn still waits for the writers'
// lock, so that the log is in commit order.
class ChangeLog {
 public:
  virtual ~ChangeLog() = default;
  // The log position that the last Load's picture includes (0: an empty log).
  virtual std::int64_t loaded_through() const = 0;
  // The batches committed after position `after`, in commit order, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<LoggedBatch>> ChangesAfter(std::int64_t after,
                                                                      int limit) = 0;
  // Takes the writer's turn: waits until no other process is in its turn, then returns every
  // batch committed after `after`. The next Commit writes within the turn and ends it; EndTurn
  // ends it without writing. A process that dies in its turn loses it with its connection.
  [[nodiscard]] virtual Result<std::vector<LoggedBatch>> BeginTurn(std::int64_t after) = 0;
  virtual void EndTurn() = 0;
  // The latest position in the log (on a replica: what it has replayed so far).
  [[nodiscard]] virtual Result<std::int64_t> LogPosition() = 0;
  // The log position that the last Commit gave its batch (0: it logged nothing).
  virtual std::int64_t last_logged() const = 0;
};

// A store as OpenStore gives it: everything a registry needs. What only some backends have is
// asked for, never stubbed.
class Store : public Loader, public Committer, public Queries, public StatsStore {
 public:
  // The change log, when other processes may share the database (PostgreSQL); null when one
  // process owns it (SQLite): then nothing is logged and no turns are needed.
  virtual ChangeLog* change_log() = 0;
  // The decision journal, when the store keeps one (SQLite); null otherwise.
  virtual Journal* journal() = 0;
};

// A new store being filled in one go (OpenStoreForBulkLoad, the generator): Commit is faster
// than a Store's, and neither crash-safe nor durable until FinishBulkLoad has returned.
class BulkLoad : public Committer, public StatsStore {
 public:
  // Ends the load: builds what was left for the end (indexes, keys) and makes the store
  // crash-safe again. The statistics snapshot is saved after it; later writes go through a
  // Store (OpenStore): Commit refuses them (kFailedPrecondition).
  [[nodiscard]] virtual Result<void> FinishBulkLoad() = 0;
};

// True for the mutations that change the registry's state (what the change log carries): all
// but the audit trail.
inline bool ChangesRegistry(const Mutation& m) { return !std::holds_alternative<AuditEntry>(m); }

// Opens (creating and migrating as needed) the store at `location`: a file path for SQLite,
// ":memory:" for a throwaway one.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenStore(const std::string& location);

// Opens a new store at `location` for a one-off bulk load (the generator): a new SQLite file
// (sqlite::OpenSqliteStoreForBulkLoad) or a PostgreSQL database that holds no registry yet
// (postgres::OpenPostgresStoreForBulkLoad). Faster than Commit's usual path, and neither
// crash-safe nor durable until FinishBulkLoad has returned. A location that already holds a
// registry is refused (kFailedPrecondition).
[[nodiscard]] Result<std::unique_ptr<BulkLoad>> OpenStoreForBulkLoad(const std::string& location);

// Opens `location` for reading only, as a Registry's read store: a PostgreSQL database, e.g. a
// streaming replica of the one written (postgres::OpenPostgresReadStore). Anything else is
// kInvalidArgument: only a shared database has a change log to follow.
[[nodiscard]] Result<std::unique_ptr<Store>> OpenReadStore(const std::string& location);

// True when `location` names a server database (a postgresql:// URL) rather than a file.
bool IsServerLocation(const std::string& location);

// `location` fit for messages and logs: a URL's password replaced by "***".
std::string RedactLocation(const std::string& location);

}  // namespace emkhana::storage
