// When a change may happen and when it takes effect (DOMAIN.md, "Timing"):
// - a person with no attachment attaches at once, on any basis;
// - another district of one's own organisation is a change of doctor, at once;
// - free choice of another organisation only in the campaign, limited per year, from 1 January;
// - outside it, a basis that holds in the register, at once.
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::AteRole;
using domain::Basis;
using domain::Date;
using domain::Reason;

Plan MakePlan(const Context& ctx) {
  Plan plan;
  plan.effective = ctx.app.date;
  auto is_own = [&](const domain::Attachment* a) { return a && a->org == ctx.app.org; };
  if (is_own(ctx.current)) {
    plan.own = ctx.current;
  } else {
    for (const auto* p : ctx.pending) {  // the first pending period there (not a later age-out)
      if (is_own(p) && !plan.own) plan.own = p;
    }
  }
  if (plan.own) {
    plan.doctor_change = true;
    plan.effective = std::max(ctx.app.date, plan.own->from);
    return plan;
  }
  if (ctx.current && ctx.app.basis == Basis::kFreeChoice) {
    plan.free_choice_change = true;
    plan.effective = Date::Ymd(ctx.app.date.year() + 1, 1, 1);
  }
  return plan;
}

namespace {

bool OrgIn(const Context& ctx, const domain::Organisation* org, AteRole a, AteRole b) {
  if (!org) return false;
  const auto& p = ctx.person;
  return (!p.Ate(a).empty() && p.Ate(a) == org->ate) || (!p.Ate(b).empty() && p.Ate(b) == org->ate);
}

bool SameAte(const domain::Organisation* a, const domain::Organisation* b) {
  return a && b && a->ate == b->ate;
}

// Whether a basis for changing organisation outside the campaign holds in the register.
bool BasisHolds(const Context& ctx) {
  const auto* current_org = ctx.view.FindOrg(ctx.current->org);
  switch (ctx.app.basis) {
    // The new organisation lies in the named unit and the current one does not (a move within
    // one unit is no change of residence).
    case Basis::kResidenceChange:
      return OrgIn(ctx, ctx.org, AteRole::kResidence, AteRole::kRegistration) &&
             !SameAte(ctx.org, current_org);
    case Basis::kWorkOrStudyChange:
      return OrgIn(ctx, ctx.org, AteRole::kWork, AteRole::kStudy) && !SameAte(ctx.org, current_org);
    case Basis::kTemporaryResidence:
      return OrgIn(ctx, ctx.org, AteRole::kTemporary, AteRole::kTemporary);
    case Basis::kOrgClosed: {
      const Date window_start = ctx.app.date.AddDays(-365);
      for (const auto* period : ctx.view.PeriodsOf(ctx.person.iin)) {
        if (period->from >= ctx.app.date || period->to <= window_start) continue;
        const auto* org = ctx.view.FindOrg(period->org);
        if (org && org->ClosedOn(ctx.app.date)) return true;
      }
      return false;
    }
    case Basis::kFirstAttachment:
    case Basis::kFreeChoice:
      return false;
  }
  return false;
}

}  // namespace

void CheckTiming(const Context& ctx, const Plan& plan, ReasonList& out) {
  if (plan.doctor_change || !ctx.current) return;  // allowed at any time
  const auto& app = ctx.app;
  if (app.basis == Basis::kFreeChoice) {
    if (!ctx.policy.InCampaign(app.date)) out.push_back(Reason::kOutsideCampaign);
    const int used = ctx.view.FreeChoiceChangesIn(ctx.person.iin, app.date.year());
    if (used >= ctx.policy.FreeChoicesPerYearOn(app.date)) out.push_back(Reason::kTooFrequent);
    return;
  }
  if (!BasisHolds(ctx)) out.push_back(Reason::kInvalidBasis);
}

}  // namespace emkhana::rules
