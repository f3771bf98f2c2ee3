// Deadlines (DOMAIN.md, "Deadlines"): an application is received on its date if that is a
// working day, else on the next one; electronic channels and service centres are decided within
// one working day of receipt, paper at the clinic on the day of receipt.
#include "rules/checks.hpp"

namespace emkhana::rules {

domain::Date DecideBy(const domain::Application& app, const domain::Calendar& calendar) {
  const auto received = calendar.WorkingDayOnOrAfter(app.date);
  if (app.channel == domain::Channel::kClinicPaper) return received;
  return calendar.WorkingDayAfter(received);
}

}  // namespace emkhana::rules
