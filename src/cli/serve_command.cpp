// `emkhana serve` and `emkhana token`: the HTTP service over a registry database, and bearer
// tokens for demos and tests (signed with the secret kept beside the database).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

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

// The token secret's file: --secret, or beside a database file. A server database (a URL) has
// no "beside": --secret is required, and an empty result means it is missing.
std::string SecretPath(const std::string& db, const std::string& given) {
  if (!given.empty()) return given;
  return storage::IsServerLocation(db) ? std::string() : db + ".secret";
}

constexpr const char* kSecretRequired =
    "--db is a postgresql:// URL: give the token secret's file with --secret FILE (made on "
    "first use, mode 0600; every server and `token` of the registry must share it)";

}  // namespace

int RunServe(const ServeOptions& o) {
  if (!o.read_db.empty() && !storage::IsServerLocation(o.db)) {
    std::cerr << "serve: --read-db needs a PostgreSQL registry (--db postgresql://...): a SQLite "
                 "registry is read where it is written\n";
    return 2;
  }
  const std::string secret_path = SecretPath(o.db, o.secret);
  if (secret_path.empty()) {
    std::cerr << "serve: " << kSecretRequired << "\n";
    return 2;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::cerr << "serve: --tls-cert and --tls-key go together (the certificate chain and its "
                 "private key, PEM)\n";
    return 2;
  }
  auto secret = http::LoadOrCreateSecret(secret_path);
  if (!secret) {
    std::cerr << "serve: " << secret.error().message << "\n";
    return 2;
  }
  std::optional<http::StaticFiles> web;
  if (!o.web.empty()) {
    auto files = http::StaticFiles::Load(o.web);
    if (!files) {
      std::cerr << "serve: --web " << files.error().message << "\n";
      return 2;
    }
    web = std::move(*files);
  }
  // Signatures: the CAs of --ca-file, and in demo mode the demo CA beside the database.
  std::optional<http::DemoCa> demo_ca;
  std::string trusted_pem;
  if (!o.ca_file.empty()) {
    std::ifstream in(o.ca_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "serve: --ca-file " << o.ca_file << ": cannot be read\n";
      return 2;
    }
    trusted_pem = text.str();
  }
  if (o.demo) {
    // Beside the database file, or beside the secret's file for a URL.
    auto ca = http::DemoCa::LoadOrCreate((storage::IsServerLocation(o.db) ? secret_path : o.db) +
                                         ".demo");
    if (!ca) {
      std::cerr << "serve: demo CA: " << ca.error().message << "\n";
      return 2;
    }
    demo_ca = std::move(*ca);
    trusted_pem += "\n" + demo_ca->certificate_pem();
  }
  std::optional<http::SignatureVerifier> signatures;
  if (!trusted_pem.empty()) {
    auto v = http::SignatureVerifier::FromCaPem(trusted_pem);
    if (!v) {
      std::cerr << "serve: --ca-file " << o.ca_file << ": " << v.error().message << "\n";
      return 2;
    }
    signatures = std::move(*v);
  }
  auto store = storage::OpenStore(o.db);
  if (!store) {
    std::cerr << storage::RedactLocation(o.db) << ": " << store.error().message << "\n";
    return 2;
  }
  // A shared database (several servers may write it, ADR 0006): reads, loading and following
  // the others' changes go through a connection of their own (to --read-db, a replica, or to
  // --db again), so that they never wait for this server's turn to write.
  std::unique_ptr<storage::Store> read_store;
  if ((*store)->logs_changes()) {
    const std::string& read_location = o.read_db.empty() ? o.db : o.read_db;
    auto opened_read = storage::OpenReadStore(read_location);
    if (!opened_read) {
      std::cerr << storage::RedactLocation(read_location) << ": " << opened_read.error().message
                << "\n";
      return 2;
    }
    read_store = std::move(*opened_read);
  }
  SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto opened = registry::Registry::Open(**store, clock, policy::DefaultPolicy(), read_store.get());
  if (!opened) {
    std::cerr << storage::RedactLocation(o.db) << ": " << opened.error().message << "\n";
    return 2;
  }
  auto& reg = **opened;
  if (auto f = reg.Flush(); !f) {
    std::cerr << storage::RedactLocation(o.db) << ": " << f.error().message << "\n";
    return 2;
  }
  std::cerr << fmt::format(
      "serve: registry of {} persons loaded in {:.1f} s\n", reg.person_count(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  int rc = 0;
  {
    http::Api api(reg, {.token_secret = *secret,
                        .clock = &clock,
                        .max_batch = 1024,
                        .web = web ? &*web : nullptr,
                        .signatures = signatures ? &*signatures : nullptr,
                        .demo_ca = demo_ca ? &*demo_ca : nullptr});
    api.PrepareStatistics();
    http::ServerOptions server;
    server.address = o.address;
    server.port = o.port;
    server.threads = o.threads;
    server.read_timeout_seconds = o.read_timeout;
    server.idle_timeout_seconds = o.idle_timeout;
    server.access_log = o.access_log;
    server.max_connections = o.max_connections;
    server.rate_limit = o.rate_limit;
    server.rate_burst = std::max(o.rate_burst, 1.0);
    server.tls_cert = o.tls_cert;
    server.tls_key = o.tls_key;
    rc = http::Serve(api, server, [&](std::uint16_t port) {
      // Tests and scripts read this line to find a port chosen by the system (--port 0).
      std::cout << fmt::format("listening on {}://{}:{}/", o.tls_cert.empty() ? "http" : "https",
                               o.address, port)
                << std::endl;
    });
  }
  if (auto c = reg.Checkpoint(); !c) {
    std::cerr << storage::RedactLocation(o.db) << ": " << c.error().message << "\n";
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
  const std::string secret_path = SecretPath(o.db, o.secret);
  if (secret_path.empty()) {
    std::cerr << "token: " << kSecretRequired << "\n";
    return 2;
  }
  auto secret = http::LoadOrCreateSecret(secret_path);
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
