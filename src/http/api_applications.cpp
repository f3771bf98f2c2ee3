// Applications: submit (through the decision pipeline), read one, list, and the talon.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "scenario/replay.hpp"
#include "scenario/scenario.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

namespace {

// The fields an application body may carry: those of a replay `apply` step, without `op`.
constexpr std::string_view kApplicationFields[] = {"id",       "date",      "iin",   "org",
                                                   "district", "channel",   "basis", "applicant",
                                                   "consent",  "documents", "birth", "sex"};

}  // namespace

// ---------------------------------------------------------------- applications

Handled Api::SubmitApplication(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  const auto& request = call.request;
  if (MediaType(request.content_type) != "application/json") {
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

}  // namespace emkhana::http
