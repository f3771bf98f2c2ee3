// The single-writer decision pipeline. Any number of threads submit applications; one writer
// thread takes them in arrival order, decides each against the registry's current state (so
// capacity checks are exact without locks on districts), and commits the decisions of a whole
// batch in one transaction (group commit: one fsync for many decisions). A submitter's future
// is fulfilled only after its decision is durable.
//
// Deciding and committing overlap: while a committer thread writes batch N, the writer decides
// batch N+1 on top of it in memory (its answers wait for their own commit). At most one batch is
// in flight; the committer answers a batch's submitters as soon as it is durable. If a commit
// fails, the decisions of that batch and of every later one are answered with the error and the
// pipeline refuses further work (the registry must be reopened).
//
// A shared registry (several processes on one database, ADR 0006) decides in turns instead: the
// writer takes the database's writers' turn, applies what other processes committed, decides
// the batch and commits it, all on the writer thread (no overlap: the next batch must see this
// one's outcome under the lock). While idle it polls the change log every `poll_every_ms`, so
// that reads see the other processes' decisions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

#include "registry/registry.hpp"

namespace emkhana::registry {

struct PipelineOptions {
  std::size_t max_batch = 1024;  // decisions per transaction at most
  // Taken exclusively around each decision, so that readers of the registry on other threads
  // (under a shared lock) never see it half-changed. Optional.
  std::shared_mutex* registry_lock = nullptr;
  // Called on the writer thread under that lock before each commit, and every
  // `extra_every_ms` while idle: may add writes to the registry's batch (records of reads, for
  // the audit); returns true if it did. Optional.
  std::function<bool(Registry&)> add_writes;
  // Short, so that each commit of read records is small: every 200 ms, a commit of 10 000 of
  // them held the registry lock and a core long enough to set GET's p99 (ADR 0008).
  int extra_every_ms = 20;
  // A shared registry: how often the idle writer applies other processes' changes.
  int poll_every_ms = 100;
  // After this long without a commit, the committer applies the store's decision journal to its
  // tables, a record at a time, until work comes (ADR 0007). Long enough that a steady load of
  // reads (whose audit records commit every `extra_every_ms`) never pays for it.
  int tidy_after_idle_ms = 1000;
};

struct PipelineStats {
  std::int64_t decisions = 0;
  std::int64_t batches = 0;
  std::size_t largest_batch = 0;
};

class DecisionPipeline {
 public:
  DecisionPipeline(Registry& registry, PipelineOptions options = {});
  ~DecisionPipeline();  // drains the queue, then stops
  DecisionPipeline(const DecisionPipeline&) = delete;
  DecisionPipeline& operator=(const DecisionPipeline&) = delete;

  std::future<Result<domain::Decision>> Submit(domain::Application app, Actor actor = {});
  // The same with a callback, called once on a pipeline thread when the decision is durable
  // (or has failed); it must not block.
  using Done = std::function<void(Result<domain::Decision>)>;
  void Submit(domain::Application app, Actor actor, Done done);
  // With a client's keys (Registry::Decide with claims; a conflict is an error).
  void Submit(domain::Application app, Actor actor, std::vector<IdempotencyClaim> claims,
              Done done);
  void Submit(domain::Application app, Actor actor, std::optional<IdempotencyClaim> claim,
              Done done) {
    std::vector<IdempotencyClaim> claims;
    if (claim) claims.push_back(std::move(*claim));
    Submit(std::move(app), std::move(actor), std::move(claims), std::move(done));
  }
  // Finishes everything submitted so far and stops the writer; later Submits fail.
  void Stop();
  PipelineStats stats() const;
  std::size_t queue_depth() const;

 private:
  struct Item {
    domain::Application app;
    Actor actor;
    std::vector<IdempotencyClaim> claims;
    Done done;
  };
  struct Decided {
    std::vector<Item> items;
    std::vector<Result<domain::Decision>> decisions;
    // By item: when a new decision was taken, 0 for none (a repeat, an error). The committer
    // adds those decisions' records to the batch: the deciding thread is the pipeline's bound,
    // and the next decision does not need them (ADR 0013).
    std::vector<std::int64_t> records_at;
    Registry::TakenBatch taken;
  };
  void Run();
  // The writer of a shared registry: turns, and polling while idle.
  void RunShared();
  void DecideInTurn(std::vector<Item> items);
  // Applies what other processes committed since the last time (idle, no turn).
  void CatchUp();
  // Commits what add_writes adds (the audit of reads: no turn needed).
  void WriteExtras();
  Result<domain::Decision> DecideOne(Item& item);
  // The same, leaving a new decision's records to the committer (`records_at`).
  Result<domain::Decision> DecideLeavingRecords(Item& item, std::int64_t& records_at);
  // Runs `f` under the registry lock, taken exclusively.
  template <class F>
  auto Exclusive(F&& f) {
    std::unique_lock<std::shared_mutex> exclusive;
    if (options_.registry_lock) exclusive = std::unique_lock(*options_.registry_lock);
    return f();
  }
  // Decides a batch's items in order, loading each applicant's data a few decisions ahead.
  void DecideLoadingAhead(Decided& decided);
  // The committer: commits one taken batch at a time, off the writer thread.
  void Commit();
  // Waits for the batch in flight (the committer has answered its submitters) and lets the
  // registry forget it; false if its commit failed.
  bool FinishInFlight();
  void Fail(std::vector<Item>& items, const Error& error);

  Registry& registry_;
  const PipelineOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  bool broken_ = false;
  PipelineStats stats_;
  // The hand-over between writer and committer (guarded by commit_mu_).
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::optional<Decided> in_flight_;
  bool commit_requested_ = false, commit_finished_ = false, committer_stop_ = false;
  Result<void> commit_result_;
  std::thread committer_;
  std::thread writer_;
};

}  // namespace emkhana::registry
