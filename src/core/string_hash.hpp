// A string hash for maps keyed by std::string that are looked up by std::string_view without
// making a copy (a transparent hash; pair it with std::equal_to<>).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace emkhana {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace emkhana
