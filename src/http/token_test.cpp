// Tokens: the format, the key ring and its file, and the verifier's cache against revocation,
// rotation and retirement.
#include "http/token.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace emkhana::http {
namespace {

TokenKey Key(std::string kid, char fill) { return {std::move(kid), std::string(64, fill), 0}; }

std::string TempFile(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("emkhana-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".revoked");
  return path;
}

std::string Claim(const std::string& token, const char* name) {
  const auto first = token.find('.'), second = token.rfind('.');
  std::string body = token.substr(first + 1, second - first - 1);
  // base64url without padding -> standard base64 for the decoder below
  static const std::string kAlpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : body) {
    acc = (acc << 6) | static_cast<unsigned>(kAlpha.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  const auto v = boost::json::parse(out);
  const auto& field = v.at(name);
  return field.is_string() ? std::string(field.as_string()) : boost::json::serialize(field);
}

TEST(Token, CarriesKidAndARandomJti) {
  const auto key = Key("k-1", 's');
  auto a = IssueToken(key, {Role::kRegistrar, "ALA1", 2000});
  auto b = IssueToken(key, {Role::kRegistrar, "ALA1", 2000});
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->starts_with("k-1."));
  EXPECT_EQ(std::count(a->begin(), a->end(), '.'), 2);
  EXPECT_EQ(Claim(*a, "jti").size(), 22u);
  EXPECT_NE(Claim(*a, "jti"), Claim(*b, "jti"));
  KeyRing ring{{key}};
  auto claims = VerifyToken(ring, *a, 1999);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->role, Role::kRegistrar);
  EXPECT_EQ(claims->subject, "ALA1");
  EXPECT_EQ(claims->kid, "k-1");
  EXPECT_EQ(claims->jti, Claim(*a, "jti"));
}

TEST(Token, EveryWayToBreakIt) {
  const auto key = Key("k-1", 's');
  KeyRing ring{{key}};
  const auto token = *IssueToken(key, {Role::kAdmin, "ops", 2000});
  EXPECT_FALSE(VerifyToken(ring, token, 2000)) << "expired";
  EXPECT_FALSE(VerifyToken(KeyRing{{Key("k-1", 't')}}, token, 1000)) << "another secret";
  EXPECT_EQ(VerifyToken(KeyRing{{Key("k-2", 's')}}, token, 1000).error().message,
            "unknown or retired signing key");
  auto tampered = token;
  tampered[6] = tampered[6] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyToken(ring, tampered, 1000));
  // The kid is signed too: the same secret under another name does not verify.
  KeyRing renamed{{Key("k-1", 's'), Key("k-9", 's')}};
  EXPECT_FALSE(VerifyToken(renamed, "k-9" + token.substr(3), 1000));
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "k-1..", token.substr(token.find('.') + 1), token + ".x",
           "k 1" + token.substr(3), "k-1.e30." + token.substr(token.rfind('.') + 1)}) {
    EXPECT_FALSE(VerifyToken(ring, bad, 1000)) << bad;
  }
  // Before key ids: claims "." mac, no kid, no jti.
  EXPECT_FALSE(VerifyToken(ring, token.substr(token.find('.') + 1), 1000));
}

TEST(KeyRing, ParsesLinesAndOldSingleSecrets) {
  auto ring = KeyRing::Parse("# comment\nk-a " + std::string(64, 'a') + " 500\n\nk-b " +
                             std::string(64, 'b') + "\n");
  ASSERT_TRUE(ring);
  ASSERT_EQ(ring->keys.size(), 2u);
  EXPECT_EQ(ring->keys[0].retire_at, 500);
  EXPECT_EQ(ring->Signing(100)->kid, "k-b");
  EXPECT_NE(ring->Find("k-a", 499), nullptr);
  EXPECT_EQ(ring->Find("k-a", 500), nullptr) << "retired";
  auto again = KeyRing::Parse(ring->Format());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->keys.size(), 2u);
  EXPECT_EQ(again->Format(), ring->Format());

  const std::string old(64, 'f');
  auto legacy = KeyRing::Parse(old + "\n");
  ASSERT_TRUE(legacy);
  ASSERT_EQ(legacy->keys.size(), 1u);
  EXPECT_EQ(legacy->keys[0].secret, old);
  EXPECT_TRUE(legacy->keys[0].kid.starts_with("legacy-"));
  EXPECT_EQ(KeyRing::Parse(old)->keys[0].kid, legacy->keys[0].kid) << "derived the same way";

  for (const std::string& bad :
       std::vector<std::string>{"", "# nothing\n", "short\n", "k-a short\n", "k.a " + old + "\n",
                                "k-a " + old + " x\n", "k-a " + old + "\nk-a " + old + "\n"}) {
    EXPECT_FALSE(KeyRing::Parse(bad)) << bad;
  }
}

TEST(KeyRing, FileIsMadePrivateAndRefusedWhenOpen) {
  const auto path = TempFile("ring");
  auto made = LoadKeyRing(path, true);
  ASSERT_TRUE(made);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = LoadKeyRing(path, false);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->keys[0].kid, made->keys[0].kid);
  ::chmod(path.c_str(), 0640);
  auto open = LoadKeyRing(path, false);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("mode 0640"), std::string::npos) << open.error().message;
  ::chmod(path.c_str(), 0600);
  EXPECT_FALSE(LoadKeyRing(TempFile("missing"), false));
  // Saved over atomically, still 0600.
  auto key = NewTokenKey("k");
  ASSERT_TRUE(key);
  read->keys.push_back(*key);
  ASSERT_TRUE(SaveKeyRing(path, *read));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(LoadKeyRing(path, false)->Signing(0)->kid, key->kid);
}

TEST(TokenVerifier, RevocationReachesCachedTokens) {
  ManualClock clock(1000 * 1'000'000LL);
  const auto key = Key("k-1", 's');
  TokenVerifier v(KeyRing{{key}}, std::nullopt, clock);
  const auto token = *IssueToken(key, {Role::kCitizen, "900101300001", 2000});
  ASSERT_TRUE(v.Verify(token));
  ASSERT_TRUE(v.Verify(token)) << "cached";
  v.Revoke(Claim(token, "jti"));
  auto refused = v.Verify(token);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "token revoked");
  clock.Advance(5000 * 1'000'000LL);
  EXPECT_EQ(v.Verify(token).error().message, "token expired");
}

TEST(TokenVerifier, DemoKeyIsItsOwn) {
  ManualClock clock(1000 * 1'000'000LL);
  const auto prod = Key("k-1", 's');
  const auto demo = *NewTokenKey("demo");
  const auto demo_token = *IssueToken(demo, {Role::kAdmin, "ops", 2000});
  TokenVerifier with_demo(KeyRing{{prod}}, demo, clock);
  TokenVerifier without(KeyRing{{prod}}, std::nullopt, clock);
  EXPECT_TRUE(with_demo.Verify(demo_token));
  EXPECT_FALSE(without.Verify(demo_token));
  EXPECT_FALSE(VerifyToken(KeyRing{{prod}}, demo_token, 1000));
}

TEST(TokenVerifier, FollowsTheFiles) {
  ManualClock clock(1000 * 1'000'000LL);
  const auto path = TempFile("followed");
  auto opened = TokenVerifier::Open({.key_path = path, .demo = {}, .refresh_micros = 0}, clock);
  ASSERT_TRUE(opened);
  auto& v = **opened;
  auto ring = *LoadKeyRing(path, false);
  const auto old_key = ring.keys[0];
  const auto old_token = *IssueToken(old_key, {Role::kAdmin, "ops", 5000});
  ASSERT_TRUE(v.Verify(old_token));

  // Rotated: the new key signs, the old one still verifies; then retired at 1500.
  const auto new_key = *NewTokenKey("k");
  ring.keys.push_back(new_key);
  ring.keys[0].retire_at = 1500;
  ASSERT_TRUE(SaveKeyRing(path, ring));
  const auto new_token = *IssueToken(new_key, {Role::kAdmin, "ops", 5000});
  EXPECT_TRUE(v.Verify(new_token));
  EXPECT_TRUE(v.Verify(old_token));
  clock.Advance(600 * 1'000'000LL);
  EXPECT_FALSE(v.Verify(old_token)) << "retired while cached";
  EXPECT_TRUE(v.Verify(new_token));

  // Revoked through the file.
  ASSERT_TRUE(AppendRevocation(RevocationPath(path), Claim(new_token, "jti"), 5000));
  EXPECT_EQ(v.Verify(new_token).error().message, "token revoked");

  // A file opened to others is not taken: the server keeps the ring it had.
  ::chmod(path.c_str(), 0644);
  const auto other = *IssueToken(new_key, {Role::kAdmin, "ops2", 5000});
  EXPECT_TRUE(v.Verify(other));
}

}  // namespace
}  // namespace emkhana::http
