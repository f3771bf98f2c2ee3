// The routes of a person's records: attachment, history, profile, and the audit trail of reads.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "wire/application_json.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

// ---------------------------------------------------------------- persons

Response Api::Attachment(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (auto no = ForbidPersonRole(call)) return std::move(*no);
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const Date day = *date;
  // A move already decided for the coming 1 January (a campaign application) is shown too.
  const Date new_year = Date::Ymd(day.year() + 1, 1, 1);
  std::optional<registry::Placement> where, next;
  std::optional<std::vector<Iin>> representatives;
  json::object o;
  auto describe = [&](const registry::Registry& reg) {
    o = wire::PlacementJson(iin->ToString(), day, where->org, where->district);
    o["since"] = where->since ? json::value(where->since->ToString()) : json::value(nullptr);
    DescribePlacement(reg, *where, o);
    if (next->org != where->org || next->district != where->district) {
      json::object pending{
          {"date", new_year.ToString()},
          {"org", next->org.empty() ? json::value(nullptr) : json::value(next->org)},
          {"district",
           next->district.empty() ? json::value(nullptr) : json::value(next->district)}};
      DescribePlacement(reg, *next, pending);
      o["pending"] = std::move(pending);
    } else {
      o["pending"] = nullptr;
    }
  };
  {
    const auto reg = service_.Read();
    representatives = reg->RepresentativesOf(*iin);
    if (!representatives) return NoSuchPerson(call, *iin);
    where = reg->TryWhereOn(*iin, day);
    next = reg->TryWhereOn(*iin, new_year);
    if (where && next) describe(*reg);
  }
  if (auto no = ForbidPerson(call, *iin, *representatives)) return std::move(*no);
  if (auto no = RecordRead(call, iin->ToString(), "attachment on " + day.ToString()))
    return std::move(*no);
  if (!where || !next) {  // an age-out plan still to be worked out (the service settles it)
    auto settled = service_.AttachmentOn(*iin, {day, new_year});
    where = std::move(settled[0]);
    next = std::move(settled[1]);
    describe(*service_.Read());
  }
  return call.Json(std::move(o));
}

void Api::DescribePlacement(const registry::Registry& reg, const registry::Placement& where,
                            json::object& into) const {
  const auto* org = where.org.empty() ? nullptr : reg.FindOrg(where.org);
  const auto* district = where.district.empty() ? nullptr : reg.FindDistrict(where.district);
  into["org_name"] = org ? json::value(org->name) : json::value(nullptr);
  into["org_ate"] = org ? json::value(org->ate) : json::value(nullptr);
  into["district_kind"] =
      district ? json::value(domain::NameOf(district->kind)) : json::value(nullptr);
}

Response Api::Profile(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (auto no = ForbidPersonRole(call)) return std::move(*no);
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  const Date today = Today();
  std::optional<domain::Person> person;
  std::vector<domain::Person> represented;
  {
    const auto reg = service_.Read();
    person = reg->PersonByIin(*iin);
    if (person) {
      for (const auto& r : reg->Represented(*iin)) {
        if (auto p = reg->PersonByIin(r)) represented.push_back(std::move(*p));
      }
    }
  }
  if (!person) return NoSuchPerson(call, *iin);
  if (auto no = ForbidPerson(call, *person)) return std::move(*no);
  if (auto no = RecordRead(call, iin->ToString(), "profile")) return std::move(*no);
  auto name_of = [&](const Iin& who) {
    auto n = service_.PersonName(who);
    return n ? *n : std::string();
  };
  json::object o;
  o["iin"] = iin->ToString();
  o["name"] = name_of(*iin);
  o["birth"] = person->birth.ToString();
  o["age"] = person->AgeOn(today);
  o["sex"] = domain::NameOf(person->sex);
  o["status"] = domain::NameOf(person->status);
  json::array categories;
  for (const auto& [value, name] : domain::EnumNames<domain::Category>::kAll) {
    if (person->categories.Has(value)) categories.push_back(json::string(name));
  }
  o["categories"] = std::move(categories);
  // The package follows the OSMS standing: the guaranteed volume (GOBMP) for everyone, the
  // insurance package on top for the insured.
  o["osms"] = json::object{{"category", domain::NameOf(person->osms.category)},
                           {"payer", domain::NameOf(person->osms.payer)},
                           {"insured", person->osms.insured},
                           {"package", person->osms.insured ? "gobmp_osms" : "gobmp"}};
  if (person->insurance) {
    o["insurance"] = json::object{{"kind", domain::NameOf(person->insurance->kind)},
                                  {"from", person->insurance->from.ToString()},
                                  {"until", person->insurance->until.ToString()},
                                  {"valid", person->insurance->ValidOn(today)}};
  } else {
    o["insurance"] = nullptr;
  }
  o["deceased"] =
      person->deceased ? json::value(person->deceased->ToString()) : json::value(nullptr);
  json::object ates;
  for (const auto& [role, name] : domain::EnumNames<domain::AteRole>::kAll) {
    const auto& code = person->Ate(role);
    if (!code.empty()) ates[name] = code;
  }
  o["ates"] = std::move(ates);
  json::array reps;
  for (const auto& r : person->representatives) reps.push_back(json::string(r.ToString()));
  o["representatives"] = std::move(reps);
  // The people this person may act for are shown to themself only (and admins).
  json::array represents;
  if (call.Is(Role::kAdmin) || call.claims->subject == iin->ToString()) {
    for (const auto& p : represented) {
      represents.push_back(json::object{{"iin", p.iin.ToString()},
                                        {"name", name_of(p.iin)},
                                        {"birth", p.birth.ToString()},
                                        {"age", p.AgeOn(today)},
                                        {"sex", domain::NameOf(p.sex)}});
    }
  }
  o["represents"] = std::move(represents);
  return call.Json(std::move(o));
}

std::optional<Response> Api::ForbidPerson(Call& call, const domain::Person& person) {
  return ForbidPerson(call, person.iin, person.representatives);
}

std::optional<Response> Api::ForbidPerson(Call& call, const Iin& iin,
                                          const std::vector<Iin>& representatives) {
  // The person; a registered representative (parent of a minor, guardian of a ward); a
  // registrar or a service-centre operator (to take applications); an admin. The roles that
  // read nobody's records were refused before (ForbidPersonRole).
  if (!call.Is(Role::kCitizen)) return std::nullopt;
  bool allowed = call.claims->subject == iin.ToString();
  for (const auto& rep : representatives) {
    allowed = allowed || rep.ToString() == call.claims->subject;
  }
  if (allowed) return std::nullopt;
  return NoSuchPerson(call, iin);
}

std::optional<Response> Api::ForbidPersonRole(Call& call) {
  if (call.Is(Role::kCitizen) || call.Is(Role::kRegistrar) || call.Is(Role::kOperator) ||
      call.Is(Role::kAdmin)) {
    return std::nullopt;
  }
  return call.Problem(ProblemCode::kForbidden, "this role reads no person's records");
}

Response Api::NoSuchPerson(Call& call, const Iin& iin) {
  // One answer for "nobody" and "not yours": which IINs exist is nobody's business. The refused
  // read is recorded all the same.
  if (auto no = RecordRead(call, iin.ToString(), "refused: not found or not the caller's")) {
    return std::move(*no);
  }
  return call.Problem(ProblemCode::kNotFound, "no such person in the register, or not yours");
}

std::optional<Response> Api::RecordReads(Call& call, std::vector<ReadRecord> reads) {
  std::vector<storage::AuditEntry> entries;
  entries.reserve(reads.size());
  const std::int64_t at = options_.clock->NowMicros();
  std::string actor = std::string(RoleName(call.claims->role)) + ":" + call.claims->subject;
  std::string channel = "http " + call.request.remote.substr(0, 64);
  std::string action = "read " + std::string(call.route);
  for (auto& read : reads) {
    storage::AuditEntry e;
    e.at = at;
    e.actor = actor;
    e.channel = channel;
    e.action = action;
    e.subject = std::move(read.subject);
    e.detail = std::move(read.what);
    entries.push_back(std::move(e));
  }
  if (auto recorded = service_.RecordReads(std::move(entries)); !recorded) {
    return call.Problem(ProblemCode::kAuditUnavailable, "the read could not be recorded");
  }
  return std::nullopt;
}

Response Api::History(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (auto no = ForbidPersonRole(call)) return std::move(*no);
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  json::array periods;
  {
    const auto person = service_.Read()->PersonByIin(*iin);
    if (!person) return NoSuchPerson(call, *iin);
    if (auto no = ForbidPerson(call, *person)) return std::move(*no);
    for (const auto& a : service_.History(*iin)) {  // plans still to come worked out
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
  if (auto no = RecordRead(call, iin->ToString(), "history")) return std::move(*no);
  return call.Json(json::object{{"iin", iin->ToString()}, {"periods", std::move(periods)}});
}

Response Api::AccessLog(Call& call, std::string_view iin_text) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  if (!call.Is(Role::kCitizen) && !call.Is(Role::kAdmin)) {
    return call.Problem(ProblemCode::kForbidden, "the access log is the person's own");
  }
  auto iin = Iin::Parse(iin_text);
  if (!iin) return call.Problem(ProblemCode::kInvalidIin, "expected 12 digits with a check digit");
  const auto limit = call.IntParam("limit", 100, 1, 1000);
  if (!limit) return call.Problem(ProblemCode::kInvalidQuery, "limit: 1..1000");
  std::optional<std::vector<Iin>> representatives;
  representatives = service_.Read()->RepresentativesOf(*iin);
  if (!representatives) return NoSuchPerson(call, *iin);
  if (auto no = ForbidPerson(call, *iin, *representatives)) return std::move(*no);
  auto trail = service_.AuditTrail(iin->ToString(), *limit);
  if (!trail) return call.Problem(ProblemCode::kUnavailable, "the audit cannot be read now");
  json::array entries;
  for (const auto& e : *trail) {
    if (!e.action.starts_with("read ")) continue;
    // Who: a role and whom it names; a citizen's IIN is shown masked (it may be a relative's).
    const auto colon = e.actor.find(':');
    const std::string role = e.actor.substr(0, colon);
    const std::string who = colon == std::string::npos ? "" : e.actor.substr(colon + 1);
    entries.push_back(json::object{{"at", e.at},
                                   {"role", role},
                                   {"who", role == "citizen" ? domain::MaskIinsInText(who) : who},
                                   {"what", e.action.substr(5)},
                                   {"refused", e.detail.starts_with("refused")}});
  }
  if (auto no = RecordRead(call, iin->ToString(), "access log")) return std::move(*no);
  return call.Json(json::object{{"iin", iin->ToString()}, {"entries", std::move(entries)}});
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
  auto trail = service_.AuditTrail(*subject, limit);
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

}  // namespace emkhana::http
