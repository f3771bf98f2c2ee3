// Identity is checked first and reported alone: without a known, living person whose register
// data match the application there is nothing else to judge (eGov service passport).
#include "rules/checks.hpp"

namespace emkhana::rules {

using domain::Iin;
using domain::Reason;

std::optional<Reason> CheckIdentity(const domain::Application& app, const RegistryView& view) {
  auto iin = Iin::Parse(app.iin);
  auto applicant = app.applicant.empty() ? iin : Iin::Parse(app.applicant);
  if (!iin || !applicant) return Reason::kInvalidIin;
  const auto* person = view.FindPerson(*iin);
  if (!person || !view.FindPerson(*applicant)) return Reason::kUnknownPerson;
  // Birth date and sex come from the register, never from the IIN: only what the applicant
  // declared is compared.
  if ((app.declared_birth && *app.declared_birth != person->birth) ||
      (app.declared_sex && *app.declared_sex != person->sex)) {
    return Reason::kFalseData;
  }
  if (person->DeadOn(app.date)) return Reason::kDeceased;
  return std::nullopt;
}

}  // namespace emkhana::rules
