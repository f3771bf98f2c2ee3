// The organisation and district (DOMAIN.md "The organisation"): org_not_eligible,
// already_attached, wrong_district, and the change of doctor.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class OrganisationTest : public RulesTest {};

// ---- org_not_eligible

TEST_F(OrganisationTest, LicensedContractedOpenOrganisationIsEligible) {
  Adult(0);
  view_.orgs.at("O1").closed_on = kOutside.Next();  // closes later
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside)).outcome, Outcome::kApproved);
}

TEST_F(OrganisationTest, UnknownOrganisationIsNotEligible) {
  Adult(0);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O404", kOutside)), Strings{"org_not_eligible"});
}

TEST_F(OrganisationTest, UnlicensedOrganisationIsNotEligible) {
  Adult(0);
  view_.orgs.at("O1").license = false;
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"org_not_eligible"});
}

TEST_F(OrganisationTest, OrganisationWithoutFundContractIsNotEligible) {
  Adult(0);
  view_.orgs.at("O1").contract = false;
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"org_not_eligible"});
}

TEST_F(OrganisationTest, OrganisationClosedOnOrBeforeTheDateIsNotEligible) {
  Adult(0);
  view_.orgs.at("O1").closed_on = kOutside;
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"org_not_eligible"});
  view_.orgs.at("O1").closed_on = D(2020, 1, 1);
  view_.orgs.at("O1").successor = "O2";
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"org_not_eligible"});
}

// ---- already_attached

TEST_F(OrganisationTest, OwnOrganisationWithoutDistrictIsAlreadyAttached) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice)),
            Strings{"already_attached"});
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange)),
            Strings{"already_attached"});
}

TEST_F(OrganisationTest, OwnDistrictIsAlreadyAttached) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  auto app = App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice);
  app.district = "O1-T1";
  EXPECT_EQ(Reasons(app), Strings{"already_attached"});
}

TEST_F(OrganisationTest, PendingOrganisationWithoutDistrictOrSameDistrictIsAlreadyAttached) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1), kNextJan1);
  Attach(ValidIin(0), "O2-T1", kNextJan1);  // a free choice taking effect on 1 January
  auto app = App(ValidIin(0), "O2", D(2025, 10, 1), Basis::kFreeChoice);
  EXPECT_EQ(Reasons(app), Strings{"already_attached"});
  app.district = "O2-T1";
  EXPECT_EQ(Reasons(app), Strings{"already_attached"});
}

TEST_F(OrganisationTest, AnotherOrganisationOfTheSameAteIsNotAlreadyAttached) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  EXPECT_EQ(Decide(App(ValidIin(0), "O2", kInCampaign, Basis::kFreeChoice)).outcome,
            Outcome::kApproved);
}

TEST_F(OrganisationTest, PastAttachmentToTheOrganisationIsNotAlreadyAttached) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1), D(2024, 1, 1));  // ended (e.g. moved abroad)
  const auto d = Decide(App(ValidIin(0), "O1", kOutside));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.effective, kOutside);
}

// ---- change of doctor

TEST_F(OrganisationTest, ChangeOfDoctorOutsideTheCampaignIsEffectiveAtOnce) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  view_.free_choices[{ParseIin(ValidIin(0)), kOutside.year()}] = 1;  // not counted for doctors
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFreeChoice);
  app.district = "O1-G1";
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-G1");
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_FALSE(d.free_choice_change);
}

TEST_F(OrganisationTest, ChangeOfDoctorNeedsNoBasis) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment);
  app.district = "O1-G1";
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(OrganisationTest, ChangeOfDoctorIntoAFullDistrictExceedsCapacity) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1));
  view_.Occupy("O1-G1", 10);
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFreeChoice);
  app.district = "O1-G1";
  EXPECT_EQ(Reasons(app), Strings{"capacity_exceeded"});
}

TEST_F(OrganisationTest, ChangeOfDoctorInAPendingOrganisationTakesEffectWithIt) {
  Adult(0);
  Attach(ValidIin(0), "O1-T1", D(2020, 1, 1), kNextJan1);
  Attach(ValidIin(0), "O2-T1", kNextJan1);
  auto app = App(ValidIin(0), "O2", D(2025, 10, 1), Basis::kFreeChoice);
  app.district = "O2-G1";
  const auto d = Decide(app);
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O2-G1");
  EXPECT_EQ(d.effective, kNextJan1);
  EXPECT_FALSE(d.free_choice_change);
}

// ---- wrong_district

TEST_F(OrganisationTest, UnknownDistrictIsWrongDistrict) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.district = "O1-X9";
  EXPECT_EQ(Reasons(app), Strings{"wrong_district"});
}

TEST_F(OrganisationTest, DistrictOfAnotherOrganisationIsWrongDistrict) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.district = "O2-T1";
  EXPECT_EQ(Reasons(app), Strings{"wrong_district"});
}

TEST_F(OrganisationTest, PediatricDistrictForAnAdultIsWrongDistrict) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.district = "O1-P1";
  EXPECT_EQ(Reasons(app), Strings{"wrong_district"});
}

TEST_F(OrganisationTest, TherapistDistrictForAChildIsWrongDistrict) {
  Child(0).representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.applicant = ValidIin(1);
  app.district = "O1-T1";
  EXPECT_EQ(Reasons(app), Strings{"wrong_district"});
  app.district = "O1-P1";
  EXPECT_EQ(Decide(app).district, "O1-P1");
  app.district = "O1-G1";
  EXPECT_EQ(Decide(app).district, "O1-G1");
}

TEST_F(OrganisationTest, GpDistrictServesAdults) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.district = "O1-G1";
  EXPECT_EQ(Decide(app).district, "O1-G1");
}

// DOMAIN.md: "A district serves by age on the effective date". A 17-year-old (turning 18 on
// 2025-12-01) chooses freely in the campaign; the change takes effect on 1 January, when adult.
class SeventeenYearOldTest : public OrganisationTest {
 protected:
  void SetUp() override {
    AddPerson(ValidIin(0), D(2007, 12, 1)).representatives.push_back(ParseIin(ValidIin(1)));
    Adult(1);
    Attach(ValidIin(0), "O9-G1", D(2010, 1, 1));
    SetAte(view_.persons.at(ParseIin(ValidIin(0))), AteRole::kResidence, "A1");
  }
  domain::Application FreeChoice(std::optional<std::string> district) const {
    auto app = App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice);
    app.applicant = ValidIin(1);  // still a minor on the application date
    app.district = std::move(district);
    return app;
  }
};

TEST_F(SeventeenYearOldTest, PediatricDistrictIsWrongOnTheEffectiveDate) {
  EXPECT_EQ(Reasons(FreeChoice("O1-P1")), Strings{"wrong_district"});
}

TEST_F(SeventeenYearOldTest, TherapistDistrictIsRightOnTheEffectiveDate) {
  const auto d = Decide(FreeChoice("O1-T1"));
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.district, "O1-T1");
  EXPECT_EQ(d.effective, kNextJan1);
  EXPECT_TRUE(d.free_choice_change);
}

TEST_F(SeventeenYearOldTest, AutomaticDistrictIsAnAdultOne) {
  view_.Occupy("O1-G1", 5);  // the pediatric district has the most room, but does not serve
  const auto d = Decide(FreeChoice(std::nullopt));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-T1");
}

TEST_F(SeventeenYearOldTest, SelfApplicationIsStillAMinorsOnTheApplicationDate) {
  auto app = FreeChoice("O1-T1");
  app.applicant.clear();
  EXPECT_EQ(Reasons(app), Strings{"no_representation"});
}

TEST_F(OrganisationTest, FirstAttachmentOfA17YearOldIsJudgedOnTheApplicationDate) {
  // Unattached: effective at once, while still 17: a therapist district does not serve yet.
  AddPerson(ValidIin(0), D(2007, 12, 1)).representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1);
  auto app = App(ValidIin(0), "O1", kInCampaign);
  app.applicant = ValidIin(1);
  app.district = "O1-T1";
  EXPECT_EQ(Reasons(app), Strings{"wrong_district"});
  app.district = "O1-P1";
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

}  // namespace
}  // namespace emkhana::rules::testing
