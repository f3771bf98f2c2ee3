#include "scenario/replay.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <ostream>

#include "core/clock.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "rules/reasons.hpp"
#include "scenario/scenario.hpp"
#include "storage/store.hpp"
#include "wire/application_json.hpp"

namespace emkhana::scenario {

namespace json = boost::json;
using domain::NameOf;

namespace {

// Fields of `expect` that differ from `result`, as "field: expected X, got Y".
std::string Mismatch(const json::object& expect, const json::object& result) {
  std::string out;
  for (const auto& [key, want] : expect) {
    const auto* got = result.if_contains(key);
    const bool equal = got ? *got == want : want.is_null();
    if (!equal) {
      out += fmt::format("{}{}: expected {}, got {}", out.empty() ? "" : "; ", std::string(key),
                         json::serialize(want), got ? json::serialize(*got) : "nothing");
    }
  }
  return out;
}

std::string Cell(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_array()) {
    std::string s;
    for (const auto& item : v->as_array()) {
      if (!s.empty()) s += ",";
      s += item.is_string() ? std::string(item.as_string()) : json::serialize(item);
    }
    return s.empty() ? "-" : s;
  }
  return json::serialize(*v);
}

class Runner {
 public:
  Runner(const ReplayOptions& options, std::ostream& out, std::ostream& err, ReplaySummary& sum)
      : options_(options), out_(out), err_(err), sum_(sum) {}

  // false: stop everything (exit 2).
  bool RunFile(const std::string& file, registry::Registry& registry) {
    auto scenario = ReadScenarioFile(file);
    if (!scenario) {
      err_ << scenario.error().message << "\n";
      return false;
    }
    if (options_.table) {
      out_ << fmt::format("\n{}\n{:<10} {:<10} {:<14} {:<14} {:<11} {:<11} {}\n", file, "step",
                          "result", "org", "district", "effective", "decide_by",
                          "reasons -> alternatives");
    }
    const registry::Actor loader{"replay:" + file, "replay"};
    for (const auto& step : scenario->steps) {
      auto where = fmt::format("{}:{}", file, step.line);
      auto ok = std::visit(
          [&](const auto& body) { return Run(body, step, registry, loader, where); }, step.body);
      if (!ok) {
        err_ << where << ": " << ok.error().message << "\n";
        (void)registry.Flush();  // keep what was applied before the error: it is consistent
        return false;
      }
      if (registry.pending_mutations() >= options_.batch_mutations) {
        if (auto f = registry.Flush(); !f) {
          err_ << where << ": " << f.error().message << "\n";
          return false;
        }
      }
    }
    if (auto f = registry.Flush(); !f) {
      err_ << file << ": " << f.error().message << "\n";
      return false;
    }
    return true;
  }

 private:
  using R = Result<void>;
  R Run(const PolicyStep& s, const Step&, registry::Registry& reg, const registry::Actor&,
        const std::string&) {
    auto policy = reg.policy();
    s.change.ApplyTo(policy);
    reg.SetPolicy(std::move(policy));
    return {};
  }
  R Run(const OrgStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    return reg.PutOrganisation(s.org, a);
  }
  R Run(const DistrictStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    return reg.PutDistrict(s.district, a);
  }
  R Run(const PersonStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    return reg.PutPerson(s.person, a);
  }
  R Run(const InvalidPersonStep& s, const Step&, registry::Registry&, const registry::Actor&,
        const std::string& where) {
    err_ << where << ": warning: person " << domain::MaskIinsInText(s.iin)
         << " has an invalid IIN check digit; skipped\n";
    return {};
  }
  R Run(const AttachStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    const auto* d = reg.FindDistrict(s.district);
    if (d && d->org != s.org) {
      return Error::InvalidArgument(
          fmt::format("district {} is not of organisation {}", s.district, s.org));
    }
    return reg.ImportAttachment(s.iin, s.district, s.from, a);
  }
  R Run(const DeathStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    return reg.RecordDeath(s.iin, s.date, a);
  }
  R Run(const OrgCloseStep& s, const Step&, registry::Registry& reg, const registry::Actor& a,
        const std::string&) {
    return reg.CloseOrganisation(s.org, s.date, s.successor, a);
  }
  R Run(const ApplyStep& s, const Step& step, registry::Registry& reg, const registry::Actor&,
        const std::string& where) {
    const auto& app = s.application;
    registry::Actor actor{app.applicant.empty() ? app.iin : app.applicant,
                          std::string(NameOf(app.channel))};
    auto decision = reg.Decide(app, actor);
    ++sum_.decisions;
    Emit(wire::DecisionJson(decision), step, where, app.id);
    return {};
  }
  R Run(const QueryStep& s, const Step& step, registry::Registry& reg, const registry::Actor&,
        const std::string& where) {
    registry::Placement placement;
    if (auto iin = domain::Iin::Parse(s.iin)) placement = reg.WhereOn(*iin, s.date);
    ++sum_.queries;
    Emit(wire::PlacementJson(s.iin, s.date, placement.org, placement.district), step, where,
         "query");
    return {};
  }

  void Emit(const json::object& result, const Step& step, const std::string& where,
            const std::string& label) {
    if (options_.table) {
      const bool is_query = result.contains("iin");
      out_ << fmt::format(
          "{:<10} {:<10} {:<14} {:<14} {:<11} {:<11} {}\n", is_query ? "query" : label,
          is_query ? Cell(result, "date") : Cell(result, "decision"), Cell(result, "org"),
          Cell(result, "district"), Cell(result, "effective"), Cell(result, "decide_by"),
          Cell(result, "reasons") +
              (result.contains("alternatives") ? " -> " + Cell(result, "alternatives") : ""));
      // The grounds as people read them, in Russian and Kazakh.
      if (const auto* reasons = result.if_contains("reasons"); reasons && reasons->is_array()) {
        for (const auto& r : reasons->as_array()) {
          auto reason = domain::ParseEnum<domain::Reason>(r.as_string());
          if (!reason) continue;
          const auto& info = rules::Describe(*reason);
          out_ << fmt::format("{:>12} {} / {}\n", "", info.ru, info.kk);
        }
      }
    } else {
      out_ << json::serialize(result) << "\n";
    }
    if (!options_.check || !step.expect) return;
    auto mismatch = Mismatch(*step.expect, result);
    if (mismatch.empty()) {
      ++sum_.passed;
    } else {
      ++sum_.failed;
      err_ << where << ": " << label << ": " << mismatch << "\n";
    }
  }

  const ReplayOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  ReplaySummary& sum_;
};

}  // namespace

int Replay(const std::vector<std::string>& files, const ReplayOptions& options, std::ostream& out,
           std::ostream& err, ReplaySummary* summary) {
  ReplaySummary local;
  ReplaySummary& sum = summary ? *summary : local;
  SystemClock clock;
  Runner runner(options, out, err, sum);

  auto open = [&](const std::string& location)
      -> Result<std::pair<std::unique_ptr<storage::Store>, std::unique_ptr<registry::Registry>>> {
    auto store = storage::OpenStore(location);
    if (!store) return store.error();
    auto reg = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
    if (!reg) return reg.error();
    return std::make_pair(std::move(*store), std::move(*reg));
  };

  int code = 0;
  std::unique_ptr<storage::Store> shared_store;
  std::unique_ptr<registry::Registry> shared_registry;
  if (!options.db.empty()) {
    auto opened = open(options.db);
    if (!opened) {
      err << options.db << ": " << opened.error().message << "\n";
      return 2;
    }
    shared_store = std::move(opened->first);
    shared_registry = std::move(opened->second);
  }
  for (const auto& file : files) {
    if (shared_registry) {
      if (!runner.RunFile(file, *shared_registry)) {
        code = 2;
        break;
      }
      continue;
    }
    auto opened = open(":memory:");
    if (!opened) {
      err << opened.error().message << "\n";
      code = 2;
      break;
    }
    if (!runner.RunFile(file, *opened->second)) {
      code = 2;
      break;
    }
  }
  if (shared_registry && code == 0) {
    // Leave the database with fresh statistics for `stats` and `funding`.
    if (auto c = shared_registry->Checkpoint(); !c) {
      err << options.db << ": " << c.error().message << "\n";
      code = 2;
    }
  }
  if (options.check) {
    out << fmt::format("{} passed, {} failed\n", sum.passed, sum.failed);
    if (code == 0 && sum.failed > 0) code = 1;
  }
  return code;
}

}  // namespace emkhana::scenario
