// Territory (DOMAIN.md "Territory"): the organisation's ATE must be one of the person's
// registration, residence, temporary, work or study ATEs; pregnant women and children under 5:
// residence only; conscripts: deployment only; convicts: custody only.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class TerritoryTest : public RulesTest {
 protected:
  // An adult whose only ATE (in `role`) is A1; O1 is in A1, O9 in A2.
  domain::Person& OnlyIn(AteRole role, const std::string& ate = "A1") {
    auto& p = Adult(0);
    ClearAtes(p);
    SetAte(p, role, ate);
    return p;
  }
};

class FreeChoiceRoleTest : public TerritoryTest, public ::testing::WithParamInterface<AteRole> {};

TEST_P(FreeChoiceRoleTest, OrganisationInThisAteIsAllowed) {
  OnlyIn(GetParam());
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside)).outcome, Outcome::kApproved);
}

TEST_P(FreeChoiceRoleTest, OrganisationInAnotherAteIsRefused) {
  OnlyIn(GetParam());
  EXPECT_EQ(Reasons(App(ValidIin(0), "O9", kOutside)), Strings{"territory"});
}

INSTANTIATE_TEST_SUITE_P(Roles, FreeChoiceRoleTest,
                         ::testing::Values(AteRole::kRegistration, AteRole::kResidence,
                                           AteRole::kTemporary, AteRole::kWork, AteRole::kStudy),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

TEST_F(TerritoryTest, DeploymentOrCustodyAloneDoNotCountForOthers) {
  OnlyIn(AteRole::kDeployment);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"territory"});
  OnlyIn(AteRole::kCustody);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"territory"});
}

TEST_F(TerritoryTest, PersonWithNoAteIsRefused) {
  ClearAtes(Adult(0));
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"territory"});
}

TEST_F(TerritoryTest, PregnantWomanOnlyWhereSheLives) {
  auto& p = Adult(0);
  p.sex = domain::Sex::kFemale;
  p.categories.Add(Category::kPregnant);
  ClearAtes(p);
  SetAte(p, AteRole::kResidence, "A1");
  SetAte(p, AteRole::kRegistration, "A2");
  SetAte(p, AteRole::kWork, "A2");
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside)).outcome, Outcome::kApproved);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O9", kOutside)), Strings{"territory"});
}

class UnderFiveTest : public TerritoryTest {
 protected:
  void SetUp() override {
    Adult(1);
    auto& p = AddPerson(ValidIin(0), D(2020, 3, 13));  // 4 on 2025-03-12, 5 the next day
    ClearAtes(p);
    SetAte(p, AteRole::kResidence, "A1");
    SetAte(p, AteRole::kRegistration, "A2");
    p.representatives.push_back(ParseIin(ValidIin(1)));
  }
  domain::Application To(const std::string& org, Date date) const {
    auto app = App(ValidIin(0), org, date);
    app.applicant = ValidIin(1);
    return app;
  }
};

TEST_F(UnderFiveTest, ChildUnderFiveOnlyWhereTheChildLives) {
  EXPECT_EQ(Decide(To("O1", kOutside)).outcome, Outcome::kApproved);
  EXPECT_EQ(Reasons(To("O9", kOutside)), Strings{"territory"});
}

TEST_F(UnderFiveTest, FromTheFifthBirthdayTheRegistrationAteCountsToo) {
  EXPECT_EQ(Decide(To("O9", kOutside.Next())).outcome, Outcome::kApproved);
}

TEST_F(TerritoryTest, ConscriptOnlyWhereDeployed) {
  auto& p = Adult(0);  // registered and living in A1
  p.categories.Add(Category::kConscript);
  SetAte(p, AteRole::kDeployment, "A2");
  EXPECT_EQ(Decide(App(ValidIin(0), "O9", kOutside)).outcome, Outcome::kApproved);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"territory"});
}

TEST_F(TerritoryTest, ConscriptWithoutDeploymentIsRefusedEverywhere) {
  Adult(0).categories.Add(Category::kConscript);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside)), Strings{"territory"});
}

TEST_F(TerritoryTest, ConvictOnlyWhereHeld) {
  auto& p = Adult(0);
  p.categories.Add(Category::kConvict);
  SetAte(p, AteRole::kCustody, "A2");
  auto app = App(ValidIin(0), "O9", kOutside);
  app.documents.Add(Document::kCommissionProtocol);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
  app.org = "O1";
  EXPECT_EQ(Reasons(app), Strings{"territory"});
}

TEST_F(TerritoryTest, UnknownOrganisationIsNotAlsoATerritoryRefusal) {
  Adult(0);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O404", kOutside)), Strings{"org_not_eligible"});
}

}  // namespace
}  // namespace emkhana::rules::testing
