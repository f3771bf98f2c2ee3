// The composition point for storage backends: picks one by the location's form.
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace emkhana::storage {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    return Error::Unavailable("the PostgreSQL backend is not built yet (issue 7)");
  }
  return sqlite::OpenSqliteStore(location);
}

}  // namespace emkhana::storage
