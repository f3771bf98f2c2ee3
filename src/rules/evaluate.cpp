#include "rules/evaluate.hpp"

#include <algorithm>

#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Decision;
using domain::Outcome;
using domain::Reason;

namespace {

void SortReasons(ReasonList& reasons) {
  std::sort(reasons.begin(), reasons.end(),
            [](Reason a, Reason b) { return domain::NameOf(a) < domain::NameOf(b); });
  reasons.erase(std::unique(reasons.begin(), reasons.end()), reasons.end());
}

Decision Refuse(Decision d, ReasonList reasons) {
  SortReasons(reasons);
  d.outcome = Outcome::kRefused;
  d.reasons = std::move(reasons);
  return d;
}

// The other organisations of the same ATE that would approve the application sent to them
// without a chosen district.
std::vector<std::string> Alternatives(const domain::Application& app,
                                      const domain::Organisation& org, const RegistryView& view,
                                      const domain::Policy& policy,
                                      const domain::Calendar& calendar) {
  std::vector<std::string> out;
  for (const auto* other : view.OrgsInAte(org.ate)) {
    if (other->id == app.org) continue;
    domain::Application alt = app;
    alt.org = other->id;
    alt.district.reset();
    if (Evaluate(alt, view, policy, calendar, {.with_alternatives = false}).outcome ==
        Outcome::kApproved) {
      out.push_back(other->id);
    }
  }
  return out;
}

}  // namespace

Decision Evaluate(const domain::Application& app, const RegistryView& view,
                  const domain::Policy& policy, const domain::Calendar& calendar,
                  EvaluateOptions options) {
  Decision decision;
  decision.application_id = app.id;
  decision.policy_version = policy.version;
  decision.decide_by = DecideBy(app, calendar);

  if (auto identity = CheckIdentity(app, view)) return Refuse(std::move(decision), {*identity});

  const auto iin = *domain::Iin::Parse(app.iin);
  const auto& person = *view.FindPerson(iin);
  const auto& applicant =
      app.applicant.empty() ? person : *view.FindPerson(*domain::Iin::Parse(app.applicant));

  const domain::District* district = nullptr;
  bool district_unknown = false;
  if (app.district) {
    district = view.FindDistrict(*app.district);
    district_unknown = district == nullptr;
  }
  const domain::Attachment* current = nullptr;
  std::vector<const domain::Attachment*> pending;
  for (const auto* period : view.PeriodsOf(iin)) {
    if (period->Covers(app.date)) current = period;
    if (period->from > app.date) pending.push_back(period);
  }
  const Context ctx{app,      person,           applicant, view.FindOrg(app.org),
                    district, district_unknown, current,   pending,
                    view,     policy,           calendar};

  const Plan plan = MakePlan(ctx);
  ReasonList reasons;
  CheckApplicant(ctx, reasons);
  CheckChannel(ctx, reasons);
  CheckDocuments(ctx, reasons);
  CheckEligibility(ctx, reasons);
  CheckOrganisation(ctx, plan, reasons);
  CheckDistrict(ctx, plan, reasons);
  CheckTerritory(ctx, reasons);
  CheckTiming(ctx, plan, reasons);
  if (!reasons.empty()) return Refuse(std::move(decision), std::move(reasons));

  const auto* chosen = PickDistrict(ctx, plan);
  if (!chosen) {
    if (options.with_alternatives) {
      decision.alternatives = Alternatives(app, *ctx.org, view, policy, calendar);
    }
    return Refuse(std::move(decision), {Reason::kCapacityExceeded});
  }
  decision.outcome = Outcome::kApproved;
  decision.org = app.org;
  decision.district = chosen->id;
  decision.effective = plan.effective;
  decision.free_choice_change = plan.free_choice_change;
  return decision;
}

}  // namespace emkhana::rules
