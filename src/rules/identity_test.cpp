// Identity (FORMAT.md "Refusal reasons"): invalid_iin, unknown_person, false_data, deceased are
// checked first and reported alone, whatever else fails.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;
using domain::Sex;

class IdentityTest : public RulesTest {};

TEST_F(IdentityTest, KnownLivingPersonWithMatchingDataIsApproved) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.declared_birth = D(1985, 3, 5);
  app.declared_sex = Sex::kMale;
  const auto d = Decide(app);
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_TRUE(d.reasons.empty());
  EXPECT_EQ(d.org, "O1");
  EXPECT_EQ(d.effective, kOutside);
}

TEST_F(IdentityTest, MalformedIinIsInvalid) {
  for (const std::string bad :
       {"", "85030530157", "8503053015780", "85030530157a", "ABCDEFGHIJKL"}) {
    EXPECT_EQ(Reasons(App(bad, "O1", kOutside)), Strings{"invalid_iin"}) << "iin=" << bad;
  }
}

TEST_F(IdentityTest, WrongCheckDigitIsInvalidEvenForAKnownPrefix) {
  Adult(0);
  EXPECT_EQ(Reasons(App(BadCheckDigit(ValidIin(0)), "O1", kOutside)), Strings{"invalid_iin"});
}

TEST_F(IdentityTest, DomainExamplesAreValidIins) {
  for (const std::string iin : {"850305301578", "950612310202", "900115301001"}) {
    AddPerson(iin, D(1985, 3, 5));
    EXPECT_NE(Reasons(App(iin, "O1", kOutside)), Strings{"invalid_iin"}) << iin;
  }
}

TEST_F(IdentityTest, InvalidIinIsReportedAloneWhenOtherRulesFailToo) {
  auto app = App("123", "NO-SUCH-ORG", kOutside, Basis::kFreeChoice, Channel::kClinicPaper);
  app.consent = false;
  app.district = "NO-SUCH-DISTRICT";
  EXPECT_EQ(Reasons(app), Strings{"invalid_iin"});
}

TEST_F(IdentityTest, InvalidApplicantIinIsInvalidIin) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.applicant = BadCheckDigit(ValidIin(1));
  EXPECT_EQ(Reasons(app), Strings{"invalid_iin"});
}

TEST_F(IdentityTest, UnknownPersonIsReportedAlone) {
  auto app = App(ValidIin(5), "NO-SUCH-ORG", kOutside, Basis::kFreeChoice, Channel::kClinicPaper);
  app.consent = false;
  EXPECT_EQ(Reasons(app), Strings{"unknown_person"});
}

TEST_F(IdentityTest, UnknownApplicantIsUnknownPerson) {
  Child(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.applicant = ValidIin(7);  // valid IIN, not in the register
  app.documents.Add(Document::kRepresentationProof);
  EXPECT_EQ(Reasons(app), Strings{"unknown_person"});
}

TEST_F(IdentityTest, DeclaredBirthThatDisagreesWithRegisterIsFalseData) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.declared_birth = D(1985, 3, 6);
  app.consent = false;  // reported alone
  EXPECT_EQ(Reasons(app), Strings{"false_data"});
}

TEST_F(IdentityTest, DeclaredSexThatDisagreesWithRegisterIsFalseData) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.declared_sex = Sex::kFemale;
  EXPECT_EQ(Reasons(app), Strings{"false_data"});
}

// DOMAIN.md "The IIN": "Since 2013 an IIN need not match the real birth date or sex: take those
// from the population register, never from the IIN."
TEST_F(IdentityTest, IinThatDoesNotEncodeTheRealBirthDateIsNotFalseData) {
  // 850305301578 encodes 1985-03-05, male; the register says 1990-01-01, female.
  auto& p = AddPerson("850305301578", D(1990, 1, 1));
  p.sex = Sex::kFemale;
  auto app = App("850305301578", "O1", kOutside);
  app.declared_birth = D(1990, 1, 1);
  app.declared_sex = Sex::kFemale;
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(IdentityTest, DeceasedOnOrBeforeTheDateIsReportedAlone) {
  Adult(0).deceased = kOutside;
  auto app = App(ValidIin(0), "NO-SUCH-ORG", kOutside, Basis::kFreeChoice, Channel::kClinicPaper);
  app.consent = false;
  EXPECT_EQ(Reasons(app), Strings{"deceased"});
  view_.persons.at(ParseIin(ValidIin(0))).deceased = kOutside.AddDays(-100);
  EXPECT_EQ(Reasons(app), Strings{"deceased"});
}

TEST_F(IdentityTest, DeathAfterTheApplicationDateIsNotDeceased) {
  Adult(0).deceased = kOutside.Next();
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside)).outcome, Outcome::kApproved);
}

TEST_F(IdentityTest, IdentityRefusalStillCarriesDecideByAndPolicyVersion) {
  const auto d = Decide(App("123", "O1", D(2025, 9, 12)));  // Friday
  EXPECT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_EQ(d.decide_by, D(2025, 9, 15));
  EXPECT_EQ(d.policy_version, policy_.version);
  EXPECT_FALSE(d.effective.has_value());
  EXPECT_TRUE(d.alternatives.empty());
}

}  // namespace
}  // namespace emkhana::rules::testing
