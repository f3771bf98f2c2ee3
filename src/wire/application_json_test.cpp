#include "wire/application_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace emkhana::wire {
namespace {

namespace json = boost::json;

Result<domain::Application> Parse(std::string_view text) {
  return ParseApplication(json::parse(text).as_object());
}

TEST(ParseApplication, TakesTheFieldsAndDefaultsTheRest) {
  auto a = Parse(
      R"({"id":"a1","date":"2026-12-03","channel":"egov","basis":"free_choice","iin":"900101300123","org":"ORG1","documents":["residence_proof"]})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->id, "a1");
  EXPECT_EQ(a->org, "ORG1");
  EXPECT_EQ(a->channel, domain::Channel::kEgov);
  EXPECT_EQ(a->basis, domain::Basis::kFreeChoice);
  EXPECT_TRUE(a->consent);
  EXPECT_FALSE(a->district);
  EXPECT_TRUE(a->documents.Has(domain::Document::kResidenceProof));
}

TEST(ParseApplication, AnApplicantWhoIsThePersonIsNoApplicant) {
  auto a = Parse(
      R"({"id":"a","date":"2026-12-03","channel":"egov","basis":"free_choice","iin":"900101300123","org":"O","applicant":"900101300123"})");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->applicant.empty());
}

TEST(ParseApplication, ABadFieldIsNamed) {
  auto a = Parse(
      R"({"id":"a","date":"2026-12-03","channel":"fax","basis":"free_choice","iin":"900101300123","org":"O"})");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "field 'channel': unknown value 'fax'");
  auto b = Parse(
      R"({"id":"a","date":"2026-12-03","channel":"egov","basis":"free_choice","iin":"900101300123","org":"O","birth":"1990-02-30"})");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("field 'birth'"), std::string::npos);
  auto c = Parse(
      R"({"date":"2026-12-03","channel":"egov","basis":"free_choice","iin":"900101300123","org":"O"})");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "field 'id': missing");
}

TEST(DecisionJson, AlternativesOnlyWhenAPanelWasFull) {
  domain::Decision d;
  d.application_id = "a1";
  d.outcome = domain::Outcome::kRefused;
  d.decide_by = *domain::Date::Parse("2026-12-10");
  d.reasons = {domain::Reason::kTerritory};
  d.alternatives = {"ORG2"};
  auto o = DecisionJson(d);
  EXPECT_EQ(json::serialize(o),
            R"({"id":"a1","decision":"refused","decide_by":"2026-12-10","reasons":["territory"]})");
  d.reasons = {domain::Reason::kCapacityExceeded};
  EXPECT_EQ(DecisionJson(d).at("alternatives"), json::array({"ORG2"}));
}

TEST(DecisionJson, AnApprovalSaysWhereAndFromWhen) {
  domain::Decision d;
  d.application_id = "a2";
  d.outcome = domain::Outcome::kApproved;
  d.org = "ORG1";
  d.district = "D1";
  d.effective = *domain::Date::Parse("2026-12-04");
  d.decide_by = *domain::Date::Parse("2026-12-04");
  auto o = DecisionJson(d);
  EXPECT_EQ(o.at("org"), "ORG1");
  EXPECT_EQ(o.at("district"), "D1");
  EXPECT_EQ(o.at("effective"), "2026-12-04");
  EXPECT_TRUE(o.at("reasons").as_array().empty());
}

TEST(PlacementJson, NullWhereUnattached) {
  auto date = *domain::Date::Parse("2026-12-03");
  EXPECT_EQ(json::serialize(PlacementJson("900101300123", date, "", "")),
            R"({"iin":"900101300123","date":"2026-12-03","org":null,"district":null})");
  EXPECT_EQ(PlacementJson("900101300123", date, "O", "D").at("district"), "D");
}

}  // namespace
}  // namespace emkhana::wire
