// A district's panel size over time: a step function built from attachment periods.
//
// The steps (date, change) are kept sorted in small blocks, each with its sum and the largest
// running sum inside it. A pediatric panel has a step on every child's 18th birthday for years
// ahead, so the questions the rules ask (size on a date, the largest size from a date on) skip
// whole blocks instead of walking thousands of steps, and an update touches one block.
//
// The latest few days changed wait in the panel's first cache line before they go into the
// blocks (`pending_`): a campaign moves everyone on one effective day, so most updates add to the
// same day's step, and an update that finds its day there costs no walk into the blocks.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "domain/date.hpp"

namespace emkhana::registry {

class alignas(64) Panel {
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
  // `remember`: keep what was worked out for `day` (changes after it keep it up to date), for
  // the next question about the same day. Consecutive decisions for one clinic ask about the same
  // day of the same panels, and at 20 million people each fresh answer costs several cache misses.
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
  struct Block {
    std::vector<Step> steps;  // sorted by day, no zero deltas, never empty
    int sum = 0;
    int peak = 0;  // the largest running sum over the block's prefixes (at least its first step)
    void Summarise();
  };
  static constexpr std::size_t kBlock = 64;  // split above twice this
  static constexpr std::size_t kPending = 3;

  void Change(domain::Date from, domain::Date to, int sign);
  // Adds a step: to a pending day, or as a new pending day (the least recently changed one
  // goes into the blocks if none is free).
  void AddStep(domain::Date day, int delta);
  // Adds a step to the blocks.
  void AddToBlocks(domain::Date day, int delta);
  // The pending steps after `day`, by day; returns how many.
  std::size_t PendingAfter(domain::Date day, std::array<Step, kPending>& out) const;
  // The first block whose last step is on or after `day` (blocks_.size() if none).
  std::size_t BlockFor(domain::Date day) const;
  // The first block with a step after `day` (blocks_.size() if none).
  std::size_t BlockAfter(domain::Date day) const;
  // The steps after a day, summed up. `rise` is how far the running sum over them climbs above
  // 0 (the largest panel from the day on is the size on it plus `rise`).
  struct After {
    domain::Date day;
    int sum = 0;
    int rise = 0;
    // False once a change after `day` was added to a remembered answer: `sum` is still exact,
    // `rise` only an upper bound (exact enough when it is 0).
    bool rise_exact = true;
    bool valid = false;  // only for the remembered ones
  };
  // The fresh answer: one walk over the blocks after `day`.
  After StepsAfter(domain::Date day) const;
  // A remembered answer for `day`, or null. `remember`: the caller is the writer and may mark it
  // as the last one used.
  const After* Remembered(domain::Date day, bool remember) const;
  void Remember(const After& after) const;
  // The general case of LargestFrom with periods that change inside [day, ∞).
  int LargestFromWalking(domain::Date day, Periods minus) const;

  // A question answered from memory, and an update to a pending day, read the first cache line
  // alone: the panel is aligned to one, with what they read first (ADR 0012, ADR 0014).
  int total_ = 0;  // the sum of all steps (pending ones too): the size on the far future
  // Steps not yet in the blocks, the most recently changed first; a free slot has delta 0. Every
  // question counts them; `total_` and `memo_` already do.
  std::array<Step, kPending> pending_{};
  // Answers for two days (see `remember`): a campaign's questions are about its effective day,
  // with now and then another day between them, which would push a single answer out. A change
  // keeps them: a step on or before the day changes nothing after it, and a step after it is
  // added to `sum` (and bounds `rise`).
  mutable std::array<After, 2> memo_;
  mutable std::uint8_t memo_last_ = 0;  // the slot used last; the other is replaced first
  // Each block's last step's day, on their own so that finding a block reads a few cache lines:
  // following each block's `steps` to the heap was a miss per probe (ADR 0009), and reading
  // 40-byte blocks a line or more per probe still showed at 20 million people (ADR 0012).
  std::vector<domain::Date> lasts_;
  std::vector<Block> blocks_;
};

}  // namespace emkhana::registry
