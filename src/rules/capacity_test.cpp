// Capacity (DOMAIN.md "Capacity", "Lifecycle: choosing a district"): checked last; the chosen
// district must keep room from the effective date on; without one, the fitting district with the
// most free places on the effective date among those that keep room (ties: smaller id); a refusal
// lists the other organisations of the ATE that would approve, by id.
#include "rules/checks.hpp"
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class CapacityTest : public RulesTest {
 protected:
  void SetUp() override { Adult(0); }
  domain::Application ToO1(std::optional<std::string> district = std::nullopt,
                           Date date = kOutside) const {
    auto app = App(ValidIin(0), "O1", date);
    app.district = std::move(district);
    return app;
  }
  void FillAll(const std::string& org) {
    for (const auto* d : view_.DistrictsOf(org)) view_.Occupy(d->id, view_.Capacity(*d));
  }
};

TEST_F(CapacityTest, ChosenDistrictWithRoomIsApproved) {
  view_.Occupy("O1-T1", 9);
  const auto d = Decide(ToO1("O1-T1"));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-T1");
  EXPECT_TRUE(d.alternatives.empty());
}

TEST_F(CapacityTest, ChosenDistrictFullIsRefusedWithAlternatives) {
  view_.Occupy("O1-T1", 10);
  // O2 has room; O3 is full; O4 is unlicensed; O5 has room; O9 has room in another ATE.
  FillAll("O3");
  AddOrg("O4", "A1").license = false;
  AddDistrict("O4-G1", "O4", DistrictKind::kGp, 10);
  AddOrg("O5", "A1");
  AddDistrict("O5-T1", "O5", DistrictKind::kTherapist, 10);
  const auto d = Decide(ToO1("O1-T1"));
  EXPECT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_EQ(Names(d.reasons), Strings{"capacity_exceeded"});
  // O1 itself (whose GP district has room) is the organisation applied to: not an alternative.
  EXPECT_EQ(d.alternatives, (Strings{"O2", "O5"}));
  EXPECT_FALSE(d.effective.has_value());
}

TEST_F(CapacityTest, AlternativesOnlyWhereTheWholeApplicationWouldPass) {
  // A free choice in the campaign: O2 is fine, but the person is already attached to O3.
  Attach(ValidIin(0), "O3-G1", D(2010, 1, 1));
  FillAll("O1");
  auto app = App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice);
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{"capacity_exceeded"});
  EXPECT_EQ(d.alternatives, Strings{"O2"});
}

TEST_F(CapacityTest, AlternativesExcludeOrganisationsWithoutAFittingDistrict) {
  // A child: O2 and O3 have no pediatric district but GP ones; O6 has only a therapist.
  Child(5).representatives.push_back(ParseIin(ValidIin(0)));
  FillAll("O1");
  FillAll("O3");
  AddOrg("O6", "A1");
  AddDistrict("O6-T1", "O6", DistrictKind::kTherapist, 10);
  auto app = App(ValidIin(5), "O1", kOutside);
  app.applicant = ValidIin(0);
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{"capacity_exceeded"});
  EXPECT_EQ(d.alternatives, Strings{"O2"});
}

TEST_F(CapacityTest, NoAlternativesWhenEveryOrganisationIsFull) {
  FillAll("O1");
  FillAll("O2");
  FillAll("O3");
  const auto d = Decide(ToO1());
  EXPECT_EQ(Names(d.reasons), Strings{"capacity_exceeded"});
  EXPECT_TRUE(d.alternatives.empty());
}

TEST_F(CapacityTest, CapacityIsCheckedOnlyWhenEverythingElsePasses) {
  view_.Occupy("O1-T1", 10);
  auto app = ToO1("O1-T1");
  app.consent = false;
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{"no_consent"});
  EXPECT_TRUE(d.alternatives.empty());
}

TEST_F(CapacityTest, ChosenDistrictFullOnlyLaterIsRefused) {
  // Room today, but full from 1 January (moves already approved): no room from `effective` on.
  view_.Occupy("O1-T1", 10, kNextJan1);
  EXPECT_EQ(Reasons(ToO1("O1-T1")), Strings{"capacity_exceeded"});
}

TEST_F(CapacityTest, ChosenDistrictFullOnlyBeforeTheEffectiveDateIsApproved) {
  // A free choice effective 1 January into a district full until 31 December.
  Attach(ValidIin(0), "O9-G1", D(2010, 1, 1));
  view_.Occupy("O1-T1", 10, Date::Min(), kNextJan1);
  auto app = App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice);
  app.district = "O1-T1";
  const auto d = Decide(app);
  EXPECT_EQ(Names(d.reasons), Strings{});
  EXPECT_EQ(d.district, "O1-T1");
}

TEST_F(CapacityTest, AutomaticDistrictHasTheMostFreePlaces) {
  view_.Occupy("O1-G1", 7);  // 3 free
  view_.Occupy("O1-T1", 5);  // 5 free
  EXPECT_EQ(Decide(ToO1()).district, "O1-T1");
}

TEST_F(CapacityTest, AutomaticDistrictTieGoesToTheSmallerId) {
  view_.Occupy("O1-G1", 4);
  view_.Occupy("O1-T1", 4);
  EXPECT_EQ(Decide(ToO1()).district, "O1-G1");
  AddDistrict("O1-A0", "O1", DistrictKind::kTherapist, 6);  // 6 free, smaller id
  EXPECT_EQ(Decide(ToO1()).district, "O1-A0");
}

TEST_F(CapacityTest, AutomaticDistrictIgnoresDistrictsThatDoNotServeTheAge) {
  view_.Occupy("O1-G1", 9);
  view_.Occupy("O1-T1", 9);  // the pediatric district has 10 free places but serves children
  EXPECT_EQ(Decide(ToO1()).district, "O1-G1");
}

TEST_F(CapacityTest, AutomaticDistrictSkipsOneThatFillsUpLater) {
  // O1-G1: 10 free today, full from 1 January; O1-T1: 2 free today and later.
  view_.Occupy("O1-G1", 10, kNextJan1);
  view_.Occupy("O1-T1", 8);
  const auto d = Decide(ToO1());
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-T1");
}

TEST_F(CapacityTest, AutomaticDistrictCountsFreePlacesOnTheEffectiveDate) {
  // A free choice effective 1 January: O1-G1 is nearly full until then and empty after;
  // O1-T1 has 6 free places throughout. On the effective date G1 has more room.
  Attach(ValidIin(0), "O9-G1", D(2010, 1, 1));
  view_.Occupy("O1-G1", 9, Date::Min(), kNextJan1);
  view_.Occupy("O1-T1", 4);
  const auto d = Decide(App(ValidIin(0), "O1", kInCampaign, Basis::kFreeChoice));
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-G1");
  EXPECT_EQ(d.effective, kNextJan1);
}

TEST_F(CapacityTest, AllFittingDistrictsFullIsRefused) {
  view_.Occupy("O1-G1", 10);
  view_.Occupy("O1-T1", 10);  // O1-P1 has room but does not serve adults
  EXPECT_EQ(Reasons(ToO1()), Strings{"capacity_exceeded"});
}

// MostFreeFitting without `require_room` (lifecycle moves, capacity notwithstanding).
TEST_F(CapacityTest, MostFreeFittingCapacityNotwithstanding) {
  view_.Occupy("O1-G1", 12);  // -2 free
  view_.Occupy("O1-T1", 11);  // -1 free
  const auto candidates = view_.DistrictsOf("O1");
  EXPECT_EQ(MostFreeFitting(view_, candidates, 30, kOutside, /*require_room=*/true), nullptr);
  const auto* d = MostFreeFitting(view_, candidates, 30, kOutside, /*require_room=*/false);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->id, "O1-T1");
  const auto* child = MostFreeFitting(view_, candidates, 10, kOutside, false);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->id, "O1-P1");
}

}  // namespace
}  // namespace emkhana::rules::testing

namespace emkhana::rules {
namespace {

TEST(DistrictCapacity, AnExplicitCapacityElseTheNormTimesTheDoctors) {
  domain::Norms norms;
  norms.gp = 1700;
  norms.pediatrician = 900;
  domain::District d;
  d.kind = domain::DistrictKind::kPediatrician;
  d.doctors = 2;
  EXPECT_EQ(DistrictCapacity(d, norms), 1800);
  d.doctors = 0;
  EXPECT_EQ(DistrictCapacity(d, norms), 0);
  d.capacity = 5;
  EXPECT_EQ(DistrictCapacity(d, norms), 5);
}

}  // namespace
}  // namespace emkhana::rules
