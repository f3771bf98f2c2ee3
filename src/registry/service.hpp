// The one front door to a registry. Callers (the HTTP API, `campaign`) use it, never the
// registry's lock or its pipeline: it owns the lock readers share and the pipeline takes
// exclusively around each decision, the decision pipeline, and the audit of reads (each read
// recorded before its data leaves, then committed with the next batch).
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "registry/pipeline.hpp"
#include "registry/registry.hpp"
#include "stats/snapshot.hpp"
#include "storage/read_spool.hpp"

namespace emkhana::registry {

struct ServiceOptions {
  std::size_t max_batch = 1024;  // decisions per commit
  // Where each read's record is written before its data leaves (none: the records wait in
  // memory for the next commit).
  storage::ReadSpool* read_spool = nullptr;
  // The service's events (level, event, message), e.g. a spool that failed. None: not logged.
  std::function<void(std::string_view, std::string_view, std::string_view)> log;
};

class Service {
 public:
  Service(Registry& registry, ServiceOptions options);
  ~Service();  // drains
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // --- decisions ---
  // Decides the application in turn with the others submitted; `done` is called once, on a
  // pipeline thread, when the decision is durable (or failed). It must not block.
  void Submit(domain::Application app, Actor actor, std::vector<IdempotencyClaim> claims,
              DecisionPipeline::Done done);
  // Finishes every decision submitted, commits the reads still recorded, and stops deciding.
  void Drain();
  PipelineStats pipeline_stats() const { return pipeline_.stats(); }
  std::size_t queue_depth() const { return pipeline_.queue_depth(); }
  // The store failed under a commit: the memory is ahead of it (reopen to recover).
  bool failed() const { return registry_.failed(); }

  // --- reads ---
  // The registry to read, under the shared lock for as long as the value lives: many readers
  // at once, never a decision half made. Only its const (pure) reads are reachable.
  class Reading {
   public:
    const Registry* operator->() const { return registry_; }
    const Registry& operator*() const { return *registry_; }
    // Ends the reading early (the registry is out of reach afterwards).
    void Release() {
      lock_.unlock();
      registry_ = nullptr;
    }

   private:
    friend class Service;
    Reading(std::shared_mutex& mu, const Registry& registry) : lock_(mu), registry_(&registry) {}
    std::shared_lock<std::shared_mutex> lock_;
    const Registry* registry_;
  };
  Reading Read() const { return Reading(mu_, registry_); }
  // Where the person is attached on each day (empty Placement: nowhere). An age-out plan that
  // must be worked out first is, under the exclusive lock.
  std::vector<Placement> AttachmentOn(const domain::Iin& iin,
                                      const std::vector<domain::Date>& days);
  // The person's periods, plans worked out first (the exclusive lock).
  std::vector<domain::Attachment> History(const domain::Iin& iin);
  // From the store (its own lock, not the registry's).
  Result<std::string> PersonName(const domain::Iin& iin) const { return registry_.PersonName(iin); }
  Result<std::vector<storage::AuditEntry>> AuditTrail(const std::string& subject,
                                                      std::int64_t limit) const {
    return registry_.AuditTrail(subject, limit);
  }
  Result<std::optional<storage::DecidedApplication>> StoredApplication(
      const std::string& id) const {
    return registry_.StoredApplication(id);
  }
  Result<std::vector<storage::DecidedApplication>> ListApplications(
      const storage::ApplicationQuery& query) const {
    return registry_.ListApplications(query);
  }
  // The statistics snapshot, made again when the registry has changed, at most once a second
  // (`now_micros` on the caller's clock). The first takes 1.5 s at 20 M people.
  std::shared_ptr<const stats::Snapshot> Snapshot(std::int64_t now_micros);

  // --- the audit of reads ---
  // Records reads of personal data before their data leaves: written to the spool (if any) and
  // queued for the next commit. An error (a full disk): nothing was recorded, send no data.
  [[nodiscard]] Result<void> RecordReads(std::vector<storage::AuditEntry> entries);

 private:
  // Reads an earlier process left in the spool: committed with the next batch, except those
  // the trail already holds.
  void TakeSpoolLeftovers();
  // Called by the pipeline before each commit: the reads recorded so far join its batch.
  bool AddReads(Registry& registry);
  void Log(std::string_view level, std::string_view event, std::string_view message) const;

  Registry& registry_;
  ServiceOptions options_;
  mutable std::shared_mutex mu_;
  // The reads not yet in the trail; the spool's file order is this queue's: both change under
  // audit_mu_.
  std::mutex audit_mu_;
  std::vector<storage::AuditEntry> audit_pending_;
  std::int64_t spool_failures_ = 0;  // under audit_mu_
  std::mutex snapshot_mu_;
  std::shared_ptr<const stats::Snapshot> snapshot_;
  std::pair<std::uint64_t, std::uint64_t> snapshot_version_;  // registry, statistics
  std::int64_t snapshot_made_ = 0;
  DecisionPipeline pipeline_;  // last: it runs until destroyed, using the members above
};

}  // namespace emkhana::registry
