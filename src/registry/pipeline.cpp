#include "registry/pipeline.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <vector>

#include "core/thread_priority.hpp"

namespace emkhana::registry {

DecisionPipeline::DecisionPipeline(Registry& registry, PipelineOptions options)
    : registry_(registry), options_(options) {
  if (registry_.shared()) {
    writer_ = std::thread([this] { RunShared(); });
  } else {
    committer_ = std::thread([this] { Commit(); });
    writer_ = std::thread([this] { Run(); });
  }
}

DecisionPipeline::~DecisionPipeline() { Stop(); }

std::future<Result<domain::Decision>> DecisionPipeline::Submit(domain::Application app,
                                                               Actor actor) {
  auto promise = std::make_shared<std::promise<Result<domain::Decision>>>();
  auto future = promise->get_future();
  Submit(std::move(app), std::move(actor),
         [promise](Result<domain::Decision> r) { promise->set_value(std::move(r)); });
  return future;
}

void DecisionPipeline::Submit(domain::Application app, Actor actor, Done done) {
  Submit(std::move(app), std::move(actor), std::vector<IdempotencyClaim>{}, std::move(done));
}

void DecisionPipeline::Submit(domain::Application app, Actor actor,
                              std::vector<IdempotencyClaim> claims, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && !broken_) {
      queue_.push_back({std::move(app), std::move(actor), std::move(claims), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(Error::Unavailable("the decision pipeline is stopped"));
}

void DecisionPipeline::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(commit_mu_);
    committer_stop_ = true;
  }
  commit_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

PipelineStats DecisionPipeline::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t DecisionPipeline::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void DecisionPipeline::Run() {
  for (;;) {
    Decided decided;
    {
      std::unique_lock lock(mu_);
      if (options_.add_writes) {
        wake_.wait_for(lock, std::chrono::milliseconds(options_.extra_every_ms),
                       [&] { return stopping_ || !queue_.empty(); });
      } else {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      }
      if (queue_.empty() && !stopping_ && !options_.add_writes) continue;
      if (queue_.empty() && stopping_ && !options_.add_writes) break;  // stopping and drained
      decided.items.reserve(std::min(queue_.size(), options_.max_batch));
      while (!queue_.empty() && decided.items.size() < options_.max_batch) {
        decided.items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::optional<Error> failure;
    try {
      decided.decisions.reserve(decided.items.size());
      DecideLoadingAhead(decided);
      std::unique_lock<std::shared_mutex> exclusive;
      if (options_.registry_lock) exclusive = std::unique_lock(*options_.registry_lock);
      const bool extra = options_.add_writes && options_.add_writes(registry_);
      if (decided.items.empty() && !extra) {
        bool stop;
        {
          std::lock_guard lock(mu_);
          stop = stopping_ && queue_.empty();
        }
        if (stop) break;  // stopping, drained, nothing more to write
        continue;
      }
      decided.taken = registry_.TakeBatch();
    } catch (const std::exception& e) {
      // A bug: the registry's memory may be ahead of the store, so stop taking work.
      failure = Error::Internal(std::string("decision pipeline: ") + e.what());
    }
    // This batch was decided on top of the one in flight: it stands only if that one commits.
    if (!FinishInFlight() && !failure) {
      failure = Error::Unavailable("the decision pipeline stopped: an earlier commit failed");
    }
    if (failure) {
      Fail(decided.items, *failure);
      continue;
    }
    {
      // Stats first, so that whoever sees a decision also sees it counted.
      std::lock_guard lock(mu_);
      stats_.decisions += static_cast<std::int64_t>(decided.items.size());
      ++stats_.batches;
      stats_.largest_batch = std::max(stats_.largest_batch, decided.items.size());
    }
    {
      std::lock_guard lock(commit_mu_);
      in_flight_ = std::move(decided);
      commit_requested_ = true;
      commit_finished_ = false;
    }
    commit_cv_.notify_all();
  }
  FinishInFlight();
}

void DecisionPipeline::Commit() {
  LowerThisThreadsPriority(kBehindTheDecidingThread);
  std::unique_lock lock(commit_mu_);
  for (;;) {
    if (!commit_cv_.wait_for(lock, std::chrono::milliseconds(options_.tidy_after_idle_ms),
                             [&] { return commit_requested_ || committer_stop_; })) {
      // Idle: write journalled decisions to the store's tables, yielding to the next commit.
      bool more = true;
      while (more && !commit_requested_ && !committer_stop_) {
        lock.unlock();
        auto applied = registry_.ApplyStoreJournal(1);
        more = applied && *applied;  // a failure shows again, and is reported, at the next read
        lock.lock();
      }
      continue;
    }
    if (!commit_requested_) return;
    auto& decided = *in_flight_;  // the writer leaves it alone until finished
    lock.unlock();
    // The new decisions' records go after the batch's other changes, in decision order. The
    // store writes a batch in one transaction, and nothing reads its records before that.
    auto& records = decided.taken.writes.mutations;
    for (std::size_t i = 0; i < decided.records_at.size(); ++i) {
      if (decided.records_at[i] == 0 || !decided.decisions[i]) continue;
      Registry::AddDecisionRecords(records, decided.items[i].app, *decided.decisions[i],
                                   decided.items[i].actor, decided.records_at[i]);
    }
    auto result = registry_.CommitTaken(decided.taken);
    // Durable (or not): answer at once, without waiting for the writer.
    for (std::size_t i = 0; i < decided.items.size(); ++i) {
      if (result) {
        decided.items[i].done(std::move(decided.decisions[i]));
      } else {
        decided.items[i].done(result.error());
      }
    }
    // Free the batch here rather than on the writer, which is the pipeline's bottleneck: its
    // applications, closures and mutations are many small frees (5-7 % of the writer's time
    // at 20 million people). The writer still needs the ids (CommitDone).
    decided.items = {};
    decided.decisions = {};
    decided.records_at = {};
    registry_.RecycleMutations(std::move(decided.taken.writes.mutations));
    decided.taken.writes = {};
    lock.lock();
    commit_result_ = std::move(result);
    commit_requested_ = false;
    commit_finished_ = true;
    commit_cv_.notify_all();
  }
}

bool DecisionPipeline::FinishInFlight() {
  std::optional<Decided> done;
  Result<void> result;
  {
    std::unique_lock lock(commit_mu_);
    if (!in_flight_) return !registry_.failed();
    commit_cv_.wait(lock, [&] { return commit_finished_; });
    done = std::move(in_flight_);
    in_flight_.reset();
    result = commit_result_;
  }
  {
    std::unique_lock<std::shared_mutex> exclusive;
    if (options_.registry_lock) exclusive = std::unique_lock(*options_.registry_lock);
    registry_.CommitDone(done->taken);
  }
  if (!result) {
    std::vector<Item> none;
    Fail(none, result.error());  // the queue too: later decisions stood on this batch
    return false;
  }
  return true;
}

void DecisionPipeline::DecideLoadingAhead(Decided& decided) {
  // Item j's slot in the IIN index starts loading at step j - kIndexAhead, its row at step
  // j - kRowsAhead (found in the index), its first period and its organisation's districts at
  // step j - kPeriodsAhead, their panels at step j - kPanelsAhead. Slot j % kAhead holds the
  // IIN, then the row's index, in between.
  constexpr std::size_t kIndexAhead = 24, kRowsAhead = 16, kPeriodsAhead = 8, kPanelsAhead = 4,
                        kAhead = 32;
  auto& items = decided.items;
  std::array<std::uint64_t, kAhead> iins{};
  std::array<std::uint32_t, kAhead> rows{};
  // Step i (negative before the first decision) moves the items `ahead` of it one stage on.
  const auto stage = [&](std::ptrdiff_t i) {
    const auto item = [&](std::size_t ahead) -> std::optional<std::size_t> {
      const auto j = i + static_cast<std::ptrdiff_t>(ahead);
      if (j < 0 || static_cast<std::size_t>(j) >= items.size()) return std::nullopt;
      return static_cast<std::size_t>(j);
    };
    if (const auto j = item(kIndexAhead)) {
      iins[*j % kAhead] = registry_.PrefetchIndexFor(items[*j].app.iin);
    }
    if (const auto j = item(kRowsAhead)) {
      rows[*j % kAhead] = registry_.PrefetchPerson(iins[*j % kAhead]);
    }
    if (const auto j = item(kPeriodsAhead)) {
      registry_.PrefetchPeriods(rows[*j % kAhead]);
      registry_.PrefetchDistrictsOf(items[*j].app.org);
    }
    if (const auto j = item(kPanelsAhead)) registry_.PrefetchPanelsOf(items[*j].app.org);
  };
  Exclusive([&] {  // the steps before the first decision
    for (auto i = -static_cast<std::ptrdiff_t>(kIndexAhead); i < 0; ++i) stage(i);
  });
  decided.records_at.assign(items.size(), 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    decided.decisions.push_back(Exclusive([&] {
      stage(static_cast<std::ptrdiff_t>(i));
      return DecideLeavingRecords(items[i], decided.records_at[i]);
    }));
  }
}

Result<domain::Decision> DecisionPipeline::DecideLeavingRecords(Item& item,
                                                                std::int64_t& records_at) {
  if (!item.claims.empty())
    return registry_.DecideLeavingRecords(item.app, item.actor, item.claims, records_at);
  return registry_.DecideLeavingRecords(item.app, item.actor, records_at);
}

Result<domain::Decision> DecisionPipeline::DecideOne(Item& item) {
  if (!item.claims.empty()) return registry_.Decide(item.app, item.actor, item.claims);
  return registry_.Decide(item.app, item.actor);
}

void DecisionPipeline::RunShared() {
  for (;;) {
    std::vector<Item> items;
    bool stop;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_every_ms),
                     [&] { return stopping_ || !queue_.empty(); });
      while (!queue_.empty() && items.size() < options_.max_batch) {
        items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stop = stopping_ && queue_.empty();
    }
    if (!items.empty()) {
      DecideInTurn(std::move(items));
      continue;
    }
    WriteExtras();
    if (stop) break;  // stopping, drained, the reads' records written
    CatchUp();
  }
}

void DecisionPipeline::DecideInTurn(std::vector<Item> items) {
  Decided decided;
  decided.items = std::move(items);
  auto changes = registry_.BeginTurn();
  if (!changes) {
    // Nothing changed here: these decisions fail, later ones may find the database again.
    for (auto& item : decided.items) item.done(changes.error());
    return;
  }
  std::optional<Error> failure;
  try {
    if (auto applied = Exclusive([&] { return registry_.ApplyChanges(*changes); }); !applied) {
      failure = applied.error();
    }
    for (std::size_t i = 0; !failure && i < decided.items.size(); ++i) {
      decided.decisions.push_back(Exclusive([&] { return DecideOne(decided.items[i]); }));
    }
    if (!failure) {
      decided.taken = Exclusive([&] {
        if (options_.add_writes) options_.add_writes(registry_);
        return registry_.TakeBatch();
      });
    }
  } catch (const std::exception& e) {
    failure = Error::Internal(std::string("decision pipeline: ") + e.what());
  }
  if (failure) {
    registry_.EndTurn();
    Fail(decided.items, *failure);
    return;
  }
  {
    std::lock_guard lock(mu_);
    stats_.decisions += static_cast<std::int64_t>(decided.items.size());
    ++stats_.batches;
    stats_.largest_batch = std::max(stats_.largest_batch, decided.items.size());
  }
  auto result = registry_.CommitTaken(decided.taken);  // ends the turn
  Exclusive([&] { registry_.CommitDone(decided.taken); });
  if (!result) {
    Fail(decided.items, result.error());
    return;
  }
  for (std::size_t i = 0; i < decided.items.size(); ++i) {
    decided.items[i].done(std::move(decided.decisions[i]));
  }
}

void DecisionPipeline::CatchUp() {
  if (registry_.failed()) return;
  auto changes = registry_.FetchChanges();  // off the registry lock: a query
  // An unreachable database is tried again at the next poll; the turns report it.
  if (!changes || changes->empty()) return;
  if (auto applied = Exclusive([&] { return registry_.ApplyChanges(*changes); }); !applied) {
    std::vector<Item> none;
    Fail(none, applied.error());
  }
}

void DecisionPipeline::WriteExtras() {
  if (!options_.add_writes) return;
  std::optional<Registry::TakenBatch> taken =
      Exclusive([&]() -> std::optional<Registry::TakenBatch> {
        if (!options_.add_writes(registry_)) return std::nullopt;
        return registry_.TakeBatch();
      });
  if (!taken) return;
  auto result = registry_.CommitTaken(*taken);
  Exclusive([&] { registry_.CommitDone(*taken); });
  if (!result) {
    std::vector<Item> none;
    Fail(none, result.error());
  }
}

void DecisionPipeline::Fail(std::vector<Item>& items, const Error& error) {
  std::deque<Item> failed;  // answered outside the lock: a callback may submit again
  {
    std::lock_guard lock(mu_);
    broken_ = true;
    failed.swap(queue_);
  }
  for (auto& item : failed) item.done(error);
  for (auto& item : items) item.done(error);
}

}  // namespace emkhana::registry
