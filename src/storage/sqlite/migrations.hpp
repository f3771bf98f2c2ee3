// The numbered schema migrations, compiled in from migrations/NNNN_*.sql (see CMakeLists.txt).
#pragma once

#include <string_view>
#include <vector>

namespace emkhana::storage::sqlite {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& Migrations();

}  // namespace emkhana::storage::sqlite
