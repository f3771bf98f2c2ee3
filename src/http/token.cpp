#include "http/token.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <array>
#include <fstream>
#include <sstream>

namespace emkhana::http {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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
    case Role::kAdmin:
      break;
  }
  return "admin";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (auto r : {Role::kCitizen, Role::kRegistrar, Role::kRegion, Role::kFund, Role::kAdmin,
                 Role::kOperator}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::string IssueToken(std::string_view secret, const Claims& claims) {
  boost::json::object o;
  o["role"] = RoleName(claims.role);
  o["sub"] = claims.subject;
  o["exp"] = claims.expires;
  const auto body = Base64Url(boost::json::serialize(o));
  return body + "." + Base64Url(Mac(secret, body));
}

Result<Claims> VerifyToken(std::string_view secret, std::string_view token, std::int64_t now) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 4096) {
    return Error::InvalidArgument("malformed token");
  }
  const auto body = token.substr(0, dot);
  const auto mac = FromBase64Url(token.substr(dot + 1));
  const auto expected = Mac(secret, body);
  if (!mac || expected.empty() || mac->size() != expected.size() ||
      CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0) {
    return Error::InvalidArgument("token signature does not match");
  }
  const auto json = FromBase64Url(body);
  if (!json) return Error::InvalidArgument("malformed token");
  boost::system::error_code ec;
  auto v = boost::json::parse(*json, ec);
  if (ec || !v.is_object()) return Error::InvalidArgument("malformed token claims");
  const auto& o = v.as_object();
  const auto* role = o.if_contains("role");
  const auto* sub = o.if_contains("sub");
  const auto* exp = o.if_contains("exp");
  if (!role || !role->is_string() || !sub || !sub->is_string() || !exp || !exp->is_int64()) {
    return Error::InvalidArgument("malformed token claims");
  }
  auto parsed_role = ParseRole(role->as_string());
  if (!parsed_role) return Error::InvalidArgument("unknown role in token");
  Claims c{*parsed_role, std::string(sub->as_string()), exp->as_int64()};
  if (c.expires <= now) return Error::InvalidArgument("token expired");
  return c;
}

Result<std::string> LoadOrCreateSecret(const std::string& path) {
  if (std::ifstream in(path); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    auto s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.size() < 32) return Error::InvalidArgument(path + ": the secret is shorter than 32");
    return s;
  }
  std::array<unsigned char, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return Error::Internal("no random bytes for the token secret");
  }
  std::string hex;
  for (auto b : raw) {
    constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Error::Unavailable(path + ": cannot create the token secret");
  const auto line = hex + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return Error::Unavailable(path + ": cannot write the token secret");
  return hex;
}

}  // namespace emkhana::http
