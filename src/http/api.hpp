// The REST API `/api/v1` and the operations endpoints, independent of sockets: a Request in, a
// Response (or a decision to wait for) out. The server (server.hpp) owns the connections; this
// is the router and the handlers (decode -> ask the registry's front door -> encode), with
// roles checked here and every rejection answered as problem+json (problem.hpp).
//
// Thread-safety: Handle may be called from any number of threads at once. The registry's
// service (registry/service.hpp) owns the lock, the decision pipeline and the audit of reads.
#pragma once

#include <boost/json/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/string_hash.hpp"
#include "http/metrics.hpp"
#include "http/problem.hpp"
#include "http/signature.hpp"
#include "http/static_files.hpp"
#include "http/token.hpp"
#include "registry/service.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::http {

struct Request {
  std::string method;  // GET, POST, ...
  std::string target;  // origin-form: path and query
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string accept_language;
  std::string idempotency_key;
  std::string remote;  // the peer's address, for the log
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string_view route = "unmatched";  // the route pattern (static text), for metrics and logs
  std::vector<std::pair<std::string, std::string>> headers;  // more header fields
  bool close = false;  // end the connection after this reply (a handler that failed)
};

// A POST that waits for the decision pipeline; `finish` turns the outcome into the reply.
struct Deferred {
  domain::Application application;
  registry::Actor actor;
  // The request's Idempotency-Key and reference, scoped to the caller.
  std::vector<registry::IdempotencyClaim> claims;
  std::function<Response(Result<domain::Decision>)> finish;
};
using Handled = std::variant<Response, Deferred>;

struct ApiOptions {
  // Checks bearer tokens (keys, revocations, a cache); in demo mode it holds the demo key too.
  TokenVerifier* tokens = nullptr;
  const Clock* clock = nullptr;  // real time: token expiry, certificates, logs
  // The registry's day, which dates every application received (none: `clock`'s). A server
  // started --as-of another day moves this one only.
  const Clock* day_clock = nullptr;
  // The web front end's files, served at "/" (none: no front end).
  const StaticFiles* web = nullptr;
  // Trusted CAs for the signatures of egov/mobile applications (none: such applications are
  // refused as unverifiable).
  const SignatureVerifier* signatures = nullptr;
  // Demo mode: /api/v1/demo/* lists generated accounts and signs them in, issuing citizens a
  // signing key from this CA. Never on a real registry.
  const DemoCa* demo_ca = nullptr;
};

// One JSON line on standard error for an event of the server (IINs in `message` masked).
void LogEventLine(const Clock& clock, std::string_view level, std::string_view event,
                  std::string_view message);

class Api {
 public:
  Api(registry::Service& service, ApiOptions options);
  ~Api();

  Handled Handle(const Request& request);
  // Hands a deferred decision to the pipeline; `done` is called once, on a pipeline thread.
  void Submit(Deferred deferred, std::function<void(Response)> done);
  // Stops taking decisions after finishing those submitted (graceful shutdown).
  void Drain();
  // Takes the statistics snapshot now (1.5 s at 20 M people), so that the first dashboard after
  // start does not wait for it.
  void PrepareStatistics() { CurrentSnapshot(); }
  // The server is stopping: /readyz answers 503 so that a balancer sends no more.
  void BeginStop() { stopping_ = true; }
  // The store failed under a decision: logged once, then the process stops as on SIGTERM.
  void StopForFailedStore(std::string_view why);
  // One JSON line for the access log: no IIN appears unmasked (routes are patterns).
  std::string AccessLogLine(const Request& request, const Response& response, double seconds) const;
  // Records a finished request (metrics).
  void Observe(const Response& response, double seconds);

  struct Route {
    std::string_view method, pattern;
  };
  // Every route, for the OpenAPI check.
  static std::vector<Route> Routes();
  static std::string_view OpenApiDocument();

 private:
  struct Call;
  Handled HandleUnguarded(const Request& request);
  // What an exception that escaped a handler becomes: logged, a 500 problem, and the
  // connection closed (its state is not trusted after it).
  Response Failed(const Request& request, std::string_view what) const;
  Response Dispatch(Call& call, Handled* deferred);
  Response Attachment(Call& call, std::string_view iin);
  Response History(Call& call, std::string_view iin);
  // Who looked at a person's records (reads, refused ones too): the person and their
  // representatives, and admins.
  Response AccessLog(Call& call, std::string_view iin);
  Response Profile(Call& call, std::string_view iin);
  // Names and kinds for a placement's ids (org_name, org_ate, district_kind), read from `reg`.
  void DescribePlacement(const registry::Registry& reg, const registry::Placement& where,
                         boost::json::object& into) const;
  Response Audit(Call& call);
  // Who may read this person's records: the person, a registered representative, a registrar,
  // an admin (the reply when not; nullopt when allowed).
  std::optional<Response> ForbidPerson(Call& call, const domain::Person& person);
  std::optional<Response> ForbidPerson(Call& call, const domain::Iin& iin,
                                       const std::vector<domain::Iin>& representatives);
  // Roles that read no person's records (region, Fund): refused before anything is looked up.
  std::optional<Response> ForbidPersonRole(Call& call);
  // The one reply for a person who does not exist and one the caller may not see (a 404
  // either way, so that no reply tells which IINs exist); the refused read is audited.
  Response NoSuchPerson(Call& call, const domain::Iin& iin);
  // Records reads of personal data for the audit trail, one entry per subject (a person, an
  // application, a district), before the reply leaves: nullopt once recorded, else the 503 to
  // send instead of the data (a full disk).
  struct ReadRecord {
    std::string subject, what;
  };
  [[nodiscard]] std::optional<Response> RecordReads(Call& call, std::vector<ReadRecord> reads);
  [[nodiscard]] std::optional<Response> RecordRead(Call& call, std::string_view subject,
                                                   std::string_view what) {
    return RecordReads(call, {{std::string(subject), std::string(what)}});
  }
  // One JSON line on standard error, as the server's other events (IINs masked).
  void LogEvent(std::string_view level, std::string_view event, std::string_view message) const;
  Handled SubmitApplication(Call& call);
  // Channels bound to actors (ADR 0016): who may enter this application through its channel;
  // `seen` gets the representation documents an operator or registrar saw. nullopt: allowed.
  std::optional<Response> CheckActor(Call& call, const domain::Application& app, std::string& seen);
  // The check of an application's digital signature (egov, mobile) over `signed_text`; nullopt
  // when it passes or the channel needs none.
  std::optional<Response> CheckSignature(Call& call, const domain::Application& app,
                                         const boost::json::value* signature,
                                         std::string_view signed_text);
  Response ReadApplication(Call& call, std::string_view id);
  Response ListApplications(Call& call);
  // The stored application if the caller may read it, or the problem.
  std::variant<storage::DecidedApplication, Response> ReadableApplication(Call& call,
                                                                          std::string_view id);
  Response Talon(Call& call, std::string_view id, bool pdf);
  Response Organisation(Call& call, std::string_view id);
  Response Moves(Call& call, std::string_view org);
  Response DemoAccounts(Call& call);
  Response DemoSignIn(Call& call);
  Response StaticFile(Call& call);
  Response Organisations(Call& call);
  Response Panel(Call& call, std::string_view district);
  Response Stats(Call& call);
  Response Funding(Call& call);
  Response Policy(Call& call);
  Response MetricsText();
  std::shared_ptr<const stats::Snapshot> CurrentSnapshot();
  // A statistics or funding reply, made once per snapshot and key: a dashboard's requests cost
  // a lookup until the counts change (a new snapshot, at most once a second).
  Response CachedReport(Call& call, const std::string& key,
                        const std::function<Result<std::string>(const stats::Snapshot&)>& make);
  domain::Date Today() const;

  registry::Service& service_;
  ApiOptions options_;
  std::atomic<bool> stopping_ = false;
  std::atomic<bool> store_failure_reported_ = false;
  Metrics metrics_;
  Result<Claims> Verify(std::string_view token) { return options_.tokens->Verify(token); }
  std::mutex report_cache_mu_;
  std::map<std::string, std::pair<std::shared_ptr<const stats::Snapshot>, std::string>>
      report_cache_;
};

}  // namespace emkhana::http
