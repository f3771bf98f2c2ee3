// A district's panel size over time: a step function built from attachment periods.
//
// The steps (date, change) are kept sorted in small blocks, each with its sum and the largest
// running sum inside it. A pediatric panel has a step on every child's 18th birthday for years
// ahead, so the questions the rules ask (size on a date, the largest size from a date on) skip
// whole blocks instead of walking thousands of steps, and an update touches one block.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "domain/date.hpp"

namespace emkhana::registry {

class Panel {
 public:
  using Periods = std::span<const std::pair<domain::Date, domain::Date>>;

  void Add(domain::Date from, domain::Date to) { Change(from, to, +1); }
  void Remove(domain::Date from, domain::Date to) { Change(from, to, -1); }
  // Replaces the panel with the periods [from, to) given (a registry opening): one sort.
  void Build(std::vector<std::pair<domain::Date, domain::Date>> periods);

  // Persons attached on `day`, not counting the periods `minus` (one person's own, which are in
  // this panel): answered without copying the panel.
  int SizeOn(domain::Date day, Periods minus = {}) const;
  // The largest panel on any date from `day` on (without the periods `minus`).
  int LargestFrom(domain::Date day, Periods minus = {}) const;

 private:
  struct Step {
    domain::Date day;
    int delta;
  };
  struct Block {
    std::vector<Step> steps;  // sorted by day, no zero deltas, never empty
    int sum = 0;
    int peak = 0;  // the largest running sum over the block's prefixes (at least its first step)
    void Summarise();
  };
  static constexpr std::size_t kBlock = 64;  // split above twice this

  void Change(domain::Date from, domain::Date to, int sign);
  void AddStep(domain::Date day, int delta);
  // The first block whose last step is on or after `day` (blocks_.size() if none).
  std::size_t BlockFor(domain::Date day) const;
  // The first block with a step after `day` (blocks_.size() if none).
  std::size_t BlockAfter(domain::Date day) const;
  // The sum of the steps after `day`.
  int SumAfter(domain::Date day) const;
  // The largest running size over the steps after `day`, starting from `size`.
  int PeakAfter(domain::Date day, int size) const;
  // The general case of LargestFrom with periods that change inside [day, ∞).
  int LargestFromWalking(domain::Date day, Periods minus) const;

  std::vector<Block> blocks_;
  int total_ = 0;  // the sum of all steps: the size on the far future
};

}  // namespace emkhana::registry
