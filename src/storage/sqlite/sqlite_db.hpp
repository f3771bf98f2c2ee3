// A thin RAII layer over the sqlite3 C API: a connection and prepared statements with typed
// binding. Used only inside storage/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace emkhana::storage::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int i, std::int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<std::int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);  // "" binds an empty text, not NULL
  Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& BindNull(int i);
  Statement& BindBlob(int i, std::string_view v);
  // Binds without a copy: `v` must stay alive until the statement is stepped and reset.
  Statement& BindStatic(int i, std::string_view v);
  template <class T>
  Statement& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }

  // SQLITE_ROW -> true, SQLITE_DONE -> false; errors go to `error`.
  bool Step(Error* error);
  [[nodiscard]] Result<void> Run();  // step to completion, then reset
  void Reset();

  bool IsNull(int col) const;
  std::int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;
  // The same without a copy: valid until the statement steps again or is reset.
  std::string_view BlobView(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  static Result<Connection> Open(const std::string& path);
  Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  ~Connection();

  sqlite3* get() const { return db_; }
  [[nodiscard]] Result<void> Exec(std::string_view sql);
  [[nodiscard]] Result<Statement> Prepare(std::string_view sql);
  Error LastError(std::string_view what) const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace emkhana::storage::sqlite
