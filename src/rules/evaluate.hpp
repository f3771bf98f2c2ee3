// The decision on an application: a pure function of the application, the registry's state
// (through RegistryView), the policy and the calendar. It never writes: the registry applies an
// approved decision. Evaluation order and reporting follow FORMAT.md: identity failures alone;
// then every failing rule; capacity only when all others pass, with alternatives.
#pragma once

#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "rules/facts.hpp"

namespace emkhana::rules {

struct EvaluateOptions {
  bool with_alternatives = true;  // off when evaluating an alternative itself
};

domain::Decision Evaluate(const domain::Application& app, const RegistryView& view,
                          const domain::Policy& policy, const domain::Calendar& calendar,
                          EvaluateOptions options = {});

}  // namespace emkhana::rules
