// A district's panel size over time: a step function built from attachment periods.
// Open-ended periods add a single +1 step, so the steps that lie after "today" are few and the
// questions the rules ask (size on a date, the largest size from a date on) walk only those.
#pragma once

#include <map>

#include "domain/date.hpp"

namespace emkhana::registry {

class Panel {
 public:
  void Add(domain::Date from, domain::Date to) { Change(from, to, +1); }
  void Remove(domain::Date from, domain::Date to) { Change(from, to, -1); }

  // Persons attached on `day`.
  int SizeOn(domain::Date day) const {
    int later = 0;
    for (auto it = steps_.upper_bound(day); it != steps_.end(); ++it) later += it->second;
    return total_ - later;
  }
  // The largest panel on any date from `day` on.
  int LargestFrom(domain::Date day) const {
    int size = SizeOn(day);
    int largest = size;
    for (auto it = steps_.upper_bound(day); it != steps_.end(); ++it) {
      size += it->second;
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
