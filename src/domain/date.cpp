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
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(v.year()),
                     static_cast<unsigned>(v.month()), static_cast<unsigned>(v.day()));
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
