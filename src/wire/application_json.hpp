// The application and decision as they travel (FORMAT.md): the HTTP API takes and answers the
// same fields as a scenario's `apply` and `query` steps, so both read and write them here.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "core/error.hpp"
#include "domain/model.hpp"

namespace emkhana::wire {

// The fields of an `apply` step or an API application (without `op`). An applicant equal to the
// person is no applicant. Errors name the field: `field 'KEY': WHAT`.
[[nodiscard]] Result<domain::Application> ParseApplication(const boost::json::object& o);

// A decision: id, decision, org/district/effective when approved, decide_by, reasons, and the
// alternatives when a panel was full.
boost::json::object DecisionJson(const domain::Decision& d);

// Where a person is attached on a day: org and district are null when unattached.
boost::json::object PlacementJson(std::string_view iin, domain::Date date, std::string_view org,
                                  std::string_view district);

}  // namespace emkhana::wire
