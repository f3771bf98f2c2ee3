#include "http/metrics.hpp"

#include <fmt/format.h>

namespace emkhana::http {

void Metrics::ObserveRequest(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats{}).first;
  auto& r = it->second;
  ++r.by_status[status];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++r.buckets[i];
      break;
    }
  }
  r.sum += seconds;
  ++r.count;
}

void Metrics::ObserveDecision(const domain::Decision& decision) {
  std::lock_guard lock(mu_);
  ++outcomes_[std::string(domain::NameOf(decision.outcome))];
  for (auto reason : decision.reasons) ++reasons_[std::string(domain::NameOf(reason))];
}

std::string Metrics::Render(const registry::PipelineStats& pipeline,
                            std::size_t queue_depth) const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP emkhana_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE emkhana_http_requests_total counter\n";
  for (const auto& [route, r] : routes_) {
    for (const auto& [status, n] : r.by_status) {
      out += fmt::format("emkhana_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", route,
                         status, n);
    }
  }
  out += "# HELP emkhana_http_request_seconds Time from a request read to its reply written.\n";
  out += "# TYPE emkhana_http_request_seconds histogram\n";
  for (const auto& [route, r] : routes_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += r.buckets[i];
      out += fmt::format("emkhana_http_request_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         route, kBuckets[i], cumulative);
    }
    out += fmt::format("emkhana_http_request_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       route, r.count);
    out += fmt::format("emkhana_http_request_seconds_sum{{route=\"{}\"}} {}\n", route, r.sum);
    out += fmt::format("emkhana_http_request_seconds_count{{route=\"{}\"}} {}\n", route, r.count);
  }
  out += "# HELP emkhana_decisions_total Decisions made through the API by outcome.\n";
  out += "# TYPE emkhana_decisions_total counter\n";
  for (const auto& [outcome, n] : outcomes_) {
    out += fmt::format("emkhana_decisions_total{{outcome=\"{}\"}} {}\n", outcome, n);
  }
  out +=
      "# HELP emkhana_refusal_reasons_total Refusal reasons given (a refusal may give several).\n";
  out += "# TYPE emkhana_refusal_reasons_total counter\n";
  for (const auto& [reason, n] : reasons_) {
    out += fmt::format("emkhana_refusal_reasons_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  out += "# HELP emkhana_pipeline_queue_depth Applications waiting to be decided.\n";
  out += "# TYPE emkhana_pipeline_queue_depth gauge\n";
  out += fmt::format("emkhana_pipeline_queue_depth {}\n", queue_depth);
  out += "# HELP emkhana_pipeline_batches_total Commits of decided batches.\n";
  out += "# TYPE emkhana_pipeline_batches_total counter\n";
  out += fmt::format("emkhana_pipeline_batches_total {}\n", pipeline.batches);
  out += "# HELP emkhana_pipeline_decisions_total Decisions taken by the pipeline.\n";
  out += "# TYPE emkhana_pipeline_decisions_total counter\n";
  out += fmt::format("emkhana_pipeline_decisions_total {}\n", pipeline.decisions);
  out += "# HELP emkhana_pipeline_largest_batch The largest batch committed at once.\n";
  out += "# TYPE emkhana_pipeline_largest_batch gauge\n";
  out += fmt::format("emkhana_pipeline_largest_batch {}\n", pipeline.largest_batch);
  return out;
}

}  // namespace emkhana::http
