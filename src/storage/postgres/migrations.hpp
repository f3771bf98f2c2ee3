// The numbered schema migrations of the PostgreSQL store, compiled in from
// migrations/NNNN_*.sql (see src/CMakeLists.txt). Applied in order, each recorded in
// schema_migrations, by OpenPostgresStore.
#pragma once

#include <string_view>
#include <vector>

namespace emkhana::storage::postgres {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& Migrations();

}  // namespace emkhana::storage::postgres
