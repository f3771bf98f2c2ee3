// Who applies (DOMAIN.md): no_consent, no_representation. Ages on the application date.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class ApplicantTest : public RulesTest {
 protected:
  // Person 0: a 10-year-old child; person 1: the registered parent; person 2: a stranger.
  void SetUp() override {
    Child(0).representatives.push_back(ParseIin(ValidIin(1)));
    Adult(1);
    Adult(2);
  }
  domain::Application ForChild(const std::string& applicant) {
    auto app = App(ValidIin(0), "O1", kOutside);
    app.applicant = applicant;
    return app;
  }
};

TEST_F(ApplicantTest, ConsentGivenPasses) {
  auto app = App(ValidIin(1), "O1", kOutside);
  app.consent = true;
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, NoConsentIsRefused) {
  auto app = App(ValidIin(1), "O1", kOutside);
  app.consent = false;
  EXPECT_EQ(Reasons(app), Strings{"no_consent"});
}

TEST_F(ApplicantTest, MinorByRegisteredRepresentativeIsApproved) {
  const auto d = Decide(ForChild(ValidIin(1)));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-G1");  // GP and pediatrician both empty: the smaller id
}

TEST_F(ApplicantTest, MinorByStrangerWithRepresentationProofIsApproved) {
  auto app = ForChild(ValidIin(2));
  app.documents.Add(Document::kRepresentationProof);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, MinorByStrangerWithoutProofHasNoRepresentation) {
  EXPECT_EQ(Reasons(ForChild(ValidIin(2))), Strings{"no_representation"});
}

TEST_F(ApplicantTest, MinorByStrangerWithOnlyFamilyConsentHasNoRepresentation) {
  auto app = ForChild(ValidIin(2));
  app.documents.Add(Document::kConsentOfFamilyMember);
  EXPECT_EQ(Reasons(app), Strings{"no_representation"});
}

TEST_F(ApplicantTest, MinorApplyingForThemselfHasNoRepresentation) {
  EXPECT_EQ(Reasons(ForChild("")), Strings{"no_representation"});
  EXPECT_EQ(Reasons(ForChild(ValidIin(0))), Strings{"no_representation"});
}

TEST_F(ApplicantTest, AgeIsCountedOnTheApplicationDate) {
  // Turns 18 the day after the application: still a minor.
  auto& p = AddPerson(ValidIin(3), D(2007, 3, 13));
  (void)p;
  auto app = App(ValidIin(3), "O1", kOutside);  // 2025-03-12
  EXPECT_EQ(Reasons(app), Strings{"no_representation"});
  // On the 18th birthday: an adult applying for themself.
  app.date = D(2025, 3, 13);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, AdultApplyingForThemselfIsApproved) {
  EXPECT_EQ(Decide(App(ValidIin(2), "O1", kOutside)).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, AdultByAnotherAdultWithConsentOfFamilyMemberIsApproved) {
  auto app = App(ValidIin(2), "O1", kOutside);
  app.applicant = ValidIin(1);
  app.documents.Add(Document::kConsentOfFamilyMember);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, AdultByAnotherAdultWithoutConsentHasNoRepresentation) {
  auto app = App(ValidIin(2), "O1", kOutside);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Reasons(app), Strings{"no_representation"});
}

TEST_F(ApplicantTest, AdultByRegisteredGuardianIsApproved) {
  view_.persons.at(ParseIin(ValidIin(2))).representatives.push_back(ParseIin(ValidIin(1)));
  auto app = App(ValidIin(2), "O1", kOutside);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ApplicantTest, EveryApplicantFailureIsReportedSorted) {
  auto app = ForChild(ValidIin(2));
  app.consent = false;
  EXPECT_EQ(Reasons(app), (Strings{"no_consent", "no_representation"}));
}

}  // namespace
}  // namespace emkhana::rules::testing
