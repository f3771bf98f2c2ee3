// The catalogue of refusal reasons: for each code, the rule that produces it, its legal source
// and the texts shown to people in Russian, Kazakh and English.
#pragma once

#include <string_view>

#include "domain/model.hpp"

namespace emkhana::rules {

struct ReasonInfo {
  domain::Reason reason;
  std::string_view rule;    // the rules/ file and function that decide it
  std::string_view source;  // DOMAIN.md section / legal act
  std::string_view ru, kk, en;
};

const ReasonInfo& Describe(domain::Reason reason);

}  // namespace emkhana::rules
