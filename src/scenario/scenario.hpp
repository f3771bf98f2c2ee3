// Conformance scenarios (shared/conformance/FORMAT.md): one JSON object per line describing a
// registry's story. The parser turns a file into typed steps, or fails with `FILE:LINE: message`
// for anything malformed (bad JSON, unknown op, missing field, bad date or enum value); it never
// throws on any input. A step's `expect` is kept as JSON for the checker.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"

namespace emkhana::scenario {

struct PolicyStep {
  domain::PolicyOverride change;
};
struct OrgStep {
  domain::Organisation org;
};
struct DistrictStep {
  domain::District district;
};
struct PersonStep {
  domain::Person person;
};
// A person whose IIN fails the check digit: such a record cannot be in the register, so the
// replay warns and skips it (applications for it are refused `invalid_iin`).
struct InvalidPersonStep {
  std::string iin;
};
struct AttachStep {
  domain::Iin iin;
  std::string org;
  std::string district;
  domain::Date from;
};
struct ApplyStep {
  domain::Application application;
};
struct DeathStep {
  domain::Iin iin;
  domain::Date date;
};
struct OrgCloseStep {
  std::string org;
  domain::Date date;
  std::string successor;
};
struct QueryStep {
  std::string iin;
  domain::Date date;
};

using StepBody = std::variant<PolicyStep, OrgStep, DistrictStep, PersonStep, InvalidPersonStep,
                              AttachStep, ApplyStep, DeathStep, OrgCloseStep, QueryStep>;

struct Step {
  int line = 0;
  StepBody body;
  std::optional<boost::json::object> expect;
};

struct Scenario {
  std::string file;
  std::vector<Step> steps;
};

// Parses one line (without its newline). Blank and `#` lines give an empty optional. On failure
// the error message has no location; ParseScenario adds `FILE:LINE: `.
[[nodiscard]] Result<std::optional<Step>> ParseLine(std::string_view line, int line_number);
[[nodiscard]] Result<Scenario> ParseScenario(std::string_view text, const std::string& file);
[[nodiscard]] Result<Scenario> ReadScenarioFile(const std::string& path);

}  // namespace emkhana::scenario
