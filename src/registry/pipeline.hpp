// The single-writer decision pipeline. Any number of threads submit applications; one writer
// thread takes them in arrival order, decides each against the registry's current state (so
// capacity checks are exact without locks on districts), and commits the decisions of a whole
// batch in one transaction (group commit: one fsync for many decisions). A submitter's future
// is fulfilled only after its decision is durable.
//
// If a commit fails, the decisions of that batch are answered with the error and the pipeline
// refuses further work (the registry must be reopened from the store).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "registry/registry.hpp"

namespace emkhana::registry {

struct PipelineOptions {
  std::size_t max_batch = 1024;  // decisions per transaction at most
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
  // Finishes everything submitted so far and stops the writer; later Submits fail.
  void Stop();
  PipelineStats stats() const;
  std::size_t queue_depth() const;

 private:
  struct Item {
    domain::Application app;
    Actor actor;
    std::promise<Result<domain::Decision>> done;
  };
  void Run();

  Registry& registry_;
  const PipelineOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  bool broken_ = false;
  PipelineStats stats_;
  std::thread writer_;
};

}  // namespace emkhana::registry
