#include "http/token.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <set>

namespace emkhana::http {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHex[] = "0123456789abcdef";

std::string Base64Url(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string Hex(const unsigned char* data, std::size_t n) {
  std::string hex;
  for (std::size_t i = 0; i < n; ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 15];
  }
  return hex;
}

std::optional<std::string> RandomBytes(std::size_t n) {
  std::string raw(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1) {
    return std::nullopt;
  }
  return raw;
}

std::string Mac(std::string_view secret, std::string_view data) {
  std::array<unsigned char, 32> out{};
  std::size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
                 out.size(), &len)) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// Key and token ids: base64url characters only, so that they need no escaping anywhere.
bool ValidId(std::string_view id, std::size_t max) {
  return !id.empty() && id.size() <= max &&
         id.find_first_not_of(kAlphabet) == std::string_view::npos;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const auto start = line.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    auto end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Splits text into its complete lines (a last line without '\n' is left out and reported).
std::vector<std::string_view> Lines(std::string_view text, bool* incomplete) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (incomplete) {
        *incomplete = true;
      } else {
        out.push_back(text.substr(pos));
      }
      break;
    }
    auto line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    pos = nl + 1;
  }
  return out;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string text;
  std::array<char, 8192> buf;
  for (;;) {
    const auto n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Unavailable(path + ": " + std::strerror(errno));
    if (n == 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
    if (text.size() > (1u << 24)) return Error::InvalidArgument(path + ": too large");
  }
  return text;
}

Result<void> WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::Unavailable(path + ": " + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return Error::Unavailable(path + ": " + std::strerror(errno));
  return {};
}

std::string ModeText(mode_t mode) {
  std::string s = "0";
  for (int shift : {6, 3, 0}) s += static_cast<char>('0' + ((mode >> shift) & 7));
  return s;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCitizen:
      return "citizen";
    case Role::kRegistrar:
      return "registrar";
    case Role::kRegion:
      return "region";
    case Role::kFund:
      return "fund";
    case Role::kOperator:
      return "operator";
    case Role::kMonitor:
      return "monitor";
    case Role::kAdmin:
      break;
  }
  return "admin";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (auto r : {Role::kCitizen, Role::kRegistrar, Role::kRegion, Role::kFund, Role::kAdmin,
                 Role::kOperator, Role::kMonitor}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

Result<TokenKey> NewTokenKey(std::string_view prefix) {
  auto secret = RandomBytes(32);
  auto id = RandomBytes(4);
  if (!secret || !id) return Error::Internal("no random bytes for a token key");
  const auto* s = reinterpret_cast<const unsigned char*>(secret->data());
  const auto* i = reinterpret_cast<const unsigned char*>(id->data());
  return TokenKey{std::string(prefix) + "-" + Hex(i, id->size()), Hex(s, secret->size()), 0};
}

Result<KeyRing> KeyRing::Parse(std::string_view text) {
  std::vector<std::vector<std::string_view>> rows;
  for (auto line : Lines(text, nullptr)) {
    auto fields = Fields(line);
    if (fields.empty() || fields[0].starts_with('#')) continue;
    rows.push_back(std::move(fields));
  }
  KeyRing ring;
  if (rows.size() == 1 && rows[0].size() == 1) {
    // A secret from before key ids: its kid is derived from it, the same on every read.
    const auto secret = rows[0][0];
    if (secret.size() < 32) return Error::InvalidArgument("the secret is shorter than 32");
    const auto digest = Mac(secret, "emkhana key id");
    const auto* d = reinterpret_cast<const unsigned char*>(digest.data());
    ring.keys.push_back({"legacy-" + Hex(d, 4), std::string(secret), 0});
    return ring;
  }
  std::set<std::string_view> kids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& f = rows[i];
    const auto where = "key line " + std::to_string(i + 1);
    if (f.size() < 2 || f.size() > 3) {
      return Error::InvalidArgument(where + ": expected `kid secret [retire_at]`");
    }
    if (!ValidId(f[0], 40)) return Error::InvalidArgument(where + ": kid of [A-Za-z0-9_-]");
    if (!kids.insert(f[0]).second) return Error::InvalidArgument(where + ": kid used twice");
    if (f[1].size() < 32) return Error::InvalidArgument(where + ": secret shorter than 32");
    TokenKey key{std::string(f[0]), std::string(f[1]), 0};
    if (f.size() == 3) {
      auto at = ParseInt(f[2]);
      if (!at) return Error::InvalidArgument(where + ": retire_at: Unix seconds");
      key.retire_at = *at;
    }
    ring.keys.push_back(std::move(key));
  }
  if (ring.keys.empty()) return Error::InvalidArgument("no key");
  return ring;
}

std::string KeyRing::Format() const {
  std::string out =
      "# emkhana token keys, oldest first: kid secret [retire_at, Unix seconds].\n"
      "# The last key not retired signs; `emkhana token rotate|retire` edit this file.\n";
  for (const auto& k : keys) {
    out += k.kid + " " + k.secret;
    if (k.retire_at != 0) out += " " + std::to_string(k.retire_at);
    out += "\n";
  }
  return out;
}

const TokenKey* KeyRing::Signing(std::int64_t now) const {
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (!it->RetiredAt(now)) return &*it;
  }
  return nullptr;
}

const TokenKey* KeyRing::Find(std::string_view kid, std::int64_t now) const {
  for (const auto& k : keys) {
    if (k.kid == kid) return k.RetiredAt(now) ? nullptr : &k;
  }
  return nullptr;
}

Result<std::string> IssueToken(const TokenKey& key, Claims claims) {
  if (claims.jti.empty()) {
    auto raw = RandomBytes(16);
    if (!raw) return Error::Internal("no random bytes for a token id");
    claims.jti = Base64Url(*raw);
  }
  boost::json::object o;
  o["role"] = RoleName(claims.role);
  o["sub"] = claims.subject;
  o["exp"] = claims.expires;
  o["jti"] = claims.jti;
  const auto signed_part = key.kid + "." + Base64Url(boost::json::serialize(o));
  const auto mac = Mac(key.secret, signed_part);
  if (mac.empty()) return Error::Internal("HMAC failed");
  return signed_part + "." + Base64Url(mac);
}

namespace {

// kid, claims part and signature part of a token's text (nullopt: not three parts).
struct Parts {
  std::string_view kid, body, mac, signed_part;
};
std::optional<Parts> Split(std::string_view token) {
  if (token.size() > 4096) return std::nullopt;
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  Parts p{token.substr(0, dot1), token.substr(dot1 + 1, dot2 - dot1 - 1), token.substr(dot2 + 1),
          token.substr(0, dot2)};
  if (!ValidId(p.kid, 40)) return std::nullopt;
  return p;
}

Result<Claims> DecodeClaims(const Parts& parts) {
  const auto json = FromBase64Url(parts.body);
  if (!json) return Error::InvalidArgument("malformed token");
  boost::system::error_code ec;
  auto v = boost::json::parse(*json, ec);
  if (ec || !v.is_object()) return Error::InvalidArgument("malformed token claims");
  const auto& o = v.as_object();
  const auto* role = o.if_contains("role");
  const auto* sub = o.if_contains("sub");
  const auto* exp = o.if_contains("exp");
  const auto* jti = o.if_contains("jti");
  if (!role || !role->is_string() || !sub || !sub->is_string() || !exp || !exp->is_int64() ||
      !jti || !jti->is_string() || !ValidId(jti->as_string(), 64)) {
    return Error::InvalidArgument("malformed token claims");
  }
  auto parsed_role = ParseRole(role->as_string());
  if (!parsed_role) return Error::InvalidArgument("unknown role in token");
  return Claims{*parsed_role, std::string(sub->as_string()), exp->as_int64(),
                std::string(jti->as_string()), std::string(parts.kid)};
}

}  // namespace

Result<Claims> VerifyToken(const KeyLookup& find, std::string_view token, std::int64_t now) {
  const auto parts = Split(token);
  if (!parts) return Error::InvalidArgument("malformed token");
  const auto* key = find(parts->kid);
  if (!key) return Error::InvalidArgument("unknown or retired signing key");
  const auto mac = FromBase64Url(parts->mac);
  const auto expected = Mac(key->secret, parts->signed_part);
  if (!mac || expected.empty() || mac->size() != expected.size() ||
      CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
    return Error::InvalidArgument("token signature does not match");
  }
  auto claims = DecodeClaims(*parts);
  if (!claims) return claims;
  if (claims->expires <= now) return Error::InvalidArgument("token expired");
  return claims;
}

Result<Claims> VerifyToken(const KeyRing& ring, std::string_view token, std::int64_t now) {
  return VerifyToken([&](std::string_view kid) { return ring.Find(kid, now); }, token, now);
}

Result<Claims> ReadUnverifiedClaims(std::string_view token) {
  const auto parts = Split(token);
  if (!parts) return Error::InvalidArgument("malformed token");
  return DecodeClaims(*parts);
}

Result<KeyRing> LoadKeyRing(const std::string& path, bool create) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    auto key = NewTokenKey("k");
    if (!key) return key.error();
    KeyRing ring{{*key}};
    const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      auto written = WriteAll(out, ring.Format(), path);
      ::close(out);
      if (!written) return written.error();
      return ring;
    }
    if (errno != EEXIST) return Error::Unavailable(path + ": cannot create the token keys");
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // made meanwhile by another process
  }
  if (fd < 0) return Error::Unavailable(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::InvalidArgument(path + ": not a regular file");
  }
  // Anyone who can read a key can sign as anyone: the owner only.
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Error::FailedPrecondition(path + ": the token keys are open to group or others (mode " +
                                     ModeText(st.st_mode & 0777) + "); chmod 600 " + path);
  }
  auto text = ReadAll(fd, path);
  ::close(fd);
  if (!text) return text.error();
  auto ring = KeyRing::Parse(*text);
  if (!ring) return Error::InvalidArgument(path + ": " + ring.error().message);
  return ring;
}

Result<void> SaveKeyRing(const std::string& path, const KeyRing& ring) {
  const auto tmp = path + ".new." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error::Unavailable(tmp + ": " + std::strerror(errno));
  auto written = WriteAll(fd, ring.Format(), tmp);
  ::close(fd);
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = Error::Unavailable(path + ": " + std::strerror(errno));
  }
  if (!written) ::unlink(tmp.c_str());
  return written;
}

std::string RevocationPath(const std::string& key_path) { return key_path + ".revoked"; }

Result<void> AppendRevocation(const std::string& path, std::string_view jti, std::int64_t expires) {
  if (!ValidId(jti, 64)) return Error::InvalidArgument("a token id is [A-Za-z0-9_-], 1 to 64");
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Unavailable(path + ": " + std::strerror(errno));
  // One write of one line: appends from several processes do not interleave.
  auto written = WriteAll(fd, std::string(jti) + " " + std::to_string(expires) + "\n", path);
  ::close(fd);
  return written;
}

// ---------------------------------------------------------------- TokenVerifier

TokenVerifier::TokenVerifier(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), state_(std::make_shared<State>()) {}

TokenVerifier::TokenVerifier(KeyRing ring, std::optional<TokenKey> demo, const Clock& clock)
    : TokenVerifier(Options{.key_path = {}, .demo = std::move(demo)}, clock) {
  state_ = std::make_shared<State>(State{std::move(ring), {}});
}

Result<std::unique_ptr<TokenVerifier>> TokenVerifier::Open(Options options, const Clock& clock) {
  std::unique_ptr<TokenVerifier> v(new TokenVerifier(std::move(options), clock));
  Error error{ErrorCode::kInternal, ""};
  v->Refresh(clock.NowMicros(), true, &error);
  if (!error.message.empty()) return error;
  return v;
}

void TokenVerifier::Refresh(std::int64_t now_micros, bool first, Error* error) {
  std::unique_lock lock(refresh_mu_, std::try_to_lock);
  if (!lock) return;  // another thread is at it
  if (!first && now_micros < next_refresh_.load(std::memory_order_relaxed)) return;
  next_refresh_.store(now_micros + options_.refresh_micros, std::memory_order_relaxed);
  const auto stamp = [](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return FileStamp{};
    return FileStamp{
        static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
        static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
  };
  // Stamped before reading: a change during the read is seen at the next look.
  const auto revoked_path = RevocationPath(options_.key_path);
  const auto ring_now = stamp(options_.key_path);
  const auto revoked_now = stamp(revoked_path);
  if (!first && ring_now == ring_stamp_ && revoked_now == revoked_stamp_) return;
  const auto complain = [&](const Error& e) {
    if (error) {
      *error = e;
    } else {  // a running server keeps what it had, and says why
      std::cerr << boost::json::serialize(boost::json::object{{"ts", now_micros / 1000},
                                                              {"level", "error"},
                                                              {"event", "token_files_unreadable"},
                                                              {"detail", e.message}})
                << std::endl;
    }
  };
  std::shared_ptr<const State> current;
  {
    std::lock_guard state_lock(mu_);
    current = state_;
  }
  auto next = std::make_shared<State>(*current);
  const bool ring_changed = first || ring_now != ring_stamp_;
  if (ring_changed) {
    ring_stamp_ = ring_now;
    auto ring = LoadKeyRing(options_.key_path, first);
    if (!ring) return complain(ring.error());
    next->ring = std::move(*ring);
  }
  if (first || revoked_now != revoked_stamp_) {
    revoked_stamp_ = revoked_now;
    next->revoked.clear();
    const int fd = ::open(revoked_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      auto text = ReadAll(fd, revoked_path);
      ::close(fd);
      if (!text) return complain(text.error());
      bool incomplete = false;
      const auto now = now_micros / 1'000'000;
      for (auto line : Lines(*text, &incomplete)) {
        const auto f = Fields(line);
        if (f.empty() || !ValidId(f[0], 64)) continue;
        const auto expires = f.size() > 1 ? ParseInt(f[1]) : std::nullopt;
        if (expires && *expires != 0 && *expires <= now) continue;  // expired anyway
        next->revoked.emplace(f[0]);
      }
      if (incomplete) revoked_stamp_ = {};  // a line still being written: read again next time
    } else if (errno != ENOENT) {
      return complain(Error::Unavailable(revoked_path + ": " + std::strerror(errno)));
    }
  }
  std::lock_guard state_lock(mu_);
  state_ = std::move(next);
  // A key may be gone (revocations are checked on every hit, so they need no clearing).
  if (ring_changed) cache_.clear();
}

Result<Claims> TokenVerifier::Verify(std::string_view token) {
  const auto now_micros = clock_.NowMicros();
  if (!options_.key_path.empty() && now_micros >= next_refresh_.load(std::memory_order_relaxed)) {
    Refresh(now_micros, false, nullptr);
  }
  const auto now = now_micros / 1'000'000;
  const auto revoked = Error::InvalidArgument("token revoked");
  std::shared_ptr<const State> state;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(token); it != cache_.end()) {
      if (it->second.until > now) {
        if (!state_->revoked.empty() && state_->revoked.contains(it->second.claims.jti)) {
          return revoked;
        }
        return it->second.claims;
      }
      cache_.erase(it);
    }
    state = state_;
  }
  std::int64_t retire_at = 0;
  const auto* demo = demo_key();
  auto claims = VerifyToken(
      [&](std::string_view kid) -> const TokenKey* {
        const auto* key = demo && demo->kid == kid ? demo : state->ring.Find(kid, now);
        if (key) retire_at = key->retire_at;
        return key;
      },
      token, now);
  if (!claims) return claims;
  std::lock_guard lock(mu_);
  if (state_->revoked.contains(claims->jti)) return revoked;
  if (state_ == state) {                           // not verified against keys since replaced
    if (cache_.size() >= 100'000) cache_.clear();  // bounded; verified again when needed
    const auto until = retire_at != 0 ? std::min(claims->expires, retire_at) : claims->expires;
    cache_.emplace(std::string(token), Cached{*claims, until});
  }
  return claims;
}

void TokenVerifier::Revoke(std::string_view jti) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<State>(*state_);
  next->revoked.emplace(jti);
  state_ = std::move(next);
}

}  // namespace emkhana::http
