// Channels and documents (DOMAIN.md, "Channels"): e-government channels and service centres are
// open to all; a paper application at the clinic only for the policy's categories. Some bases and
// categories need supporting documents whatever the channel.
#include <algorithm>

#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Category;
using domain::Channel;
using domain::Document;
using domain::Reason;

void CheckChannel(const Context& ctx, ReasonList& out) {
  if (ctx.app.channel != Channel::kClinicPaper) return;
  const auto& policy = ctx.policy;
  const auto& ins = ctx.person.insurance;
  const bool insured_for_paper =
      ins && ins->ValidOn(ctx.app.date) &&
      std::find(policy.paper_insurance.begin(), policy.paper_insurance.end(), ins->kind) !=
          policy.paper_insurance.end();
  const bool allowed = ctx.person.categories.Any(policy.paper_categories) || insured_for_paper ||
                       ctx.applicant.categories.Any(policy.paper_applicant_categories);
  if (!allowed) out.push_back(Reason::kChannelNotAllowed);
}

void CheckDocuments(const Context& ctx, ReasonList& out) {
  const auto& docs = ctx.app.documents;
  const auto& cats = ctx.person.categories;
  const bool missing =
      (cats.Has(Category::kConvict) && !docs.Has(Document::kCommissionProtocol)) ||
      (ctx.app.basis == domain::Basis::kTemporaryResidence &&
       !docs.Has(Document::kResidenceProof)) ||
      (cats.Has(Category::kStudent) && ctx.AgeOnApplication() < 18 &&
       ctx.app.channel == Channel::kClinicPaper && !docs.Has(Document::kRectorLetter));
  if (missing) out.push_back(Reason::kMissingDocuments);
}

}  // namespace emkhana::rules
