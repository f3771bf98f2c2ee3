// Bearer tokens: who is calling and in which role, signed with keys that can be rotated, and
// revoked one by one.
//
// A token is `kid "." base64url(claims JSON) "." base64url(HMAC-SHA256(key, kid "." claims))`,
// checked in constant time. `kid` names the key of the ring that signed it; the claims are role,
// subject (a citizen's IIN, a registrar's organisation id, a region code, `operator@centre` for
// a service-centre operator, or a name for the Fund, admins and monitors), expiry (Unix
// seconds) and `jti`, a random token id for revocation.
//
// The key ring is a file readable by its owner only, one key a line, `kid secret [retire_at]`;
// the last key not retired signs, the others only verify until their `retire_at` (Unix
// seconds) or until they are removed. A file of one bare secret (before key ids) reads as one
// key with a kid derived from it, so old deployments keep their secret. Revoked token ids are
// lines `jti [expires]` of a file beside the ring (`RevocationPath`), only ever appended to.
//
// TokenVerifier is what a server holds: the ring and the revocations, read again within a
// second when their files change, and a cache of verified tokens. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/string_hash.hpp"

namespace emkhana::http {

// kOperator: a service centre (ЦОН) operator, subject `<operator id>@<centre id>`, entering
// applications for people present in person. kMonitor may read /metrics and nothing else (a
// scraper's token).
enum class Role { kCitizen, kRegistrar, kRegion, kFund, kAdmin, kOperator, kMonitor };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Claims {
  Role role = Role::kCitizen;
  std::string subject;
  std::int64_t expires = 0;  // Unix seconds
  std::string jti;           // made by IssueToken when empty
  std::string kid;           // the signing key's; set by IssueToken and VerifyToken
};

struct TokenKey {
  std::string kid;             // [A-Za-z0-9_-], 1 to 40
  std::string secret;          // the HMAC key as written in the file (64 hex digits when made here)
  std::int64_t retire_at = 0;  // Unix seconds from which it no longer verifies; 0: never
  bool RetiredAt(std::int64_t now) const { return retire_at != 0 && now >= retire_at; }
};

// A new random key; its kid starts with `prefix` ("k" for the ring, "demo" for --demo).
[[nodiscard]] Result<TokenKey> NewTokenKey(std::string_view prefix);

struct KeyRing {
  std::vector<TokenKey> keys;  // oldest first

  [[nodiscard]] static Result<KeyRing> Parse(std::string_view text);
  std::string Format() const;
  // The newest key not retired at `now` (null: none).
  const TokenKey* Signing(std::int64_t now) const;
  // The key named `kid` if it is not retired at `now` (null otherwise).
  const TokenKey* Find(std::string_view kid, std::int64_t now) const;
};

// Signs `claims` with `key` (a fresh jti when the claims have none).
[[nodiscard]] Result<std::string> IssueToken(const TokenKey& key, Claims claims);
// The claims of a valid, unexpired token whose kid `find` knows (`find`: the key, or null when
// unknown or retired); an error for anything else (never throws).
using KeyLookup = std::function<const TokenKey*(std::string_view kid)>;
[[nodiscard]] Result<Claims> VerifyToken(const KeyLookup& find, std::string_view token,
                                         std::int64_t now);
[[nodiscard]] Result<Claims> VerifyToken(const KeyRing& ring, std::string_view token,
                                         std::int64_t now);
// The claims of a well-formed token without checking its signature or expiry (to revoke it).
[[nodiscard]] Result<Claims> ReadUnverifiedClaims(std::string_view token);

// The ring in `path`; made with one new key (mode 0600) when `create` and the file does not
// exist. Refuses a file that group or others may read or write.
[[nodiscard]] Result<KeyRing> LoadKeyRing(const std::string& path, bool create);
// Replaces the ring's file atomically (a new file, mode 0600, renamed over it).
[[nodiscard]] Result<void> SaveKeyRing(const std::string& path, const KeyRing& ring);

std::string RevocationPath(const std::string& key_path);
// Appends `jti` (with the token's expiry, 0 when unknown) to the revocation file (made 0600).
[[nodiscard]] Result<void> AppendRevocation(const std::string& path, std::string_view jti,
                                            std::int64_t expires);

class TokenVerifier {
 public:
  struct Options {
    std::string key_path;          // the ring's file, read again when it changes
    std::optional<TokenKey> demo;  // --demo: a key of its own for demo sign-ins, never on disk
    std::int64_t refresh_micros = 500'000;  // how often the files' state is looked at
  };
  // Reads the ring (made when missing) and the revocations: an error means "do not start".
  [[nodiscard]] static Result<std::unique_ptr<TokenVerifier>> Open(Options options,
                                                                   const Clock& clock);
  // A fixed ring, no files (tests).
  TokenVerifier(KeyRing ring, std::optional<TokenKey> demo, const Clock& clock);

  // The claims of a valid token: signed by a key of the ring (or the demo key), unexpired, not
  // revoked. A cache lookup for a token seen before.
  [[nodiscard]] Result<Claims> Verify(std::string_view token);
  // Revokes in memory (tests; servers learn revocations from the file).
  void Revoke(std::string_view jti);
  const TokenKey* demo_key() const { return options_.demo ? &*options_.demo : nullptr; }

 private:
  struct State {
    KeyRing ring;
    std::unordered_set<std::string, StringHash, std::equal_to<>> revoked;
  };
  struct FileStamp {
    std::uint64_t ino = 0, size = 0;
    std::int64_t mtime_ns = -1, ctime_ns = -1;  // ctime: a chmod counts as a change
    bool operator==(const FileStamp&) const = default;
  };
  TokenVerifier(Options options, const Clock& clock);
  // Reads the files again when their stamps changed; on a bad file keeps what it had.
  void Refresh(std::int64_t now_micros, bool first, Error* error);

  Options options_;
  const Clock& clock_;
  std::atomic<std::int64_t> next_refresh_{0};
  std::mutex refresh_mu_;  // one thread reads the files; the others go on with the state
  FileStamp ring_stamp_, revoked_stamp_;
  std::mutex mu_;  // guards state_ and cache_
  std::shared_ptr<const State> state_;
  struct Cached {
    Claims claims;
    std::int64_t until;  // the token's expiry or its key's retirement, the earlier
  };
  // Looked up by the token's text without copying it (a transparent hash).
  std::unordered_map<std::string, Cached, StringHash, std::equal_to<>> cache_;
};

}  // namespace emkhana::http
