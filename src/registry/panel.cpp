#include "registry/panel.hpp"

#include <algorithm>
#include <climits>

namespace emkhana::registry {

using domain::Date;

void Panel::Block::Summarise() {
  sum = 0;
  peak = INT_MIN;
  for (const auto& s : steps) {
    sum += s.delta;
    peak = std::max(peak, sum);
  }
  last = steps.back().day;
}

void Panel::Build(std::vector<std::pair<Date, Date>> periods) {
  std::vector<Step> steps;
  steps.reserve(periods.size() * 2);
  for (const auto& [from, to] : periods) {
    if (from >= to) continue;
    steps.push_back({from, +1});
    if (!to.IsMax()) steps.push_back({to, -1});
  }
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.day < b.day; });
  blocks_.clear();
  total_ = 0;
  memo_valid_ = false;
  for (std::size_t i = 0; i < steps.size();) {
    Step merged{steps[i].day, 0};
    for (; i < steps.size() && steps[i].day == merged.day; ++i) merged.delta += steps[i].delta;
    if (merged.delta == 0) continue;
    total_ += merged.delta;
    if (blocks_.empty() || blocks_.back().steps.size() >= kBlock) blocks_.emplace_back();
    blocks_.back().steps.push_back(merged);
  }
  for (auto& b : blocks_) b.Summarise();
}

void Panel::Change(Date from, Date to, int sign) {
  if (from >= to) return;
  AddStep(from, sign);
  if (!to.IsMax()) AddStep(to, -sign);
}

void Panel::ChangeEnd(Date from, Date old_to, Date new_to) {
  if (old_to == new_to) return;
  if (from >= old_to || from >= new_to) {
    Remove(from, old_to);
    Add(from, new_to);
    return;
  }
  if (!old_to.IsMax()) AddStep(old_to, +1);
  if (!new_to.IsMax()) AddStep(new_to, -1);
}

std::size_t Panel::BlockFor(Date day) const {
  return static_cast<std::size_t>(
      std::partition_point(blocks_.begin(), blocks_.end(),
                           [&](const Block& b) { return b.last < day; }) -
      blocks_.begin());
}

std::size_t Panel::BlockAfter(Date day) const {
  return static_cast<std::size_t>(
      std::partition_point(blocks_.begin(), blocks_.end(),
                           [&](const Block& b) { return b.last <= day; }) -
      blocks_.begin());
}

void Panel::AddStep(Date day, int delta) {
  // What is remembered sums the steps after its day: a step on or before it leaves that as it is
  // (a campaign's moves all start on the remembered day, so its questions keep being answered
  // from memory).
  if (day > memo_.day) memo_valid_ = false;
  total_ += delta;
  if (blocks_.empty()) {
    blocks_.emplace_back().steps.push_back({day, delta});
    blocks_.back().Summarise();
    return;
  }
  std::size_t i = std::min(BlockFor(day), blocks_.size() - 1);
  auto& steps = blocks_[i].steps;
  auto it = std::lower_bound(steps.begin(), steps.end(), day,
                             [](const Step& s, Date d) { return s.day < d; });
  if (it != steps.end() && it->day == day) {
    it->delta += delta;
    if (it->delta == 0) steps.erase(it);
  } else {
    steps.insert(it, Step{day, delta});
  }
  if (steps.empty()) {
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  if (steps.size() > 2 * kBlock) {  // split in two halves
    Block upper;
    upper.steps.assign(steps.begin() + kBlock, steps.end());
    steps.resize(kBlock);
    upper.Summarise();
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(upper));
  }
  blocks_[i].Summarise();
}

Panel::After Panel::StepsAfter(Date day, bool remember) const {
  if (memo_valid_ && memo_.day == day) return memo_;
  After a{day};
  std::size_t i = BlockAfter(day);
  if (i < blocks_.size()) {
    a.peak = INT_MIN;
    for (const auto& s : blocks_[i].steps) {
      if (s.day <= day) continue;
      a.sum += s.delta;
      a.peak = std::max(a.peak, a.sum);
    }
    for (++i; i < blocks_.size(); ++i) {
      a.peak = std::max(a.peak, a.sum + blocks_[i].peak);
      a.sum += blocks_[i].sum;
    }
    a.any = true;
  }
  if (remember) {
    memo_ = a;
    memo_valid_ = true;
  }
  return a;
}

int Panel::SizeOn(Date day, Periods minus, bool remember) const {
  int own = 0;
  for (const auto& [from, to] : minus) own += from <= day && day < to ? 1 : 0;
  return total_ - StepsAfter(day, remember).sum - own;
}

int Panel::LargestFrom(Date day, Periods minus, bool remember) const {
  // Periods that cover every date from `day` on, or none, take a constant off: the fast path.
  int constant = 0;
  for (const auto& [from, to] : minus) {
    if (from >= to || to <= day) continue;
    if (from <= day && to.IsMax()) {
      ++constant;
      continue;
    }
    return LargestFromWalking(day, minus);
  }
  const auto after = StepsAfter(day, remember);
  const int size = total_ - after.sum;
  return (after.any ? std::max(size, size + after.peak) : size) - constant;
}

int Panel::LargestFromWalking(Date day, Periods minus) const {
  std::vector<Step> merged;  // the panel's steps after `day` and the removed periods' steps
  for (std::size_t i = BlockAfter(day); i < blocks_.size(); ++i) {
    for (const auto& s : blocks_[i].steps) {
      if (s.day > day) merged.push_back(s);
    }
  }
  for (const auto& [from, to] : minus) {
    if (from >= to) continue;
    if (from > day) merged.push_back({from, -1});
    if (!to.IsMax() && to > day) merged.push_back({to, +1});
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const Step& a, const Step& b) { return a.day < b.day; });
  int size = SizeOn(day, minus);
  int largest = size;
  for (std::size_t i = 0; i < merged.size();) {
    const Date at = merged[i].day;
    for (; i < merged.size() && merged[i].day == at; ++i) size += merged[i].delta;
    largest = std::max(largest, size);
  }
  return largest;
}

}  // namespace emkhana::registry
