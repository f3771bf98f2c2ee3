// A district's panel size over time: a step function built from attachment periods.
// Open-ended periods add a single +1 step, so the steps that lie after "today" are few and the
// questions the rules ask (size on a date, the largest size from a date on) walk only those.
#pragma once

#include <algorithm>
#include <map>
#include <vector>
#include <span>
#include <utility>

#include "domain/date.hpp"

namespace emkhana::registry {

class Panel {
 public:
  void Add(domain::Date from, domain::Date to) { Change(from, to, +1); }
  // Replaces the panel with the periods [from, to) given (a registry opening): one sort and
  // appends at the end of the map, not one search per period.
  void Build(std::vector<std::pair<domain::Date, domain::Date>> periods) {
    std::vector<std::pair<domain::Date, int>> steps;
    steps.reserve(periods.size() * 2);
    for (const auto& [from, to] : periods) {
      if (from >= to) continue;
      steps.emplace_back(from, +1);
      if (!to.IsMax()) steps.emplace_back(to, -1);
    }
    std::sort(steps.begin(), steps.end());
    steps_.clear();
    total_ = 0;
    for (std::size_t i = 0; i < steps.size();) {
      int delta = 0;
      const auto day = steps[i].first;
      for (; i < steps.size() && steps[i].first == day; ++i) delta += steps[i].second;
      total_ += delta;
      if (delta != 0) steps_.emplace_hint(steps_.end(), day, delta);
    }
  }
  void Remove(domain::Date from, domain::Date to) { Change(from, to, -1); }

  using Periods = std::span<const std::pair<domain::Date, domain::Date>>;

  // Persons attached on `day`, not counting the periods `minus` (one person's own, which are in
  // this panel): answered without copying the panel.
  int SizeOn(domain::Date day, Periods minus = {}) const {
    int later = 0;
    for (auto it = steps_.upper_bound(day); it != steps_.end(); ++it) later += it->second;
    int own = 0;
    for (const auto& [from, to] : minus) own += from <= day && day < to ? 1 : 0;
    return total_ - later - own;
  }
  // The largest panel on any date from `day` on (without the periods `minus`).
  int LargestFrom(domain::Date day, Periods minus = {}) const {
    int size = SizeOn(day, minus);
    int largest = size;
    // The panel's own steps after `day`, with the removed periods' steps merged in.
    auto own_delta = [&](domain::Date at) {
      int d = 0;
      for (const auto& [from, to] : minus) {
        if (from == at && from < to) d -= 1;
        if (to == at && from < to && !to.IsMax()) d += 1;
      }
      return d;
    };
    auto it = steps_.upper_bound(day);
    domain::Date next_own = domain::Date::Max();
    auto own_after = [&](domain::Date after) {
      domain::Date n = domain::Date::Max();
      for (const auto& [from, to] : minus) {
        if (from > after && from < n) n = from;
        if (!to.IsMax() && to > after && to < n) n = to;
      }
      return n;
    };
    next_own = own_after(day);
    while (it != steps_.end() || !next_own.IsMax()) {
      const domain::Date at = it != steps_.end() && it->first <= next_own ? it->first : next_own;
      int delta = 0;
      if (it != steps_.end() && it->first == at) delta += (it++)->second;
      if (at == next_own) {
        delta += own_delta(at);
        next_own = own_after(at);
      }
      size += delta;
      if (size > largest) largest = size;
    }
    return largest;
  }

 private:
  void Change(domain::Date from, domain::Date to, int sign) {
    if (from >= to) return;
    Step(from, sign);
    if (!to.IsMax()) Step(to, -sign);
  }
  void Step(domain::Date day, int delta) {
    auto& v = steps_[day];
    v += delta;
    total_ += delta;
    if (v == 0) steps_.erase(day);
  }
  std::map<domain::Date, int> steps_;
  int total_ = 0;  // the sum of all steps: the size on the far future
};

}  // namespace emkhana::registry
