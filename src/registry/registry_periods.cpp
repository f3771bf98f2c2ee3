// The registry's periods and age-out plans: adding, ending and restoring periods in the
// population and the panels, and planning a child's move at 18 (ADR 0003, 0005).
#include "registry/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "rules/checks.hpp"

namespace emkhana::registry {

using domain::Attachment;
using domain::Date;
using domain::District;
using domain::DistrictKind;
using domain::Iin;
using domain::PeriodEnd;

// Plans are not stored: a child's period stored as ending on a birthday still to come is
// planned again on opening, up to the person's next period.
void Registry::PlanStoredAgeOuts() {
  for (std::uint32_t id = 1; id <= population_.period_count(); ++id) PlanStoredAgeOut(id);
}

void Registry::PlanStoredAgeOut(std::uint32_t id) {
  const auto row = population_.period(id);
  if (row.Cancelled() || row.planned || row.end != static_cast<std::uint8_t>(PeriodEnd::kAgeOut) ||
      age_outs_.contains(id)) {
    return;
  }
  const Date birthday = Birthday18(row.person);
  if (row.To() != birthday || birthday <= today_) return;
  Date until = Date::Max();
  for (auto other : LivePeriods(row.person)) {
    const auto& q = population_.period(other);
    if (!q.planned && q.From() >= birthday) {
      until = q.From();
      break;
    }
  }
  if (until > birthday) PlanAgeOut(id, birthday, until);
}

// ---------------------------------------------------------------- periods

std::uint32_t Registry::DistrictIndex(std::string_view id) const { return refs_.DistrictIndex(id); }

std::uint32_t Registry::ApplicationRef(const std::string& application_id) {
  application_ids_.push_back(application_id);
  return static_cast<std::uint32_t>(application_ids_.size());
}

Registry::PeriodIds Registry::LivePeriods(std::uint32_t person) const {
  PeriodIds ids;
  population_.ForEachPeriod(person, [&](std::uint32_t id) {
    if (!population_.period(id).Cancelled()) ids.push_back(id);
  });
  return ids;
}

domain::Attachment Registry::MakeAttachment(std::uint32_t id) const {
  const auto& row = population_.period(id);
  const auto& district = refs_.district(row.district);
  domain::Attachment a;
  a.id = id;
  a.iin = Iin::FromNumberUnchecked(population_.row(row.person).iin);
  a.org = district.org;
  a.district = district.id;
  a.from = row.From();
  a.to = row.To();
  a.end = static_cast<PeriodEnd>(row.end);
  if (row.application != 0) a.application_id = application_ids_[row.application - 1];
  return a;
}

Date Registry::Birthday18(std::uint32_t person) const {
  return domain::Anniversary(Date::FromDays(population_.row(person).birth), 18);
}

// Plans depend on the adult (therapist, GP) panels of their organisation and on the set of
// plans: a pediatric panel changing alone leaves them as they are.
void Registry::MarkDirty(std::uint32_t district) {
  if (refs_.district(district).kind == DistrictKind::kPediatrician) return;
  InvalidatePlans(refs_.OrgOf(district));
}

void Registry::InvalidatePlans(std::uint32_t org) {
  if (resolved_through_.size() <= org) resolved_through_.resize(org + 1, Date::Min());
  resolved_through_[org] = Date::Min();
}

void Registry::IndexAgeOut(const AgeOut& plan, bool add) {
  const auto& row = population_.period(plan.pediatric);
  const AgeOutQueue::Key key{plan.birthday, population_.row(row.person).iin, plan.pediatric};
  const auto org = refs_.OrgOf(row.district);
  if (age_outs_by_org_.size() <= org) {
    age_outs_by_org_.resize(org + 1, AgeOutQueue(kOrgAgeOutBucketDays));
  }
  if (add) {
    due_age_outs_.Insert(key);
    age_outs_by_org_[org].Insert(key);
  } else {
    due_age_outs_.Erase(key);
    age_outs_by_org_[org].Erase(key);
  }
  InvalidatePlans(org);
}

void Registry::EraseAgeOut(std::uint32_t pediatric) {
  const auto* plan = age_outs_.find(pediatric);
  if (!plan) return;
  IndexAgeOut(*plan, false);
  age_outs_.erase(pediatric);
}

std::uint32_t Registry::InsertPeriod(std::uint32_t person, std::uint32_t district, Date from,
                                     Date to, PeriodEnd end, std::uint32_t application) {
  PeriodRow row;
  row.from = from.days();
  row.to = to.days();
  row.person = person;
  row.district = district;
  row.end = static_cast<std::uint8_t>(end);
  row.application = application;
  const auto id = population_.InsertPeriod(row);
  panels_[district].Add(from, to);
  statistics_.CountPeriod(row, +1);
  MarkDirty(district);
  auto a = MakeAttachment(id);
  a.recorded_at = clock_.NowMicros();
  batch_.mutations.push_back(std::move(a));
  return id;
}

// A period in a pediatric district that reaches the person's 18th birthday ends on it, and the
// rest is planned (see AgeOut in registry.hpp).
void Registry::AddPeriod(std::uint32_t person, std::uint32_t district, Date from, Date to,
                         std::uint32_t application, PeriodEnd end) {
  const Date birthday = Birthday18(person);
  if (refs_.district(district).kind != DistrictKind::kPediatrician ||
      !(from < birthday && birthday < to)) {
    InsertPeriod(person, district, from, to, to.IsMax() ? PeriodEnd::kOpen : end, application);
    return;
  }
  const auto id = InsertPeriod(person, district, from, birthday, PeriodEnd::kAgeOut, application);
  PlanAgeOut(id, birthday, to);
}

void Registry::PlanAgeOut(std::uint32_t pediatric, Date birthday, Date until) {
  EraseAgeOut(pediatric);
  auto& plan = age_outs_[pediatric] = AgeOut{pediatric, 0, birthday, until};
  IndexAgeOut(plan, true);
  // The continuation exists from now on, so that later moves and deaths cut it as any period.
  // Its district is provisional: IndexAgeOut marked the organisation's plans unresolved, and
  // nothing reads a plan's district before ResolvePlans (or AdvanceTo) works it out from the
  // panels. So any adult district will do here; whether there is one is what counts. Choosing
  // the one with most room here as well was 4 % of deciding at 20 M (ADR 0012).
  const auto org = refs_.district(population_.period(pediatric).district).org;
  const auto adults = DistrictsOf(org);
  const auto adult = std::find_if(adults.begin(), adults.end(),
                                  [](const District* d) { return d->ServesAge(18); });
  if (adult != adults.end()) SetContinuation(plan, IndexOf(**adult));
  if (birthday <= today_) AdvanceTo(today_);  // already due: make it history at once
}

void Registry::SetContinuation(AgeOut& plan, std::uint32_t district) {
  if (plan.continuation != 0) {
    population_.period(plan.continuation).district = district;
    return;
  }
  const auto& p = population_.period(plan.pediatric);
  PeriodRow row;
  row.from = plan.birthday.days();
  row.to = plan.until.days();
  row.person = p.person;
  row.district = district;
  row.application = p.application;
  row.end =
      static_cast<std::uint8_t>(plan.until.IsMax() ? PeriodEnd::kOpen : PeriodEnd::kSuperseded);
  row.planned = 1;
  plan.continuation = population_.InsertPeriod(row);
  continuation_of_[plan.continuation] = plan.pediatric;
}

void Registry::CancelContinuation(AgeOut& plan) {
  if (plan.continuation == 0) return;
  population_.period(plan.continuation).end = static_cast<std::uint8_t>(PeriodEnd::kCancelled);
  continuation_of_.erase(plan.continuation);
  plan.continuation = 0;
}

void Registry::DropPlan(std::uint32_t pediatric) {
  auto* plan = age_outs_.find(pediatric);
  if (!plan) return;
  CancelContinuation(*plan);
  EraseAgeOut(pediatric);
}

// Works out the districts of the organisation's plans with a birthday up to `through`, from the
// current panels: in birthday order (then IIN), each seeing the earlier ones; the adult district
// with most free places on the birthday among those keeping room from then on, else the one with
// most free places (capacity notwithstanding). Plans hold no place (ADR 0005), so they are put
// into the panels only for this pass and taken out again; later plans do not change earlier
// ones, so a prefix is exact.
void Registry::ResolvePlans(std::uint32_t org, Date through) {
  if (resolved_through_.size() <= org) resolved_through_.resize(org + 1, Date::Min());
  if (through <= resolved_through_[org]) return;
  if (age_outs_by_org_.size() <= org) {  // no plans at all
    resolved_through_[org] = through;
    return;
  }
  const auto candidates = DistrictsOf(refs_.org(org).id);
  std::vector<std::uint32_t> placed;
  age_outs_by_org_[org].ForEachThrough(through, [&](const AgeOutQueue::Key& key) {
    auto& plan = age_outs_.at(key.id);
    const auto* adult = rules::MostFreeFitting(*this, candidates, 18, key.birthday, false);
    if (!adult) {  // no adult district: the person is unattached from the birthday
      CancelContinuation(plan);
      return;
    }
    SetContinuation(plan, IndexOf(*adult));
    const auto& c = population_.period(plan.continuation);
    panels_[c.district].Add(c.From(), c.To());
    placed.push_back(plan.continuation);
  });
  for (auto id : placed) {
    const auto& c = population_.period(id);
    panels_[c.district].Remove(c.From(), c.To());
  }
  resolved_through_[org] = through;
}

// The story has reached these birthdays: each age-out is placed from the panels as they are
// (the earlier age-outs already stored) and stored.
void Registry::AdvanceTo(Date day) {
  today_ = std::max(today_, day);
  std::vector<AgeOutQueue::Key> due;
  due_age_outs_.ForEachThrough(today_, [&](const AgeOutQueue::Key& key) { due.push_back(key); });
  for (const auto& key : due) {
    const auto pediatric = key.id;
    auto plan = age_outs_[pediatric];
    EraseAgeOut(pediatric);
    const auto iin = Iin::FromNumberUnchecked(key.iin).ToString();
    const auto org = refs_.district(population_.period(pediatric).district).org;
    const auto* adult = rules::MostFreeFitting(*this, DistrictsOf(org), 18, plan.birthday, false);
    if (!adult) {
      CancelContinuation(plan);
      Audit({}, "attachment.age_out", iin,
            fmt::format("no adult district: unattached from {}", plan.birthday.ToString()));
      continue;
    }
    SetContinuation(plan, IndexOf(*adult));
    continuation_of_.erase(plan.continuation);
    // The plan gives way to a stored period with the next stored id (plans' ids are never
    // stored: ADR 0006).
    auto& planned = population_.period(plan.continuation);
    const PeriodRow c = planned;
    planned.end = static_cast<std::uint8_t>(PeriodEnd::kCancelled);
    InsertPeriod(c.person, c.district, c.From(), c.To(), static_cast<PeriodEnd>(c.end),
                 c.application);
    Audit({}, "attachment.age_out", iin,
          fmt::format("{} from {}", refs_.district(c.district).id, plan.birthday.ToString()));
  }
}

void Registry::EndPeriod(std::uint32_t id, Date to, PeriodEnd why) {
  auto& p = population_.period(id);
  if (p.Cancelled()) return;
  const PeriodRow before = p;
  if (why != PeriodEnd::kCancelled) p.to = std::max(p.From(), std::min(p.To(), to)).days();
  p.end = static_cast<std::uint8_t>(why);
  if (!p.planned) {  // a plan holds no place, and does not count
    if (why == PeriodEnd::kCancelled) {
      panels_[p.district].Remove(p.From(), before.To());
    } else {
      panels_[p.district].ChangeEnd(p.From(), before.To(), p.To());
    }
    statistics_.CountPeriodEnd(before, p);
  }
  MarkDirty(p.district);
  if (p.planned) {
    // Only a plan: nothing stored yet. Cancelled, the age-out is gone (a later attachment
    // starts by then); cut short, it keeps the plan with its new end.
    auto pediatric = continuation_of_.at(id);
    if (why == PeriodEnd::kCancelled) {
      continuation_of_.erase(id);
      age_outs_[pediatric].continuation = 0;
      EraseAgeOut(pediatric);
    } else {
      age_outs_[pediatric].until = p.To();
    }
    return;
  }
  // The child's period ends before the birthday. Only a period ending on it has a plan (each
  // PlanAgeOut's caller ends it so), which spares the others a look into the plans.
  if (before.end == static_cast<std::uint8_t>(PeriodEnd::kAgeOut) && age_outs_.contains(id)) {
    DropPlan(id);
  }
  batch_.mutations.push_back(storage::PeriodChange{id, p.To(), why, clock_.NowMicros()});
}

void Registry::RestorePeriod(std::uint32_t id, Date to) {
  auto& p = population_.period(id);
  if (p.planned) {  // a planned age-out cut short by the cancelled move: plan it to `to`
    const auto pediatric = continuation_of_.at(id);
    p.to = to.days();
    p.end = static_cast<std::uint8_t>(to.IsMax() ? PeriodEnd::kOpen : PeriodEnd::kSuperseded);
    age_outs_[pediatric].until = to;
    MarkDirty(p.district);
    return;
  }
  const Date birthday = Birthday18(p.person);
  const bool ages_out = refs_.district(p.district).kind == DistrictKind::kPediatrician &&
                        p.From() < birthday && birthday < to;
  panels_[p.district].Remove(p.From(), p.To());
  statistics_.CountPeriod(p, -1);
  p.to = ages_out ? birthday.days() : to.days();
  p.end = static_cast<std::uint8_t>(ages_out     ? PeriodEnd::kAgeOut
                                    : to.IsMax() ? PeriodEnd::kOpen
                                                 : PeriodEnd::kSuperseded);
  panels_[p.district].Add(p.From(), p.To());
  statistics_.CountPeriod(p, +1);
  MarkDirty(p.district);
  batch_.mutations.push_back(
      storage::PeriodChange{id, p.To(), static_cast<PeriodEnd>(p.end), clock_.NowMicros()});
  if (ages_out) PlanAgeOut(id, birthday, to);
}

}  // namespace emkhana::registry
