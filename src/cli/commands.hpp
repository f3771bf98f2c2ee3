// The subcommands of `emkhana` beyond replay: each reads its options and returns an exit code
// (0 ok, 1 a check failed, 2 bad input or an unusable database).
#pragma once

#include <cstdint>
#include <string>

namespace emkhana::cli {

struct StatsOptions {
  std::string db, date, region;  // region: one region's view (its people and organisations)
  bool json = false, recount = false;
};
int RunStats(const StatsOptions& o);

struct FundingOptions {
  std::string db, month, table;
  bool json = false;
};
int RunFunding(const FundingOptions& o);

struct GenerateOptions {
  std::string db;
  std::int64_t population = 0;
  std::uint64_t seed = 1;
  std::string as_of;  // the generated registry's "today" (default: the system date)
};
int RunGenerate(const GenerateOptions& o);

struct SampleOptions {
  std::string db;
  std::int64_t persons = 0;
  std::uint64_t seed = 1;
};
int RunSample(const SampleOptions& o);

struct CampaignOptions {
  std::string db, emit;
  std::int64_t applications = 0;
  std::uint64_t seed = 1;
  int year = 0;
};
int RunCampaign(const CampaignOptions& o);

struct ServeOptions {
  std::string db, read_db, address = "127.0.0.1", secret, web, ca_file, tls_cert, tls_key;
  std::string as_of;       // YYYY-MM-DD: the clock starts on this day (empty: the system's)
  std::string read_spool;  // where reads are recorded before their reply (empty: beside --db)
  std::uint16_t port = 8080;
  int threads = 1, read_timeout = 10, idle_timeout = 60, max_connections = 1000;
  double rate_limit = 1000, rate_burst = 2000;  // per token, and per address without one
  bool access_log = false, demo = false;
};
int RunServe(const ServeOptions& o);

struct TokenOptions {
  std::string action;  // "" (issue), rotate, retire, revoke, keys
  std::string db, role, subject, secret;
  std::int64_t ttl = 3600;
  std::string kid, jti, token;
  // rotate: older keys stop verifying after this many seconds (-1: until retired);
  // retire: the key stops after this many seconds (0: removed now).
  std::int64_t retire_after = -1;
};
int RunToken(const TokenOptions& o);

struct AuditOptions {
  std::string db;
  std::string anchor;  // SEQ:HASH, a head printed by an earlier verify
};
int RunAuditVerify(const AuditOptions& o);

}  // namespace emkhana::cli
