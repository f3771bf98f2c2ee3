// The HTTP pieces without sockets: the problem catalogue, languages, and the routes
// against the OpenAPI document.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "http/api.hpp"
#include "http/api_call.hpp"
#include "http/problem.hpp"
#include "http/token.hpp"

namespace emkhana::http {
namespace {

TEST(Problem, EveryTypeHasAStatusAndThreeTitles) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(ProblemCode::kInternal); ++i) {
    const auto& t = TypeOf(static_cast<ProblemCode>(i));
    EXPECT_TRUE(codes.insert(t.code).second) << t.code << " twice";
    EXPECT_GE(t.status, 400) << t.code;
    EXPECT_LT(t.status, 600) << t.code;
    EXPECT_FALSE(t.title_kk.empty() || t.title_ru.empty() || t.title_en.empty()) << t.code;
  }
}

TEST(Problem, BodyIsProblemJsonInTheAskedLanguage) {
  const auto body = boost::json::parse(ProblemBody(ProblemCode::kForbidden, Lang::kKk, "x\x01y"));
  EXPECT_EQ(body.at("code"), "forbidden");
  EXPECT_EQ(body.at("status"), 403);
  EXPECT_EQ(body.at("title"), "Қолжетімділік жоқ");
  EXPECT_EQ(body.at("detail"), "x?y");
}

TEST(Problem, LanguageIsTheFirstOfOursNamed) {
  EXPECT_EQ(PickLanguage(""), Lang::kRu);
  EXPECT_EQ(PickLanguage("kk-KZ,ru;q=0.8"), Lang::kKk);
  EXPECT_EQ(PickLanguage("fr, EN-gb;q=0.5, ru"), Lang::kEn);
  EXPECT_EQ(PickLanguage("de"), Lang::kRu);
  EXPECT_EQ(PickLanguage(",,;;=="), Lang::kRu);
}

// Found by the token fuzzer: a subject with an encoded surrogate passed ValidUtf8, but its token
// never verified (Boost.JSON refuses it); overlong forms passed into paths and queries too.
TEST(Utf8, OnlyWellFormedSequencesAsRfc3629) {
  EXPECT_TRUE(ValidUtf8("ascii \x7f"));
  EXPECT_TRUE(ValidUtf8("\xd0\x98\xd0\x98\xd0\x9d"));                // ИИН
  EXPECT_TRUE(ValidUtf8("\xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80"));  // U+0800, U+D7FF, U+E000
  EXPECT_TRUE(ValidUtf8("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));       // U+10000, U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xed\xa4\xa5"));                           // a surrogate, U+D925
  EXPECT_FALSE(ValidUtf8("\xed\xbf\xbf"));                           // U+DFFF
  EXPECT_FALSE(ValidUtf8("\xe0\x80\xae"));                           // an overlong '.'
  EXPECT_FALSE(ValidUtf8("\xc0\xaf"));                               // an overlong '/'
  EXPECT_FALSE(ValidUtf8("\xf0\x80\x80\xaf"));  // an overlong '/' in four bytes
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xe1\x80"));          // cut short
  const std::string surrogate_subject = "\xed\xa4\xa5";
  const TokenKey key{"k1", std::string(64, 's')};
  const auto token = IssueToken(key, {Role::kCitizen, surrogate_subject, 2000});
  ASSERT_TRUE(token);
  EXPECT_FALSE(VerifyToken(KeyRing{{key}}, *token, 1))
      << "so a subject that is not UTF-8 by ValidUtf8 is one that no token can carry";
}

TEST(OpenApi, DocumentsExactlyTheRoutes) {
  const auto doc = boost::json::parse(Api::OpenApiDocument());
  std::set<std::pair<std::string, std::string>> documented, routed;
  for (const auto& [path, ops] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m(method);
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(m, std::string(path));
    }
  }
  for (const auto& r : Api::Routes()) routed.emplace(std::string(r.method), std::string(r.pattern));
  EXPECT_EQ(documented, routed);
  // The problem codes listed in the document are the catalogue's.
  std::set<std::string> listed, catalogue;
  for (const auto& c :
       doc.at_pointer("/components/schemas/Problem/properties/code/enum").as_array()) {
    listed.emplace(c.as_string());
  }
  for (int i = 0; i <= static_cast<int>(ProblemCode::kInternal); ++i) {
    catalogue.emplace(TypeOf(static_cast<ProblemCode>(i)).code);
  }
  EXPECT_EQ(listed, catalogue);
}

}  // namespace
}  // namespace emkhana::http
