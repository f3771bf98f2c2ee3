#include "scenario/scenario.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace emkhana::scenario {
namespace {

const char* kGoodLines[] = {
    R"({"op": "policy", "campaigns": [{"year": 2025, "start": "2025-09-01", "end": "2025-11-01"}], "norms": {"gp": 10}, "holidays": ["2025-12-31"], "free_choices_per_year": 2})",
    R"({"op": "org", "id": "ALA1", "ate": "ALMATY", "name": "Городская поликлиника №1", "location": [43.2, 76.9], "private": true})",
    R"({"op": "district", "id": "ALA1-T1", "org": "ALA1", "kind": "therapist", "capacity": 3, "doctors": 2})",
    R"({"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "F", "status": "citizen", "ate": {"registration": "ALMATY", "residence": "ALMATY"}, "categories": ["pensioner"], "insurance": {"kind": "dms", "from": "2025-01-01", "until": "2025-12-31"}, "representatives": ["850305301578"], "deceased": "2030-01-01"})",
    R"({"op": "attach", "iin": "900115401018", "org": "ALA1", "district": "ALA1-T1", "from": "2020-01-01"})",
    R"({"op": "apply", "id": "A1", "date": "2025-09-10", "iin": "900115401018", "org": "ALA2", "channel": "egov", "basis": "free_choice", "district": "X", "applicant": "850305301578", "consent": false, "documents": ["residence_proof"], "birth": "1990-01-15", "sex": "F", "expect": {"decision": "approved"}})",
    R"({"op": "death", "iin": "900115401018", "date": "2025-03-01"})",
    R"({"op": "org_close", "org": "ALA4", "date": "2025-04-01", "successor": "ALA2"})",
    R"({"op": "query", "iin": "900115401018", "date": "2025-12-31", "expect": {"org": null}})",
};

TEST(ScenarioParser, AcceptsEveryOp) {
  int line = 0;
  for (const char* text : kGoodLines) {
    auto step = ParseLine(text, ++line);
    ASSERT_TRUE(step) << text << ": " << step.error().message;
    ASSERT_TRUE(step->has_value()) << text;
    EXPECT_EQ((*step)->line, line);
  }
}

TEST(ScenarioParser, SkipsBlankAndCommentLines) {
  for (const char* text : {"", "   ", "# a comment", "  # indented", "\r"}) {
    auto step = ParseLine(text, 1);
    ASSERT_TRUE(step) << text;
    EXPECT_FALSE(step->has_value()) << text;
  }
}

TEST(ScenarioParser, KeepsApplicationFields) {
  auto step = ParseLine(kGoodLines[5], 7);
  ASSERT_TRUE(step && step->has_value());
  const auto& app = std::get<ApplyStep>((*step)->body).application;
  EXPECT_EQ(app.id, "A1");
  EXPECT_EQ(app.date, domain::Date::Ymd(2025, 9, 10));
  EXPECT_EQ(app.channel, domain::Channel::kEgov);
  EXPECT_EQ(app.basis, domain::Basis::kFreeChoice);
  EXPECT_EQ(app.district, std::optional<std::string>("X"));
  EXPECT_EQ(app.applicant, "850305301578");
  EXPECT_FALSE(app.consent);
  EXPECT_TRUE(app.documents.Has(domain::Document::kResidenceProof));
  EXPECT_EQ(app.declared_sex, std::optional(domain::Sex::kFemale));
  ASSERT_TRUE((*step)->expect.has_value());
}

struct BadLine {
  const char* text;
  const char* message_part;
};

TEST(ScenarioParser, RejectsBadLinesWithAMessage) {
  const BadLine bad[] = {
      {R"({"op": "org", "id": "A")", "malformed JSON"},
      {R"([1, 2])", "expected a JSON object"},
      {R"({"id": "A"})", "'op'"},
      {R"({"op": "teleport"})", "unknown op 'teleport'"},
      {R"({"op": "org", "id": "A"})", "'ate': missing"},
      {R"({"op": "org", "id": "", "ate": "X"})", "'id': must not be empty"},
      {R"({"op": "org", "id": 5, "ate": "X"})", "'id': expected a string"},
      {R"({"op": "district", "id": "D", "org": "A", "kind": "surgeon"})",
       "unknown value 'surgeon'"},
      {R"({"op": "district", "id": "D", "org": "A", "kind": "gp", "capacity": -1})", "'capacity'"},
      {R"({"op": "district", "id": "D", "org": "A", "kind": "gp", "capacity": 1.5})", "'capacity'"},
      {R"({"op": "person", "iin": "900115401018", "birth": "1990-02-30", "sex": "F", "status": "citizen"})",
       "'birth'"},
      {R"({"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "X", "status": "citizen"})",
       "'sex'"},
      {R"({"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "F", "status": "alien"})",
       "'status'"},
      {R"({"op": "person", "iin": "9001154010", "birth": "1990-01-15", "sex": "F", "status": "citizen"})",
       "'iin'"},
      {R"({"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "F", "status": "citizen", "categories": ["wizard"]})",
       "'categories'"},
      {R"({"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "F", "status": "citizen", "representatives": ["123"]})",
       "'representatives'"},
      {R"({"op": "attach", "iin": "900115401019", "org": "A", "district": "D", "from": "2020-01-01"})",
       "'iin'"},
      {R"({"op": "apply", "id": "A1", "date": "2025-13-01", "iin": "900115401018", "org": "A", "channel": "egov", "basis": "free_choice"})",
       "'date'"},
      {R"({"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "fax", "basis": "free_choice"})",
       "'channel'"},
      {R"({"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "egov", "basis": "whim"})",
       "'basis'"},
      {R"({"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "egov"})",
       "'basis': missing"},
      {R"({"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "egov", "basis": "free_choice", "documents": ["passport"]})",
       "'documents'"},
      {R"({"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "egov", "basis": "free_choice", "consent": "yes"})",
       "'consent'"},
      {R"({"op": "query", "iin": "900115401018"})", "'date': missing"},
      {R"({"op": "query", "iin": "900115401018", "date": "2025-01-01", "expect": 3})", "'expect'"},
      {R"({"op": "policy", "campaigns": [{"year": 2025, "start": "2025-11-01", "end": "2025-09-01"}]})",
       "end before start"},
      {R"({"op": "policy", "norms": {"gp": "many"}})", "'norms'"},
      {"{\"op\": \"org\", \"id\": \"\xff\xfe\", \"ate\": \"X\"}", "malformed JSON"},
  };
  for (const auto& b : bad) {
    auto step = ParseLine(b.text, 3);
    ASSERT_FALSE(step) << "accepted: " << b.text;
    EXPECT_NE(step.error().message.find(b.message_part), std::string::npos)
        << b.text << " -> " << step.error().message;
  }
}

TEST(ScenarioParser, ErrorsNameFileAndLine) {
  auto parsed = ParseScenario(
      "# header\n"
      "{\"op\": \"org\", \"id\": \"A\", \"ate\": \"X\"}\n"
      "\n"
      "{\"op\": \"warp\"}\n",
      "story.jsonl");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message.rfind("story.jsonl:4: ", 0), 0u) << parsed.error().message;
}

TEST(ScenarioParser, InvalidPersonIinIsSkippedNotFatal) {
  auto step = ParseLine(
      R"({"op": "person", "iin": "900115401019", "birth": "1990-01-15", "sex": "F", "status": "citizen"})",
      1);
  ASSERT_TRUE(step && step->has_value());
  EXPECT_TRUE(std::holds_alternative<InvalidPersonStep>((*step)->body));
}

// Thousands of random and mutated lines: the parser must answer each with a step or an error,
// never crash (run under AddressSanitizer and UndefinedBehaviorSanitizer in CI).
TEST(ScenarioParserFuzz, RandomAndMutatedLinesNeverCrash) {
  std::mt19937 rng(20251122);
  const std::string alphabet = "{}[]\":,0123456789-abcdefghijklmnopqrstuvwxyz _#\\\n\t\xd0\x98\xff";
  const std::vector<std::string> tokens = {"\"op\"",
                                           "\"org\"",
                                           "\"apply\"",
                                           "\"person\"",
                                           "\"query\"",
                                           "\"policy\"",
                                           "\"date\"",
                                           "\"2025-02-29\"",
                                           "\"9999-99-99\"",
                                           "null",
                                           "true",
                                           "1e309",
                                           "-0",
                                           "18446744073709551616",
                                           "[]",
                                           "{}",
                                           "\"\\u0000\"",
                                           "\"\\ud800\"",
                                           "\"iin\"",
                                           "\"900115401018\""};
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string line = kGoodLines[rng() % std::size(kGoodLines)];
    const int mutations = 1 + static_cast<int>(rng() % 6);
    for (int m = 0; m < mutations && !line.empty(); ++m) {
      const std::size_t pos = rng() % line.size();
      switch (rng() % 5) {
        case 0:
          line.erase(pos, 1 + rng() % 8);
          break;
        case 1:
          line.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          line[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 3:
          line.insert(pos, tokens[rng() % tokens.size()]);
          break;
        case 4:
          line = line.substr(0, pos);
          break;
      }
    }
    if (i % 7 == 0) {  // pure noise
      line.clear();
      for (std::size_t n = rng() % 200; n > 0; --n) line += static_cast<char>(rng() % 256);
    }
    auto step = ParseLine(line, i + 1);
    (step ? accepted : rejected)++;
    if (!step) {
      EXPECT_FALSE(step.error().message.empty());
    }
  }
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(accepted, 10);  // some mutations stay valid
}

}  // namespace
}  // namespace emkhana::scenario
