// The composition point for storage backends: picks one by the location's form.
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  if (postgres::IsPostgresUrl(location)) return postgres::OpenPostgresStore(location);
  return sqlite::OpenSqliteStore(location);
}

Result<std::unique_ptr<BulkLoad>> OpenStoreForBulkLoad(const std::string& location) {
  if (postgres::IsPostgresUrl(location)) return postgres::OpenPostgresStoreForBulkLoad(location);
  return sqlite::OpenSqliteStoreForBulkLoad(location);
}

Result<std::unique_ptr<Store>> OpenReadStore(const std::string& location) {
  if (postgres::IsPostgresUrl(location)) return postgres::OpenPostgresReadStore(location);
  return Error::InvalidArgument(
      "a database to read from is a postgresql:// URL (a replica of the PostgreSQL registry); a "
      "SQLite registry is read where it is written");
}

bool IsServerLocation(const std::string& location) { return postgres::IsPostgresUrl(location); }

std::string RedactLocation(const std::string& location) {
  return IsServerLocation(location) ? postgres::RedactUrl(location) : location;
}

}  // namespace emkhana::storage
