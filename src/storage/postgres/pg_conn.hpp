// A thin RAII layer over libpq: a connection, owned results, statement parameters, and the
// mapping of server errors to Emkhana's `Error`. Used only inside storage/postgres (and by its
// tests to create and drop throwaway databases).
//
// Contract:
// - Nothing here throws or aborts on a server or network failure: every failure is an `Error`
//   (kUnavailable for a lost or refused connection, kFailedPrecondition for a violated
//   constraint — SQLSTATE class 23 —, kInternal for a statement the server rejects as malformed).
// - Error messages never carry a password (URLs are redacted) and mask IINs.
// - Not thread-safe: one Connection is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace emkhana::storage::postgres {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// The parameters of one statement. Values are sent as text (the server parses them into the
// parameter's type), except those added with AddBinary (bytea).
class Params {
 public:
  Params& Add(std::string_view v);  // "" is an empty text, not NULL
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(std::int64_t v);
  Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  Params& Add(bool v);
  Params& Add(double v);  // exact: shortest round-trip text
  Params& AddNull();
  Params& AddBinary(std::string_view v);
  template <class T>
  Params& Add(const std::optional<T>& v) {
    return v ? Add(*v) : AddNull();
  }
  Params& Clear();

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for libpq; valid until the next Add/Clear.
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Push(std::string_view v, int format);
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> lengths_, formats_;
  mutable std::vector<const char*> pointers_;
};

// `url` with any password replaced by "***" (for messages).
std::string RedactUrl(std::string_view url);

// The Error for a failed result (or a null one: the connection's message).
Error ErrorOf(PGconn* conn, const PGresult* r, std::string_view what);

class Connection {
 public:
  // Connects to `url` (a postgresql:// URL or a libpq conninfo string); 10 s connect timeout
  // unless the URL sets one. The session runs in UTC with ISO dates.
  static Result<Connection> Open(const std::string& url);
  // What every session runs first (also after a reconnect).
  static constexpr const char* kSessionSettings =
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; "
      "SET client_encoding = 'UTF8'; SET client_min_messages = 'warning'; "
      // A commit returns once its WAL is flushed, whatever the server's default (ADR 0017).
      "SET synchronous_commit = on";
  Connection(Connection&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  PGconn* get() const { return conn_; }

  // One or more statements without parameters (simple query protocol).
  [[nodiscard]] Result<void> Exec(std::string_view sql);
  // One statement with parameters (unnamed); rows in text, or binary if `binary`.
  [[nodiscard]] Result<PgResult> Query(std::string_view sql, const Params& params = {},
                                       bool binary = false);
  [[nodiscard]] Result<void> Prepare(const char* name, const char* sql);
  [[nodiscard]] Result<PgResult> ExecPrepared(const char* name, const Params& params,
                                              bool binary = false);

  // Pipeline mode (libpq ≥ 14): queue prepared statements, mark sync points, then read the
  // results in order.
  [[nodiscard]] Result<void> EnterPipeline();
  [[nodiscard]] Result<void> ExitPipeline();
  [[nodiscard]] Result<void> SendPrepared(const char* name, const Params& params);
  [[nodiscard]] Result<void> SendSync();
  // The next result of the pipeline (null between the results of two statements).
  PgResult NextResult() { return PgResult(PQgetResult(conn_)); }

  // `COPY ... FROM STDIN` with `data` (rows in COPY's text format, see CopyRows) as its input.
  [[nodiscard]] Result<void> CopyIn(const char* sql, std::string_view data);

  bool broken() const { return !conn_ || PQstatus(conn_) == CONNECTION_BAD; }
  Error LastError(std::string_view what) const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_ = nullptr;
};

// Rows in the text format of COPY: fields separated by tabs, rows ended by a newline, `\N` for
// NULL, backslash escapes for the characters that would break the format.
class CopyRows {
 public:
  CopyRows& Add(std::string_view v);
  CopyRows& Add(const std::string& v) { return Add(std::string_view(v)); }
  CopyRows& Add(const char* v) { return Add(std::string_view(v)); }
  CopyRows& Add(std::int64_t v);
  CopyRows& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  CopyRows& Add(bool v) { return Raw(v ? "t" : "f"); }
  CopyRows& Add(double v);
  CopyRows& AddNull() { return Raw("\\N"); }
  // A timestamptz from microseconds since the Unix epoch (UTC, exact).
  CopyRows& AddMicros(std::int64_t micros);
  template <class T>
  CopyRows& Add(const std::optional<T>& v) {
    return v ? Add(*v) : AddNull();
  }
  void EndRow() {
    data_ += '\n';
    fields_ = 0;
    ++rows_;
  }
  std::size_t rows() const { return rows_; }
  const std::string& data() const { return data_; }
  void Clear() {
    data_.clear();
    fields_ = 0;
    rows_ = 0;
  }

 private:
  CopyRows& Raw(std::string_view v) {
    if (fields_++ > 0) data_ += '\t';
    data_ += v;
    return *this;
  }
  std::string data_;
  int fields_ = 0;
  std::size_t rows_ = 0;
};

// Text accessors for a row of a text-format result.
inline bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
inline std::string Text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}
std::int64_t Int(const PGresult* r, int row, int col);  // 0 for NULL
bool Bool(const PGresult* r, int row, int col);         // 't' -> true
double Real(const PGresult* r, int row, int col);

}  // namespace emkhana::storage::postgres
