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
  memo_ = {};
  pending_ = {};
  for (std::size_t i = 0; i < steps.size();) {
    Step merged{steps[i].day, 0};
    for (; i < steps.size() && steps[i].day == merged.day; ++i) merged.delta += steps[i].delta;
    if (merged.delta == 0) continue;
    total_ += merged.delta;
    if (blocks_.empty() || blocks_.back().steps.size() >= kBlock) blocks_.emplace_back();
    blocks_.back().steps.push_back(merged);
  }
  lasts_.clear();
  for (auto& b : blocks_) {
    b.Summarise();
    lasts_.push_back(b.steps.back().day);
  }
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
      std::partition_point(lasts_.begin(), lasts_.end(), [&](Date last) { return last < day; }) -
      lasts_.begin());
}

std::size_t Panel::BlockAfter(Date day) const {
  return static_cast<std::size_t>(
      std::partition_point(lasts_.begin(), lasts_.end(), [&](Date last) { return last <= day; }) -
      lasts_.begin());
}

void Panel::AddStep(Date day, int delta) {
  // A step on or before a remembered day leaves the steps after it as they were (a campaign's
  // moves all start on its effective day); a step after it moves their sum by `delta` and their
  // climb by at most that (the running sums from the step on shift by `delta`).
  for (auto& m : memo_) {
    if (!m.valid || day <= m.day) continue;
    m.sum += delta;
    if (delta > 0) m.rise += delta;
    if (m.rise > 0) m.rise_exact = false;
  }
  total_ += delta;
  // Slots hold the most recently changed day first: a hit moves to the front, and a new day
  // pushes the last one out, into the blocks, unless it is free.
  std::size_t k = 0;
  while (k < kPending && !(pending_[k].delta != 0 && pending_[k].day == day)) ++k;
  if (k < kPending) {
    const int sum = pending_[k].delta + delta;
    if (sum == 0) {  // the step cancelled out: free its slot
      std::move(pending_.begin() + static_cast<std::ptrdiff_t>(k) + 1, pending_.end(),
                pending_.begin() + static_cast<std::ptrdiff_t>(k));
      pending_.back() = {};
      return;
    }
    std::move_backward(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(k),
                       pending_.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    pending_.front() = {day, sum};
    return;
  }
  if (pending_.back().delta != 0) AddToBlocks(pending_.back().day, pending_.back().delta);
  std::move_backward(pending_.begin(), pending_.end() - 1, pending_.end());
  pending_.front() = {day, delta};
}

void Panel::AddToBlocks(Date day, int delta) {
  if (blocks_.empty()) {
    blocks_.emplace_back().steps.push_back({day, delta});
    blocks_.back().Summarise();
    lasts_.push_back(day);
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
    lasts_.erase(lasts_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  if (steps.size() > 2 * kBlock) {  // split in two halves
    Block upper;
    upper.steps.assign(steps.begin() + kBlock, steps.end());
    steps.resize(kBlock);
    upper.Summarise();
    lasts_.insert(lasts_.begin() + static_cast<std::ptrdiff_t>(i) + 1, upper.steps.back().day);
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(upper));
  }
  blocks_[i].Summarise();
  lasts_[i] = blocks_[i].steps.back().day;  // (`steps` may have moved with the split)
}

std::size_t Panel::PendingAfter(Date day, std::array<Step, kPending>& out) const {
  std::size_t n = 0;
  for (const auto& p : pending_) {
    if (p.delta != 0 && p.day > day) out[n++] = p;
  }
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
            [](const Step& a, const Step& b) { return a.day < b.day; });
  return n;
}

Panel::After Panel::StepsAfter(Date day) const {
  After a{day};
  a.valid = true;
  std::array<Step, kPending> pending;
  const std::size_t pending_count = PendingAfter(day, pending);
  std::size_t next = 0;  // the first pending step not yet counted
  int peak = INT_MIN;
  const auto step = [&](int delta) {
    a.sum += delta;
    peak = std::max(peak, a.sum);
  };
  for (std::size_t i = BlockAfter(day); i < blocks_.size(); ++i) {
    const auto& block = blocks_[i];
    const bool pending_inside = next < pending_count && pending[next].day <= lasts_[i];
    if (!pending_inside && block.steps.front().day > day) {  // the whole block, as summarised
      peak = std::max(peak, a.sum + block.peak);
      a.sum += block.sum;
      continue;
    }
    for (const auto& s : block.steps) {
      if (s.day <= day) continue;
      int delta = s.delta;
      for (; next < pending_count && pending[next].day <= s.day; ++next) {
        if (pending[next].day == s.day) {
          delta += pending[next].delta;  // one day, one step
        } else {
          step(pending[next].delta);
        }
      }
      step(delta);
    }
  }
  for (; next < pending_count; ++next) step(pending[next].delta);
  a.rise = std::max(peak, 0);
  return a;
}

const Panel::After* Panel::Remembered(Date day, bool remember) const {
  for (std::uint8_t k = 0; k < memo_.size(); ++k) {
    if (memo_[k].valid && memo_[k].day == day) {
      if (remember) memo_last_ = k;
      return &memo_[k];
    }
  }
  return nullptr;
}

void Panel::Remember(const After& after) const {
  std::uint8_t k = memo_[0].day == after.day ? 0 : memo_[1].day == after.day ? 1 : 1 - memo_last_;
  memo_[k] = after;
  memo_last_ = k;
}

int Panel::SizeOn(Date day, Periods minus, bool remember) const {
  int own = 0;
  for (const auto& [from, to] : minus) own += from <= day && day < to ? 1 : 0;
  int after = 0;
  if (const auto* m = Remembered(day, remember)) {
    after = m->sum;
  } else {
    const auto fresh = StepsAfter(day);
    if (remember) Remember(fresh);
    after = fresh.sum;
  }
  return total_ - after - own;
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
  After after;
  if (const auto* m = Remembered(day, remember); m && (m->rise_exact || m->rise == 0)) {
    after = *m;
  } else {
    after = StepsAfter(day);
    if (remember) Remember(after);
  }
  return total_ - after.sum + after.rise - constant;
}

int Panel::LargestFromWalking(Date day, Periods minus) const {
  std::vector<Step> merged;  // the panel's steps after `day` and the removed periods' steps
  for (std::size_t i = BlockAfter(day); i < blocks_.size(); ++i) {
    for (const auto& s : blocks_[i].steps) {
      if (s.day > day) merged.push_back(s);
    }
  }
  std::array<Step, kPending> pending;
  const std::size_t pending_count = PendingAfter(day, pending);
  merged.insert(merged.end(), pending.begin(),
                pending.begin() + static_cast<std::ptrdiff_t>(pending_count));
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
