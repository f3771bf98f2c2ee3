// Inside the API (not for other modules): one request being answered, and small helpers that the
// handler files (api_*.cpp) share. A Call carries the parsed path, query, language and claims,
// and makes replies: JSON, or problem+json with the status from the one table in problem.cpp.
#pragma once

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/date.hpp"
#include "http/api.hpp"

namespace emkhana::http {

struct Api::Call {
  const Request& request;
  Lang lang = Lang::kRu;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  std::optional<Claims> claims;
  std::string_view route = "unmatched";  // a pattern of the route table, or a literal

  Response Problem(ProblemCode code, std::string_view detail) const {
    Response r;
    r.status = TypeOf(code).status;
    r.content_type = "application/problem+json";
    r.body = ProblemBody(code, lang, detail);
    r.route = route;
    return r;
  }
  Response Json(const boost::json::value& v, int status = 200) const {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(v);
    r.route = route;
    return r;
  }
  bool Is(Role role) const { return claims && claims->role == role; }
  const std::string* Param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
  // The `date` parameter, or `fallback` when there is none; nullopt when it is malformed.
  std::optional<domain::Date> DateOr(domain::Date fallback) const {
    return DateParam("date", fallback);
  }
  std::optional<domain::Date> DateParam(const std::string& name, domain::Date fallback) const {
    const auto* d = Param(name);
    return d ? domain::Date::Parse(*d) : std::optional<domain::Date>(fallback);
  }
  // A whole-number parameter within [lo, hi], `fallback` when absent; nullopt when malformed.
  std::optional<int> IntParam(const std::string& name, int fallback, int lo, int hi) const {
    const auto* v = Param(name);
    if (!v) return fallback;
    if (v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    const int n = std::stoi(*v);
    if (n < lo || n > hi) return std::nullopt;
    return n;
  }
};

// Well-formed UTF-8 by lead and continuation bytes (Boost.JSON checks strings in bodies itself).
bool ValidUtf8(std::string_view s);
// A fresh application id ("W-" and 24 hex digits): the server numbers every application.
std::string RandomId();
// SHA-256 of `text`, 64 lower-case hex digits.
std::string Sha256Hex(std::string_view text);
// Great-circle distance in kilometres.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);
// Lower-case media type of a Content-Type header, without parameters.
std::string MediaType(std::string_view content_type);

}  // namespace emkhana::http
