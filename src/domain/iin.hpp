// The IIN (ИИН / ЖСН), Kazakhstan's 12-digit individual identification number. An `Iin` value
// always holds a well-formed number with a correct check digit; construct one with Iin::Parse.
// The birth date and sex encoded in an IIN are not trusted (since 2013 they need not match the
// person): the population register is the source of those facts.
//
// IINs are personal data: `Masked()` is the only form that may reach a log.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace emkhana::domain {

class Iin {
 public:
  // The zero value of default-constructed records (000000000000, well-formed by FORMAT.md).
  Iin() = default;
  // nullopt unless `text` is 12 ASCII digits with a valid check digit.
  static std::optional<Iin> Parse(std::string_view text);
  // The check digit for the first 11 digits, or nullopt when no IIN has that prefix.
  static std::optional<int> CheckDigit(std::string_view first11);
  // For stores and indexes: the 12 digits as an integer (leading zeros are kept by ToString).
  static Iin FromNumberUnchecked(std::uint64_t n) { return Iin(n); }

  std::uint64_t number() const { return number_; }
  std::string ToString() const;
  // `85030*****78`: the first five and the last two digits; the only form fit for logs.
  std::string Masked() const;

  auto operator<=>(const Iin&) const = default;

 private:
  explicit Iin(std::uint64_t n) : number_(n) {}
  std::uint64_t number_ = 0;
};

// Masks any 12-digit run inside free text (for log lines built from raw input).
std::string MaskIinsInText(std::string_view text);

}  // namespace emkhana::domain

template <>
struct std::hash<emkhana::domain::Iin> {
  std::size_t operator()(const emkhana::domain::Iin& iin) const noexcept {
    return std::hash<std::uint64_t>{}(iin.number());
  }
};
