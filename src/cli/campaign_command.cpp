// `emkhana campaign`: a realistic campaign decided through the decision pipeline (group commit,
// durable before counted), or written out as a replay scenario with --emit.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "campaign/campaign.hpp"
#include "cli/commands.hpp"
#include "cli/open_snapshot.hpp"
#include "core/clock.hpp"
#include "core/thread_priority.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "registry/service.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

namespace {
double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int RunCampaign(const CampaignOptions& o) {
  if (o.applications <= 0) {
    std::cerr << "campaign: --applications must be positive\n";
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto store = storage::OpenStore(o.db);
  if (!store) {
    std::cerr << o.db << ": " << store.error().message << "\n";
    return 2;
  }
  SystemClock clock;
  auto opened = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
  if (!opened) {
    std::cerr << o.db << ": " << opened.error().message << "\n";
    return 2;
  }
  auto& reg = **opened;
  std::cerr << fmt::format("campaign: registry of {} persons loaded in {:.1f} s\n",
                           reg.person_count(), Since(t0));

  int year = o.year;
  if (year == 0) {  // the next campaign that has not ended yet
    const auto today = Today();
    year = std::max(today.year(), reg.today().year());
    const auto window = reg.policy().CampaignOf(year);
    if (window && window->end < today) ++year;
  }
  t0 = std::chrono::steady_clock::now();
  const auto apps = campaign::MakeApplications(reg, {o.applications, o.seed, year});
  std::cerr << fmt::format("campaign {}: {} applications made in {:.1f} s\n", year, apps.size(),
                           Since(t0));
  if (!o.emit.empty()) {
    std::ofstream out(o.emit);
    campaign::WriteScenario(apps, out);
    out.flush();
    if (!out) {
      std::cerr << o.emit << ": cannot write\n";
      return 2;
    }
    std::cout << fmt::format("{}: {} apply steps\n", o.emit, apps.size());
    return 0;
  }

  // Submit everything, at most 200 000 undecided at a time. Each decision is tallied in the
  // pipeline's callback once durable: a promise and a future per application cost the committer
  // and this thread CPU that the deciding thread shares two cores with.
  struct Tally {
    std::mutex mu;
    std::int64_t done = 0, approved = 0, refused = 0, failed = 0;
    std::map<std::string, std::int64_t> refusals, channels_refused;
  } tally;
  auto record = [&tally](const Result<domain::Decision>& r, domain::Channel channel) {
    std::lock_guard lock(tally.mu);
    ++tally.done;
    if (!r) {
      ++tally.failed;
    } else if (r->outcome == domain::Outcome::kApproved) {
      ++tally.approved;
    } else {
      ++tally.refused;
      ++tally.channels_refused[std::string(domain::NameOf(channel))];
      for (auto reason : r->reasons) ++tally.refusals[std::string(domain::NameOf(reason))];
    }
  };
  t0 = std::chrono::steady_clock::now();
  registry::PipelineStats pipeline_stats;
  {
    registry::Service service(reg, {.max_batch = 4096});
    // This thread only feeds the pipeline, 200 000 ahead: it must not take the deciding
    // thread's core.
    const LoweredPriority feeding(kBehindTheDecidingThread);
    constexpr std::int64_t kWindow = 200'000;
    std::int64_t submitted = 0;
    for (const auto& app : apps) {
      while (submitted % 1024 == 0) {  // a look at the window now and then
        {
          std::lock_guard lock(tally.mu);
          if (submitted - tally.done < kWindow) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      const auto channel = app.channel;
      service.Submit(app, {"campaign", std::string(domain::NameOf(channel))}, {},
                     [&record, channel](Result<domain::Decision> r) { record(r, channel); });
      ++submitted;
    }
    service.Drain();  // every submitted application answered
    pipeline_stats = service.pipeline_stats();
  }
  const double seconds = Since(t0);
  // The outcome first (flushed), then the deferred work, which takes minutes at 20 million.
  const auto approved = tally.approved, refused = tally.refused, failed = tally.failed;
  const auto decided = approved + refused;
  std::cout << fmt::format(
      "campaign {}: {} decisions in {:.2f} s = {:.0f} durable decisions/s ({} commits, largest "
      "batch {})\n",
      year, decided, seconds, static_cast<double>(decided) / seconds, pipeline_stats.batches,
      pipeline_stats.largest_batch);
  std::cout << fmt::format("  approved {} ({:.1f} %), refused {} ({:.1f} %){}\n", approved,
                           100.0 * static_cast<double>(approved) / static_cast<double>(decided),
                           refused,
                           100.0 * static_cast<double>(refused) / static_cast<double>(decided),
                           failed ? fmt::format(", {} FAILED", failed) : "");
  std::vector<std::pair<std::int64_t, std::string>> by_count;
  for (const auto& [reason, n] : tally.refusals) by_count.emplace_back(n, reason);
  std::sort(by_count.rbegin(), by_count.rend());
  for (const auto& [n, reason] : by_count) {
    std::cout << fmt::format("  {:<22} {:>9} ({:.2f} %)\n", reason, n,
                             100.0 * static_cast<double>(n) / static_cast<double>(decided));
  }
  for (const auto& [channel, n] : tally.channels_refused) {
    std::cout << fmt::format("  refused via {:<15} {:>9}\n", channel, n);
  }
  std::cout.flush();

  t0 = std::chrono::steady_clock::now();
  if (auto c = reg.Checkpoint(); !c) {
    std::cerr << o.db << ": " << c.error().message << "\n";
    return 2;
  }
  const double checkpoint = Since(t0);
  // The decisions are durable in the store's journal; writing them into its tables is deferred
  // work (ADR 0007) that a server does when idle. Timed here, so that it is not hidden.
  t0 = std::chrono::steady_clock::now();
  if (auto j = reg.ApplyStoreJournal(INT64_MAX); !j) {
    std::cerr << o.db << ": " << j.error().message << "\n";
    return 2;
  }
  const double journal = Since(t0);
  std::cout << fmt::format(
      "  statistics checkpoint {:.1f} s; journal written to the tables afterwards in {:.1f} s: "
      "{:.0f} decisions/s all in\n",
      checkpoint, journal, static_cast<double>(decided) / (seconds + journal));
  return failed ? 2 : 0;
}

}  // namespace emkhana::cli
