// The HTTP pieces without sockets: the problem catalogue, languages, and the routes
// against the OpenAPI document.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "http/api.hpp"
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
