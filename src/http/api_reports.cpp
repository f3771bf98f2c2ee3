// Statistics, funding and the policy in force: read from the maintained statistics snapshot.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "policy/policy_loader.hpp"
#include "stats/funding.hpp"
#include "stats/report.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

// ---------------------------------------------------------------- statistics, funding, policy

std::shared_ptr<const stats::Snapshot> Api::CurrentSnapshot() {
  return service_.Snapshot(options_.clock->NowMicros());
}

Response Api::Stats(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (!call.Is(Role::kRegion) && !call.Is(Role::kFund) && !call.Is(Role::kAdmin)) {
    return call.Problem(ProblemCode::kForbidden, "statistics are for regions and the Fund");
  }
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const Date day = *date;
  // A region sees its own region; the Fund and admins the country, or one region if they ask.
  std::string region;
  if (call.Is(Role::kRegion)) {
    region = call.claims->subject;
  } else if (const auto* asked = call.Param("region")) {
    region = *asked;
  }
  return CachedReport(call, fmt::format("stats {} {}", day.ToString(), region),
                      [&](const stats::Snapshot& snapshot) -> Result<std::string> {
                        auto report = stats::Summarise(snapshot, day, region);
                        if (!report) return report.error();
                        return json::serialize(stats::ToJson(*report));
                      });
}

Response Api::CachedReport(Call& call, const std::string& key,
                           const std::function<Result<std::string>(const stats::Snapshot&)>& make) {
  auto snapshot = CurrentSnapshot();
  {
    std::lock_guard lock(report_cache_mu_);
    auto it = report_cache_.find(key);
    if (it != report_cache_.end() && it->second.first == snapshot) {
      Response r;
      r.body = it->second.second;
      r.route = call.route;
      return r;
    }
  }
  auto body = make(*snapshot);
  if (!body) return call.Problem(ProblemCode::kInvalidQuery, body.error().message);
  {
    std::lock_guard lock(report_cache_mu_);
    if (report_cache_.size() >= 256) report_cache_.clear();  // bounded; made again when asked
    report_cache_[key] = {snapshot, *body};
  }
  Response r;
  r.body = std::move(*body);
  r.route = call.route;
  return r;
}

Response Api::Funding(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (!call.Is(Role::kFund) && !call.Is(Role::kAdmin)) {
    return call.Problem(ProblemCode::kForbidden, "funding is for the Fund");
  }
  const auto* month = call.Param("month");
  int year = 0;
  unsigned m = 0;
  if (!month || month->size() != 7 || (*month)[4] != '-' ||
      std::sscanf(month->c_str(), "%4d-%2u", &year, &m) != 2 || m < 1 || m > 12) {
    return call.Problem(ProblemCode::kInvalidQuery, "month: expected YYYY-MM");
  }
  return CachedReport(call, "funding " + *month,
                      [&](const stats::Snapshot& snapshot) -> Result<std::string> {
                        auto report = stats::ComputeFunding(
                            snapshot, stats::IllustrativeFundingTable(), year, static_cast<int>(m));
                        if (!report) return report.error();
                        return json::serialize(stats::ToJson(*report));
                      });
}

Response Api::Policy(Call& call) {
  std::string body;
  body = policy::PolicyToJson(service_.Read()->policy());
  Response r;
  r.body = std::move(body);
  r.route = call.route;
  return r;
}

}  // namespace emkhana::http
