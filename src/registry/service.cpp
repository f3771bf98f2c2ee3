#include "registry/service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace emkhana::registry {

Service::Service(Registry& registry, ServiceOptions options)
    : registry_(registry),
      options_(std::move(options)),
      pipeline_(registry, PipelineOptions{
                              .max_batch = options_.max_batch,
                              .registry_lock = &mu_,
                              .add_writes = [this](Registry& r) { return AddReads(r); },
                          }) {
  TakeSpoolLeftovers();
}

Service::~Service() { Drain(); }

void Service::Log(std::string_view level, std::string_view event, std::string_view message) const {
  if (options_.log) options_.log(level, event, message);
}

void Service::Submit(domain::Application app, Actor actor, std::vector<IdempotencyClaim> claims,
                     DecisionPipeline::Done done) {
  pipeline_.Submit(std::move(app), std::move(actor), std::move(claims), std::move(done));
}

void Service::Drain() {
  pipeline_.Stop();  // commits the reads still pending, unless the store has failed
  if (!options_.read_spool || registry_.failed()) return;
  std::lock_guard lock(audit_mu_);
  if (!audit_pending_.empty()) return;
  if (auto r = options_.read_spool->Clear(); !r)
    Log("error", "read_spool_failed", r.error().message);
}

std::vector<Placement> Service::AttachmentOn(const domain::Iin& iin,
                                             const std::vector<domain::Date>& days) {
  std::vector<std::optional<Placement>> found;
  found.reserve(days.size());
  bool settled = true;
  {
    std::shared_lock lock(mu_);
    for (auto day : days) {
      found.push_back(registry_.TryWhereOn(iin, day));
      settled = settled && found.back();
    }
  }
  if (!settled) {  // an age-out plan still to be worked out: that needs the registry alone
    std::unique_lock lock(mu_);
    for (std::size_t i = 0; i < days.size(); ++i) {
      if (!found[i]) found[i] = registry_.WhereOn(iin, days[i]);
    }
  }
  std::vector<Placement> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(*f));
  return out;
}

std::vector<domain::Attachment> Service::History(const domain::Iin& iin) {
  std::unique_lock lock(mu_);  // a plan still to come is worked out before it is shown
  for (const auto& a : registry_.History(iin)) {
    if (a.from < a.to) (void)registry_.WhereOn(iin, a.from);
  }
  return registry_.History(iin);
}

std::shared_ptr<const stats::Snapshot> Service::Snapshot(std::int64_t now_micros) {
  std::lock_guard lock(snapshot_mu_);
  std::shared_lock read(mu_);
  // Counts reach the statistics when their batch commits, after the change that moved
  // version(): both keep the snapshot current.
  const std::pair version{registry_.version(), registry_.statistics_version()};
  if (!snapshot_ || (version != snapshot_version_ && now_micros - snapshot_made_ > 1'000'000)) {
    snapshot_ = std::make_shared<const stats::Snapshot>(registry_.Snapshot());
    snapshot_version_ = version;
    snapshot_made_ = now_micros;
  }
  return snapshot_;
}

Result<void> Service::RecordReads(std::vector<storage::AuditEntry> entries) {
  std::lock_guard lock(audit_mu_);
  if (options_.read_spool) {
    if (auto written = options_.read_spool->Append(entries); !written) {
      // Once, then every 1000th: a full disk refuses every read.
      if (spool_failures_++ % 1000 == 0) Log("error", "read_not_recorded", written.error().message);
      return written.error();
    }
  }
  for (auto& e : entries) audit_pending_.push_back(std::move(e));
  return {};
}

bool Service::AddReads(Registry& registry) {
  std::vector<storage::AuditEntry> reads;
  {
    std::lock_guard lock(audit_mu_);
    // After a failed commit, the spool keeps what it holds for the next process (see
    // ReadSpool::Rotate).
    if (audit_pending_.empty() || registry.failed()) return false;
    if (options_.read_spool) {
      if (auto r = options_.read_spool->Rotate(); !r) {
        Log("error", "read_spool_failed", r.error().message);
      }
    }
    reads.swap(audit_pending_);
  }
  registry.AppendAudit(std::move(reads));
  return true;
}

void Service::TakeSpoolLeftovers() {
  if (!options_.read_spool) return;
  auto left = options_.read_spool->TakeLeftovers();
  if (left.empty()) return;
  // Those committed just before the process died are in the trail already.
  std::map<std::string, std::vector<storage::AuditEntry>> trails;
  std::vector<storage::AuditEntry> missing;
  for (auto& e : left) {
    auto [it, fresh] = trails.try_emplace(e.subject);
    if (fresh) {
      auto trail = registry_.AuditTrail(e.subject, 10'000);
      if (trail) it->second = std::move(*trail);
    }
    const bool stored = std::any_of(it->second.begin(), it->second.end(), [&](const auto& t) {
      return t.at == e.at && t.actor == e.actor && t.action == e.action && t.detail == e.detail;
    });
    if (!stored) missing.push_back(std::move(e));
  }
  Log("info", "read_spool_recovered",
      fmt::format("read spool {}: {} record(s) of reads left by an earlier process, {} to commit",
                  options_.read_spool->path(), left.size(), missing.size()));
  std::lock_guard lock(audit_mu_);
  audit_pending_ = std::move(missing);
}

}  // namespace emkhana::registry
