#include "storage/postgres/pg_conn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "domain/iin.hpp"

namespace emkhana::storage::postgres {

// --- Params ---

Params& Params::Push(std::string_view v, int format) {
  values_.emplace_back(v);
  null_.push_back(false);
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(format);
  return *this;
}
Params& Params::Add(std::string_view v) { return Push(v, 0); }
Params& Params::Add(std::int64_t v) { return Push(std::to_string(v), 0); }
Params& Params::Add(bool v) { return Push(v ? "t" : "f", 0); }
Params& Params::Add(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  (void)ec;
  return Push(std::string_view(buf, static_cast<std::size_t>(end - buf)), 0);
}
Params& Params::AddNull() {
  Push("", 0);
  null_.back() = true;
  return *this;
}
Params& Params::AddBinary(std::string_view v) { return Push(v, 1); }
Params& Params::Clear() {
  values_.clear();
  null_.clear();
  lengths_.clear();
  formats_.clear();
  return *this;
}
const char* const* Params::values() const {
  pointers_.resize(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) {
    pointers_[i] = null_[i] ? nullptr : values_[i].c_str();
  }
  return pointers_.data();
}

// --- Errors ---

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  // postgresql://user:password@host/...
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto at = out.find('@', start);
    const auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      if (auto colon = out.find(':', start); colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  // ...?password=secret&... or a conninfo "password=secret"
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const auto value = pos + 9;
    auto end = out.find_first_of("& ", value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

namespace {

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

ErrorCode CodeOf(std::string_view sqlstate) {
  if (sqlstate.starts_with("23")) return ErrorCode::kFailedPrecondition;  // integrity
  if (sqlstate.starts_with("42") || sqlstate.starts_with("22")) return ErrorCode::kInternal;
  return ErrorCode::kUnavailable;  // connection (08), resources (53), shutdown (57), ...
}

}  // namespace

Error ErrorOf(PGconn* conn, const PGresult* r, std::string_view what) {
  if (!r) {
    return Error::Unavailable(fmt::format("postgresql: {}: {}", what,
                                          domain::MaskIinsInText(Trimmed(PQerrorMessage(conn)))));
  }
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary ? primary : Trimmed(PQresultErrorMessage(r));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn));
  if (message.empty()) message = PQresStatus(PQresultStatus(r));
  return Error{state ? CodeOf(state) : ErrorCode::kUnavailable,
               fmt::format("postgresql: {}: {}{}", what, domain::MaskIinsInText(message),
                           state ? fmt::format(" ({})", state) : "")};
}

// --- Connection ---

Result<Connection> Connection::Open(const std::string& url) {
  // Later keywords win; the URL (expanded from dbname) overrides the defaults before it.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "emkhana", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return Error::Unavailable("postgresql: out of memory while connecting");
  Connection c(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Error::Unavailable(fmt::format("postgresql: cannot connect to {}: {}", RedactUrl(url),
                                          Trimmed(PQerrorMessage(conn))));
  }
  if (auto r = c.Exec(kSessionSettings); !r) {
    return r.error();
  }
  return c;
}

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (conn_) PQfinish(conn_);
    conn_ = o.conn_;
    o.conn_ = nullptr;
  }
  return *this;
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

Error Connection::LastError(std::string_view what) const { return ErrorOf(conn_, nullptr, what); }

Result<void> Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  // A script of several statements yields one result each: the last one (or the first error)
  // tells.
  if (!PQsendQuery(conn_, text.c_str())) return LastError("send");
  Result<void> out;
  while (PgResult r{PQgetResult(conn_)}) {
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && out) {
      out = ErrorOf(conn_, r.get(), sql.substr(0, 60));
    }
  }
  if (out && broken()) return LastError("connection lost");
  return out;
}

Result<PgResult> Connection::Query(std::string_view sql, const Params& params, bool binary) {
  const std::string text(sql);
  PgResult r{PQexecParams(conn_, text.c_str(), params.size(), nullptr, params.values(),
                          params.lengths(), params.formats(), binary ? 1 : 0)};
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorOf(conn_, r.get(), sql.substr(0, 60));
  }
  return r;
}

Result<void> Connection::Prepare(const char* name, const char* sql) {
  PgResult r{PQprepare(conn_, name, sql, 0, nullptr)};
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return ErrorOf(conn_, r.get(), fmt::format("prepare {}", name));
  }
  return {};
}

Result<PgResult> Connection::ExecPrepared(const char* name, const Params& params, bool binary) {
  PgResult r{PQexecPrepared(conn_, name, params.size(), params.values(), params.lengths(),
                            params.formats(), binary ? 1 : 0)};
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return ErrorOf(conn_, r.get(), name);
  }
  return r;
}

Result<void> Connection::EnterPipeline() {
  if (!PQenterPipelineMode(conn_)) return LastError("enter pipeline mode");
  return {};
}

Result<void> Connection::ExitPipeline() {
  if (!PQexitPipelineMode(conn_)) return LastError("exit pipeline mode");
  return {};
}

Result<void> Connection::SendPrepared(const char* name, const Params& params) {
  if (!PQsendQueryPrepared(conn_, name, params.size(), params.values(), params.lengths(),
                           params.formats(), 0)) {
    return LastError(fmt::format("send {}", name));
  }
  return {};
}

Result<void> Connection::SendSync() {
  if (!PQpipelineSync(conn_)) return LastError("pipeline sync");
  return {};
}

Result<void> Connection::CopyIn(const char* sql, std::string_view data) {
  PgResult start{PQexec(conn_, sql)};
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) {
    return ErrorOf(conn_, start.get(), std::string_view(sql).substr(0, 60));
  }
  // Blocking connection: PQputCopyData waits while the server catches up. Pieces of 1 MiB.
  constexpr std::size_t kPiece = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    const auto n = std::min(kPiece, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      return LastError("copy data");
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return LastError("copy end");
  Result<void> out;
  while (PgResult r{PQgetResult(conn_)}) {
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && out) {
      out = ErrorOf(conn_, r.get(), std::string_view(sql).substr(0, 60));
    }
  }
  if (out && broken()) return LastError("connection lost");
  return out;
}

// --- COPY rows ---

CopyRows& CopyRows::Add(std::string_view v) {
  if (fields_++ > 0) data_ += '\t';
  for (const char c : v) {
    switch (c) {
      case '\\':
        data_ += "\\\\";
        break;
      case '\t':
        data_ += "\\t";
        break;
      case '\n':
        data_ += "\\n";
        break;
      case '\r':
        data_ += "\\r";
        break;
      default:
        data_ += c;
    }
  }
  return *this;
}

CopyRows& CopyRows::Add(std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return Raw(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

CopyRows& CopyRows::Add(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  (void)ec;
  return Raw(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

CopyRows& CopyRows::AddMicros(std::int64_t micros) {
  constexpr std::int64_t kDay = 86'400'000'000;
  std::int64_t days = micros / kDay, rest = micros % kDay;
  if (rest < 0) rest += kDay, --days;
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  const auto seconds = rest / 1'000'000;
  return Raw(fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", int(ymd.year()),
                         unsigned(ymd.month()), unsigned(ymd.day()), seconds / 3600,
                         seconds / 60 % 60, seconds % 60, rest % 1'000'000));
}

// --- Row accessors ---

std::int64_t Int(const PGresult* r, int row, int col) {
  if (IsNull(r, row, col)) return 0;
  const char* text = PQgetvalue(r, row, col);
  std::int64_t v = 0;
  std::from_chars(text, text + PQgetlength(r, row, col), v);
  return v;
}

bool Bool(const PGresult* r, int row, int col) {
  return !IsNull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

double Real(const PGresult* r, int row, int col) {
  if (IsNull(r, row, col)) return 0;
  const char* text = PQgetvalue(r, row, col);
  double v = 0;
  std::from_chars(text, text + PQgetlength(r, row, col), v);  // locale-independent
  return v;
}

}  // namespace emkhana::storage::postgres
