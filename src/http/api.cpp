#include "http/api.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "http/openapi_json.hpp"
#include "policy/policy_loader.hpp"
#include "scenario/replay.hpp"
#include "scenario/scenario.hpp"
#include "stats/funding.hpp"
#include "stats/report.hpp"

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
  kAudit,
  kSubmit,
  kApplication,
  kOrganisations,
  kPanel,
  kStats,
  kFunding,
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
    {"GET", "/api/v1/audit", Handler::kAudit},
    {"POST", "/api/v1/applications", Handler::kSubmit},
    {"GET", "/api/v1/applications/{id}", Handler::kApplication},
    {"GET", "/api/v1/organisations", Handler::kOrganisations},
    {"GET", "/api/v1/districts/{id}/panel", Handler::kPanel},
    {"GET", "/api/v1/stats", Handler::kStats},
    {"GET", "/api/v1/funding", Handler::kFunding},
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

// The fields an application body may carry: those of a replay `apply` step, without `op`.
constexpr std::string_view kApplicationFields[] = {"id",       "date",      "iin",   "org",
                                                   "district", "channel",   "basis", "applicant",
                                                   "consent",  "documents", "birth", "sex"};

// Well-formed UTF-8 by lead and continuation bytes (Boost.JSON checks strings in bodies itself).
bool ValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t extra = c < 0x80                ? 0
                              : c >= 0xC2 && c < 0xE0 ? 1
                              : c >= 0xE0 && c < 0xF0 ? 2
                              : c >= 0xF0 && c < 0xF5 ? 3
                                                      : 4;
    if (extra == 4 || extra > s.size() - i - 1) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
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

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 6371.0 * 2 * std::atan2(std::sqrt(a), std::sqrt(1 - a));
}

}  // namespace

struct Api::Call {
  const Request& request;
  Lang lang = Lang::kRu;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  std::optional<Claims> claims;
  std::string route = "unmatched";

  Response Problem(ProblemCode code, std::string_view detail) const {
    Response r;
    r.status = TypeOf(code).status;
    r.content_type = "application/problem+json";
    r.body = ProblemBody(code, lang, detail);
    r.route = route;
    return r;
  }
  Response Json(const json::value& v, int status = 200) const {
    Response r;
    r.status = status;
    r.body = json::serialize(v);
    r.route = route;
    return r;
  }
  bool Is(Role role) const { return claims && claims->role == role; }
  const std::string* Param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
  // The `date` parameter, or `fallback` when there is none; nullopt when it is malformed.
  std::optional<Date> DateOr(Date fallback) const {
    const auto* d = Param("date");
    return d ? Date::Parse(*d) : std::optional<Date>(fallback);
  }
};

Api::Api(registry::Registry& registry, ApiOptions options)
    : registry_(registry), options_(std::move(options)) {
  pipeline_ = std::make_unique<registry::DecisionPipeline>(
      registry_, registry::PipelineOptions{
                     .max_batch = options_.max_batch,
                     .registry_lock = &registry_lock_,
                     .add_writes =
                         [this](registry::Registry& reg) {
                           std::vector<storage::AuditEntry> reads;
                           {
                             std::lock_guard lock(audit_mu_);
                             reads.swap(audit_pending_);
                           }
                           if (reads.empty()) return false;
                           reg.AppendAudit(std::move(reads));
                           return true;
                         },
                 });
}

Api::~Api() { Drain(); }

void Api::Drain() { pipeline_->Stop(); }

std::vector<Api::Route> Api::Routes() {
  std::vector<Route> out;
  for (const auto& r : kRoutes) out.push_back({r.method, r.pattern});
  return out;
}

std::string_view Api::OpenApiDocument() { return kOpenApiJson; }

Date Api::Today() const { return Date::FromUnixMicros(options_.clock->NowMicros()); }

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

Result<Claims> Api::Verify(std::string_view token) {
  const auto now = options_.clock->NowMicros() / 1'000'000;
  {
    std::lock_guard lock(tokens_mu_);
    if (auto it = verified_.find(std::string(token)); it != verified_.end()) {
      if (it->second.expires > now) return it->second;
      verified_.erase(it);
    }
  }
  auto claims = VerifyToken(options_.token_secret, token, now);
  if (claims) {
    std::lock_guard lock(tokens_mu_);
    if (verified_.size() >= 100'000) verified_.clear();  // bounded; verified again when needed
    verified_.emplace(std::string(token), *claims);
  }
  return claims;
}

Response Api::Dispatch(Call& call, Handled* deferred) {
  bool path_known = false;
  for (const auto& r : kRoutes) {
    const auto parts = SplitPattern(r.pattern);
    if (parts.size() != call.segments.size()) continue;
    std::vector<std::string_view> params;
    bool match = true;
    for (std::size_t i = 0; i < parts.size() && match; ++i) {
      if (parts[i].starts_with('{')) {
        params.push_back(call.segments[i]);
      } else {
        match = parts[i] == call.segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (r.method != call.request.method) continue;
    call.route = std::string(r.pattern);
    switch (r.handler) {
      case Handler::kHealth:
        return call.Json(json::object{{"status", "ok"}});
      case Handler::kReady:
        if (registry_.failed()) {
          return call.Problem(ProblemCode::kUnavailable, "the store failed; restart the server");
        }
        if (stopping_) return call.Problem(ProblemCode::kUnavailable, "stopping");
        return call.Json(json::object{{"status", "ready"}});
      case Handler::kMetrics:
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
    }
  }
  if (path_known) {
    return call.Problem(ProblemCode::kMethodNotAllowed,
                        fmt::format("{} is not allowed here", call.request.method.substr(0, 16)));
  }
  return call.Problem(ProblemCode::kRouteNotFound, "no such path");
}

// ---------------------------------------------------------------- persons

Response Api::Attachment(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const Date day = *date;
  std::optional<registry::Placement> where;
  std::optional<domain::Person> person;
  {
    std::shared_lock lock(registry_lock_);
    person = registry_.PersonByIin(*iin);
    if (person) where = registry_.TryWhereOn(*iin, day);
  }
  if (!person) return call.Problem(ProblemCode::kNotFound, "no such person in the register");
  if (auto no = ForbidPerson(call, *person)) return std::move(*no);
  RecordRead(call, iin->ToString(), "attachment on " + day.ToString());
  if (!where) {  // an age-out plan still to be worked out: that needs the registry alone
    std::unique_lock lock(registry_lock_);
    where = registry_.WhereOn(*iin, day);
  }
  auto o = scenario::QueryResult(iin->ToString(), day, *where);
  o["since"] = where->since ? json::value(where->since->ToString()) : json::value(nullptr);
  return call.Json(o);
}

std::optional<Response> Api::ForbidPerson(Call& call, const domain::Person& person) {
  // The person; a registered representative (parent of a minor, guardian of a ward); a
  // registrar (to take applications); an admin.
  bool allowed = call.Is(Role::kAdmin) || call.Is(Role::kRegistrar);
  if (call.Is(Role::kCitizen)) {
    allowed = call.claims->subject == person.iin.ToString();
    for (const auto& rep : person.representatives) {
      allowed = allowed || rep.ToString() == call.claims->subject;
    }
  }
  if (allowed) return std::nullopt;
  return call.Problem(ProblemCode::kForbidden, "not your record");
}

void Api::RecordRead(const Call& call, std::string_view subject, std::string_view what) {
  storage::AuditEntry e;
  e.at = options_.clock->NowMicros();
  e.actor = std::string(RoleName(call.claims->role)) + ":" + call.claims->subject;
  e.channel = "http " + call.request.remote.substr(0, 64);
  e.action = "read " + call.route;
  e.subject = std::string(subject);
  e.detail = std::string(what);
  std::lock_guard lock(audit_mu_);
  audit_pending_.push_back(std::move(e));
}

Response Api::History(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  json::array periods;
  {
    // Exclusive: a plan still to come is worked out before it is shown.
    std::unique_lock lock(registry_lock_);
    auto person = registry_.PersonByIin(*iin);
    if (!person) return call.Problem(ProblemCode::kNotFound, "no such person in the register");
    if (auto no = ForbidPerson(call, *person)) return std::move(*no);
    for (const auto& a : registry_.History(*iin)) {
      if (a.from < a.to) (void)registry_.WhereOn(*iin, a.from);
    }
    for (const auto& a : registry_.History(*iin)) {
      json::object o;
      o["org"] = a.org;
      o["district"] = a.district;
      o["from"] = a.from.ToString();
      o["to"] = a.to.IsMax() ? json::value(nullptr) : json::value(a.to.ToString());
      o["end"] = domain::NameOf(a.end);
      o["application"] =
          a.application_id.empty() ? json::value(nullptr) : json::value(a.application_id);
      periods.push_back(std::move(o));
    }
  }
  RecordRead(call, iin->ToString(), "history");
  return call.Json(json::object{{"iin", iin->ToString()}, {"periods", std::move(periods)}});
}

Response Api::Audit(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (!call.Is(Role::kAdmin))
    return call.Problem(ProblemCode::kForbidden, "the audit is for admins");
  const auto* subject = call.Param("subject");
  if (!subject || subject->empty() || subject->size() > 100) {
    return call.Problem(ProblemCode::kInvalidQuery, "subject: an IIN or an application id");
  }
  int limit = 100;
  if (const auto* l = call.Param("limit")) {
    if (l->empty() || l->size() > 4 || l->find_first_not_of("0123456789") != std::string::npos) {
      return call.Problem(ProblemCode::kInvalidQuery, "limit: 1..1000");
    }
    limit = std::stoi(*l);
    if (limit < 1 || limit > 1000)
      return call.Problem(ProblemCode::kInvalidQuery, "limit: 1..1000");
  }
  auto trail = registry_.AuditTrail(*subject, limit);
  if (!trail) return call.Problem(ProblemCode::kUnavailable, "the audit cannot be read now");
  json::array entries;
  for (const auto& e : *trail) {
    entries.push_back(json::object{{"at", e.at},
                                   {"actor", e.actor},
                                   {"channel", e.channel},
                                   {"action", e.action},
                                   {"subject", e.subject},
                                   {"detail", e.detail}});
  }
  return call.Json(json::object{{"subject", *subject}, {"entries", std::move(entries)}});
}

// ---------------------------------------------------------------- applications

Handled Api::SubmitApplication(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  const auto& request = call.request;
  std::string media(
      std::string_view(request.content_type).substr(0, request.content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json") {
    return call.Problem(ProblemCode::kUnsupportedMediaType, "Content-Type: application/json");
  }
  if (!ValidUtf8(request.body)) return call.Problem(ProblemCode::kMalformedJson, "not UTF-8");
  boost::system::error_code ec;
  auto value = json::parse(request.body, ec);
  if (ec || !value.is_object()) {
    return call.Problem(ProblemCode::kMalformedJson, "expected a JSON object");
  }
  auto& body = value.as_object();
  for (const auto& field : body) {
    const auto key = field.key();
    if (std::find(std::begin(kApplicationFields), std::end(kApplicationFields), key) ==
        std::end(kApplicationFields)) {
      return call.Problem(ProblemCode::kUnknownField,
                          fmt::format("unknown field '{}'", std::string(key).substr(0, 40)));
    }
  }
  if (!body.contains("date")) body["date"] = Today().ToString();
  if (!body.contains("id")) body["id"] = RandomId();
  auto app = scenario::ParseApplication(body);
  if (!app) {
    return call.Problem(ProblemCode::kInvalidField, domain::MaskIinsInText(app.error().message));
  }
  // Roles: a citizen for themself or as the applicant for another (a minor, a ward, a relative
  // with consent: the rules decide); a registrar enters paper applications to their own
  // organisation; an admin anything.
  const auto& claims = *call.claims;
  bool allowed = call.Is(Role::kAdmin);
  if (call.Is(Role::kCitizen)) {
    allowed = (app->applicant.empty() ? app->iin : app->applicant) == claims.subject;
  } else if (call.Is(Role::kRegistrar)) {
    allowed = app->org == claims.subject && app->channel == domain::Channel::kClinicPaper;
  }
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not yours to submit");
  if (!request.idempotency_key.empty()) {
    if (request.idempotency_key.size() > 200) {
      return call.Problem(ProblemCode::kInvalidField, "Idempotency-Key: at most 200 characters");
    }
    std::lock_guard lock(idempotency_mu_);
    auto [it, inserted] = idempotency_.try_emplace(request.idempotency_key, app->id, request.body);
    if (!inserted) {
      if (it->second.second != request.body) {
        return call.Problem(ProblemCode::kIdempotencyConflict,
                            "this key was used for another application");
      }
      app->id = it->second.first;  // the same application again: the same decision
    }
  }
  Deferred d;
  d.application = std::move(*app);
  d.actor = {std::string(RoleName(claims.role)) + ":" + domain::MaskIinsInText(claims.subject),
             std::string(domain::NameOf(d.application.channel))};
  d.finish = [this, lang = call.lang, route = call.route](Result<domain::Decision> r) {
    static const Request kNoRequest;
    Call reply{kNoRequest};
    reply.lang = lang;
    reply.route = route;
    if (!r) return reply.Problem(ProblemFor(r.error().code), r.error().message);
    metrics_.ObserveDecision(*r);
    return reply.Json(scenario::ApplyResult(*r));
  };
  return d;
}

void Api::Submit(Deferred deferred, std::function<void(Response)> done) {
  pipeline_->Submit(std::move(deferred.application), std::move(deferred.actor),
                    [finish = std::move(deferred.finish), done = std::move(done)](
                        Result<domain::Decision> r) { done(finish(std::move(r))); });
}

Response Api::ReadApplication(Call& call, std::string_view id) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  auto stored = registry_.StoredApplication(std::string(id));
  if (!stored) return call.Problem(ProblemCode::kUnavailable, "the store cannot be read");
  if (!*stored) return call.Problem(ProblemCode::kNotFound, "no such application");
  const auto& app = (*stored)->application;
  const auto& decision = (*stored)->decision;
  const auto& claims = *call.claims;
  bool allowed = call.Is(Role::kAdmin);
  if (call.Is(Role::kCitizen))
    allowed = app.iin == claims.subject || app.applicant == claims.subject;
  if (call.Is(Role::kRegistrar)) allowed = app.org == claims.subject;
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your application");
  RecordRead(call, app.id, "application " + app.id);
  auto o = scenario::ApplyResult(decision);
  o["iin"] = app.iin;
  o["applied_to"] = app.org;
  o["date"] = app.date.ToString();
  o["channel"] = domain::NameOf(app.channel);
  o["basis"] = domain::NameOf(app.basis);
  return call.Json(o);
}

// ---------------------------------------------------------------- organisations

Response Api::Organisations(Call& call) {
  const auto* ate = call.Param("ate");
  const auto* region = call.Param("region");
  if (!ate && !region) return call.Problem(ProblemCode::kInvalidQuery, "give ate= or region=");
  std::optional<double> lat, lon;
  if (call.Param("lat") || call.Param("lon")) {
    try {
      lat = std::stod(call.Param("lat") ? *call.Param("lat") : std::string("x"));
      lon = std::stod(call.Param("lon") ? *call.Param("lon") : std::string("x"));
    } catch (const std::exception&) {
      return call.Problem(ProblemCode::kInvalidQuery, "lat and lon: decimal degrees");
    }
    if (!std::isfinite(*lat) || !std::isfinite(*lon) || std::abs(*lat) > 90 ||
        std::abs(*lon) > 180) {
      return call.Problem(ProblemCode::kInvalidQuery, "lat and lon: decimal degrees");
    }
  }
  const Date day = Today();
  json::array orgs;
  {
    std::shared_lock lock(registry_lock_);
    std::vector<const domain::Organization*> found;
    if (ate) {
      found = registry_.OrgsInAte(*ate);
    } else {
      for (const auto* o : registry_.Organizations()) {
        if (domain::RegionOfAte(o->ate) == *region) found.push_back(o);
      }
    }
    for (const auto* org : found) {
      json::object o;
      o["id"] = org->id;
      o["name"] = org->name;
      o["ate"] = org->ate;
      o["private"] = org->is_private;
      o["rural"] = org->rural;
      o["open"] = !org->ClosedOn(day) && org->license && org->contract;
      if (org->latitude && org->longitude) {
        o["location"] = json::array{*org->latitude, *org->longitude};
        if (lat) {
          o["distance_km"] =
              std::round(DistanceKm(*lat, *lon, *org->latitude, *org->longitude) * 10) / 10;
        }
      }
      json::array districts;
      int free_total = 0;
      for (const auto* d : registry_.DistrictsOf(org->id)) {
        const int capacity = registry_.CapacityOf(*d, day);
        const int free = registry_.LeastFreePlacesFrom(*d, day);
        free_total += std::max(0, free);
        districts.push_back(json::object{{"id", d->id},
                                         {"kind", domain::NameOf(d->kind)},
                                         {"doctors", d->doctors},
                                         {"capacity", capacity},
                                         {"attached", registry_.PanelSizeOn(d->id, day)},
                                         {"free", free}});
      }
      o["free_places"] = free_total;
      o["districts"] = std::move(districts);
      orgs.push_back(std::move(o));
    }
  }
  if (lat) {
    std::stable_sort(orgs.begin(), orgs.end(), [](const json::value& a, const json::value& b) {
      const auto* da = a.as_object().if_contains("distance_km");
      const auto* db = b.as_object().if_contains("distance_km");
      if (!da || !db) return da != nullptr;
      return da->as_double() < db->as_double();
    });
  }
  return call.Json(json::object{{"date", day.ToString()}, {"organisations", std::move(orgs)}});
}

Response Api::Panel(Call& call, std::string_view district_id) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const Date day = *date;
  std::shared_lock lock(registry_lock_);
  const auto* district = registry_.FindDistrict(district_id);
  if (!district) return call.Problem(ProblemCode::kNotFound, "no such district");
  const bool allowed =
      call.Is(Role::kAdmin) || (call.Is(Role::kRegistrar) && call.claims->subject == district->org);
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your organisation's panel");
  RecordRead(call, district->id, "panel on " + day.ToString());
  json::array members;
  for (const auto& iin : registry_.PanelMembers(district->id, day, 10'000)) {
    members.push_back(json::string(iin.ToString()));
  }
  return call.Json(json::object{{"district", district->id},
                                {"org", district->org},
                                {"date", day.ToString()},
                                {"capacity", registry_.CapacityOf(*district, day)},
                                {"attached", registry_.PanelSizeOn(district->id, day)},
                                {"members", std::move(members)}});
}

// ---------------------------------------------------------------- statistics, funding, policy

std::shared_ptr<const stats::Snapshot> Api::CurrentSnapshot() {
  std::lock_guard lock(snapshot_mu_);
  const auto now = options_.clock->NowMicros();
  std::uint64_t version;
  {
    std::shared_lock read(registry_lock_);
    version = registry_.version();
    if (!snapshot_ || (version != snapshot_version_ && now - snapshot_made_ > 1'000'000)) {
      snapshot_ = std::make_shared<const stats::Snapshot>(registry_.Snapshot());
      snapshot_version_ = version;
      snapshot_made_ = now;
    }
  }
  return snapshot_;
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
  auto snapshot = CurrentSnapshot();
  auto report = stats::Summarise(*snapshot, day, region);
  if (!report) return call.Problem(ProblemCode::kInvalidQuery, report.error().message);
  return call.Json(stats::ToJson(*report));
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
  auto snapshot = CurrentSnapshot();
  auto report = stats::ComputeFunding(*snapshot, stats::IllustrativeFundingTable(), year,
                                      static_cast<int>(m));
  if (!report) return call.Problem(ProblemCode::kInvalidQuery, report.error().message);
  return call.Json(stats::ToJson(*report));
}

Response Api::Policy(Call& call) {
  std::string body;
  {
    std::shared_lock lock(registry_lock_);
    body = policy::PolicyToJson(registry_.policy());
  }
  Response r;
  r.body = std::move(body);
  r.route = call.route;
  return r;
}

Response Api::MetricsText() {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_.Render(pipeline_->stats(), pipeline_->queue_depth());
  r.route = "/metrics";
  return r;
}

}  // namespace emkhana::http
