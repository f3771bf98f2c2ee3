// A string hash for maps keyed by std::string that are looked up by std::string_view without
// making a copy (a transparent hash; pair it with std::equal_to<>).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace emkhana {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// A 64-bit fingerprint of an id, for sets that need not hold the id itself (decided
// application ids, ADR 0013). Two ids can share one, rarely: such a set may answer "maybe" and
// must be followed by an exact check.
inline std::uint64_t Fingerprint(std::string_view id) {
  return std::hash<std::string_view>{}(id);  // 64 bits of murmur in libstdc++
}

}  // namespace emkhana
