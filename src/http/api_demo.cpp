// Demo mode (`serve --demo`): generated accounts to sign in as, without passwords, and a signing
// key for each citizen from the demo CA, so that the web front end can be tried end to end. Only
// for synthetic registries. Also the front end's static files.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "http/api.hpp"
#include "http/api_call.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

namespace {

constexpr std::int64_t kDemoTokenSeconds = 8 * 3600;

}  // namespace

Response Api::DemoAccounts(Call& call) {
  const Date today = Today();
  // A spread of citizens: parents (to apply for a child), pensioners, young adults; taken at even
  // steps through the register so that the list is the same for the same registry.
  struct Pick {
    domain::Person person;
    std::vector<Iin> children;
    std::string ate;
  };
  std::vector<Pick> parents, pensioners, others, unattached;
  json::array registrars;
  std::set<std::string> regions;
  {
    const auto reg = service_.Read();
    const std::size_t n = reg->person_count();
    const std::size_t step = std::max<std::size_t>(1, n / 4000);
    for (std::size_t i = 0; i < n && (parents.size() < 8 || pensioners.size() < 3 ||
                                      others.size() < 4 || unattached.size() < 3);
         i += step) {
      auto p = reg->PersonAt(i);
      if (p.DeadOn(today)) continue;
      auto where = reg->TryWhereOn(p.iin, today);
      if (!where) continue;
      const int age = p.AgeOn(today);
      if (where->org.empty()) {  // someone to try a first attachment with
        if (age >= 18 && unattached.size() < 3) {
          unattached.push_back({p, {}, p.Ate(domain::AteRole::kResidence)});
        }
        continue;
      }
      auto children = reg->Represented(p.iin);
      const auto* org = reg->FindOrg(where->org);
      Pick pick{p, children, org ? org->ate : ""};
      if (!children.empty() && age >= 20 && age < 60) {
        if (parents.size() < 8) parents.push_back(std::move(pick));
      } else if (age >= 65) {
        if (pensioners.size() < 3) pensioners.push_back(std::move(pick));
      } else if (age >= 18 && children.empty()) {
        if (others.size() < 4) others.push_back(std::move(pick));
      }
    }
    auto orgs = reg->Organisations();
    std::sort(orgs.begin(), orgs.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const auto* org : orgs) {
      regions.insert(std::string(domain::RegionOfAte(org->ate)));
      if (registrars.size() < 10 && !org->ClosedOn(today) && org->contract) {
        registrars.push_back(
            json::object{{"org", org->id}, {"name", org->name}, {"ate", org->ate}});
      }
    }
  }
  json::array citizens;
  for (auto* group : {&parents, &pensioners, &others, &unattached}) {
    for (const auto& pick : *group) {
      json::array children;
      for (const auto& c : pick.children) children.push_back(json::string(c.ToString()));
      auto name = service_.PersonName(pick.person.iin);
      citizens.push_back(json::object{{"iin", pick.person.iin.ToString()},
                                      {"name", name ? *name : ""},
                                      {"age", pick.person.AgeOn(today)},
                                      {"sex", domain::NameOf(pick.person.sex)},
                                      {"ate", pick.ate},
                                      {"attached", group != &unattached},
                                      {"children", std::move(children)}});
    }
  }
  json::array region_list;
  for (const auto& r : regions) region_list.push_back(json::object{{"code", r}});
  return call.Json(json::object{{"citizens", std::move(citizens)},
                                {"registrars", std::move(registrars)},
                                {"regions", std::move(region_list)}});
}

Response Api::DemoSignIn(Call& call) {
  if (MediaType(call.request.content_type) != "application/json") {
    return call.Problem(ProblemCode::kUnsupportedMediaType, "Content-Type: application/json");
  }
  boost::system::error_code ec;
  auto value = json::parse(call.request.body, ec);
  const auto* body = ec ? nullptr : value.if_object();
  if (!body) return call.Problem(ProblemCode::kMalformedJson, "expected a JSON object");
  for (const auto& field : *body) {
    if (field.key() != "role" && field.key() != "subject") {
      return call.Problem(
          ProblemCode::kUnknownField,
          fmt::format("unknown field '{}'", std::string(field.key()).substr(0, 40)));
    }
  }
  const auto* role_value = body->if_contains("role");
  const auto* subject_value = body->if_contains("subject");
  if (!role_value || !role_value->is_string() || !subject_value || !subject_value->is_string()) {
    return call.Problem(ProblemCode::kInvalidField, "role and subject: strings");
  }
  const auto role = ParseRole(role_value->get_string());
  const std::string subject(subject_value->get_string());
  if (!role) {
    return call.Problem(ProblemCode::kInvalidField,
                        "role: citizen, registrar, region, fund or admin");
  }
  if (subject.empty() || subject.size() > 64) {
    return call.Problem(ProblemCode::kInvalidField, "subject: 1 to 64 characters");
  }
  const auto now = options_.clock->NowMicros() / 1'000'000;
  json::object reply{{"role", RoleName(*role)}, {"subject", subject}};
  std::optional<Iin> iin;
  {
    const auto reg = service_.Read();
    bool known = true;
    if (*role == Role::kCitizen) {
      iin = Iin::Parse(subject);
      known = iin && reg->PersonByIin(*iin).has_value();
    } else if (*role == Role::kRegistrar) {
      known = reg->FindOrg(subject) != nullptr;
    } else if (*role == Role::kRegion) {
      known = false;
      for (const auto* org : reg->Organisations()) {
        known = known || domain::RegionOfAte(org->ate) == subject;
      }
    }
    if (!known)
      return call.Problem(ProblemCode::kNotFound, "no such person, organisation or region");
  }
  if (iin) {
    auto name = service_.PersonName(*iin);
    auto issued = options_.demo_ca->Issue(subject, name ? *name : "", now);
    if (!issued) return call.Problem(ProblemCode::kInternal, issued.error().message);
    reply["name"] = name ? *name : "";
    reply["signing"] = json::object{{"key_pkcs8", issued->key_pkcs8_b64},
                                    {"certificate", issued->certificate_pem}};
  }
  // The demo key, never the registry's: these tokens die with --demo.
  const auto* demo_key = options_.tokens->demo_key();
  if (!demo_key) return call.Problem(ProblemCode::kInternal, "no demo key");
  auto token = IssueToken(*demo_key, {*role, subject, now + kDemoTokenSeconds});
  if (!token) return call.Problem(ProblemCode::kInternal, token.error().message);
  reply["token"] = *token;
  reply["expires_at"] = now + kDemoTokenSeconds;
  return call.Json(reply);
}

Response Api::StaticFile(Call& call) {
  std::string path;
  for (const auto& s : call.segments) path += "/" + s;
  if (path.empty()) path = "/";
  call.route = "static";
  const auto* file = options_.web->Find(path);
  if (!file) return call.Problem(ProblemCode::kRouteNotFound, "no such path");
  Response r;
  r.route = call.route;
  r.content_type = file->content_type;
  r.body = file->body;
  r.headers.emplace_back("Cache-Control",
                         file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file->content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; "
                           "style-src 'self' 'unsafe-inline'; object-src 'none'; "
                           "frame-ancestors 'none'; base-uri 'self'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return r;
}

}  // namespace emkhana::http
