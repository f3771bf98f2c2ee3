// The registry's use cases over a real in-memory store: decisions applied as periods, lifecycle
// (death, liquidation, reorganisation, age-out), history queries, invariants, persistence.
#include "registry/registry.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <random>

#include "registry/test_registry.hpp"

namespace emkhana::registry::testing {
namespace {

using domain::PeriodEnd;
using Strings = std::vector<std::string>;

const Date kInCampaign = D(2025, 9, 10);
const Date kOutside = D(2025, 3, 12);
const Date kNextJan1 = D(2026, 1, 1);

// ATE A1: O1 (O1-G1 gp 10, O1-P1 pediatrician 10, O1-T1 therapist 10), O2 (O2-G1 gp 10),
//         O3 (O3-G1 gp 10). ATE A2: O9 (O9-G1 gp 10).
class RegistryTest : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    Org("O1", "A1");
    District("O1-G1", "O1", DistrictKind::kGp, 10);
    District("O1-P1", "O1", DistrictKind::kPediatrician, 10);
    District("O1-T1", "O1", DistrictKind::kTherapist, 10);
    Org("O2", "A1");
    District("O2-G1", "O2", DistrictKind::kGp, 10);
    Org("O3", "A1");
    District("O3-G1", "O3", DistrictKind::kGp, 10);
    Org("O9", "A2");
    District("O9-G1", "O9", DistrictKind::kGp, 10);
  }
  void TearDown() override { ExpectConsistent(); }

  // Persons 100.. fill `district` with `count` people from 2020-01-01.
  void Fill(const std::string& district, int count) {
    for (int i = 0; i < count; ++i) {
      Person(filler_);
      Import(filler_++, district, D(2020, 1, 1));
    }
  }
  int filler_ = 100;
};

// ---------------------------------------------------------------- decisions become periods

TEST_F(RegistryTest, ApprovalCreatesAPeriodAndAnswersWhereOn) {
  Person(0);
  const auto d = Apply(0, "O1", kOutside);
  ASSERT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(Where(0, kOutside.Prev()), "-");
  EXPECT_EQ(Where(0, kOutside), "O1/O1-G1");
  EXPECT_EQ(reg_->WhereOn(TestIin(0), D(2030, 1, 1)).since, kOutside);
  EXPECT_EQ(Panel("O1-G1", kOutside), 1);
  EXPECT_EQ(Panel("O1-G1", kOutside.Prev()), 0);
}

// The statistics count a decision once its batch is durable (ADR 0010): not while it is only
// decided, and then exactly as a recount of the state does.
TEST_F(RegistryTest, StatisticsCountADecisionOnceItIsDurable) {
  Person(0);
  Person(1);
  Import(1, "O2-G1", D(2020, 1, 1));
  ASSERT_TRUE(reg_->Flush());
  const auto counted = [&](stats::Facet facet, Date day) {
    std::int64_t n = 0;
    reg_->Snapshot().cube.ForEachOn(facet, day,
                                    [&](const stats::Cell&, std::int64_t c) { n += c; });
    return n;
  };
  const Date after = kNextJan1.AddDays(40);
  ASSERT_EQ(counted(stats::Facet::kAttached, after), 1);
  ASSERT_EQ(Apply(0, "O1", kOutside).outcome, Outcome::kApproved);
  ASSERT_EQ(Apply(1, "O3", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  const auto version = reg_->statistics_version();
  EXPECT_EQ(counted(stats::Facet::kAttached, after), 1);  // decided, not yet durable
  EXPECT_EQ(counted(stats::Facet::kDecision, kOutside), 0);
  ASSERT_TRUE(reg_->Flush());
  EXPECT_GT(reg_->statistics_version(), version);
  EXPECT_EQ(counted(stats::Facet::kAttached, after), 2);
  EXPECT_EQ(counted(stats::Facet::kDecision, kOutside), 2);
  EXPECT_EQ(counted(stats::Facet::kFlow, after), 3);  // one in; one in and one out
  // The same as counting the whole state afresh.
  const auto live = reg_->Snapshot().cube;
  const auto recount = reg_->FullSnapshot().cube;
  for (auto facet : {stats::Facet::kAttached, stats::Facet::kDistrict, stats::Facet::kPopulation}) {
    for (Date day : {kOutside.Prev(), kOutside, kNextJan1, after}) {
      std::int64_t a = 0, b = 0;
      live.ForEachOn(facet, day, [&](const stats::Cell&, std::int64_t c) { a += c; });
      recount.ForEachOn(facet, day, [&](const stats::Cell&, std::int64_t c) { b += c; });
      EXPECT_EQ(a, b) << static_cast<int>(facet) << " " << day.ToString();
    }
  }
}

TEST_F(RegistryTest, DecideIsIdempotentByApplicationId) {
  Person(0);
  auto app = App(0, "O1", kOutside);
  const auto first = reg_->Decide(app, {});
  app.org = "O2";  // same id, different content: the first decision stands
  const auto again = reg_->Decide(app, {});
  EXPECT_EQ(again.org, first.org);
  EXPECT_EQ(again.district, first.district);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 1u);
}

TEST_F(RegistryTest, RefusalChangesNothing) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  const auto d = Apply(0, "O2", kOutside, Basis::kFreeChoice);
  EXPECT_EQ(Names(d), Strings{"outside_campaign"});
  EXPECT_EQ(Where(0, D(2030, 1, 1)), "O1/O1-T1");
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 1u);
}

TEST_F(RegistryTest, CapacityIsTheNormTimesDoctorsUnlessSet) {
  District("O1-T2", "O1", DistrictKind::kTherapist, std::nullopt, 2);
  District("O1-P2", "O1", DistrictKind::kPediatrician, std::nullopt);
  District("O1-G2", "O1", DistrictKind::kGp, std::nullopt, 3);
  District("O1-G3", "O1", DistrictKind::kGp, 7, 3);
  const auto cap = [&](const std::string& id) {
    return reg_->CapacityOf(*reg_->FindDistrict(id), kOutside);
  };
  EXPECT_EQ(cap("O1-T2"), 2 * 2200);
  EXPECT_EQ(cap("O1-P2"), 900);
  EXPECT_EQ(cap("O1-G2"), 3 * 1700);
  EXPECT_EQ(cap("O1-G3"), 7);
  EXPECT_EQ(reg_->FreePlacesOn(*reg_->FindDistrict("O1-G3"), kOutside), 7);
}

// The registry finds a district it holds by its address; a copy is found by id, and a district
// put again stays where it was.
TEST_F(RegistryTest, PlacesAreTheSameForTheHeldDistrictAndACopy) {
  Fill("O1-T1", 4);
  const auto* held = reg_->FindDistrict("O1-T1");
  const auto free = reg_->FreePlacesOn(*held, kOutside);
  EXPECT_EQ(free, reg_->CapacityOf(*held, kOutside) - 4);
  domain::District copy = *held;
  EXPECT_EQ(reg_->FreePlacesOn(copy, kOutside), free);
  domain::District again = *held;
  again.capacity = 5;
  ASSERT_TRUE(reg_->PutDistrict(again, Actor{}));
  EXPECT_EQ(reg_->FindDistrict("O1-T1"), held);
  EXPECT_EQ(held->capacity, 5);
  EXPECT_EQ(reg_->FreePlacesOn(*held, kOutside), 1);
}

TEST_F(RegistryTest, ChosenDistrictFullIsRefusedWithAlternatives) {
  Fill("O1-T1", 10);
  Fill("O3-G1", 10);
  Person(0);
  const auto d = Apply(0, "O1", kOutside, Basis::kFirstAttachment, "O1-T1");
  EXPECT_EQ(Names(d), Strings{"capacity_exceeded"});
  EXPECT_EQ(d.alternatives, Strings{"O2"});
  EXPECT_EQ(Where(0, kOutside), "-");
}

// DOMAIN.md "Choosing a district": among the fitting districts that keep room on every date from
// the effective date on. O1-G1 has room today but is full from 1 January (free choices already
// approved); a first attachment today goes to O1-T1, which has fewer free places today.
TEST_F(RegistryTest, AutomaticDistrictSkipsOneFullFromNextJanuary) {
  Fill("O1-T1", 8);  // 2 free
  for (int n = 0; n < 10; ++n) {
    Person(n);
    Import(n, "O9-G1", D(2020, 1, 1));
    ASSERT_EQ(Apply(n, "O1", kInCampaign, Basis::kFreeChoice, "O1-G1").outcome, Outcome::kApproved);
  }
  EXPECT_EQ(Panel("O1-G1", kInCampaign), 0);
  EXPECT_EQ(Panel("O1-G1", kNextJan1), 10);
  Person(20);
  const auto d = Apply(20, "O1", kInCampaign);
  ASSERT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_EQ(d.district, "O1-T1");
  // Choosing O1-G1 explicitly is refused: it would be over capacity from 1 January.
  Person(21);
  EXPECT_EQ(Names(Apply(21, "O1", kInCampaign, Basis::kFirstAttachment, "O1-G1")),
            Strings{"capacity_exceeded"});
}

// ---------------------------------------------------------------- free choice and frequency

TEST_F(RegistryTest, SecondFreeChoiceInTheSameYearIsTooFrequent) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  const auto first = Apply(0, "O2", kInCampaign, Basis::kFreeChoice);
  ASSERT_EQ(first.outcome, Outcome::kApproved);
  EXPECT_TRUE(first.free_choice_change);
  EXPECT_EQ(first.effective, kNextJan1);
  EXPECT_EQ(reg_->FreeChoiceChangesIn(TestIin(0), 2025), 1);
  EXPECT_EQ(Where(0, D(2025, 12, 31)), "O1/O1-T1");  // the old organisation serves until then
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-G1");
  EXPECT_EQ(Names(Apply(0, "O3", D(2025, 9, 20), Basis::kFreeChoice)), Strings{"too_frequent"});
  // Next year's campaign allows another change.
  const auto next = Apply(0, "O3", D(2026, 9, 10), Basis::kFreeChoice);
  EXPECT_EQ(Names(next), Strings{});
  EXPECT_EQ(next.effective, D(2027, 1, 1));
}

TEST_F(RegistryTest, FirstAttachmentOfAnUnattachedPersonIsNotCounted) {
  Person(0);
  const auto first = Apply(0, "O1", D(2025, 9, 2), Basis::kFreeChoice);
  ASSERT_EQ(first.outcome, Outcome::kApproved);
  EXPECT_EQ(first.effective, D(2025, 9, 2));
  EXPECT_FALSE(first.free_choice_change);
  EXPECT_EQ(reg_->FreeChoiceChangesIn(TestIin(0), 2025), 0);
  const auto change = Apply(0, "O2", kInCampaign, Basis::kFreeChoice);
  EXPECT_EQ(Names(change), Strings{});
  EXPECT_EQ(reg_->FreeChoiceChangesIn(TestIin(0), 2025), 1);
  EXPECT_EQ(Names(Apply(0, "O3", D(2025, 9, 20), Basis::kFreeChoice)), Strings{"too_frequent"});
}

TEST_F(RegistryTest, ChangeOfDoctorIsNotAFreeChoiceChange) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  const auto d = Apply(0, "O1", kOutside, Basis::kFreeChoice, "O1-G1");
  ASSERT_EQ(Names(d), Strings{});
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_EQ(Where(0, kOutside.Prev()), "O1/O1-T1");
  EXPECT_EQ(Where(0, kOutside), "O1/O1-G1");
  EXPECT_EQ(reg_->FreeChoiceChangesIn(TestIin(0), 2025), 0);
  EXPECT_EQ(Names(Apply(0, "O2", kInCampaign, Basis::kFreeChoice)), Strings{});
}

TEST_F(RegistryTest, AlreadyAttachedToAPendingOrganisation) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O2", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  EXPECT_EQ(Names(Apply(0, "O2", D(2025, 10, 1), Basis::kFreeChoice)), Strings{"already_attached"});
  EXPECT_EQ(Names(Apply(0, "O2", D(2025, 10, 1), Basis::kFreeChoice, "O2-G1")),
            Strings{"already_attached"});
  EXPECT_EQ(Names(Apply(0, "O1", D(2025, 10, 1), Basis::kFreeChoice, "O1-T1")),
            Strings{"already_attached"});
}

TEST_F(RegistryTest, ChangeOfDoctorInThePendingOrganisationReplacesThePendingPeriod) {
  District("O2-G2", "O2", DistrictKind::kGp, 10);
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O2", kInCampaign, Basis::kFreeChoice, "O2-G1").outcome, Outcome::kApproved);
  const auto d = Apply(0, "O2", D(2025, 10, 1), Basis::kFreeChoice, "O2-G2");
  ASSERT_EQ(Names(d), Strings{});
  EXPECT_EQ(d.effective, kNextJan1);
  EXPECT_FALSE(d.free_choice_change);
  EXPECT_EQ(Where(0, D(2025, 12, 31)), "O1/O1-T1");
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-G2");
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 0);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 2u);
  EXPECT_EQ(reg_->FreeChoiceChangesIn(TestIin(0), 2025), 1);
}

TEST_F(RegistryTest, ReferenceDataErrors) {
  EXPECT_FALSE(reg_->ImportAttachment(TestIin(50), "O1-G1", kOutside, {}));  // unknown person
  Person(0);
  EXPECT_FALSE(reg_->ImportAttachment(TestIin(0), "O1-X9", kOutside, {}));  // unknown district
  domain::District moved;
  moved.id = "O1-G1";
  moved.org = "O2";
  EXPECT_FALSE(reg_->PutDistrict(moved, {}));  // a district does not change organisation
  moved.org = "O404";
  moved.id = "O404-G1";
  EXPECT_FALSE(reg_->PutDistrict(moved, {}));
  domain::Organisation nameless;
  EXPECT_FALSE(reg_->PutOrganisation(nameless, {}));
}

TEST_F(RegistryTest, LaterImportReplacesWhatFollows) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  Import(0, "O2-G1", D(2023, 1, 1));
  EXPECT_EQ(Where(0, D(2022, 12, 31)), "O1/O1-T1");
  EXPECT_EQ(Where(0, D(2023, 1, 1)), "O2/O2-G1");
  Import(0, "O3-G1", D(2021, 1, 1));  // earlier than the O2 period: that one is cancelled
  EXPECT_EQ(Where(0, D(2023, 1, 1)), "O3/O3-G1");
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 2u);
}

// ---------------------------------------------------------------- the latest approval wins

TEST_F(RegistryTest, LatestApprovalEndsOthersTheDayBeforeAndCancelsLaterOnes) {
  Person(0, D(1985, 3, 5), "A1", "A2");  // registered in A1, living in A2
  Import(0, "O1-T1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O2", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  {
    const auto periods = reg_->PeriodsOf(TestIin(0));
    ASSERT_EQ(periods.size(), 2u);
    EXPECT_EQ(periods[0]->to, kNextJan1);
    EXPECT_EQ(periods[0]->end, PeriodEnd::kSuperseded);
    EXPECT_EQ(periods[1]->org, "O2");
  }
  // Moving to A2 outside the campaign: effective at once; the pending move to O2 is cancelled.
  const auto d = Apply(0, "O9", D(2025, 10, 1), Basis::kResidenceChange);
  ASSERT_EQ(Names(d), Strings{});
  EXPECT_EQ(d.effective, D(2025, 10, 1));
  const auto periods = reg_->PeriodsOf(TestIin(0));
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0]->org, "O1");
  EXPECT_EQ(periods[0]->to, D(2025, 10, 1));  // last day 30 September
  EXPECT_EQ(periods[1]->org, "O9");
  EXPECT_EQ(periods[1]->from, D(2025, 10, 1));
  EXPECT_EQ(Where(0, D(2025, 9, 30)), "O1/O1-T1");
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O9/O9-G1");
  EXPECT_EQ(Where(0, D(2026, 1, 2)), "O9/O9-G1");
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 0);
  EXPECT_EQ(Panel("O1-T1", D(2025, 10, 1)), 0);
}

TEST_F(RegistryTest, WhereOnAnswersHistoryAndPlan) {
  Person(0, D(1985, 3, 5), "A1", "A2");
  ASSERT_EQ(Apply(0, "O1", D(2024, 3, 1)).outcome, Outcome::kApproved);
  ASSERT_EQ(Apply(0, "O9", kOutside, Basis::kResidenceChange).outcome, Outcome::kApproved);
  ASSERT_EQ(Apply(0, "O9", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kRefused);
  ASSERT_EQ(Apply(0, "O1", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  EXPECT_EQ(Where(0, D(2024, 2, 29)), "-");
  EXPECT_EQ(Where(0, D(2024, 3, 1)), "O1/O1-G1");
  EXPECT_EQ(Where(0, D(2025, 3, 11)), "O1/O1-G1");
  EXPECT_EQ(Where(0, D(2025, 3, 12)), "O9/O9-G1");
  EXPECT_EQ(reg_->WhereOn(TestIin(0), D(2025, 12, 31)).since, D(2025, 3, 12));
  EXPECT_EQ(Where(0, kNextJan1), "O1/O1-G1");
  EXPECT_EQ(reg_->WhereOn(TestIin(0), D(2040, 1, 1)).since, kNextJan1);
  EXPECT_EQ(Where(99, kOutside), "-");  // never known
}

// ---------------------------------------------------------------- death

TEST_F(RegistryTest, DeathFreesThePlaceFromTheDeathDate) {
  District("O1-T9", "O1", DistrictKind::kTherapist, 1);
  Person(0);
  Person(1);
  Import(0, "O1-T9", D(2020, 1, 1));
  EXPECT_EQ(Names(Apply(1, "O1", D(2025, 3, 10), Basis::kFirstAttachment, "O1-T9")),
            Strings{"capacity_exceeded"});
  ASSERT_TRUE(reg_->RecordDeath(TestIin(0), kOutside, {}));
  EXPECT_EQ(Where(0, kOutside.Prev()), "O1/O1-T9");
  EXPECT_EQ(Where(0, kOutside), "-");
  EXPECT_EQ(Panel("O1-T9", kOutside.Prev()), 1);
  EXPECT_EQ(Panel("O1-T9", kOutside), 0);
  const auto periods = reg_->PeriodsOf(TestIin(0));
  ASSERT_EQ(periods.size(), 1u);
  EXPECT_EQ(periods[0]->to, kOutside);
  EXPECT_EQ(periods[0]->end, PeriodEnd::kDeath);
  EXPECT_EQ(Apply(1, "O1", kOutside, Basis::kFirstAttachment, "O1-T9").outcome, Outcome::kApproved);
  EXPECT_EQ(Names(Apply(0, "O2", kOutside)), Strings{"deceased"});
}

TEST_F(RegistryTest, DeathCancelsPendingMoves) {
  Person(0);
  Import(0, "O1-G1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O2", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 1);
  ASSERT_TRUE(reg_->RecordDeath(TestIin(0), D(2025, 10, 1), {}));
  EXPECT_EQ(Where(0, D(2025, 9, 30)), "O1/O1-G1");
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "-");
  EXPECT_EQ(Where(0, D(2026, 1, 2)), "-");
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 0);
  EXPECT_EQ(Panel("O1-G1", D(2025, 10, 1)), 0);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 1u);
}

TEST_F(RegistryTest, DeathOfAnUnknownPersonIsAnError) {
  EXPECT_FALSE(reg_->RecordDeath(TestIin(77), kOutside, {}));
}

// ---------------------------------------------------------------- liquidation

TEST_F(RegistryTest, LiquidationMakesPeopleUnattachedFromThatDate) {
  Person(0);
  Person(1);
  Import(0, "O1-T1", D(2020, 1, 1));
  Import(1, "O1-G1", D(2020, 1, 1));
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 3, 1), "", {}));
  EXPECT_EQ(Where(0, D(2025, 2, 28)), "O1/O1-T1");
  EXPECT_EQ(Where(0, D(2025, 3, 1)), "-");
  EXPECT_EQ(Where(1, D(2025, 3, 1)), "-");
  EXPECT_EQ(Panel("O1-T1", D(2025, 3, 1)), 0);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).at(0)->end, PeriodEnd::kLiquidation);
  // They may attach anywhere in their ATE, as a first attachment, at once.
  const auto d = Apply(0, "O2", kOutside, Basis::kFirstAttachment);
  EXPECT_EQ(Names(d), Strings{});
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_EQ(Names(Apply(1, "O3", kOutside, Basis::kOrgClosed)), Strings{});
  Person(2);
  EXPECT_EQ(Names(Apply(2, "O1", kOutside)), Strings{"org_not_eligible"});
}

TEST_F(RegistryTest, LiquidationCancelsPendingMovesIntoIt) {
  Person(0);
  Import(0, "O2-G1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O1", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  EXPECT_EQ(Where(0, D(2026, 1, 5)), "O1/O1-G1");
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 10, 1), "", {}));
  // The previous attachment continues.
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O2/O2-G1");
  EXPECT_EQ(Where(0, D(2026, 1, 5)), "O2/O2-G1");
  EXPECT_EQ(Panel("O1-G1", kNextJan1), 0);
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 1);
  ASSERT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 1u);
  EXPECT_TRUE(reg_->PeriodsOf(TestIin(0)).at(0)->to.IsMax());
}

TEST_F(RegistryTest, LiquidationKeepsAPendingMoveElsewhere) {
  Person(0);
  Import(0, "O1-G1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O2", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 10, 1), "", {}));
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "-");
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-G1");
}

// ---------------------------------------------------------------- reorganisation

// O2 gains O2-T1 (therapist, capacity 1) and O2-P1 (pediatrician); O2-G1 is set to capacity 2.
// O1's four adults move on 2025-03-01, in IIN order, by most free places on that date:
//   1st: G1 (2 free) over T1 (1); 2nd: G1 (1) ties T1 (1) -> smaller id G1; 3rd: T1 (1) over
//   G1 (0); 4th: both full (0, 0) -> G1, capacity notwithstanding.
TEST_F(RegistryTest, ReorganisationSpreadsPeopleByMostFreePlacesInIinOrder) {
  District("O2-G1", "O2", DistrictKind::kGp, 2);
  District("O2-P1", "O2", DistrictKind::kPediatrician, 10);
  District("O2-T1", "O2", DistrictKind::kTherapist, 1);
  for (int n : {3, 1, 0, 2}) {  // imported out of IIN order
    Person(n);
    Import(n, "O1-T1", D(2020, 1, 1));
  }
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 3, 1), "O2", {}));
  EXPECT_EQ(Where(0, D(2025, 3, 1)), "O2/O2-G1");
  EXPECT_EQ(Where(1, D(2025, 3, 1)), "O2/O2-G1");
  EXPECT_EQ(Where(2, D(2025, 3, 1)), "O2/O2-T1");
  EXPECT_EQ(Where(3, D(2025, 3, 1)), "O2/O2-G1");
  for (int n = 0; n < 4; ++n) EXPECT_EQ(Where(n, D(2025, 2, 28)), "O1/O1-T1");
  EXPECT_EQ(Panel("O2-G1", D(2025, 3, 1)), 3);  // over capacity: a registrar rebalances
  EXPECT_EQ(Panel("O1-T1", D(2025, 3, 1)), 0);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).at(0)->end, PeriodEnd::kReorganisation);
  Person(10);
  EXPECT_EQ(Names(Apply(10, "O1", kOutside)), Strings{"org_not_eligible"});
}

// Fitting districts: a child goes to the pediatric district with most room, an adult never does.
TEST_F(RegistryTest, ReorganisationPutsPeopleIntoFittingDistricts) {
  District("O2-P1", "O2", DistrictKind::kPediatrician, 100);
  Person(0, D(2015, 6, 1));
  Import(0, "O1-P1", D(2016, 1, 1));
  Person(1);
  Import(1, "O1-T1", D(2016, 1, 1));
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 3, 1), "O2", {}));
  EXPECT_EQ(Where(0, D(2025, 3, 1)), "O2/O2-P1");
  EXPECT_EQ(Where(1, D(2025, 3, 1)), "O2/O2-G1");
}

TEST_F(RegistryTest, ReorganisationMovesPendingMovesToTheSuccessor) {
  Person(0);
  Import(0, "O3-G1", D(2020, 1, 1));
  ASSERT_EQ(Apply(0, "O1", kInCampaign, Basis::kFreeChoice).outcome, Outcome::kApproved);
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 10, 1), "O2", {}));
  EXPECT_EQ(Where(0, D(2025, 12, 31)), "O3/O3-G1");
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-G1");
  EXPECT_EQ(reg_->WhereOn(TestIin(0), kNextJan1).since, kNextJan1);
  EXPECT_EQ(Panel("O1-G1", kNextJan1), 0);
  EXPECT_EQ(Panel("O2-G1", kNextJan1), 1);
  EXPECT_EQ(Panel("O2-G1", D(2025, 12, 31)), 0);
}

TEST_F(RegistryTest, OrgClosedBasisHoldsAfterReorganisation) {
  Person(0);
  Import(0, "O1-T1", D(2020, 1, 1));
  ASSERT_TRUE(reg_->CloseOrganisation("O1", D(2025, 2, 1), "O2", {}));
  EXPECT_EQ(Where(0, kOutside), "O2/O2-G1");
  const auto d = Apply(0, "O3", kOutside, Basis::kOrgClosed);
  EXPECT_EQ(Names(d), Strings{});
  EXPECT_EQ(d.effective, kOutside);
}

TEST_F(RegistryTest, ClosingUnknownOrganisationOrWithUnknownSuccessorIsAnError) {
  EXPECT_FALSE(reg_->CloseOrganisation("O404", kOutside, "", {}));
  EXPECT_FALSE(reg_->CloseOrganisation("O1", kOutside, "O404", {}));
  EXPECT_FALSE(reg_->CloseOrganisation("O1", kOutside, "O1", {}));
}

// ---------------------------------------------------------------- age-out

// A child born 2007-10-01 in O1-P1; O1-T1 has 5 people, O1-G1 has 3: on the 18th birthday the
// child moves to O1-G1 (7 free places against 5).
TEST_F(RegistryTest, AgeOutMovesToTheAdultDistrictWithMostFreePlaces) {
  Fill("O1-T1", 5);
  Fill("O1-G1", 3);
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  // The plan, before the day comes.
  EXPECT_EQ(Where(0, D(2025, 9, 30)), "O1/O1-P1");
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-G1");
  EXPECT_EQ(Where(0, D(2025, 9, 30)), "O1/O1-P1");
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-G1");
  EXPECT_EQ(reg_->WhereOn(TestIin(0), D(2025, 10, 1)).since, D(2025, 10, 1));
  const auto periods = reg_->PeriodsOf(TestIin(0));
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0]->district, "O1-P1");
  EXPECT_EQ(periods[0]->to, D(2025, 10, 1));
  EXPECT_EQ(periods[0]->end, PeriodEnd::kAgeOut);
  EXPECT_EQ(periods[1]->district, "O1-G1");
  EXPECT_TRUE(periods[1]->to.IsMax());
  // The plan holds no place (ADR 0005) until the story reaches the birthday.
  EXPECT_EQ(Panel("O1-P1", D(2025, 10, 1)), 0);
  EXPECT_EQ(Panel("O1-G1", D(2025, 10, 1)), 3);
  Person(1);
  ASSERT_EQ(Apply(1, "O2", D(2025, 10, 6)).outcome, Outcome::kApproved);
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-G1");
  EXPECT_EQ(Panel("O1-G1", D(2025, 10, 1)), 4);
}

// Plans hold no place: an adult takes the last place of a district before a child who will
// age into it, and the child's age-out then goes there capacity notwithstanding or elsewhere.
TEST_F(RegistryTest, AnAgeOutStillToComeHoldsNoPlace) {
  District("O1-G1", "O1", DistrictKind::kGp, 1);
  District("O1-T1", "O1", DistrictKind::kTherapist, 1);
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  Person(1);
  const auto d = reg_->Decide(App(1, "O1", D(2025, 2, 3), Basis::kFirstAttachment, "O1-G1"), {});
  EXPECT_EQ(Names(d), Strings{}) << "the child's move on 2025-10-01 holds no place in O1-G1";
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-T1");  // the one keeping room
}

TEST_F(RegistryTest, AgeOutHappensWhenALaterEventIsDecided) {
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  Person(1);
  ASSERT_EQ(Apply(1, "O2", D(2025, 10, 6)).outcome, Outcome::kApproved);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 2u);
  EXPECT_EQ(Panel("O1-P1", D(2025, 10, 1)), 0);
}

TEST_F(RegistryTest, AgeOutIsCapacityNotwithstanding) {
  District("O1-G1", "O1", DistrictKind::kGp, 1);
  District("O1-T1", "O1", DistrictKind::kTherapist, 2);
  Fill("O1-G1", 2);  // -1 free
  Fill("O1-T1", 2);  // 0 free
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-T1");
  Person(1);
  ASSERT_EQ(Apply(1, "O2", D(2025, 10, 6)).outcome, Outcome::kApproved);  // the story moves on
  EXPECT_EQ(Panel("O1-T1", D(2025, 10, 1)), 3);
}

TEST_F(RegistryTest, AgeOutLastsForTheRestOfThatAttachmentsPeriod) {
  Person(1);
  Person(0, D(2007, 10, 1));
  {
    auto p = *reg_->FindPerson(TestIin(0));
    p.representatives.push_back(TestIin(1));
    Put(p);
  }
  Import(0, "O1-P1", D(2010, 1, 1));
  // The parent chooses O2 for 1 January while the child is 17.
  auto app = App(0, "O2", kInCampaign, Basis::kFreeChoice);
  app.applicant = TestIin(1).ToString();
  const auto d = reg_->Decide(app, {});
  ASSERT_EQ(Names(d), Strings{});
  EXPECT_EQ(Where(0, D(2025, 9, 30)), "O1/O1-P1");
  EXPECT_EQ(Where(0, D(2025, 10, 1)), "O1/O1-G1");
  EXPECT_EQ(Where(0, D(2025, 12, 31)), "O1/O1-G1");
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-G1");
  const auto periods = reg_->PeriodsOf(TestIin(0));
  ASSERT_EQ(periods.size(), 3u);
  EXPECT_EQ(periods[1]->to, kNextJan1);
}

// A 17-year-old moves by free choice into a pediatric district on 1 January and turns 18 in
// March: the age-out happens in the new organisation.
TEST_F(RegistryTest, AgeOutAppliesToAPeriodThatStartedAfterTheApplication) {
  District("O2-P1", "O2", DistrictKind::kPediatrician, 10);
  District("O2-T1", "O2", DistrictKind::kTherapist, 10);
  Fill("O2-G1", 1);
  Person(1);
  auto child = MakePerson(0, D(2008, 3, 1));
  child.representatives.push_back(TestIin(1));
  Put(child);
  Import(0, "O1-P1", D(2010, 1, 1));
  auto app = App(0, "O2", kInCampaign, Basis::kFreeChoice, "O2-P1");
  app.applicant = TestIin(1).ToString();
  ASSERT_EQ(Names(reg_->Decide(app, {})), Strings{});
  EXPECT_EQ(Where(0, kNextJan1), "O2/O2-P1");
  EXPECT_EQ(Where(0, D(2026, 3, 1)), "O2/O2-T1");  // the plan
  EXPECT_EQ(Where(0, D(2026, 2, 28)), "O2/O2-P1");
  EXPECT_EQ(Where(0, D(2026, 3, 1)), "O2/O2-T1");
  EXPECT_EQ(Panel("O2-P1", D(2026, 3, 1)), 0);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 3u);
}

// DOMAIN.md: a child who turns 18 moves to an adult district on the birthday. A pediatric place
// held by a 17-year-old is therefore free after the birthday, and an application effective after
// it must see that room ("keep room on every date from the effective date on").
TEST_F(RegistryTest, PediatricPlaceOfAChildTurning18IsFreeAfterTheBirthday) {
  District("O1-P1", "O1", DistrictKind::kPediatrician, 1);
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  Person(9);  // the parent
  auto child = MakePerson(1, D(2015, 6, 1));
  child.representatives.push_back(TestIin(9));
  Put(child);
  Import(1, "O9-G1", D(2016, 1, 1));
  // A free choice in September takes effect on 1 January, after person 0 has turned 18.
  auto app = App(1, "O1", kInCampaign, Basis::kFreeChoice, "O1-P1");
  app.applicant = TestIin(9).ToString();
  const auto d = reg_->Decide(app, {});
  EXPECT_EQ(Names(d), Strings{}) << "O1-P1 is full only until person 0 turns 18 on 2025-10-01";
  EXPECT_EQ(d.district, "O1-P1");
}

// ---------------------------------------------------------------- invariants under any sequence

// A deterministic pseudo-random story: applications of every kind, deaths, liquidations and
// reorganisations in date order. After every step no person has two live periods on one date,
// panels equal a recount, and an approval never leaves its district over capacity from its
// effective date on.
class RandomStoryTest : public RegistryFixture, public ::testing::WithParamInterface<unsigned> {};

TEST_P(RandomStoryTest, InvariantsHoldAfterEveryStep) {
  std::mt19937 rng(GetParam());
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  struct Dist {
    const char* id;
    const char* org;
    DistrictKind kind;
    int capacity;
  };
  const std::vector<std::pair<std::string, std::string>> orgs = {
      {"O1", "A1"}, {"O2", "A1"}, {"O3", "A1"}, {"O4", "A1"}, {"O8", "A2"}, {"O9", "A2"}};
  const Dist districts[] = {
      {"O1-G1", "O1", DistrictKind::kGp, 6},
      {"O1-P1", "O1", DistrictKind::kPediatrician, 6},
      {"O1-T1", "O1", DistrictKind::kTherapist, 6},
      {"O2-G1", "O2", DistrictKind::kGp, 8},
      {"O3-G1", "O3", DistrictKind::kGp, 4},
      {"O3-P1", "O3", DistrictKind::kPediatrician, 4},
      {"O4-T1", "O4", DistrictKind::kTherapist, 6},
      {"O8-G1", "O8", DistrictKind::kGp, 6},
      {"O8-P1", "O8", DistrictKind::kPediatrician, 4},
      {"O9-G1", "O9", DistrictKind::kGp, 10},
  };
  for (const auto& [id, ate] : orgs) Org(id, ate);
  for (const auto& d : districts) District(d.id, d.org, d.kind, d.capacity);
  constexpr int kPeople = 40;
  Person(0);  // registered representative of every minor
  for (int n = 1; n < kPeople; ++n) {
    const int kind = pick(4);
    const Date birth = kind == 0   ? D(2006 + pick(3), 1 + pick(12), 1 + pick(28))  // turn 18 soon
                       : kind == 1 ? D(2012 + pick(10), 1 + pick(12), 1 + pick(28))
                                   : D(1950 + pick(50), 1 + pick(12), 1 + pick(28));
    auto p = MakePerson(n, birth, pick(2) ? "A1" : "A2", pick(2) ? "A1" : "A2");
    if (pick(3) == 0) p.ate[static_cast<int>(domain::AteRole::kWork)] = pick(2) ? "A1" : "A2";
    p.representatives.push_back(TestIin(0));
    Put(p);
    if (pick(2)) {
      const auto& d = districts[pick(std::size(districts))];
      Import(n, d.id, D(2015, 1, 1));
    }
  }
  ExpectConsistent();

  // Weighted: free choice and first attachment are the common cases.
  const Basis bases[] = {
      Basis::kFreeChoice,        Basis::kFreeChoice,      Basis::kFreeChoice,
      Basis::kFirstAttachment,   Basis::kFirstAttachment, Basis::kResidenceChange,
      Basis::kWorkOrStudyChange, Basis::kOrgClosed,       Basis::kTemporaryResidence};
  std::set<std::string> closed;
  int step = 0, approvals = 0;
  for (Date day = D(2024, 6, 1); day < D(2027, 1, 1) && !HasFailure();
       day = day.AddDays(1 + pick(9))) {
    for (int e = 0; e < 1 + pick(3); ++e, ++step) {
      const int roll = pick(100);
      if (roll < 4) {
        const int n = 1 + pick(kPeople - 1);
        if (!reg_->FindPerson(TestIin(n))->deceased) {
          ASSERT_TRUE(reg_->RecordDeath(TestIin(n), day, {}));
        }
      } else if (roll < 6) {
        const auto& [org, ate] = orgs[pick(orgs.size())];
        if (closed.contains(org)) continue;
        std::string successor;
        if (pick(2)) {
          const auto& [other, other_ate] = orgs[pick(orgs.size())];
          if (other != org && !closed.contains(other)) successor = other;
        }
        ASSERT_TRUE(reg_->CloseOrganisation(org, day, successor, {}));
        closed.insert(org);
      } else {
        const int n = 1 + pick(kPeople - 1);
        const auto* person = reg_->FindPerson(TestIin(n));
        // Mostly an organisation of the person's own ATE, sometimes any.
        std::string org = orgs[pick(orgs.size())].first;
        for (int tries = 0; tries < 4 && pick(4) != 0; ++tries) {
          const auto& [candidate, ate] = orgs[pick(orgs.size())];
          if (ate == person->Ate(domain::AteRole::kResidence) ||
              ate == person->Ate(domain::AteRole::kRegistration)) {
            org = candidate;
            break;
          }
        }
        std::optional<std::string> district;
        if (pick(3) == 0) district = districts[pick(std::size(districts))].id;
        auto app = App(n, org, day, bases[pick(std::size(bases))], district);
        app.documents.Add(domain::Document::kResidenceProof);
        if (reg_->FindPerson(TestIin(n))->AgeOn(day) < 18) app.applicant = TestIin(0).ToString();
        const auto d = reg_->Decide(app, {});
        if (d.outcome == Outcome::kApproved) {
          ++approvals;
          const auto* district_ptr = reg_->FindDistrict(d.district);
          ASSERT_NE(district_ptr, nullptr);
          EXPECT_GE(reg_->LeastFreePlacesFrom(*district_ptr, *d.effective), 0)
              << "approval " << app.id << " overfills " << d.district;
          // The approved period starts on the effective date; a child's period may hand over to
          // an adult district on the 18th birthday, which then runs open-ended.
          const auto periods = reg_->PeriodsOf(TestIin(n));
          ASSERT_FALSE(periods.empty());
          const domain::Attachment* approved = nullptr;
          for (const auto* p : periods) {
            if (p->application_id == app.id && p->from == *d.effective) approved = p;
          }
          ASSERT_NE(approved, nullptr) << app.id;
          EXPECT_EQ(approved->district, d.district) << app.id;
          EXPECT_TRUE(periods.back()->to.IsMax()) << app.id;
          EXPECT_EQ(periods.back()->application_id, app.id) << app.id;
        } else {
          EXPECT_FALSE(d.reasons.empty());
        }
      }
      if (step % 15 == 0) ExpectConsistent();
    }
  }
  ExpectConsistent();
  EXPECT_GT(approvals, 20) << "the story should exercise approvals";
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomStoryTest, ::testing::Values(1u, 7u, 2025u));

// ---------------------------------------------------------------- persistence

class PersistenceTest : public RegistryFixture {
 protected:
  void SetUp() override { OpenAt(db_.path()); }
  TempDb db_;
};

TEST_F(PersistenceTest, ReopenedRegistryGivesTheSameAnswers) {
  Org("O1", "A1");
  District("O1-G1", "O1", DistrictKind::kGp, 10);
  District("O1-P1", "O1", DistrictKind::kPediatrician, 10);
  District("O1-T1", "O1", DistrictKind::kTherapist, 1);
  Org("O2", "A1");
  District("O2-G1", "O2", DistrictKind::kGp, 10);
  Org("O3", "A1");
  District("O3-G1", "O3", DistrictKind::kGp, 10);
  Org("O8", "A1");
  District("O8-G1", "O8", DistrictKind::kGp, 10);
  Org("O9", "A2");
  District("O9-G1", "O9", DistrictKind::kGp, 10);
  for (int n = 0; n < 8; ++n) Person(n, n == 3 ? D(2007, 10, 1) : D(1985, 3, 5), "A1", "A2");
  Import(0, "O1-T1", D(2020, 1, 1));
  Import(1, "O1-T1", D(2020, 1, 1));
  Import(2, "O1-G1", D(2020, 1, 1));
  Import(3, "O1-P1", D(2010, 1, 1));
  Import(4, "O3-G1", D(2020, 1, 1));
  Import(5, "O2-G1", D(2020, 1, 1));
  Import(6, "O8-G1", D(2020, 1, 1));

  std::vector<domain::Application> apps;
  std::vector<domain::Decision> decisions;
  auto decide = [&](domain::Application app) {
    decisions.push_back(reg_->Decide(app, {}));
    apps.push_back(std::move(app));
    return decisions.back();
  };
  EXPECT_EQ(decide(App(1, "O9", kOutside, Basis::kResidenceChange)).outcome, Outcome::kApproved);
  ASSERT_TRUE(reg_->RecordDeath(TestIin(2), D(2025, 4, 1), {}));
  EXPECT_EQ(decide(App(0, "O2", kInCampaign, Basis::kFreeChoice)).outcome, Outcome::kApproved);
  EXPECT_EQ(decide(App(5, "O3", kInCampaign, Basis::kFreeChoice)).outcome, Outcome::kApproved);
  EXPECT_EQ(Names(decide(App(7, "O1", D(2025, 9, 11), Basis::kFirstAttachment, "O1-T1"))),
            Strings{"capacity_exceeded"});
  ASSERT_TRUE(reg_->CloseOrganisation("O3", D(2025, 10, 15), "O2", {}));
  ASSERT_TRUE(reg_->CloseOrganisation("O8", D(2025, 11, 1), "", {}));
  EXPECT_EQ(decide(App(6, "O1", D(2025, 11, 3), Basis::kOrgClosed)).outcome, Outcome::kApproved);
  ASSERT_TRUE(reg_->Flush());
  EXPECT_EQ(reg_->pending_mutations(), 0u);

  auto store2 = storage::OpenStore(db_.path()).value();
  auto reg2 = Registry::Open(*store2, clock_, policy::DefaultPolicy()).value();
  ExpectConsistent(*reg2, known_);

  const Date days[] = {D(2019, 12, 31), D(2020, 1, 1),  kOutside,       D(2025, 3, 31),
                       D(2025, 4, 1),   D(2025, 9, 30), D(2025, 10, 1), D(2025, 10, 14),
                       D(2025, 10, 15), D(2025, 11, 1), D(2025, 11, 3), D(2025, 12, 31),
                       kNextJan1,       D(2030, 1, 1)};
  for (int n = 0; n < 8; ++n) {
    const auto iin = TestIin(n);
    for (Date day : days) {
      const auto a = reg_->WhereOn(iin, day);
      const auto b = reg2->WhereOn(iin, day);
      EXPECT_EQ(a.org, b.org) << "person " << n << " on " << day.ToString();
      EXPECT_EQ(a.district, b.district) << "person " << n << " on " << day.ToString();
      EXPECT_EQ(a.since, b.since) << "person " << n << " on " << day.ToString();
    }
    EXPECT_EQ(reg_->FreeChoiceChangesIn(iin, 2025), reg2->FreeChoiceChangesIn(iin, 2025)) << n;
    const auto pa = reg_->PeriodsOf(iin);
    const auto pb = reg2->PeriodsOf(iin);
    ASSERT_EQ(pa.size(), pb.size()) << "person " << n;
    for (std::size_t i = 0; i < pa.size(); ++i) {
      EXPECT_EQ(pa[i]->id, pb[i]->id);
      EXPECT_EQ(pa[i]->district, pb[i]->district);
      EXPECT_EQ(pa[i]->from, pb[i]->from);
      EXPECT_EQ(pa[i]->to, pb[i]->to);
      EXPECT_EQ(pa[i]->end, pb[i]->end);
      EXPECT_EQ(pa[i]->application_id, pb[i]->application_id);
    }
  }
  EXPECT_EQ(reg2->FreeChoiceChangesIn(TestIin(0), 2025), 1);
  EXPECT_EQ(reg2->FreeChoiceChangesIn(TestIin(5), 2025), 1);
  for (const char* d : {"O1-G1", "O1-P1", "O1-T1", "O2-G1", "O3-G1", "O8-G1", "O9-G1"}) {
    for (Date day : days) {
      EXPECT_EQ(reg_->PanelSizeOn(d, day), reg2->PanelSizeOn(d, day)) << d << " " << day.ToString();
    }
  }
  EXPECT_TRUE(reg2->FindPerson(TestIin(2))->deceased.has_value());
  EXPECT_TRUE(reg2->FindOrg("O3")->ClosedOn(D(2025, 10, 15)));
  EXPECT_EQ(reg2->FindOrg("O3")->successor, "O2");
  EXPECT_EQ(reg2->policy().version, reg_->policy().version);

  // Decided applications are remembered: deciding one again returns the stored decision.
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto again = reg2->Decide(apps[i], {});
    EXPECT_EQ(again.outcome, decisions[i].outcome) << apps[i].id;
    EXPECT_EQ(again.reasons, decisions[i].reasons) << apps[i].id;
    EXPECT_EQ(again.district, decisions[i].district) << apps[i].id;
    EXPECT_EQ(again.effective, decisions[i].effective) << apps[i].id;
    EXPECT_EQ(again.decide_by, decisions[i].decide_by) << apps[i].id;
    EXPECT_EQ(again.alternatives, decisions[i].alternatives) << apps[i].id;
  }
  // And new applications are judged on the same state.
  for (auto* r : {reg_.get(), reg2.get()}) {
    EXPECT_EQ(Names(r->Decide(App(0, "O9", D(2025, 11, 5), Basis::kFreeChoice), {})),
              (Strings{"outside_campaign", "too_frequent"}));
  }
  auto counts = store2->Counts().value();
  EXPECT_EQ(counts.applications, static_cast<std::int64_t>(apps.size()));
  EXPECT_EQ(counts.persons, 8);
}

// Rows of `table` in the SQLite file at `path`, through a connection of the test's own.
std::int64_t RowsIn(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &s, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      n = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

// A registry opens over decisions still in SQLite's journal without writing them to the tables
// (ADR 0021), and answers as one opened after they were written: periods, plans, panels,
// free-choice counts, statistics, idempotency keys and decisions taken.
TEST_F(PersistenceTest, AReopenedRegistryTakesTheJournalAsItIs) {
  Org("O1", "A1");
  District("O1-G1", "O1", DistrictKind::kGp, 10);
  District("O1-P1", "O1", DistrictKind::kPediatrician, 10);
  District("O1-T1", "O1", DistrictKind::kTherapist, 1);
  Org("O2", "A1");
  District("O2-G1", "O2", DistrictKind::kGp, 10);
  Org("O9", "A2");
  District("O9-G1", "O9", DistrictKind::kGp, 10);
  for (int n = 0; n < 6; ++n) Person(n, n == 3 ? D(2007, 10, 1) : D(1985, 3, 5), "A1", "A2");
  Import(0, "O1-T1", D(2020, 1, 1));
  Import(1, "O1-G1", D(2020, 1, 1));
  Import(3, "O1-P1", D(2010, 1, 1));
  Import(5, "O2-G1", D(2020, 1, 1));
  ASSERT_TRUE(reg_->Flush());  // reference data: into the tables
  const auto stored_before = RowsIn(db_.path(), "application");

  std::vector<domain::Application> apps;
  std::vector<domain::Decision> decisions;
  auto decide = [&](domain::Application app) {
    decisions.push_back(reg_->Decide(app, {}));
    apps.push_back(std::move(app));
    return decisions.back();
  };
  EXPECT_EQ(decide(App(1, "O2", kInCampaign, Basis::kFreeChoice)).outcome, Outcome::kApproved);
  EXPECT_EQ(decide(App(5, "O9", kOutside, Basis::kResidenceChange)).outcome, Outcome::kApproved);
  EXPECT_EQ(Names(decide(App(2, "O1", D(2025, 9, 11), Basis::kFirstAttachment, "O1-T1"))),
            Strings{"capacity_exceeded"});
  // After person 3's 18th birthday: the age-out becomes a stored period.
  EXPECT_EQ(decide(App(4, "O2", D(2025, 11, 3))).outcome, Outcome::kApproved);
  auto keyed = reg_->Decide(App(0, "O2", D(2025, 11, 4), Basis::kFreeChoice), {},
                            IdempotencyClaim{"K-1", "fp"});
  ASSERT_TRUE(keyed.has_value());
  ASSERT_TRUE(reg_->Flush());  // decisions only: journalled
  const auto journalled = RowsIn(db_.path(), "decision_journal");
  ASSERT_GT(journalled, 0);

  const std::vector<Date> days = {kOutside,       D(2025, 9, 30), D(2025, 10, 1),
                                  D(2025, 11, 3), kNextJan1,      D(2030, 1, 1)};
  auto answers = [&](Registry& r) {
    std::vector<std::string> out;
    for (int n = 0; n < 6; ++n) {
      for (Date day : days) out.push_back(Where(r, TestIin(n), day));
      out.push_back(std::to_string(r.FreeChoiceChangesIn(TestIin(n), 2025)));
      for (const auto& p : r.History(TestIin(n))) {
        out.push_back(fmt::format("{} {} {} {} {} {}", p.district, p.from.ToString(),
                                  p.to.ToString(), static_cast<int>(p.end), p.application_id,
                                  p.id < Population::kFirstPlanId ? std::to_string(p.id) : "plan"));
      }
    }
    for (const char* d : {"O1-G1", "O1-P1", "O1-T1", "O2-G1", "O9-G1"}) {
      for (Date day : days) out.push_back(std::to_string(r.PanelSizeOn(d, day)));
    }
    const auto cube = r.Snapshot().cube;
    for (auto facet : {stats::Facet::kAttached, stats::Facet::kDistrict, stats::Facet::kDecision,
                       stats::Facet::kFlow}) {
      for (Date day : days) {
        std::int64_t n = 0;
        cube.ForEachOn(facet, day, [&](const stats::Cell&, std::int64_t c) { n += c; });
        out.push_back(
            fmt::format("facet {} on {}: {}", static_cast<int>(facet), day.ToString(), n));
      }
    }
    out.push_back(r.today().ToString());
    return out;
  };
  const auto live = answers(*reg_);

  auto pending_store = storage::OpenStore(db_.path()).value();
  auto pending = Registry::Open(*pending_store, clock_, policy::DefaultPolicy()).value();
  EXPECT_EQ(RowsIn(db_.path(), "decision_journal"), journalled) << "opening wrote the journal";
  EXPECT_EQ(RowsIn(db_.path(), "application"), stored_before);
  ExpectConsistent(*pending, known_);
  EXPECT_EQ(answers(*pending), live);

  auto written_store = storage::OpenStore(db_.path()).value();
  ASSERT_TRUE(written_store->journal()->ApplyJournal(INT64_MAX).has_value());
  EXPECT_EQ(RowsIn(db_.path(), "decision_journal"), 0);
  auto written = Registry::Open(*written_store, clock_, policy::DefaultPolicy()).value();
  EXPECT_EQ(answers(*written), live);

  // Decided applications and the key are known: asked again, the decision already taken.
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto again = pending->Decide(apps[i], {});
    EXPECT_EQ(again.outcome, decisions[i].outcome) << apps[i].id;
    EXPECT_EQ(again.district, decisions[i].district) << apps[i].id;
    EXPECT_EQ(again.effective, decisions[i].effective) << apps[i].id;
  }
  auto retried = pending->Decide(App(0, "O2", D(2025, 11, 4), Basis::kFreeChoice), {},
                                 IdempotencyClaim{"K-1", "fp"});
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->application_id, keyed->application_id);
  EXPECT_EQ(retried->outcome, keyed->outcome);
}

TEST_F(PersistenceTest, NothingIsDurableBeforeFlush) {
  Org("O1", "A1");
  District("O1-G1", "O1", DistrictKind::kGp, 10);
  Person(0);
  ASSERT_EQ(Apply(0, "O1", kOutside).outcome, Outcome::kApproved);
  EXPECT_GT(reg_->pending_mutations(), 0u);
  {
    auto store2 = storage::OpenStore(db_.path()).value();
    EXPECT_EQ(store2->Counts().value().applications, 0);
  }
  ASSERT_TRUE(reg_->Flush());
  auto store2 = storage::OpenStore(db_.path()).value();
  EXPECT_EQ(store2->Counts().value().applications, 1);
  auto reg2 = Registry::Open(*store2, clock_, policy::DefaultPolicy()).value();
  EXPECT_EQ(Where(*reg2, TestIin(0), kOutside), "O1/O1-G1");
}

}  // namespace
}  // namespace emkhana::registry::testing
