// The organisation and district applied to (DOMAIN.md, "The organisation"): a licensed PHC
// provider with a Fund contract, not closed; not the person's own organisation again; a chosen
// district of that organisation serving the person's age group on the effective date.
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Reason;

void CheckOrganisation(const Context& ctx, const Plan& plan, ReasonList& out) {
  const auto* org = ctx.org;
  if (!org || !org->license || !org->contract || org->ClosedOn(ctx.app.date)) {
    out.push_back(Reason::kOrgNotEligible);
  }
  // Same organisation with no district, or the same district: nothing would change.
  if (plan.own && (!ctx.app.district || *ctx.app.district == plan.own->district)) {
    out.push_back(Reason::kAlreadyAttached);
  }
}

void CheckDistrict(const Context& ctx, const Plan& plan, ReasonList& out) {
  if (!ctx.app.district) return;
  const auto* d = ctx.district;
  if (ctx.district_unknown || !d || d->org != ctx.app.org ||
      !d->ServesAge(ctx.person.AgeOn(plan.effective))) {
    out.push_back(Reason::kWrongDistrict);
  }
}

}  // namespace emkhana::rules
