// Bearer tokens: who is calling and in which role.
//
// A token is `base64url(claims JSON) "." base64url(HMAC-SHA256(secret, claims part))`, checked in
// constant time. Claims: role, subject (a citizen's IIN, a registrar's organisation id, a region
// code, `operator@centre` for a service-centre operator, or a name for the Fund and admins) and
// expiry (Unix seconds). The secret is 32 random bytes in a file readable by the owner only, made
// on first use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace emkhana::http {

// kOperator: a service centre (ЦОН) operator, subject `<operator id>@<centre id>`, entering
// applications for people present in person.
enum class Role { kCitizen, kRegistrar, kRegion, kFund, kAdmin, kOperator };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Claims {
  Role role = Role::kCitizen;
  std::string subject;
  std::int64_t expires = 0;  // Unix seconds
};

std::string IssueToken(std::string_view secret, const Claims& claims);
// The claims of a valid, unexpired token; an error for anything else (never throws).
[[nodiscard]] Result<Claims> VerifyToken(std::string_view secret, std::string_view token,
                                         std::int64_t now);

// The secret in `path`, made (32 random bytes, hex, mode 0600) if the file does not exist.
[[nodiscard]] Result<std::string> LoadOrCreateSecret(const std::string& path);

}  // namespace emkhana::http
