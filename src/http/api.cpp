#include "http/api.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "http/api_call.hpp"
#include "http/openapi_json.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;
namespace {

// The routes: method, pattern ({name} matches one path segment). Operations first.
enum class Handler {
  kHealth,
  kReady,
  kMetrics,
  kOpenApi,
  kPolicy,
  kAttachment,
  kHistory,
  kAccessLog,
  kAudit,
  kSubmit,
  kApplication,
  kOrganisations,
  kPanel,
  kStats,
  kFunding,
  kPerson,
  kApplications,
  kTalon,
  kTalonPdf,
  kOrganisation,
  kMoves,
  kDemoAccounts,
  kDemoSignIn,
};
struct RouteEntry {
  std::string_view method, pattern;
  Handler handler;
};
constexpr RouteEntry kRoutes[] = {
    {"GET", "/healthz", Handler::kHealth},
    {"GET", "/readyz", Handler::kReady},
    {"GET", "/metrics", Handler::kMetrics},
    {"GET", "/api/v1/openapi.json", Handler::kOpenApi},
    {"GET", "/api/v1/policy", Handler::kPolicy},
    {"GET", "/api/v1/persons/{iin}/attachment", Handler::kAttachment},
    {"GET", "/api/v1/persons/{iin}/history", Handler::kHistory},
    {"GET", "/api/v1/persons/{iin}/access-log", Handler::kAccessLog},
    {"GET", "/api/v1/audit", Handler::kAudit},
    {"POST", "/api/v1/applications", Handler::kSubmit},
    {"GET", "/api/v1/applications/{id}", Handler::kApplication},
    {"GET", "/api/v1/organisations", Handler::kOrganisations},
    {"GET", "/api/v1/districts/{id}/panel", Handler::kPanel},
    {"GET", "/api/v1/stats", Handler::kStats},
    {"GET", "/api/v1/funding", Handler::kFunding},
    {"GET", "/api/v1/persons/{iin}", Handler::kPerson},
    {"GET", "/api/v1/applications", Handler::kApplications},
    {"GET", "/api/v1/applications/{id}/talon", Handler::kTalon},
    {"GET", "/api/v1/applications/{id}/talon.pdf", Handler::kTalonPdf},
    {"GET", "/api/v1/organisations/{id}", Handler::kOrganisation},
    {"GET", "/api/v1/organisations/{id}/moves", Handler::kMoves},
    {"GET", "/api/v1/demo/accounts", Handler::kDemoAccounts},
    {"POST", "/api/v1/demo/sign-in", Handler::kDemoSignIn},
};

std::vector<std::string_view> SplitPattern(std::string_view pattern) {
  std::vector<std::string_view> out;
  std::size_t pos = 1;
  while (pos <= pattern.size()) {
    auto end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    out.push_back(pattern.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

bool ValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t extra = c < 0x80                ? 0
                              : c >= 0xC2 && c < 0xE0 ? 1
                              : c >= 0xE0 && c < 0xF0 ? 2
                              : c >= 0xF0 && c < 0xF5 ? 3
                                                      : 4;
    if (extra == 4 || extra > s.size() - i - 1) return false;
    // RFC 3629: the second byte's range leaves out overlong forms (E0, F0), UTF-16 surrogates
    // (ED) and code points past U+10FFFF (F4), which Boost.JSON refuses too.
    const unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? b < lo || b > hi : (b & 0xC0) != 0x80) return false;
    }
    i += 1 + extra;
  }
  return true;
}

std::string RandomId() {
  unsigned char raw[12];
  if (RAND_bytes(raw, sizeof raw) != 1) return "W-unrandom";
  std::string id = "W-";
  for (auto b : raw) id += fmt::format("{:02x}", b);
  return id;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 6371.0 * 2 * std::atan2(std::sqrt(a), std::sqrt(1 - a));
}

std::string MediaType(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media;
}

Api::Api(registry::Service& service, ApiOptions options)
    : service_(service), options_(std::move(options)) {}

void Api::LogEvent(std::string_view level, std::string_view event, std::string_view message) const {
  LogEventLine(*options_.clock, level, event, message);
}

void LogEventLine(const Clock& clock, std::string_view level, std::string_view event,
                  std::string_view message) {
  std::fputs((json::serialize(json::object{{"ts", clock.NowMicros() / 1000},
                                           {"level", level},
                                           {"event", event},
                                           {"message", domain::MaskIinsInText(message)}}) +
              "\n")
                 .c_str(),
             stderr);
}

Api::~Api() = default;  // the service drains when its owner ends it

void Api::Drain() { service_.Drain(); }

std::vector<Api::Route> Api::Routes() {
  std::vector<Route> out;
  for (const auto& r : kRoutes) out.push_back({r.method, r.pattern});
  return out;
}

std::string_view Api::OpenApiDocument() { return kOpenApiJson; }

Date Api::Today() const {
  return Date::FromUnixMicros(
      (options_.day_clock ? options_.day_clock : options_.clock)->NowMicros());
}

std::string Api::AccessLogLine(const Request& request, const Response& response,
                               double seconds) const {
  json::object o;
  o["ts"] = options_.clock->NowMicros() / 1000;
  o["remote"] = request.remote;
  o["method"] = request.method;
  o["route"] = response.route;
  o["status"] = response.status;
  o["ms"] = std::round(seconds * 1e5) / 100;
  return json::serialize(o);
}

void Api::Observe(const Response& response, double seconds) {
  metrics_.ObserveRequest(response.route, response.status, seconds);
}

Handled Api::Handle(const Request& request) {
  try {
    return HandleUnguarded(request);
  } catch (const std::exception& e) {
    return Failed(request, e.what());
  } catch (...) {
    return Failed(request, "an exception that is not a std::exception");
  }
}

Response Api::Failed(const Request& request, std::string_view what) const {
  LogEvent("error", "handler_failed",
           fmt::format("{} {}: {}", request.method,
                       std::string_view(request.target).substr(0, request.target.find('?')), what));
  Response r;
  r.status = 500;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(ProblemCode::kInternal, PickLanguage(request.accept_language),
                       "the request failed inside the server; it is logged");
  r.close = true;
  return r;
}

Handled Api::HandleUnguarded(const Request& request) {
  Call call{request};
  call.lang = PickLanguage(request.accept_language);
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return call.Problem(ProblemCode::kBadRequest, "the request target is not a path");
  for (auto seg : url->segments()) {
    if (seg == "." || seg == ".." || seg.find('\0') != std::string::npos || !ValidUtf8(seg)) {
      return call.Problem(ProblemCode::kRouteNotFound, "no such path");
    }
    call.segments.push_back(seg);
  }
  for (auto param : url->params()) {
    if (!ValidUtf8(param.key) || !ValidUtf8(param.value)) {
      return call.Problem(ProblemCode::kInvalidQuery, "a query parameter is not UTF-8");
    }
    call.query[param.key] = param.value;
  }
  if (!request.authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view auth = request.authorization;
    if (auth.substr(0, kBearer.size()) != kBearer) {
      return call.Problem(ProblemCode::kUnauthenticated, "expected a Bearer token");
    }
    auto claims = Verify(auth.substr(kBearer.size()));
    if (!claims) return call.Problem(ProblemCode::kUnauthenticated, claims.error().message);
    call.claims = *claims;
  }
  Handled deferred = Response{};
  auto response = Dispatch(call, &deferred);
  if (std::holds_alternative<Deferred>(deferred)) return deferred;
  return response;
}

Response Api::Dispatch(Call& call, Handled* deferred) {
  bool path_known = false;
  // The patterns split once: matching is on every request's path.
  static const auto kParts = [] {
    std::vector<std::vector<std::string_view>> parts;
    for (const auto& r : kRoutes) parts.push_back(SplitPattern(r.pattern));
    return parts;
  }();
  for (std::size_t route = 0; route < std::size(kRoutes); ++route) {
    const auto& r = kRoutes[route];
    const auto& parts = kParts[route];
    if (parts.size() != call.segments.size()) continue;
    std::array<std::string_view, 2> params;  // no pattern has more than one
    std::size_t param_count = 0;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      if (parts[i].starts_with('{')) {
        if (param_count < params.size()) params[param_count++] = call.segments[i];
      } else {
        match = parts[i] == call.segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (r.method != call.request.method) continue;
    call.route = r.pattern;
    switch (r.handler) {
      case Handler::kHealth:
        // Alive means able to do its work: a store that failed (a full disk, a lost database)
        // fails the check, so that a supervisor restarts the server once the cause is fixed.
        if (service_.failed()) {
          return call.Problem(ProblemCode::kUnavailable, "the store failed; restart the server");
        }
        return call.Json(json::object{{"status", "ok"}});
      case Handler::kReady:
        if (service_.failed()) {
          return call.Problem(ProblemCode::kUnavailable, "the store failed; restart the server");
        }
        if (stopping_) return call.Problem(ProblemCode::kUnavailable, "stopping");
        return call.Json(json::object{{"status", "ready"}});
      case Handler::kMetrics:
        // Counts by route and status tell about the registry's use: for monitors and admins.
        if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
        if (!call.Is(Role::kMonitor) && !call.Is(Role::kAdmin)) {
          return call.Problem(ProblemCode::kForbidden, "metrics: a monitor or admin token");
        }
        return MetricsText();
      case Handler::kOpenApi: {
        Response resp;
        resp.body = std::string(OpenApiDocument());
        resp.route = call.route;
        return resp;
      }
      case Handler::kPolicy:
        return Policy(call);
      case Handler::kAttachment:
        return Attachment(call, params[0]);
      case Handler::kHistory:
        return History(call, params[0]);
      case Handler::kAccessLog:
        return AccessLog(call, params[0]);
      case Handler::kAudit:
        return Audit(call);
      case Handler::kSubmit: {
        auto handled = SubmitApplication(call);
        if (auto* done = std::get_if<Response>(&handled)) return std::move(*done);
        *deferred = std::move(handled);
        return {};
      }
      case Handler::kApplication:
        return ReadApplication(call, params[0]);
      case Handler::kOrganisations:
        return Organisations(call);
      case Handler::kPanel:
        return Panel(call, params[0]);
      case Handler::kStats:
        return Stats(call);
      case Handler::kFunding:
        return Funding(call);
      case Handler::kPerson:
        return Profile(call, params[0]);
      case Handler::kApplications:
        return ListApplications(call);
      case Handler::kTalon:
        return Talon(call, params[0], false);
      case Handler::kTalonPdf:
        return Talon(call, params[0], true);
      case Handler::kOrganisation:
        return Organisation(call, params[0]);
      case Handler::kMoves:
        return Moves(call, params[0]);
      case Handler::kDemoAccounts:
      case Handler::kDemoSignIn:
        if (!options_.demo_ca) return call.Problem(ProblemCode::kRouteNotFound, "demo mode is off");
        return r.handler == Handler::kDemoAccounts ? DemoAccounts(call) : DemoSignIn(call);
    }
  }
  if (!path_known && options_.web && call.request.method == "GET" &&
      (call.segments.empty() || call.segments[0] != "api")) {
    return StaticFile(call);
  }
  if (path_known) {
    return call.Problem(ProblemCode::kMethodNotAllowed,
                        fmt::format("{} is not allowed here", call.request.method.substr(0, 16)));
  }
  return call.Problem(ProblemCode::kRouteNotFound, "no such path");
}

Response Api::MetricsText() {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_.Render(service_.pipeline_stats(), service_.queue_depth());
  r.route = "/metrics";
  return r;
}

}  // namespace emkhana::http
