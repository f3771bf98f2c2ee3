// Names of enum values as they appear on the wire, in files and in the database. One table per
// enum (specialise EnumNames<E>); `NameOf` and `ParseEnum` are the only conversions.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace emkhana::domain {

template <class E>
struct EnumNames;  // specialised with: static constexpr std::array<std::pair<E, std::string_view>,
                   // N> kAll

template <class E>
constexpr std::string_view NameOf(E value) {
  for (const auto& [v, name] : EnumNames<E>::kAll) {
    if (v == value) return name;
  }
  return "?";
}

template <class E>
constexpr std::optional<E> ParseEnum(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::kAll) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace emkhana::domain
