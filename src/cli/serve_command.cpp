// `emkhana serve` and `emkhana token`: the HTTP service over a registry database, and bearer
// tokens (signed with the key ring kept beside the database: issue, rotate, retire, revoke).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "domain/date.hpp"
#include "http/api.hpp"
#include "http/server.hpp"
#include "http/token.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "registry/service.hpp"
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
  SystemClock clock;
  // --demo signs its sign-ins with a key of its own, in memory only: a demo token is worth
  // nothing to a server without --demo, nor after a restart.
  std::optional<http::TokenKey> demo_key;
  if (o.demo) {
    auto key = http::NewTokenKey("demo");
    if (!key) {
      std::cerr << "serve: " << key.error().message << "\n";
      return 2;
    }
    demo_key = std::move(*key);
  }
  auto tokens = http::TokenVerifier::Open({.key_path = secret_path, .demo = demo_key}, clock);
  if (!tokens) {
    std::cerr << "serve: " << tokens.error().message << "\n";
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
  if ((*store)->change_log()) {
    const std::string& read_location = o.read_db.empty() ? o.db : o.read_db;
    auto opened_read = storage::OpenReadStore(read_location);
    if (!opened_read) {
      std::cerr << storage::RedactLocation(read_location) << ": " << opened_read.error().message
                << "\n";
      return 2;
    }
    read_store = std::move(*opened_read);
  }
  // The clock that dates every application received (ADR 0016): the system's, or moved to
  // --as-of at the start (same time of day).
  std::int64_t offset = 0;
  if (!o.as_of.empty()) {
    constexpr std::int64_t kDay = 86'400'000'000LL;
    const auto now = SystemClock().NowMicros();
    offset = (std::int64_t{domain::Date::Parse(o.as_of)->days()} - now / kDay) * kDay;
    std::cerr << "serve: the clock starts on " << o.as_of << " (--as-of)\n";
  }
  OffsetClock day_clock(offset);
  const auto started = std::chrono::steady_clock::now();
  auto opened =
      registry::Registry::Open(**store, day_clock, policy::DefaultPolicy(), read_store.get());
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
  // Each read's record is written here before its reply (ADR 0020): beside the database file,
  // or beside the secret's file for a URL, unless --read-spool says where.
  const std::string spool_base = !o.read_spool.empty()             ? o.read_spool
                                 : storage::IsServerLocation(o.db) ? secret_path
                                                                   : o.db;
  auto spool = storage::ReadSpool::Open(spool_base);
  if (!spool) {
    std::cerr << "serve: " << spool.error().message << "\n";
    return 2;
  }
  int rc = 0;
  {
    registry::Service service(reg, {.max_batch = 1024,
                                    .read_spool = spool->get(),
                                    .log = [&clock](std::string_view level, std::string_view event,
                                                    std::string_view message) {
                                      http::LogEventLine(clock, level, event, message);
                                    }});
    http::Api api(service, {.tokens = tokens->get(),
                            .clock = &clock,
                            .day_clock = &day_clock,
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
  if (reg.failed()) {
    // EX_TEMPFAIL: a supervisor restarts the server; the acknowledged decisions are on disk.
    std::cerr << "serve: the store failed; stopped without a checkpoint (exit 75). Free the "
                 "disk or restore the database, then start the server again\n";
    return 75;
  }
  if (auto c = reg.Checkpoint(); !c) {
    std::cerr << storage::RedactLocation(o.db) << ": " << c.error().message << "\n";
    return 2;
  }
  return rc;
}

namespace {

std::string TimeText(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// `token rotate`: a new signing key; the older ones verify on, until --retire-after if given.
int Rotate(const TokenOptions& o, const std::string& path, http::KeyRing ring, std::int64_t now) {
  auto key = http::NewTokenKey("k");
  while (key && ring.Find(key->kid, 0)) key = http::NewTokenKey("k");
  if (!key) {
    std::cerr << "token rotate: " << key.error().message << "\n";
    return 2;
  }
  std::erase_if(ring.keys, [&](const http::TokenKey& k) { return k.RetiredAt(now); });
  if (o.retire_after >= 0) {
    for (auto& k : ring.keys) {
      if (k.retire_at == 0 || k.retire_at > now + o.retire_after)
        k.retire_at = now + o.retire_after;
    }
  }
  ring.keys.push_back(*key);
  if (auto saved = http::SaveKeyRing(path, ring); !saved) {
    std::cerr << "token rotate: " << saved.error().message << "\n";
    return 2;
  }
  std::cout << key->kid << "\n";
  return 0;
}

// `token retire`: the key stops verifying (now, or after --after seconds). The signing key
// cannot go while it is the only one: rotate first.
int Retire(const TokenOptions& o, const std::string& path, http::KeyRing ring, std::int64_t now) {
  auto it = std::find_if(ring.keys.begin(), ring.keys.end(),
                         [&](const http::TokenKey& k) { return k.kid == o.kid; });
  if (it == ring.keys.end()) {
    std::cerr << "token retire: no key " << o.kid << " in " << path << "\n";
    return 2;
  }
  const std::int64_t at = now + std::max<std::int64_t>(o.retire_after, 0);
  const bool signing = ring.Signing(now) == &*it;
  const bool others = std::any_of(ring.keys.begin(), ring.keys.end(),
                                  [&](const auto& k) { return &k != &*it && !k.RetiredAt(at); });
  if (signing && !others) {
    std::cerr << "token retire: " << o.kid
              << " is the only key that signs: `emkhana token rotate` first\n";
    return 2;
  }
  if (o.retire_after <= 0) {
    ring.keys.erase(it);  // removed: its secret is gone from the file
  } else {
    it->retire_at = at;
  }
  std::erase_if(ring.keys, [&](const http::TokenKey& k) { return k.RetiredAt(now); });
  if (auto saved = http::SaveKeyRing(path, ring); !saved) {
    std::cerr << "token retire: " << saved.error().message << "\n";
    return 2;
  }
  return 0;
}

// `token revoke`: the token id goes to the revocation file that servers read again.
int Revoke(const TokenOptions& o, const std::string& path) {
  std::string jti = o.jti;
  std::int64_t expires = 0;
  if (!o.token.empty()) {
    auto claims = http::ReadUnverifiedClaims(o.token);
    if (!claims) {
      std::cerr << "token revoke: --token: " << claims.error().message << "\n";
      return 2;
    }
    jti = claims->jti;
    expires = claims->expires;
  }
  if (jti.empty()) {
    std::cerr << "token revoke: give --jti ID or --token TEXT\n";
    return 2;
  }
  const auto revoked = http::RevocationPath(path);
  if (auto added = http::AppendRevocation(revoked, jti, expires); !added) {
    std::cerr << "token revoke: " << added.error().message << "\n";
    return 2;
  }
  std::cout << "revoked " << jti << " (in " << revoked << ")\n";
  return 0;
}

}  // namespace

int RunToken(const TokenOptions& o) {
  const std::string command = o.action.empty() ? "token" : "token " + o.action;
  if (o.db.empty() && o.secret.empty()) {
    std::cerr << command << ": --db is required\n";
    return 2;
  }
  const std::string secret_path = SecretPath(o.db, o.secret);
  if (secret_path.empty()) {
    std::cerr << command << ": " << kSecretRequired << "\n";
    return 2;
  }
  if (o.action == "revoke") return Revoke(o, secret_path);
  auto ring = http::LoadKeyRing(secret_path, o.action.empty() || o.action == "rotate");
  if (!ring) {
    std::cerr << command << ": " << ring.error().message << "\n";
    return 2;
  }
  SystemClock clock;
  const auto now = clock.NowMicros() / 1'000'000;
  if (o.action == "rotate") return Rotate(o, secret_path, std::move(*ring), now);
  if (o.action == "retire") return Retire(o, secret_path, std::move(*ring), now);
  if (o.action == "keys") {
    const auto* signing = ring->Signing(now);
    for (const auto& k : ring->keys) {
      std::cout << k.kid << "\t"
                << (&k == signing      ? "signs"
                    : k.RetiredAt(now) ? "retired"
                                       : "verifies")
                << "\t" << (k.retire_at ? "until " + TimeText(k.retire_at) : "") << "\n";
    }
    return 0;
  }
  auto role = http::ParseRole(o.role);
  if (!role || o.subject.empty()) {
    std::cerr << "token: --role (citizen, registrar, region, fund, operator, admin or monitor) and "
                 "--subject are required\n";
    return 2;
  }
  const auto* key = ring->Signing(now);
  if (!key) {
    std::cerr << "token: every key of " << secret_path << " is retired: `emkhana token rotate`\n";
    return 2;
  }
  auto token = http::IssueToken(*key, {*role, o.subject, now + o.ttl});
  if (!token) {
    std::cerr << "token: " << token.error().message << "\n";
    return 2;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace emkhana::cli
