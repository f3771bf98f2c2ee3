#include "domain/date.hpp"

#include <fmt/format.h>

namespace emkhana::domain {

namespace {
bool ParseDigits(std::string_view s, int& out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}
}  // namespace

std::optional<Date> Date::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!ParseDigits(text.substr(0, 4), y) || !ParseDigits(text.substr(5, 2), m) ||
      !ParseDigits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1800) return std::nullopt;
  return Date(ymd);
}

std::string Date::ToString() const {
  if (IsMax()) return {};
  auto v = ymd();
  const int y = static_cast<int>(v.year());
  if (y < 0 || y > 9999) {
    return fmt::format("{:04}-{:02}-{:02}", y, static_cast<unsigned>(v.month()),
                       static_cast<unsigned>(v.day()));
  }
  // Written by hand: dates are formatted for every stored row (millions in a bulk load).
  const unsigned m = static_cast<unsigned>(v.month()), d = static_cast<unsigned>(v.day());
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  return out;
}

Date Anniversary(Date birth, int years) {
  auto b = birth.ymd();
  std::chrono::year_month_day target{b.year() + std::chrono::years{years}, b.month(), b.day()};
  if (!target.ok()) {  // 29 Feb in a common year: the birthday is taken as 1 Mar
    target = std::chrono::year_month_day{target.year(), std::chrono::March, std::chrono::day{1}};
  }
  return Date(target);
}

int AgeOn(Date birth, Date on) {
  if (on < birth) return -1;
  int years = on.year() - birth.year();
  if (Anniversary(birth, years) > on) --years;
  return years;
}

}  // namespace emkhana::domain
