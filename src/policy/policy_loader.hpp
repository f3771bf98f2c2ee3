// Reads the attachment policy from its versioned JSON form (policy/*.json) into domain::Policy.
// The default policy is compiled into the binary from policy/default.json, so every command and
// every replay starts from the same, recorded version.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/policy.hpp"

namespace emkhana::policy {

[[nodiscard]] Result<domain::Policy> ParsePolicyJson(std::string_view json_text);

// The inverse of ParsePolicyJson: ParsePolicyJson(PolicyToJson(p)) equals p.
std::string PolicyToJson(const domain::Policy& policy);

// The built-in default policy (parsed once; thread-safe).
const domain::Policy& DefaultPolicy();
std::string_view DefaultPolicyJson();

}  // namespace emkhana::policy
