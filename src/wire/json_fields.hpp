// Reading wire JSON (the HTTP API's bodies and the conformance scenarios): typed access to the
// fields of an object, and the application and decision shapes both speak (FORMAT.md).
#pragma once

#include <fmt/format.h>
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/date.hpp"
#include "domain/model.hpp"

namespace emkhana::wire {

namespace json = boost::json;

// Typed access to the fields of a JSON object: each getter checks type and range, and the first
// problem is kept (`field 'KEY': WHAT`) for the caller to report. Never throws on any input.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}
  const std::string& error() const { return error_; }
  bool Has(std::string_view key) const {
    auto* v = o_.if_contains(key);
    return v && !v->is_null();
  }

  std::string String(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return {};
    if (!v->is_string()) return Fail(key, "expected a string"), std::string();
    return std::string(v->as_string());
  }
  // A string that must not be empty.
  std::string Id(std::string_view key) {
    auto s = String(key);
    if (error_.empty() && s.empty()) Fail(key, "must not be empty");
    return s;
  }
  std::optional<domain::Date> DateField(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) return Fail(key, "expected a date string YYYY-MM-DD"), std::nullopt;
    auto d = domain::Date::Parse(v->as_string());
    if (!d)
      Fail(key, fmt::format("'{}' is not a valid date YYYY-MM-DD", std::string(v->as_string())));
    return d;
  }
  std::optional<int> Int(std::string_view key, int min, bool required = false) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_int64() && !v->is_uint64()) return Fail(key, "expected an integer"), std::nullopt;
    auto n = v->is_int64()
                 ? v->as_int64()
                 : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
    if (n < min || n > 100'000'000) return Fail(key, "out of range"), std::nullopt;
    return static_cast<int>(n);
  }
  std::optional<bool> Bool(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return std::nullopt;
    if (!v->is_bool()) return Fail(key, "expected true or false"), std::nullopt;
    return v->as_bool();
  }
  template <class E>
  std::optional<E> Enum(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) return Fail(key, "expected a string"), std::nullopt;
    auto e = domain::ParseEnum<E>(v->as_string());
    if (!e) Fail(key, fmt::format("unknown value '{}'", std::string(v->as_string())));
    return e;
  }
  template <class E>
  domain::Flags<E> FlagList(std::string_view key) {
    domain::Flags<E> flags;
    auto* v = Get(key, false);
    if (!v) return flags;
    if (!v->is_array()) return Fail(key, "expected a list"), flags;
    for (const auto& item : v->as_array()) {
      auto e = item.is_string() ? domain::ParseEnum<E>(item.as_string()) : std::nullopt;
      if (!e) return Fail(key, fmt::format("unknown value {}", json::serialize(item))), flags;
      flags.Add(*e);
    }
    return flags;
  }
  const json::array* Array(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return nullptr;
    if (!v->is_array()) return Fail(key, "expected a list"), nullptr;
    return &v->as_array();
  }
  const json::object* Object(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return nullptr;
    if (!v->is_object()) return Fail(key, "expected an object"), nullptr;
    return &v->as_object();
  }
  void Fail(std::string_view key, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("field '{}': {}", key, what);
  }

 private:
  const json::value* Get(std::string_view key, bool required) {
    auto* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    return v;
  }
  const json::object& o_;
  std::string error_;
};

// A list of dates YYYY-MM-DD under `key` (absent: empty).
std::vector<domain::Date> DateList(Fields& f, std::string_view key);

}  // namespace emkhana::wire
