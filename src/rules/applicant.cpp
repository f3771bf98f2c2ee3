// Who may apply for whom (DOMAIN.md, "Who applies"): consent to data access always; a minor
// through a legal representative; an adult for themself, or by another with written consent or
// as a registered guardian.
#include <algorithm>

#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Document;
using domain::Reason;

void CheckApplicant(const Context& ctx, ReasonList& out) {
  if (!ctx.app.consent) out.push_back(Reason::kNoConsent);

  const bool self = ctx.applicant.iin == ctx.person.iin;
  const auto& reps = ctx.person.representatives;
  const bool registered_representative =
      !self && std::find(reps.begin(), reps.end(), ctx.applicant.iin) != reps.end();
  const auto& docs = ctx.app.documents;

  bool represented;
  if (ctx.AgeOnApplication() < 18) {
    represented = registered_representative || (!self && docs.Has(Document::kRepresentationProof));
  } else {
    represented = self || registered_representative || docs.Has(Document::kConsentOfFamilyMember);
  }
  if (!represented) out.push_back(Reason::kNoRepresentation);
}

}  // namespace emkhana::rules
