#include "http/texts.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "domain/model.hpp"
#include "http/problem.hpp"
#include "rules/reasons.hpp"

namespace emkhana::http {

namespace json = boost::json;

namespace {

constexpr auto kLastProblem = static_cast<std::size_t>(ProblemCode::kInternal);

// Writes `value` with two-space indents (as web/src/generated/texts.json is kept), keys in
// their insertion order.
void Indented(const json::value& value, std::string& out, int depth) {
  const auto* object = value.if_object();
  if (!object) {
    out += json::serialize(value);
    return;
  }
  out += "{";
  bool first = true;
  for (const auto& [key, item] : *object) {
    out += first ? "\n" : ",\n";
    first = false;
    out.append(2 * (depth + 1), ' ');
    out += json::serialize(json::string(key)) + ": ";
    Indented(item, out, depth + 1);
  }
  if (!first) {
    out += "\n";
    out.append(2 * depth, ' ');
  }
  out += "}";
}

}  // namespace

std::string TextsJson() {
  json::object reasons;
  for (const auto& [reason, code] : domain::EnumNames<domain::Reason>::kAll) {
    const auto& info = rules::Describe(reason);
    reasons[code] = json::object{{"kk", info.kk}, {"ru", info.ru}, {"en", info.en}};
  }
  json::object problems;
  for (std::size_t i = 0; i <= kLastProblem; ++i) {
    const auto& type = TypeOf(static_cast<ProblemCode>(i));
    problems[type.code] = json::object{{"status", type.status},
                                       {"kk", type.title_kk},
                                       {"ru", type.title_ru},
                                       {"en", type.title_en}};
  }
  std::string out;
  Indented(json::object{{"reasons", std::move(reasons)}, {"problems", std::move(problems)}}, out,
           0);
  return out + "\n";
}

std::string TextsTable() {
  std::string out;
  for (const auto& [reason, code] : domain::EnumNames<domain::Reason>::kAll) {
    const auto& info = rules::Describe(reason);
    out += fmt::format("reason {}\n  kk {}\n  ru {}\n  en {}\n", code, info.kk, info.ru, info.en);
  }
  for (std::size_t i = 0; i <= kLastProblem; ++i) {
    const auto& type = TypeOf(static_cast<ProblemCode>(i));
    out += fmt::format("problem {} ({})\n  kk {}\n  ru {}\n  en {}\n", type.code, type.status,
                       type.title_kk, type.title_ru, type.title_en);
  }
  return out;
}

}  // namespace emkhana::http
