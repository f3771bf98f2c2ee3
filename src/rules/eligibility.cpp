// Who may attach (DOMAIN.md, "Who may attach"): residents always; temporarily staying foreigners
// and EAEU migrants only with a DMS or VMS policy valid on the application date.
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::LegalStatus;

void CheckEligibility(const Context& ctx, ReasonList& out) {
  const auto status = ctx.person.status;
  if (status != LegalStatus::kTemporary && status != LegalStatus::kEaeuMigrant) return;
  const auto& ins = ctx.person.insurance;
  if (!ins || !ins->ValidOn(ctx.app.date)) out.push_back(domain::Reason::kNotEligible);
}

}  // namespace emkhana::rules
