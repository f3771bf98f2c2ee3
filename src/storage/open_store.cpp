// The composition point for storage backends: picks one by the location's form.
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  if (postgres::IsPostgresUrl(location)) return postgres::OpenPostgresStore(location);
  return sqlite::OpenSqliteStore(location);
}

}  // namespace emkhana::storage
