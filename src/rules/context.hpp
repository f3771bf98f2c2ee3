// The facts one decision is made from, gathered once by evaluate.cpp and handed to every rule:
// the application, the person and applicant from the register, the chosen organisation and
// district, the person's current and pending attachments, the policy and the calendar.
#pragma once

#include <vector>

#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "rules/facts.hpp"

namespace emkhana::rules {

using ReasonList = std::vector<domain::Reason>;

struct Context {
  const domain::Application& app;
  const domain::Person& person;
  const domain::Person& applicant;
  const domain::Organisation* org;    // null: unknown organisation
  const domain::District* district;   // null: none chosen, or unknown (see district_unknown)
  bool district_unknown = false;      // a district was named but does not exist
  const domain::Attachment* current;  // the attachment on the application date, if any
  std::vector<const domain::Attachment*> pending;  // attachments starting after that date
  const RegistryView& view;
  const domain::Policy& policy;
  const domain::Calendar& calendar;

  int AgeOnApplication() const { return person.AgeOn(app.date); }
};

// What the timing rules conclude about when and how the new attachment would start.
struct Plan {
  domain::Date effective;
  bool doctor_change = false;               // another district of the person's own organisation
  bool free_choice_change = false;          // counts against the yearly free-choice limit
  const domain::Attachment* own = nullptr;  // the own-organisation attachment, if any
};

}  // namespace emkhana::rules
