#include "common.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <variant>

#include "http/token.hpp"
#include "policy/policy_loader.hpp"
#include "scenario/scenario.hpp"

namespace emkhana::fuzz {

namespace {

// The world as a scenario (FORMAT.md): two clinics, three people (a child with a
// representative), one imported attachment and one decided application. Synthetic IINs only.
constexpr std::string_view kWorld = R"(
{"op": "org", "id": "X1", "ate": "X", "name": "Synthetic clinic 1", "location": [43.25, 76.95]}
{"op": "org", "id": "Y1", "ate": "Y", "name": "Synthetic clinic 2"}
{"op": "district", "id": "X1-G1", "org": "X1", "kind": "gp", "capacity": 10}
{"op": "district", "id": "X1-P1", "org": "X1", "kind": "pediatrician", "capacity": 5}
{"op": "district", "id": "Y1-G1", "org": "Y1", "kind": "gp", "capacity": 10}
{"op": "person", "iin": "850305300014", "birth": "1985-03-05", "sex": "M", "status": "citizen", "name": "Synthetic One", "ate": {"registration": "X", "residence": "X"}}
{"op": "person", "iin": "900712401003", "birth": "1990-07-12", "sex": "F", "status": "citizen", "name": "Synthetic Two", "ate": {"registration": "X", "residence": "Y"}}
{"op": "person", "iin": "150601502006", "birth": "2015-06-01", "sex": "M", "status": "citizen", "ate": {"registration": "X", "residence": "X"}, "representatives": ["900712401003"]}
{"op": "attach", "iin": "850305300014", "org": "X1", "district": "X1-G1", "from": "2020-01-01"}
{"op": "apply", "id": "A1", "date": "2025-04-01", "iin": "900712401003", "org": "X1", "channel": "clinic_paper", "basis": "first_attachment"}
)";

template <class R>
void Must(const R& r, std::string_view what) {
  if (!r) {
    std::fprintf(stderr, "fuzz world: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 r.error().message.c_str());
    std::abort();
  }
}

std::unique_ptr<World> MakeWorld() {
  auto w = std::make_unique<World>();
  auto store = storage::OpenStore(":memory:");
  Must(store, "store");
  w->store = std::move(*store);
  auto reg = registry::Registry::Open(*w->store, w->clock, policy::DefaultPolicy());
  Must(reg, "registry");
  w->registry = std::move(*reg);
  auto scenario = scenario::ParseScenario(kWorld, "world");
  Must(scenario, "scenario");
  auto& r = *w->registry;
  const registry::Actor actor;
  for (const auto& step : scenario->steps) {
    Result<void> done;
    if (auto* o = std::get_if<scenario::OrgStep>(&step.body))
      done = r.PutOrganisation(o->org, actor);
    if (auto* d = std::get_if<scenario::DistrictStep>(&step.body)) {
      done = r.PutDistrict(d->district, actor);
    }
    if (auto* p = std::get_if<scenario::PersonStep>(&step.body))
      done = r.PutPerson(p->person, actor);
    if (auto* a = std::get_if<scenario::AttachStep>(&step.body)) {
      done = r.ImportAttachment(a->iin, a->district, a->from, actor);
    }
    if (auto* a = std::get_if<scenario::ApplyStep>(&step.body)) r.Decide(a->application, actor);
    Must(done, "world step");
  }
  Must(r.Flush(), "flush");

  auto ca = http::DemoCa::LoadOrCreate(ScratchDir() + "/demo");
  Must(ca, "demo CA");
  w->ca = std::move(*ca);
  auto verifier = http::SignatureVerifier::FromCaPem(w->ca->certificate_pem());
  Must(verifier, "verifier");
  w->verifier = std::move(*verifier);

  const std::string web_root = ScratchDir() + "/web";
  std::filesystem::create_directories(web_root + "/assets");
  std::ofstream(web_root + "/index.html") << "<!doctype html><title>Emkhana</title>";
  std::ofstream(web_root + "/assets/app-0123abcd.js") << "console.log('synthetic')";
  auto web = http::StaticFiles::Load(web_root);
  Must(web, "web root");
  w->web = std::move(*web);

  // A fixed key ring, no files: every input verifies tokens as a server does.
  const http::TokenKey key{"fuzz", std::string(64, 'f')};
  w->tokens = std::make_unique<http::TokenVerifier>(http::KeyRing{{key}}, std::nullopt, w->clock);
  w->service = std::make_unique<registry::Service>(r, registry::ServiceOptions{});
  w->api = std::make_unique<http::Api>(*w->service, http::ApiOptions{.tokens = w->tokens.get(),
                                                                     .clock = &w->clock,
                                                                     .web = &*w->web,
                                                                     .signatures = &*w->verifier});
  using http::Role;
  const std::int64_t expires = kNowSeconds + 365LL * 86400;
  w->authorizations = {""};
  const std::pair<Role, const char*> kSubjects[] = {{Role::kCitizen, "900712401003"},
                                                    {Role::kRegistrar, "X1"},
                                                    {Role::kRegion, "X"},
                                                    {Role::kFund, "fund"},
                                                    {Role::kAdmin, "admin"},
                                                    {Role::kOperator, "OP-1@CON-1"}};
  for (const auto& [role, subject] : kSubjects) {
    auto token = http::IssueToken(key, {role, subject, expires});
    Must(token, "token");
    w->authorizations.push_back("Bearer " + *token);
  }
  return w;
}

World* the_world = nullptr;

}  // namespace

void FuzzCheck(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

const std::string& ScratchDir() {
  // Never destroyed: the exit handler that removes it runs after static destructors may have.
  static const std::string* dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "emkhana-fuzz-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    auto* made = new std::string(pattern);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
    });
    return made;
  }();
  return *dir;
}

std::vector<std::string_view> Fields(std::string_view input, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const auto cut = input.find('\0');
    if (cut == std::string_view::npos) break;
    out.push_back(input.substr(0, cut));
    input.remove_prefix(cut + 1);
  }
  out.push_back(input);
  while (out.size() < n) out.emplace_back();
  return out;
}

World& TheWorld() {
  if (!the_world) {
    // Kept to the end (reachable, so not a leak); the pipeline stops before exit's cleanup.
    the_world = MakeWorld().release();
    std::atexit([] { the_world->api->Drain(); });
  }
  return *the_world;
}

}  // namespace emkhana::fuzz
