#include "wire/json_fields.hpp"

namespace emkhana::wire {

std::vector<domain::Date> DateList(Fields& f, std::string_view key) {
  std::vector<domain::Date> out;
  if (auto* a = f.Array(key)) {
    for (const auto& item : *a) {
      auto d = item.is_string() ? domain::Date::Parse(item.as_string()) : std::nullopt;
      if (!d) {
        f.Fail(key, fmt::format("{} is not a date YYYY-MM-DD", json::serialize(item)));
        break;
      }
      out.push_back(*d);
    }
  }
  return out;
}

}  // namespace emkhana::wire
