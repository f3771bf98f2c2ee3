// Bearer tokens (http/token.cpp). The first byte picks what the rest is:
//   0: a token as a client sends it (VerifyToken must refuse it or give unexpired claims);
//   1: the claims JSON, signed here with the secret, so that the claims parser is reached;
//   2: claims (role, expiry, subject) issued and verified again: the same claims come back.
#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "common.hpp"
#include "http/api_call.hpp"
#include "http/token.hpp"

using namespace emkhana;

namespace {

const http::TokenKey kKey{"fz", std::string(64, 'k')};
const http::KeyRing kRing{{kKey}};

std::string Base64Url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
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

// A token whose claims part is `claims_json`, signed as IssueToken signs: "kid.claims".
std::string Signed(std::string_view claims_json) {
  const auto body = kKey.kid + "." + Base64Url(claims_json);
  std::array<unsigned char, 32> mac{};
  std::size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kKey.secret.data(), kKey.secret.size(),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(),
            mac.size(), &len);
  return body + "." + Base64Url(std::string_view(reinterpret_cast<const char*>(mac.data()), len));
}

void CheckClaims(const Result<http::Claims>& claims) {
  if (claims) fuzz::FuzzCheck(claims->expires > fuzz::kNowSeconds, "claims are unexpired");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      CheckClaims(http::VerifyToken(kRing, rest, fuzz::kNowSeconds));
      break;
    case 1:
      CheckClaims(http::VerifyToken(kRing, Signed(rest), fuzz::kNowSeconds));
      break;
    default: {
      if (rest.size() < 9) return 0;
      http::Claims claims;
      claims.role = static_cast<http::Role>(static_cast<unsigned char>(rest[0]) % 7);
      std::memcpy(&claims.expires, rest.data() + 1, sizeof claims.expires);
      claims.subject = std::string(rest.substr(9));
      const auto issued = http::IssueToken(kKey, claims);
      fuzz::FuzzCheck(static_cast<bool>(issued), "a token is issued");
      const std::string& token = *issued;
      const auto back = http::VerifyToken(kRing, token, fuzz::kNowSeconds);
      CheckClaims(back);
      // Subjects are IINs, organisation ids and names: UTF-8 (JSON carries nothing else).
      // Tokens longer than 4096 characters are refused before any work.
      if (claims.expires > fuzz::kNowSeconds && http::ValidUtf8(claims.subject) &&
          token.size() <= 4096) {
        fuzz::FuzzCheck(static_cast<bool>(back), "an issued token verifies");
        fuzz::FuzzCheck(back->role == claims.role && back->subject == claims.subject &&
                            back->expires == claims.expires,
                        "the same claims come back");
      }
    }
  }
  return 0;
}
