// Timing (DOMAIN.md "Timing"): outside_campaign, too_frequent, invalid_basis; effective dates.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class TimingTest : public RulesTest {
 protected:
  // Person 0: registered and living in A1, attached to O9 (A2) since 2010.
  domain::Person& AttachedAdult() {
    auto& p = Adult(0);
    Attach(ValidIin(0), "O9-G1", D(2010, 1, 1));
    return p;
  }
  domain::Person& person() { return view_.persons.at(ParseIin(ValidIin(0))); }
};

// ---- a person with no attachment

class UnattachedAnyBasisTest : public TimingTest, public ::testing::WithParamInterface<Basis> {};

TEST_P(UnattachedAnyBasisTest, AttachesAtOnceOutsideTheCampaign) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kOutside, GetParam());
  app.documents.Add(Document::kResidenceProof);  // temporary_residence needs it
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_FALSE(d.free_choice_change);
}

TEST_P(UnattachedAnyBasisTest, AttachesAtOnceInsideTheCampaign) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", kInCampaign, GetParam());
  app.documents.Add(Document::kResidenceProof);
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, kInCampaign);
  EXPECT_FALSE(d.free_choice_change);
}

INSTANTIATE_TEST_SUITE_P(Bases, UnattachedAnyBasisTest,
                         ::testing::Values(Basis::kFreeChoice, Basis::kFirstAttachment,
                                           Basis::kResidenceChange, Basis::kWorkOrStudyChange,
                                           Basis::kOrgClosed, Basis::kTemporaryResidence),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

TEST_F(TimingTest, UnattachedEvenWithManyFreeChoicesThisYear) {
  Adult(0);
  view_.free_choices[{ParseIin(ValidIin(0)), 2025}] = 5;
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside, Basis::kFreeChoice)).outcome,
            Outcome::kApproved);
}

// ---- free choice

TEST_F(TimingTest, FreeChoiceInsideTheCampaignTakesEffectOnFirstJanuary) {
  AttachedAdult();
  const auto d = Decide(App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.effective, kNextJan1);
  EXPECT_TRUE(d.free_choice_change);
}

TEST_F(TimingTest, FreeChoiceOutsideTheCampaignIsRefused) {
  AttachedAdult();
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFreeChoice)),
            Strings{"outside_campaign"});
}

TEST_F(TimingTest, CampaignWindowsOfThePolicy) {
  AttachedAdult();
  struct Case {
    Date date;
    bool inside;
  };
  const Case cases[] = {
      {D(2025, 9, 1), true},   {D(2025, 11, 1), true},   {D(2025, 8, 31), false},
      {D(2025, 11, 2), false}, {D(2024, 9, 15), true},   {D(2024, 11, 15), true},
      {D(2024, 9, 14), false}, {D(2024, 11, 16), false}, {D(2024, 9, 1), false},
      {D(2017, 4, 5), true},   {D(2017, 6, 30), true},   {D(2017, 4, 4), false},
      {D(2017, 7, 1), false},  {D(2017, 9, 20), false},  {D(2026, 9, 1), true},
  };
  for (const auto& c : cases) {
    const auto d = Decide(App(ValidIin(0), "O1", c.date, Basis::kFreeChoice));
    if (c.inside) {
      EXPECT_EQ(Names(d.reasons), Strings{}) << c.date.ToString();
      EXPECT_EQ(d.effective, D(c.date.year() + 1, 1, 1)) << c.date.ToString();
    } else {
      EXPECT_EQ(Names(d.reasons), Strings{"outside_campaign"}) << c.date.ToString();
    }
  }
}

TEST_F(TimingTest, SecondFreeChoiceInTheSameYearIsTooFrequent) {
  AttachedAdult();
  view_.free_choices[{ParseIin(ValidIin(0)), 2025}] = 1;
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice)),
            Strings{"too_frequent"});
}

TEST_F(TimingTest, TooFrequentAndOutsideCampaignAreBothReported) {
  AttachedAdult();
  view_.free_choices[{ParseIin(ValidIin(0)), 2025}] = 1;
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFreeChoice)),
            (Strings{"outside_campaign", "too_frequent"}));
}

TEST_F(TimingTest, FreeChoiceOfLastYearDoesNotCount) {
  AttachedAdult();
  view_.free_choices[{ParseIin(ValidIin(0)), 2024}] = 1;
  view_.free_choices[{ParseIin(ValidIin(0)), 2026}] = 1;
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice)).outcome,
            Outcome::kApproved);
}

// ---- bases outside the campaign

TEST_F(TimingTest, ResidenceChangeHolds) {
  AttachedAdult();  // residence A1, attached in A2
  const auto d = Decide(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange));
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_FALSE(d.free_choice_change);
}

TEST_F(TimingTest, ResidenceChangeHoldsByRegistrationAte) {
  AttachedAdult();
  ClearAtes(person());
  SetAte(person(), AteRole::kRegistration, "A1");
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange)), Strings{});
}

TEST_F(TimingTest, ResidenceChangeWithinTheSameAteIsInvalid) {
  Adult(0);
  Attach(ValidIin(0), "O2-G1", D(2010, 1, 1));  // O2 is in A1, where the person lives
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange)),
            Strings{"invalid_basis"});
}

TEST_F(TimingTest, ResidenceChangeToAnAteThatIsOnlyTheWorkAteIsInvalid) {
  AttachedAdult();
  ClearAtes(person());
  SetAte(person(), AteRole::kResidence, "A2");
  SetAte(person(), AteRole::kWork, "A1");
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange)),
            Strings{"invalid_basis"});
}

TEST_F(TimingTest, WorkOrStudyChangeHolds) {
  for (auto role : {AteRole::kWork, AteRole::kStudy}) {
    AttachedAdult();
    ClearAtes(person());
    SetAte(person(), AteRole::kResidence, "A2");
    SetAte(person(), role, "A1");
    EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kWorkOrStudyChange)), Strings{})
        << domain::NameOf(role);
    view_.periods.clear();
  }
}

TEST_F(TimingTest, WorkOrStudyChangeToTheResidenceAteIsInvalid) {
  AttachedAdult();
  SetAte(person(), AteRole::kWork, "A3");
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kWorkOrStudyChange)),
            Strings{"invalid_basis"});
}

TEST_F(TimingTest, WorkOrStudyChangeWithinTheSameAteIsInvalid) {
  Adult(0);
  SetAte(person(), AteRole::kWork, "A1");
  Attach(ValidIin(0), "O2-G1", D(2010, 1, 1));
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kWorkOrStudyChange)),
            Strings{"invalid_basis"});
}

TEST_F(TimingTest, TemporaryResidenceHolds) {
  AttachedAdult();
  ClearAtes(person());
  SetAte(person(), AteRole::kResidence, "A2");
  SetAte(person(), AteRole::kTemporary, "A1");
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kTemporaryResidence);
  app.documents.Add(Document::kResidenceProof);
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, kOutside);
}

TEST_F(TimingTest, TemporaryResidenceElsewhereIsInvalid) {
  AttachedAdult();  // registered and living in A1: territory passes
  SetAte(person(), AteRole::kTemporary, "A3");
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kTemporaryResidence);
  app.documents.Add(Document::kResidenceProof);
  EXPECT_EQ(Reasons(app), Strings{"invalid_basis"});
}

class OrgClosedTest : public TimingTest {
 protected:
  // O8 (A1) was reorganised into O2 on `closed`; the person moved with it.
  void Setup(Date closed) {
    auto& o8 = AddOrg("O8", "A1");
    o8.closed_on = closed;
    o8.successor = "O2";
    AddDistrict("O8-G1", "O8", DistrictKind::kGp, 10);
    Adult(0);
    Attach(ValidIin(0), "O8-G1", D(2010, 1, 1), closed);
    Attach(ValidIin(0), "O2-G1", closed);
  }
  std::vector<std::string> ApplyOn(Date date) {
    return Reasons(App(ValidIin(0), "O1", date, Basis::kOrgClosed));
  }
};

TEST_F(OrgClosedTest, HoldsWhenAFormerOrganisationClosedRecently) {
  Setup(D(2025, 2, 1));
  const auto d = Decide(App(ValidIin(0), "O1", kOutside, Basis::kOrgClosed));
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, kOutside);
}

TEST_F(OrgClosedTest, DoesNotHoldWithoutAClosedOrganisation) {
  AttachedAdult();
  EXPECT_EQ(ApplyOn(kOutside), Strings{"invalid_basis"});
}

TEST_F(OrgClosedTest, LastDayAttachedWithinThe365DaysBeforeTheApplication) {
  // Closed 2024-03-13: last day attached 2024-03-12 = 365 days before 2025-03-12.
  Setup(D(2024, 3, 13));
  EXPECT_EQ(ApplyOn(D(2025, 3, 12)), Strings{});
}

TEST_F(OrgClosedTest, LastDayAttachedMoreThan365DaysBefore) {
  // Closed 2024-03-12: last day attached 2024-03-11 = 366 days before 2025-03-12.
  Setup(D(2024, 3, 12));
  EXPECT_EQ(ApplyOn(D(2025, 3, 12)), Strings{"invalid_basis"});
}

TEST_F(TimingTest, FirstAttachmentByAnAttachedPersonIsInvalidBasis) {
  AttachedAdult();
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment)),
            Strings{"invalid_basis"});
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kInCampaign, Basis::kFirstAttachment)),
            Strings{"invalid_basis"});
}

TEST_F(TimingTest, BasisInsideTheCampaignTakesEffectAtOnce) {
  AttachedAdult();
  const auto d = Decide(App(ValidIin(0), "O1", kInCampaign, Basis::kResidenceChange));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.effective, kInCampaign);
  EXPECT_FALSE(d.free_choice_change);
}

TEST_F(TimingTest, APendingMoveIsNotACurrentAttachment) {
  // Unattached today, with a move planned for 1 January: attaches at once.
  Adult(0);
  Attach(ValidIin(0), "O2-G1", kNextJan1);
  const auto d = Decide(App(ValidIin(0), "O1", D(2025, 10, 1), Basis::kFirstAttachment));
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.effective, D(2025, 10, 1));
}

}  // namespace
}  // namespace emkhana::rules::testing
