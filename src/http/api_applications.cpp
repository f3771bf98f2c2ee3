// Applications: submit (through the decision pipeline), read one, list, and the talon.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "http/signature.hpp"
#include "http/talon.hpp"
#include "wire/application_json.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

namespace {

// The fields an application body may carry: those of a replay `apply` step without `op`, and
// without `date` and `id`, which the register gives (ADR 0016); `reference` is the caller's own
// name for the application.
constexpr std::string_view kApplicationFields[] = {"reference", "iin",   "org",       "district",
                                                   "channel",   "basis", "applicant", "consent",
                                                   "documents", "birth", "sex"};
constexpr std::size_t kMaxFieldLength = 64;  // ids, enums, dates, references
constexpr std::size_t kMaxDocuments = 8;

// Documents that prove the right to act for someone else: seen only by a person at a desk
// (a service-centre operator, the clinic's registrar), never declared through eGov.
constexpr domain::Document kRepresentationDocuments[] = {domain::Document::kRepresentationProof,
                                                         domain::Document::kConsentOfFamilyMember};

// The body's shape before the rules see it: known fields only, each of bounded size.
std::optional<std::pair<ProblemCode, std::string>> CheckShape(const json::object& body) {
  for (const auto& field : body) {
    const auto key = field.key();
    if (key == "date" || key == "id") {
      return std::pair{ProblemCode::kFieldNotAccepted,
                       fmt::format("'{}' is the register's: the server dates and numbers every "
                                   "application (send your own name for it as 'reference')",
                                   std::string(key))};
    }
    if (std::find(std::begin(kApplicationFields), std::end(kApplicationFields), key) ==
        std::end(kApplicationFields)) {
      return std::pair{ProblemCode::kUnknownField,
                       fmt::format("unknown field '{}'", std::string(key).substr(0, 40))};
    }
    const auto& v = field.value();
    const bool too_long =
        (v.is_string() && v.get_string().size() > kMaxFieldLength) ||
        (v.is_array() && (v.get_array().size() > kMaxDocuments ||
                          std::any_of(v.get_array().begin(), v.get_array().end(), [](auto& e) {
                            return !e.is_string() || e.get_string().size() > kMaxFieldLength;
                          })));
    if (too_long) {
      return std::pair{
          ProblemCode::kInvalidField,
          fmt::format("'{}': at most {} characters{}", std::string(key), kMaxFieldLength,
                      v.is_array() ? fmt::format(", {} entries", kMaxDocuments) : "")};
    }
  }
  if (const auto* ref = body.if_contains("reference")) {
    const auto* text = ref->if_string();
    if (!text || text->empty() || std::any_of(text->begin(), text->end(), [](char c) {
          return !std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.';
        })) {
      return std::pair{ProblemCode::kInvalidField,
                       std::string("'reference': 1-64 letters, digits, '-', '_' or '.'")};
    }
  }
  return std::nullopt;
}

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
  if (auto bad = CheckShape(body)) return call.Problem(bad->first, bad->second);
  const std::string signed_text = CanonicalJson(body);
  json::object fingerprint_body = body;
  fingerprint_body.erase("channel");
  const std::string fingerprint = Sha256Hex(CanonicalJson(fingerprint_body));
  std::string reference;
  if (const auto* ref = body.if_contains("reference")) reference = ref->get_string();
  body.erase("reference");
  // What only the register decides: the day (its clock), the id; and consent is given only
  // when it is said.
  body["date"] = Today().ToString();
  body["id"] = RandomId();
  if (!body.contains("consent")) body["consent"] = false;
  auto app = wire::ParseApplication(body);
  if (!app) {
    return call.Problem(ProblemCode::kInvalidField, domain::MaskIinsInText(app.error().message));
  }
  std::string seen;  // representation documents, as seen by the operator or registrar
  if (auto no = CheckActor(call, *app, seen)) return std::move(*no);
  if (auto no = CheckSignature(call, *app, signature ? &*signature : nullptr, signed_text)) {
    return std::move(*no);
  }
  // The keys a retry is known by, scoped to the caller: another caller's key or reference
  // never names this caller's application (nor theirs this one).
  const auto& claims = *call.claims;
  const std::string caller = std::string(RoleName(claims.role)) + ":" + claims.subject;
  Deferred d;
  if (!request.idempotency_key.empty()) {
    if (request.idempotency_key.size() > 200) {
      return call.Problem(ProblemCode::kInvalidField, "Idempotency-Key: at most 200 characters");
    }
    d.claims.push_back({Sha256Hex(caller + '\x1f' + "key" + '\x1f' + request.idempotency_key),
                        fingerprint, ErrorCode::kFailedPrecondition});
  }
  if (!reference.empty()) {
    d.claims.push_back({Sha256Hex(caller + '\x1f' + "reference" + '\x1f' + reference), fingerprint,
                        ErrorCode::kAlreadyExists});
  }
  d.application = std::move(*app);
  d.actor = {std::string(RoleName(claims.role)) + ":" + domain::MaskIinsInText(claims.subject),
             std::string(domain::NameOf(d.application.channel)) + seen};
  d.finish = [this, lang = call.lang, route = call.route](Result<domain::Decision> r) {
    static const Request kNoRequest;
    Call reply{kNoRequest};
    reply.lang = lang;
    reply.route = route;
    if (!r) {
      if (service_.failed()) StopForFailedStore(r.error().message);
      return reply.Problem(ProblemFor(r.error().code), r.error().message);
    }
    metrics_.ObserveDecision(*r);
    return reply.Json(wire::DecisionJson(*r));
  };
  return d;
}

std::optional<Response> Api::CheckActor(Call& call, const domain::Application& app,
                                        std::string& seen) {
  using domain::Channel;
  const auto& claims = *call.claims;
  const std::string& applicant = app.applicant.empty() ? app.iin : app.applicant;
  const bool proves_representation =
      std::any_of(std::begin(kRepresentationDocuments), std::end(kRepresentationDocuments),
                  [&](auto doc) { return app.documents.Has(doc); });
  switch (claims.role) {
    case Role::kCitizen: {
      // Through eGov, signed: for themself, or for someone they are the registered
      // representative of. Anything else is answered the same whether the person exists or
      // not (nothing about a stranger leaves).
      if (app.channel != Channel::kEgov && app.channel != Channel::kMobile) {
        return call.Problem(ProblemCode::kChannelForbidden,
                            "a citizen applies through egov or mobile; paper applications are "
                            "taken by a service centre or the clinic");
      }
      if (applicant != claims.subject) {
        return call.Problem(ProblemCode::kForbidden, "the applicant is the signed-in person");
      }
      if (proves_representation) {
        return call.Problem(ProblemCode::kInPersonOnly,
                            "representation and consent documents are seen at a service centre "
                            "or the clinic");
      }
      if (app.iin == claims.subject) return std::nullopt;
      bool represents = false;
      if (auto me = Iin::Parse(claims.subject)) {
        for (const auto& r : service_.Read()->Represented(*me)) {
          represents |= r.ToString() == app.iin;
        }
      }
      if (represents) return std::nullopt;
      return call.Problem(ProblemCode::kInPersonOnly,
                          "to act for another adult, or for a child you are not registered as "
                          "representing, come to a service centre or the clinic with the "
                          "documents");
    }
    case Role::kOperator:
      if (app.channel != Channel::kServiceCentre) {
        return call.Problem(ProblemCode::kChannelForbidden,
                            "a service-centre operator enters service_centre applications");
      }
      if (claims.subject.find('@') == std::string::npos) {
        return call.Problem(ProblemCode::kForbidden, "an operator's token names operator@centre");
      }
      break;
    case Role::kRegistrar:
      if (app.channel != Channel::kClinicPaper || app.org != claims.subject) {
        return call.Problem(ProblemCode::kChannelForbidden,
                            "a registrar enters clinic_paper applications to their own "
                            "organisation");
      }
      break;
    default:
      return call.Problem(ProblemCode::kForbidden,
                          "applications are entered by the person, a service-centre operator "
                          "or the clinic's registrar");
  }
  // An operator or a registrar saw the documents (recorded with the decision's audit entry).
  for (auto doc : kRepresentationDocuments) {
    if (!app.documents.Has(doc)) continue;
    seen += seen.empty() ? "; documents seen: " : " ";
    seen += domain::NameOf(doc);
  }
  return std::nullopt;
}

void Api::StopForFailedStore(std::string_view why) {
  if (store_failure_reported_.exchange(true)) return;
  // Nothing more can be made durable: say so once, plainly, and stop as SIGTERM does, so that a
  // supervisor restarts the server once the cause (a full disk, a lost database) is fixed.
  std::fputs(
      (json::serialize(json::object{
           {"ts", options_.clock->NowMicros() / 1000},
           {"level", "error"},
           {"event", "store_failed"},
           {"message", "the store failed: " + domain::MaskIinsInText(why) +
                           "; the server stops in 2 s (exit 75) and may be restarted once the "
                           "cause is fixed"}}) +
       "\n")
          .c_str(),
      stderr);
  // Two seconds first, in which /healthz and /readyz answer 503: a balancer's health check
  // sees the failure and sends no more.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::raise(SIGTERM);
  }).detach();
}

void Api::Submit(Deferred deferred, std::function<void(Response)> done) {
  service_.Submit(std::move(deferred.application), std::move(deferred.actor),
                  std::move(deferred.claims),
                  [this, finish = std::move(deferred.finish), done = std::move(done),
                   request = Request{"POST", "/api/v1/applications"}](Result<domain::Decision> r) {
                    Response response;
                    try {
                      response = finish(std::move(r));
                    } catch (const std::exception& e) {
                      response = Failed(request, e.what());
                    } catch (...) {
                      response = Failed(request, "an exception that is not a std::exception");
                    }
                    done(std::move(response));
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
  auto o = wire::DecisionJson(stored.decision);
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
  auto stored = service_.StoredApplication(std::string(id));
  if (!stored) return call.Problem(ProblemCode::kUnavailable, "the store cannot be read");
  // The same answer for an id that does not exist and one the caller may not see.
  const auto no_such = [&] {
    return call.Problem(ProblemCode::kNotFound, "no such application, or not yours");
  };
  if (!*stored) return no_such();
  const auto& app = (*stored)->application;
  const auto& claims = *call.claims;
  bool allowed = call.Is(Role::kAdmin);
  if (call.Is(Role::kCitizen)) {
    allowed = app.iin == claims.subject || app.applicant == claims.subject;
  }
  if (call.Is(Role::kRegistrar)) {
    allowed = app.org == claims.subject || (*stored)->decision.org == claims.subject;
  }
  if (!allowed) {
    if (auto no = RecordRead(call, app.id, "refused: application " + app.id)) return std::move(*no);
    return no_such();
  }
  // Under the person's IIN too, so that it shows in their access log.
  if (auto no = RecordReads(
          call, {{app.id, "application " + app.id}, {app.iin, "application " + app.id}})) {
    return std::move(*no);
  }
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
    person = service_.Read()->PersonByIin(*parsed);
    if (!person) return NoSuchPerson(call, *parsed);
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
  auto found = service_.ListApplications(q);
  if (!found) return call.Problem(ProblemCode::kUnavailable, "the store cannot be read");
  const bool more = static_cast<int>(found->size()) > *limit;
  if (more) found->pop_back();
  // One record per person whose application is disclosed, and one for the list itself.
  std::vector<ReadRecord> reads{{q.org.empty() ? q.iin : q.org, "list of applications"}};
  for (const auto& stored : *found) {
    reads.push_back({stored.application.iin, "list of applications: " + stored.application.id});
  }
  if (auto no = RecordReads(call, std::move(reads))) return std::move(*no);
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
    auto name = service_.PersonName(*iin);
    if (name) f.name = *name;
    const auto reg = service_.Read();
    if (auto person = reg->PersonByIin(*iin)) f.birth = person->birth.ToString();
    if (const auto* org = reg->FindOrg(f.org)) {
      f.org_name = org->name;
      f.org_ate = org->ate;
    }
    if (const auto* d = reg->FindDistrict(f.district)) {
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
