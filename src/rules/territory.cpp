// Territory (DOMAIN.md, "Territory"): free choice within the person's administrative-territorial
// units; pregnant women and children under 5 only where they actually live; conscripts where
// deployed; convicts where held.
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::AteRole;
using domain::Category;

void CheckTerritory(const Context& ctx, ReasonList& out) {
  if (!ctx.org) return;  // an unknown organisation is refused on its own ground
  const auto& p = ctx.person;
  const auto& ate = ctx.org->ate;
  auto is = [&](AteRole role) { return !p.Ate(role).empty() && p.Ate(role) == ate; };

  bool allowed;
  if (p.categories.Has(Category::kConvict)) {
    allowed = is(AteRole::kCustody);
  } else if (p.categories.Has(Category::kConscript)) {
    allowed = is(AteRole::kDeployment);
  } else if (p.categories.Has(Category::kPregnant) || ctx.AgeOnApplication() < 5) {
    allowed = is(AteRole::kResidence);
  } else {
    allowed = is(AteRole::kRegistration) || is(AteRole::kResidence) || is(AteRole::kTemporary) ||
              is(AteRole::kWork) || is(AteRole::kStudy);
  }
  if (!allowed) out.push_back(domain::Reason::kTerritory);
}

}  // namespace emkhana::rules
