// Applications: submit (through the decision pipeline), read one, list, and the talon.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "http/signature.hpp"
#include "http/talon.hpp"
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
  // The signature covers the body as sent, without itself; the idempotency fingerprint also
  // leaves out the channel, so that one application sent through two channels is one.
  std::optional<json::value> signature;
  if (auto* s = body.if_contains("signature")) {
    signature = *s;
    body.erase("signature");
  }
  const std::string signed_text = CanonicalJson(body);
  json::object fingerprint_body = body;
  fingerprint_body.erase("channel");
  const std::string fingerprint = CanonicalJson(fingerprint_body);
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
  if (auto no = CheckSignature(call, *app, signature ? &*signature : nullptr, signed_text)) {
    return std::move(*no);
  }
  Deferred d;
  if (!request.idempotency_key.empty()) {
    if (request.idempotency_key.size() > 200) {
      return call.Problem(ProblemCode::kInvalidField, "Idempotency-Key: at most 200 characters");
    }
    // The registry keeps the keys (shared with other servers of the database through its log):
    // a key seen before answers its application's decision, or a conflict (kAlreadyExists).
    d.idempotency = registry::IdempotencyClaim{request.idempotency_key, fingerprint};
  }
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
  pipeline_->Submit(
      std::move(deferred.application), std::move(deferred.actor), std::move(deferred.idempotency),
      [finish = std::move(deferred.finish), done = std::move(done)](Result<domain::Decision> r) {
        done(finish(std::move(r)));
      });
}

std::optional<Response> Api::CheckSignature(Call& call, const domain::Application& app,
                                            const json::value* signature,
                                            std::string_view signed_text) {
  using domain::Channel;
  if (app.channel != Channel::kEgov && app.channel != Channel::kMobile) return std::nullopt;
  if (!signature) {
    return call.Problem(ProblemCode::kSignatureRequired,
                        "egov and mobile applications carry \"signature\": {certificate, value}");
  }
  const auto* o = signature->if_object();
  const auto* cert = o ? o->if_contains("certificate") : nullptr;
  const auto* sig = o ? o->if_contains("value") : nullptr;
  if (!cert || !sig || !cert->is_string() || !sig->is_string() || o->size() != 2) {
    return call.Problem(ProblemCode::kSignatureInvalid,
                        "signature: an object of two strings, certificate (PEM) and value "
                        "(base64)");
  }
  if (!options_.signatures) {
    return call.Problem(ProblemCode::kSignatureUntrusted,
                        "this server trusts no certificate authority (--ca-file)");
  }
  const auto outcome = options_.signatures->Verify(
      signed_text, cert->get_string(), sig->get_string(), options_.clock->NowMicros() / 1'000'000);
  if (!outcome.ok) return call.Problem(outcome.failure.code, outcome.failure.detail);
  const std::string& applicant = app.applicant.empty() ? app.iin : app.applicant;
  if (outcome.signer_iin != applicant) {
    return call.Problem(ProblemCode::kSignatureNotApplicant,
                        "the certificate names another person than the applicant");
  }
  return std::nullopt;
}

namespace {

json::object ApplicationJson(const storage::DecidedApplication& stored) {
  const auto& app = stored.application;
  auto o = scenario::ApplyResult(stored.decision);
  o["iin"] = app.iin;
  o["applicant"] = app.applicant.empty() ? json::value(nullptr) : json::value(app.applicant);
  o["applied_to"] = app.org;
  o["applied_district"] = app.district ? json::value(*app.district) : json::value(nullptr);
  o["date"] = app.date.ToString();
  o["channel"] = domain::NameOf(app.channel);
  o["basis"] = domain::NameOf(app.basis);
  return o;
}

}  // namespace

std::variant<storage::DecidedApplication, Response> Api::ReadableApplication(Call& call,
                                                                             std::string_view id) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  auto stored = registry_.StoredApplication(std::string(id));
  if (!stored) return call.Problem(ProblemCode::kUnavailable, "the store cannot be read");
  if (!*stored) return call.Problem(ProblemCode::kNotFound, "no such application");
  const auto& app = (*stored)->application;
  const auto& claims = *call.claims;
  bool allowed = call.Is(Role::kAdmin);
  if (call.Is(Role::kCitizen)) {
    allowed = app.iin == claims.subject || app.applicant == claims.subject;
  }
  if (call.Is(Role::kRegistrar)) {
    allowed = app.org == claims.subject || (*stored)->decision.org == claims.subject;
  }
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your application");
  RecordRead(call, app.id, "application " + app.id);
  return std::move(**stored);
}

Response Api::ReadApplication(Call& call, std::string_view id) {
  auto found = ReadableApplication(call, id);
  if (auto* no = std::get_if<Response>(&found)) return std::move(*no);
  return call.Json(ApplicationJson(std::get<storage::DecidedApplication>(found)));
}

Response Api::ListApplications(Call& call) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  storage::ApplicationQuery q;
  const auto& claims = *call.claims;
  const auto* org = call.Param("org");
  const auto* iin = call.Param("iin");
  if (org && iin) return call.Problem(ProblemCode::kInvalidQuery, "give org= or iin=, not both");
  // A registrar lists their organisation's; a citizen their own or their children's; an admin
  // any organisation's or person's.
  if (call.Is(Role::kRegistrar)) {
    if (iin || (org && *org != claims.subject)) {
      return call.Problem(ProblemCode::kForbidden, "only your organisation's applications");
    }
    q.org = claims.subject;
  } else if (call.Is(Role::kCitizen)) {
    if (org) return call.Problem(ProblemCode::kForbidden, "only your own applications");
    q.iin = iin ? *iin : claims.subject;
    auto parsed = Iin::Parse(q.iin);
    if (!parsed) return call.Problem(ProblemCode::kInvalidIin, "iin: 12 digits, valid");
    std::optional<domain::Person> person;
    {
      std::shared_lock lock(registry_lock_);
      person = registry_.PersonByIin(*parsed);
    }
    if (!person) return call.Problem(ProblemCode::kNotFound, "no such person in the register");
    if (auto no = ForbidPerson(call, *person)) return std::move(*no);
  } else if (call.Is(Role::kAdmin)) {
    if (!org && !iin) return call.Problem(ProblemCode::kInvalidQuery, "give org= or iin=");
    q.org = org ? *org : "";
    q.iin = iin ? *iin : "";
  } else {
    return call.Problem(ProblemCode::kForbidden, "applications are for registrars and citizens");
  }
  if (const auto* status = call.Param("status")) {
    if (*status != "approved" && *status != "refused") {
      return call.Problem(ProblemCode::kInvalidQuery, "status: approved or refused");
    }
    q.outcome = *status;
  }
  const auto from = call.DateParam("from", Date::Min());
  const auto to = call.DateParam("to", Date::Max());
  if (!from || !to) return call.Problem(ProblemCode::kInvalidDate, "from, to: YYYY-MM-DD");
  q.from = *from;
  q.to = *to;
  const auto limit = call.IntParam("limit", 50, 1, 500);
  const auto offset = call.IntParam("offset", 0, 0, 1'000'000);
  if (!limit || !offset) {
    return call.Problem(ProblemCode::kInvalidQuery, "limit: 1..500, offset: 0..1000000");
  }
  q.limit = *limit + 1;  // one more tells whether there is a next page
  q.offset = *offset;
  auto found = registry_.ListApplications(q);
  if (!found) return call.Problem(ProblemCode::kUnavailable, "the store cannot be read");
  RecordRead(call, q.org.empty() ? q.iin : q.org, "list of applications");
  const bool more = static_cast<int>(found->size()) > *limit;
  if (more) found->pop_back();
  json::array items;
  for (const auto& stored : *found) items.push_back(ApplicationJson(stored));
  return call.Json(
      json::object{{"applications", std::move(items)},
                   {"limit", *limit},
                   {"offset", *offset},
                   {"next_offset", more ? json::value(*offset + *limit) : json::value(nullptr)}});
}

Response Api::Talon(Call& call, std::string_view id, bool pdf) {
  auto found = ReadableApplication(call, id);
  if (auto* no = std::get_if<Response>(&found)) return std::move(*no);
  const auto& stored = std::get<storage::DecidedApplication>(found);
  const auto& decision = stored.decision;
  if (decision.outcome != domain::Outcome::kApproved) {
    return call.Problem(ProblemCode::kNotFound, "a refused application has no talon");
  }
  TalonFacts f;
  f.number = stored.application.id;
  f.iin = stored.application.iin;
  f.org = decision.org;
  f.district = decision.district;
  f.effective = decision.effective ? decision.effective->ToString() : "";
  f.decided = Date::FromUnixMicros(stored.recorded_at).ToString();
  f.channel = domain::NameOf(stored.application.channel);
  f.policy_version = decision.policy_version;
  if (auto iin = Iin::Parse(f.iin)) {
    auto name = registry_.PersonName(*iin);
    if (name) f.name = *name;
    std::shared_lock lock(registry_lock_);
    if (auto person = registry_.PersonByIin(*iin)) f.birth = person->birth.ToString();
    if (const auto* org = registry_.FindOrg(f.org)) {
      f.org_name = org->name;
      f.org_ate = org->ate;
    }
    if (const auto* d = registry_.FindDistrict(f.district)) {
      f.district_kind = domain::NameOf(d->kind);
    }
  }
  Response r;
  r.route = call.route;
  if (pdf) {
    auto bytes = TalonPdf(f, call.lang);
    if (!bytes) return call.Problem(ProblemCode::kInternal, bytes.error().message);
    r.content_type = "application/pdf";
    r.body = std::move(*bytes);
    // The number is the client's id: only safe characters go into the header.
    std::string file = f.number;
    for (auto& c : file) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    r.headers.emplace_back("Content-Disposition",
                           fmt::format("inline; filename=\"talon-{}.pdf\"", file));
  } else {
    r.content_type = "text/html; charset=utf-8";
    r.body = TalonHtml(f, call.lang);
  }
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

}  // namespace emkhana::http
