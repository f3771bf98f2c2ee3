// Counters for `/metrics` in the Prometheus text format (version 0.0.4): requests and latency
// histograms by route, decisions by outcome and reason, the pipeline's queue and batches.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "registry/pipeline.hpp"

namespace emkhana::http {

class Metrics {
 public:
  void ObserveRequest(std::string_view route, int status, double seconds);
  void ObserveDecision(const domain::Decision& decision);
  std::string Render(const registry::PipelineStats& pipeline, std::size_t queue_depth) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
  struct RouteStats {
    std::map<int, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // cumulative on output
    double sum = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, RouteStats, std::less<>> routes_;
  std::map<std::string, std::uint64_t> outcomes_, reasons_;
};

}  // namespace emkhana::http
