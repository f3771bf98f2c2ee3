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
  // A period [from, old_to) now ends on `new_to`: Remove then Add, touching only the end when
  // both are non-empty.
  void ChangeEnd(domain::Date from, domain::Date old_to, domain::Date new_to);
  // Replaces the panel with the periods [from, to) given (a registry opening): one sort.
  void Build(std::vector<std::pair<domain::Date, domain::Date>> periods);

  // Persons attached on `day`, not counting the periods `minus` (one person's own, which are in
  // this panel): answered without copying the panel.
  //
  // `remember`: keep what was worked out for `day` (until the next change), for the next
  // question about the same day. Consecutive decisions for one clinic ask about the same day of
  // the same panels, and at 20 million people each fresh answer costs several cache misses.
  // Only a caller with exclusive access may pass true (the registry's writer, deciding): the
  // memory is written without a lock. Any caller may read it.
  int SizeOn(domain::Date day, Periods minus = {}, bool remember = false) const;
  // The largest panel on any date from `day` on (without the periods `minus`).
  int LargestFrom(domain::Date day, Periods minus = {}, bool remember = false) const;

 private:
  struct Step {
    domain::Date day;
    int delta;
  };
  // A block's sum of steps, and the largest running sum over its prefixes (at least its first
  // step's).
  struct Totals {
    int sum = 0;
    int peak = 0;
  };
  static constexpr std::size_t kBlock = 64;  // split above twice this

  void Change(domain::Date from, domain::Date to, int sign);
  void AddStep(domain::Date day, int delta);
  // The first block whose last step is on or after `day` (the block count if none).
  std::size_t BlockFor(domain::Date day) const;
  // The first block with a step after `day` (the block count if none).
  std::size_t BlockAfter(domain::Date day) const;
  // The steps after a day, summed up in one walk.
  struct After {
    domain::Date day;
    int sum = 0;       // the sum of the steps after `day`
    int peak = 0;      // the largest running sum over them, from 0 (if any)
    bool any = false;  // whether there are steps after `day`
  };
  After StepsAfter(domain::Date day, bool remember) const;
  // The general case of LargestFrom with periods that change inside [day, ∞).
  int LargestFromWalking(domain::Date day, Periods minus) const;

  void Summarise(std::size_t block);
  void EraseBlock(std::size_t block);

  // The steps, sorted by day, no zero deltas, in blocks that are never empty. Each block's last
  // day and totals are in arrays of their own: finding a block reads `lasts_` alone (a cache
  // line or two for a district), and summing the blocks after a day reads `totals_` in order.
  // Kept inside each block they cost a cache miss per probe of a search (ADR 0009, 0010).
  std::vector<std::vector<Step>> steps_;
  std::vector<domain::Date> lasts_;
  std::vector<Totals> totals_;
  int total_ = 0;       // the sum of all steps: the size on the far future
  mutable After memo_;  // see `remember`; valid while memo_valid_
  mutable bool memo_valid_ = false;
};

}  // namespace emkhana::registry
