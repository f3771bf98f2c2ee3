#include "registry/pipeline.hpp"

#include <vector>

namespace emkhana::registry {

DecisionPipeline::DecisionPipeline(Registry& registry, PipelineOptions options)
    : registry_(registry), options_(options), writer_([this] { Run(); }) {}

DecisionPipeline::~DecisionPipeline() { Stop(); }

std::future<Result<domain::Decision>> DecisionPipeline::Submit(domain::Application app,
                                                               Actor actor) {
  std::promise<Result<domain::Decision>> promise;
  auto future = promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || broken_) {
      promise.set_value(Error::Unavailable("the decision pipeline is stopped"));
      return future;
    }
    queue_.push_back({std::move(app), std::move(actor), std::move(promise)});
  }
  wake_.notify_one();
  return future;
}

void DecisionPipeline::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
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
  std::vector<Item> batch;
  std::vector<domain::Decision> decisions;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    decisions.clear();
    Result<void> committed;
    try {
      for (auto& item : batch) decisions.push_back(registry_.Decide(item.app, item.actor));
      committed = registry_.Flush();
    } catch (const std::exception& e) {
      // A bug: the registry's memory may be ahead of the store, so stop taking work.
      committed = Error::Internal(std::string("decision pipeline: ") + e.what());
    }
    {
      // Stats first, so that whoever sees a decision also sees it counted.
      std::lock_guard lock(mu_);
      stats_.decisions += static_cast<std::int64_t>(batch.size());
      ++stats_.batches;
      stats_.largest_batch = std::max(stats_.largest_batch, batch.size());
      if (!committed) {
        broken_ = true;
        for (auto& item : queue_) item.done.set_value(committed.error());
        queue_.clear();
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (committed) {
        batch[i].done.set_value(std::move(decisions[i]));
      } else {
        batch[i].done.set_value(committed.error());
      }
    }
    batch.clear();
  }
}

}  // namespace emkhana::registry
