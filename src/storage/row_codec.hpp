// How the SQL backends write the registry's values into columns and read them back, shared by
// storage/sqlite and storage/postgres so that both store exactly the same texts: ISO dates with
// NULL for the open end, "" as NULL for optional codes, reason codes and organisation lists
// comma-separated. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"

namespace emkhana::storage::codec {

// `YYYY-MM-DD`, or NULL for no date and for the open end (Date::Max).
inline std::optional<std::string> DateText(std::optional<domain::Date> d) {
  if (!d || d->IsMax()) return std::nullopt;
  return d->ToString();
}
// NULL for "".
inline std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
inline domain::Date ParseDateOr(std::string_view s, domain::Date fallback) {
  return domain::Date::Parse(s).value_or(fallback);
}
inline std::string JoinReasons(const std::vector<domain::Reason>& reasons) {
  std::string out;
  for (auto r : reasons) {
    if (!out.empty()) out += ',';
    out += domain::NameOf(r);
  }
  return out;
}
// "a,b,,c" -> {"a", "b", "c"}.
inline std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = s.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}
inline std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}

}  // namespace emkhana::storage::codec
