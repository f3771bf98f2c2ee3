#include "domain/iin.hpp"

#include <fmt/format.h>

namespace emkhana::domain {

std::optional<int> Iin::CheckDigit(std::string_view first11) {
  if (first11.size() != 11) return std::nullopt;
  int sum = 0;
  for (int i = 0; i < 11; ++i) {
    char c = first11[i];
    if (c < '0' || c > '9') return std::nullopt;
    sum += (c - '0') * (i + 1);
  }
  int r = sum % 11;
  if (r != 10) return r;
  // Second pass with the weights 3..11, 1, 2.
  static constexpr int kSecondWeights[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  sum = 0;
  for (int i = 0; i < 11; ++i) sum += (first11[i] - '0') * kSecondWeights[i];
  r = sum % 11;
  if (r == 10) return std::nullopt;
  return r;
}

std::optional<Iin> Iin::Parse(std::string_view text) {
  if (text.size() != 12) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  auto check = CheckDigit(text.substr(0, 11));
  if (!check || *check != text[11] - '0') return std::nullopt;
  return Iin(n);
}

std::string Iin::ToString() const {
  std::string out(12, '0');
  auto n = number_;
  for (int i = 11; i >= 0 && n > 0; --i, n /= 10) out[i] = static_cast<char>('0' + n % 10);
  return out;
}

std::string Iin::Masked() const {
  std::string s = ToString();
  return s.substr(0, 5) + "*****" + s.substr(10, 2);
}

std::string MaskIinsInText(std::string_view text) {
  std::string out(text);
  std::size_t run = 0;
  for (std::size_t i = 0; i <= out.size(); ++i) {
    bool digit = i < out.size() && out[i] >= '0' && out[i] <= '9';
    if (digit) {
      ++run;
      continue;
    }
    if (run == 12) {
      for (std::size_t k = i - 7; k < i - 2; ++k) out[k] = '*';
    }
    run = 0;
  }
  return out;
}

}  // namespace emkhana::domain
