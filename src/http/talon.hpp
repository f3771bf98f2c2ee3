// The attachment talon (талон прикрепления): the printable proof that a person is attached to an
// organisation and a district from a date, as an HTML page and as a one-page A4 PDF, each with a
// QR code of the talon's number (the application id) for checking it at the clinic.
//
// Pure rendering: the caller gathers the facts. Thread-safe (no shared state).
#pragma once

#include <string>

#include "core/error.hpp"
#include "http/problem.hpp"

namespace emkhana::http {

struct TalonFacts {
  std::string number;  // the application id
  std::string iin, name, birth;
  std::string org, org_name, org_ate;
  std::string district, district_kind;  // kind as on the wire: gp, therapist, pediatrician
  std::string effective;                // attached from (YYYY-MM-DD)
  std::string decided;                  // the date of the decision
  std::string channel, policy_version;
};

std::string TalonHtml(const TalonFacts& facts, Lang lang);
Result<std::string> TalonPdf(const TalonFacts& facts, Lang lang);

}  // namespace emkhana::http
