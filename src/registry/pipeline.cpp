#include "registry/pipeline.hpp"

#include <vector>

namespace emkhana::registry {

DecisionPipeline::DecisionPipeline(Registry& registry, PipelineOptions options)
    : registry_(registry),
      options_(options),
      committer_([this] { Commit(); }),
      writer_([this] { Run(); }) {}

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
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && !broken_) {
      queue_.push_back({std::move(app), std::move(actor), std::move(done)});
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
      while (!queue_.empty() && decided.items.size() < options_.max_batch) {
        decided.items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::optional<Error> failure;
    try {
      for (auto& item : decided.items) {
        std::unique_lock<std::shared_mutex> exclusive;
        if (options_.registry_lock) exclusive = std::unique_lock(*options_.registry_lock);
        decided.decisions.push_back(registry_.Decide(item.app, item.actor));
      }
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
  std::unique_lock lock(commit_mu_);
  for (;;) {
    commit_cv_.wait(lock, [&] { return commit_requested_ || committer_stop_; });
    if (!commit_requested_) return;
    auto& decided = *in_flight_;  // the writer leaves it alone until finished
    lock.unlock();
    auto result = registry_.CommitTaken(decided.taken);
    // Durable (or not): answer at once, without waiting for the writer.
    for (std::size_t i = 0; i < decided.items.size(); ++i) {
      if (result) {
        decided.items[i].done(std::move(decided.decisions[i]));
      } else {
        decided.items[i].done(result.error());
      }
    }
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
