// The composition root: `emkhana <command>`. Only here are concrete backends chosen.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <iostream>

#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "domain/date.hpp"
#include "http/texts.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "scenario/replay.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace {

int Init(const std::string& db) {
  auto store = emkhana::storage::OpenStore(db);
  if (!store) {
    std::cerr << emkhana::storage::RedactLocation(db) << ": " << store.error().message << "\n";
    return 2;
  }
  emkhana::SystemClock clock;
  auto registry =
      emkhana::registry::Registry::Open(**store, clock, emkhana::policy::DefaultPolicy());
  if (!registry) {
    std::cerr << emkhana::storage::RedactLocation(db) << ": " << registry.error().message << "\n";
    return 2;
  }
  if (auto f = (*registry)->Flush(); !f) {
    std::cerr << emkhana::storage::RedactLocation(db) << ": " << f.error().message << "\n";
    return 2;
  }
  auto counts = (*store)->Counts();
  const int version = emkhana::storage::postgres::IsPostgresUrl(db)
                          ? emkhana::storage::postgres::LatestSchemaVersion()
                          : emkhana::storage::sqlite::LatestSchemaVersion();
  std::cout << fmt::format("{}: schema version {}, policy {}, {} persons, {} organisations\n",
                           emkhana::storage::RedactLocation(db), version,
                           (*registry)->policy().version, counts ? counts->persons : 0,
                           counts ? counts->organisations : 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Databases, their journals, secrets and keys hold personal data or grant access: every file
  // this process creates is its owner's alone (0600), whatever the caller's umask.
  ::umask(077);
  CLI::App app{"Emkhana: the register of population attached to primary health care"};
  app.require_subcommand(1);

  auto* replay = app.add_subcommand("replay", "Run conformance scenarios (FORMAT.md)");
  std::vector<std::string> files;
  emkhana::scenario::ReplayOptions replay_options;
  replay->add_option("files", files, "Scenario files (.jsonl)")
      ->required()
      ->check(CLI::ExistingFile);
  replay->add_flag("--check", replay_options.check, "Compare results with each step's expect");
  replay->add_option("--db", replay_options.db,
                     "Persistent registry: SQLite file or postgresql:// URL (default: fresh, in "
                     "memory)");
  replay->add_flag("--table", replay_options.table, "Print a readable table instead of JSON lines");

  auto* init = app.add_subcommand("init", "Create (or migrate) a registry database");
  std::string init_db;
  init->add_option("--db", init_db, "SQLite database path or postgresql:// URL")->required();

  auto* show_policy = app.add_subcommand("policy", "Print the built-in default policy (JSON)");

  auto* texts = app.add_subcommand(
      "texts", "Print the refusal reasons' and problems' texts in kk, ru and en");
  bool texts_json = false;
  texts->add_flag("--json", texts_json,
                  "As JSON: the source of the web front end's web/src/generated/texts.json");

  emkhana::cli::GenerateOptions generate_options;
  auto* generate =
      app.add_subcommand("generate", "Generate a synthetic country into a new database");
  generate
      ->add_option(
          "--db", generate_options.db,
          "New SQLite database path, or postgresql:// URL of a database without a registry")
      ->required();
  generate->add_option("--population", generate_options.population, "Number of people")->required();
  generate->add_option("--seed", generate_options.seed, "Random seed (default 1)");
  generate->add_option("--as-of", generate_options.as_of,
                       "The registry's today, YYYY-MM-DD (default: the system date)");

  emkhana::cli::CampaignOptions campaign_options;
  auto* campaign = app.add_subcommand("campaign", "Run a realistic attachment campaign");
  campaign->add_option("--db", campaign_options.db, "Registry database")->required();
  campaign->add_option("--applications", campaign_options.applications, "How many")->required();
  campaign->add_option("--seed", campaign_options.seed, "Random seed (default 1)");
  campaign->add_option("--year", campaign_options.year,
                       "Campaign year (default: the next campaign not yet over)");
  campaign->add_option("--emit", campaign_options.emit,
                       "Write the applications as a replay scenario instead of deciding them");

  emkhana::cli::SampleOptions sample_options;
  auto* sample = app.add_subcommand("sample", "Random IINs of the registry, one per line");
  sample->add_option("--db", sample_options.db, "Registry database")->required();
  sample->add_option("--persons", sample_options.persons, "How many")->required();
  sample->add_option("--seed", sample_options.seed, "Random seed (default 1)");

  emkhana::cli::StatsOptions stats_options;
  auto* stats = app.add_subcommand("stats", "Attached population, utilisation, campaign, OSMS");
  stats->add_option("--db", stats_options.db, "Registry database")->required();
  stats->add_option("--date", stats_options.date, "Attachments on this day (default: today)");
  stats->add_option("--region", stats_options.region,
                    "Only this region's people and organisations (e.g. ALA)");
  stats->add_flag("--json", stats_options.json, "JSON instead of tables");
  stats->add_flag("--recount", stats_options.recount,
                  "Recount from the registry instead of the maintained snapshot (slow)");

  emkhana::cli::FundingOptions funding_options;
  auto* funding =
      app.add_subcommand("funding", "Monthly per-capita payments (КПН) by organisation");
  funding->add_option("--db", funding_options.db, "Registry database")->required();
  funding->add_option("--month", funding_options.month, "YYYY-MM")->required();
  funding->add_option("--table", funding_options.table,
                      "Sex-age coefficient table (JSON; default: the illustrative one)");
  funding->add_flag("--json", funding_options.json, "JSON instead of a table");

  emkhana::cli::ServeOptions serve_options;
  auto* serve = app.add_subcommand("serve", "Serve the REST API over a registry database");
  serve->add_option("--db", serve_options.db, "Registry database")->required();
  serve->add_option("--read-db", serve_options.read_db,
                    "PostgreSQL only: a replica of --db (postgresql:// URL) to load from, follow "
                    "and read from; writes go to --db");
  serve->add_option("--address", serve_options.address, "Address to listen on")
      ->capture_default_str();
  serve->add_option("--port", serve_options.port, "Port (0: any free one, printed)")
      ->capture_default_str();
  serve->add_option("--threads", serve_options.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve->add_option("--secret", serve_options.secret,
                    "Token secret file (default: DB.secret; required with a postgresql:// URL)");
  serve->add_flag("--access-log", serve_options.access_log,
                  "A JSON line per request on stderr (IINs never appear)");
  serve->add_option("--read-timeout", serve_options.read_timeout, "Seconds for a whole request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", serve_options.idle_timeout,
                   "Seconds a keep-alive connection may wait")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--max-connections", serve_options.max_connections,
                   "Open connections at most; more wait until one closes (kept below ulimit -n "
                   "less 64)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  serve
      ->add_option("--rate-limit", serve_options.rate_limit,
                   "Requests per second per bearer token, and per client address for requests "
                   "without one (0: no limit); over it: 429 with Retry-After")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  serve->add_option("--rate-burst", serve_options.rate_burst, "Requests at once over --rate-limit")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  serve->add_option("--tls-cert", serve_options.tls_cert,
                    "HTTPS (TLS 1.2+) with this certificate chain (PEM); needs --tls-key");
  serve->add_option("--tls-key", serve_options.tls_key, "The private key (PEM) of --tls-cert");
  serve->add_option("--web", serve_options.web,
                    "Serve the web front end from this directory (built web/dist)");
  serve->add_option("--ca-file", serve_options.ca_file,
                    "PEM file of the CAs trusted for egov/mobile signatures");
  serve->add_option("--read-spool", serve_options.read_spool,
                    "Base path of the files where each read of personal data is recorded before "
                    "its reply (BASE.reads-N.*; default: beside --db, or beside --secret for a "
                    "PostgreSQL URL). Keep it on a local disk that survives restarts");
  serve
      ->add_option("--as-of", serve_options.as_of,
                   "Start the server's clock on this date, YYYY-MM-DD (demos and tests of "
                   "campaign dates; time passes from there). Applications are dated by this "
                   "clock, never by the client")
      ->check([](const std::string& s) {
        return emkhana::domain::Date::Parse(s) ? std::string() : "expected YYYY-MM-DD";
      });
  serve->add_flag("--demo", serve_options.demo,
                  "Demo mode for synthetic registries: sign in as generated people (a demo CA "
                  "beside the database, or beside --secret for a URL, issues their signing keys)");

  emkhana::cli::TokenOptions token_options;
  auto* token = app.add_subcommand(
      "token", "Bearer tokens: issue one (no subcommand), or manage the key ring and revocations");
  token->footer(
      "The key ring (DB.secret, or --secret FILE; mode 0600) holds one key a line,\n"
      "`kid secret [retire_at]`, oldest first: the newest signs, the others verify until retired.\n"
      "A token is kid.claims.signature; its claims carry a random id (jti) to revoke it by.\n"
      "Running servers see rotations, retirements and revocations (FILE.revoked) within a second.\n"
      "  emkhana token --db DB --role admin --subject ops     issue (prints the token)\n"
      "  emkhana token rotate --db DB [--retire-after S]     a new signing key (prints its kid)\n"
      "  emkhana token retire --db DB --kid K [--after S]    K stops verifying (now: removed)\n"
      "  emkhana token revoke --db DB --jti ID | --token T   refuse one token from now on\n"
      "  emkhana token keys --db DB                          list the keys (never the secrets)");
  const auto ring_options = [&](CLI::App* cmd) {
    cmd->add_option("--db", token_options.db, "Registry database (its key ring is DB.secret)");
    cmd->add_option("--secret", token_options.secret,
                    "Key ring file (default: DB.secret; required with a postgresql:// URL)");
  };
  ring_options(token);
  token->add_option(
      "--role", token_options.role,
      "citizen, registrar, region, fund, operator, admin, or monitor (/metrics only)");
  token->add_option("--subject", token_options.subject,
                    "IIN (citizen), organisation id (registrar), region code (region), "
                    "operator@centre (operator), a name");
  token->add_option("--ttl", token_options.ttl, "Seconds the token is valid")
      ->check(CLI::Range(1, 31'536'000))
      ->capture_default_str();
  auto* rotate = token->add_subcommand("rotate", "Add a new signing key to the ring");
  ring_options(rotate);
  rotate
      ->add_option("--retire-after", token_options.retire_after,
                   "The older keys stop verifying after this many seconds (default: when "
                   "retired)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{31'536'000}));
  auto* retire = token->add_subcommand("retire", "Retire a key: its tokens are refused");
  ring_options(retire);
  retire->add_option("--kid", token_options.kid, "The key's id (see `token keys`)")->required();
  retire
      ->add_option("--after", token_options.retire_after,
                   "Seconds until it stops verifying (default: now, and removed from the file)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{31'536'000}));
  auto* revoke = token->add_subcommand("revoke", "Revoke one token by its id");
  ring_options(revoke);
  auto* jti = revoke->add_option("--jti", token_options.jti, "The token's id (claim jti)");
  revoke->add_option("--token", token_options.token, "The token itself")->excludes(jti);
  auto* keys = token->add_subcommand("keys", "List the ring's keys: kid, state, retirement");
  ring_options(keys);
  token->require_subcommand(0, 1);

  emkhana::cli::AuditOptions audit_options;
  auto* audit = app.add_subcommand("audit", "The audit trail");
  auto* verify = audit->add_subcommand(
      "verify",
      "Check the audit trail's hash chain and the decisions it vouches for; exit 1 at the first "
      "edited, deleted or reordered entry");
  verify->add_option("--db", audit_options.db, "Registry database")->required();
  verify->add_option("--anchor", audit_options.anchor,
                     "SEQ:HASH printed as the head by an earlier verify: also detects entries "
                     "cut off the end");
  audit->require_subcommand(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*replay) return emkhana::scenario::Replay(files, replay_options, std::cout, std::cerr);
    if (*init) return Init(init_db);
    if (*generate) return emkhana::cli::RunGenerate(generate_options);
    if (*campaign) return emkhana::cli::RunCampaign(campaign_options);
    if (*sample) return emkhana::cli::RunSample(sample_options);
    if (*stats) return emkhana::cli::RunStats(stats_options);
    if (*funding) return emkhana::cli::RunFunding(funding_options);
    if (*serve) return emkhana::cli::RunServe(serve_options);
    if (*token) {
      for (auto* sub : {rotate, retire, revoke, keys}) {
        if (*sub) token_options.action = sub->get_name();
      }
      return emkhana::cli::RunToken(token_options);
    }
    if (*verify) return emkhana::cli::RunAuditVerify(audit_options);
    if (*show_policy) {
      std::cout << emkhana::policy::DefaultPolicyJson();
      return 0;
    }
    if (*texts) {
      std::cout << (texts_json ? emkhana::http::TextsJson() : emkhana::http::TextsTable());
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "emkhana: internal error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
