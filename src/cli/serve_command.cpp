// `emkhana serve` and `emkhana token`: the HTTP service over a registry database, and bearer
// tokens for demos and tests (signed with the secret kept beside the database).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "http/token.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "storage/store.hpp"

namespace emkhana::cli {

namespace {

std::string SecretPath(const std::string& db, const std::string& given) {
  return given.empty() ? db + ".secret" : given;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  auto secret = http::LoadOrCreateSecret(SecretPath(o.db, o.secret));
  if (!secret) {
    std::cerr << "serve: " << secret.error().message << "\n";
    return 2;
  }
  auto store = storage::OpenStore(o.db);
  if (!store) {
    std::cerr << o.db << ": " << store.error().message << "\n";
    return 2;
  }
  SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto opened = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
  if (!opened) {
    std::cerr << o.db << ": " << opened.error().message << "\n";
    return 2;
  }
  auto& reg = **opened;
  if (auto f = reg.Flush(); !f) {
    std::cerr << o.db << ": " << f.error().message << "\n";
    return 2;
  }
  std::cerr << fmt::format(
      "serve: registry of {} persons loaded in {:.1f} s\n", reg.person_count(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  int rc = 0;
  {
    http::Api api(reg, {.token_secret = *secret, .clock = &clock, .max_batch = 1024});
    http::ServerOptions server;
    server.address = o.address;
    server.port = o.port;
    server.threads = o.threads;
    server.read_timeout_seconds = o.read_timeout;
    server.idle_timeout_seconds = o.idle_timeout;
    server.access_log = o.access_log;
    rc = http::Serve(api, server, [&](std::uint16_t port) {
      // Tests and scripts read this line to find a port chosen by the system (--port 0).
      std::cout << fmt::format("listening on http://{}:{}/", o.address, port) << std::endl;
    });
  }
  if (auto c = reg.Checkpoint(); !c) {
    std::cerr << o.db << ": " << c.error().message << "\n";
    return 2;
  }
  return rc;
}

int RunToken(const TokenOptions& o) {
  auto role = http::ParseRole(o.role);
  if (!role) {
    std::cerr << "token: --role must be citizen, registrar, region, fund or admin\n";
    return 2;
  }
  auto secret = http::LoadOrCreateSecret(SecretPath(o.db, o.secret));
  if (!secret) {
    std::cerr << "token: " << secret.error().message << "\n";
    return 2;
  }
  SystemClock clock;
  const auto now = clock.NowMicros() / 1'000'000;
  std::cout << http::IssueToken(*secret, {*role, o.subject, now + o.ttl}) << "\n";
  return 0;
}

}  // namespace emkhana::cli
