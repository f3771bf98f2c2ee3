#include "domain/policy.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "policy/policy_loader.hpp"

namespace emkhana::domain {
namespace {

// The campaign windows of DOMAIN.md, built by hand so the domain logic is tested on its own.
Policy SpecPolicy() {
  Policy p;
  p.version = "test-1";
  p.campaign_years.push_back({2017, Date::Ymd(2017, 4, 5), Date::Ymd(2017, 6, 30), "2017"});
  p.campaign_rules.push_back({2018, 2024, 9, 15, 11, 15, "up to 2024"});
  p.campaign_rules.push_back({2025, 9999, 9, 1, 11, 1, "from 2025"});
  p.norms.push_back({Date::Ymd(2020, 11, 13), Norms{}, "norms"});
  p.free_choices_per_year.push_back({Date::Ymd(2020, 11, 13), 1, "once a year"});
  return p;
}

class PolicyCampaignTest : public ::testing::TestWithParam<Policy> {};

TEST_P(PolicyCampaignTest, CampaignOfEachYear) {
  const Policy& p = GetParam();
  auto w2017 = p.CampaignOf(2017);
  ASSERT_TRUE(w2017.has_value());
  EXPECT_EQ(w2017->year, 2017);
  EXPECT_EQ(w2017->start, Date::Ymd(2017, 4, 5));
  EXPECT_EQ(w2017->end, Date::Ymd(2017, 6, 30));

  for (int year : {2018, 2020, 2024}) {
    auto w = p.CampaignOf(year);
    ASSERT_TRUE(w.has_value()) << year;
    EXPECT_EQ(w->year, year);
    EXPECT_EQ(w->start, Date::Ymd(year, 9, 15)) << year;
    EXPECT_EQ(w->end, Date::Ymd(year, 11, 15)) << year;
  }
  for (int year : {2025, 2026, 2030}) {
    auto w = p.CampaignOf(year);
    ASSERT_TRUE(w.has_value()) << year;
    EXPECT_EQ(w->year, year);
    EXPECT_EQ(w->start, Date::Ymd(year, 9, 1)) << year;
    EXPECT_EQ(w->end, Date::Ymd(year, 11, 1)) << year;
  }
  EXPECT_FALSE(p.CampaignOf(2016).has_value());
  EXPECT_FALSE(p.CampaignOf(2000).has_value());
}

TEST_P(PolicyCampaignTest, InCampaignBoundariesAreInclusive) {
  const Policy& p = GetParam();
  // 2017: 5 Apr - 30 Jun.
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2017, 4, 4)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2017, 4, 5)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2017, 5, 15)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2017, 6, 30)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2017, 7, 1)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2017, 10, 1)));  // not the later autumn window
  // 2024: 15 Sep - 15 Nov.
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2024, 9, 14)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2024, 9, 15)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2024, 11, 15)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2024, 11, 16)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2024, 9, 1)));
  // 2025: 1 Sep - 1 Nov.
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2025, 8, 31)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2025, 9, 1)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2025, 10, 25)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2025, 11, 1)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2025, 11, 2)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2025, 11, 15)));
  // 2016: no campaign at all.
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2016, 4, 5)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2016, 10, 1)));
}

INSTANTIATE_TEST_SUITE_P(HandBuiltAndDefault, PolicyCampaignTest,
                         ::testing::Values(SpecPolicy(), policy::DefaultPolicy()),
                         [](const ::testing::TestParamInfo<Policy>& param) {
                           return param.index == 0 ? std::string("HandBuilt")
                                                   : std::string("DefaultPolicy");
                         });

TEST(PolicyTest, AnExplicitYearOverridesTheRule) {
  Policy p = SpecPolicy();
  p.campaign_years.push_back({2026, Date::Ymd(2026, 8, 15), Date::Ymd(2026, 8, 31), "decree"});
  auto w = p.CampaignOf(2026);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->start, Date::Ymd(2026, 8, 15));
  EXPECT_EQ(w->end, Date::Ymd(2026, 8, 31));
  EXPECT_EQ(w->source, "decree");
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2026, 8, 20)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2026, 9, 1)));
  // Other years still follow the rule.
  EXPECT_EQ(p.CampaignOf(2027)->start, Date::Ymd(2027, 9, 1));
}

TEST(PolicyTest, CampaignOfCarriesTheRuleSource) {
  Policy p = SpecPolicy();
  EXPECT_EQ(p.CampaignOf(2024)->source, "up to 2024");
  EXPECT_EQ(p.CampaignOf(2025)->source, "from 2025");
  EXPECT_EQ(p.CampaignOf(2017)->source, "2017");
}

TEST(PolicyTest, NormsOnDefaults) {
  Policy empty;
  Norms n = empty.NormsOn(Date::Ymd(2025, 1, 1));
  EXPECT_EQ(n.gp, 1700);
  EXPECT_EQ(n.therapist, 2200);
  EXPECT_EQ(n.pediatrician, 900);
  EXPECT_EQ(n.For(DistrictKind::kGp), 1700);
  EXPECT_EQ(n.For(DistrictKind::kTherapist), 2200);
  EXPECT_EQ(n.For(DistrictKind::kPediatrician), 900);

  Norms d = policy::DefaultPolicy().NormsOn(Date::Ymd(2025, 10, 1));
  EXPECT_EQ(d.gp, 1700);
  EXPECT_EQ(d.therapist, 2200);
  EXPECT_EQ(d.pediatrician, 900);
}

TEST(PolicyTest, NormsOnPicksTheLatestApplicableValue) {
  Policy p = SpecPolicy();
  p.norms.push_back({Date::Ymd(2026, 1, 1), Norms{1500, 2000, 800}, "2026"});
  EXPECT_EQ(p.NormsOn(Date::Ymd(2025, 12, 31)).gp, 1700);
  EXPECT_EQ(p.NormsOn(Date::Ymd(2026, 1, 1)).gp, 1500);
  EXPECT_EQ(p.NormsOn(Date::Ymd(2030, 1, 1)).pediatrician, 800);
  // Before the first value: the first value.
  EXPECT_EQ(p.NormsOn(Date::Ymd(2010, 1, 1)).gp, 1700);
}

TEST(PolicyTest, FreeChoicesPerYear) {
  EXPECT_EQ(Policy{}.FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 1);
  EXPECT_EQ(SpecPolicy().FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 1);
  EXPECT_EQ(policy::DefaultPolicy().FreeChoicesPerYearOn(Date::Ymd(2025, 10, 1)), 1);
  Policy p = SpecPolicy();
  p.free_choices_per_year.push_back({Date::Ymd(2027, 1, 1), 2, "twice"});
  EXPECT_EQ(p.FreeChoicesPerYearOn(Date::Ymd(2026, 12, 31)), 1);
  EXPECT_EQ(p.FreeChoicesPerYearOn(Date::Ymd(2027, 1, 1)), 2);
}

TEST(PolicyOverrideTest, ReplacesTheGivenCampaignYearOnly) {
  Policy p = SpecPolicy();
  PolicyOverride o;
  o.campaigns.push_back({2025, Date::Ymd(2025, 10, 1), Date::Ymd(2025, 10, 31), "what-if"});
  o.campaigns.push_back({2017, Date::Ymd(2017, 5, 1), Date::Ymd(2017, 5, 31), "what-if 2017"});
  o.ApplyTo(p);

  auto w2025 = p.CampaignOf(2025);
  ASSERT_TRUE(w2025.has_value());
  EXPECT_EQ(w2025->start, Date::Ymd(2025, 10, 1));
  EXPECT_EQ(w2025->end, Date::Ymd(2025, 10, 31));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2025, 9, 1)));
  EXPECT_TRUE(p.InCampaign(Date::Ymd(2025, 10, 31)));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2025, 11, 1)));

  // The explicit 2017 year was replaced, not duplicated.
  int count2017 = 0;
  for (const auto& w : p.campaign_years) count2017 += w.year == 2017 ? 1 : 0;
  EXPECT_EQ(count2017, 1);
  EXPECT_EQ(p.CampaignOf(2017)->start, Date::Ymd(2017, 5, 1));
  EXPECT_FALSE(p.InCampaign(Date::Ymd(2017, 4, 5)));

  // Other years untouched.
  EXPECT_EQ(p.CampaignOf(2024)->start, Date::Ymd(2024, 9, 15));
  EXPECT_EQ(p.CampaignOf(2026)->start, Date::Ymd(2026, 9, 1));
  EXPECT_EQ(p.CampaignOf(2026)->end, Date::Ymd(2026, 11, 1));
  EXPECT_FALSE(p.CampaignOf(2016).has_value());
}

TEST(PolicyOverrideTest, OverridesSomeNormsOnEveryDate) {
  Policy p = SpecPolicy();
  p.norms.push_back({Date::Ymd(2026, 1, 1), Norms{1500, 2000, 800}, "2026"});
  PolicyOverride o;
  o.gp_norm = 3;
  o.pediatrician_norm = 2;
  o.ApplyTo(p);
  for (Date d : {Date::Ymd(2021, 1, 1), Date::Ymd(2025, 6, 1), Date::Ymd(2026, 6, 1)}) {
    EXPECT_EQ(p.NormsOn(d).gp, 3) << d.ToString();
    EXPECT_EQ(p.NormsOn(d).pediatrician, 2) << d.ToString();
  }
  // The therapist norm was not given: each dated value keeps its own.
  EXPECT_EQ(p.NormsOn(Date::Ymd(2025, 6, 1)).therapist, 2200);
  EXPECT_EQ(p.NormsOn(Date::Ymd(2026, 6, 1)).therapist, 2000);
}

TEST(PolicyOverrideTest, NormsOnAPolicyWithoutNorms) {
  Policy p;
  PolicyOverride o;
  o.therapist_norm = 5;
  o.ApplyTo(p);
  Norms n = p.NormsOn(Date::Ymd(2025, 1, 1));
  EXPECT_EQ(n.therapist, 5);
  EXPECT_EQ(n.gp, 1700);
  EXPECT_EQ(n.pediatrician, 900);
  EXPECT_EQ(p.NormsOn(Date::Ymd(1900, 1, 1)).therapist, 5);
}

TEST(PolicyOverrideTest, AddsHolidaysAndWorkingWeekends) {
  Policy p = SpecPolicy();
  p.holidays.extra_days_off.insert(Date::Ymd(2025, 1, 3));
  PolicyOverride o;
  o.extra_days_off = {Date::Ymd(2025, 11, 3), Date::Ymd(2025, 1, 3)};
  o.working_weekends = {Date::Ymd(2025, 11, 8)};
  o.ApplyTo(p);
  EXPECT_EQ(p.holidays.extra_days_off,
            (std::set<Date>{Date::Ymd(2025, 1, 3), Date::Ymd(2025, 11, 3)}));
  EXPECT_EQ(p.holidays.working_weekends, (std::set<Date>{Date::Ymd(2025, 11, 8)}));
}

TEST(PolicyOverrideTest, FreeChoicesPerYear) {
  Policy p = SpecPolicy();
  PolicyOverride o;
  o.free_choices_per_year = 3;
  o.ApplyTo(p);
  EXPECT_EQ(p.FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 3);

  Policy empty;
  o.ApplyTo(empty);
  EXPECT_EQ(empty.FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 3);
}

TEST(PolicyOverrideTest, VersionGetsTheLabelAsSuffix) {
  Policy p = SpecPolicy();
  PolicyOverride o;
  o.label = "small-districts";
  o.ApplyTo(p);
  EXPECT_EQ(p.version, "test-1+small-districts");

  Policy d = policy::DefaultPolicy();
  o.ApplyTo(d);
  EXPECT_EQ(d.version, policy::DefaultPolicy().version + "+small-districts");
}

TEST(PolicyOverrideTest, AnEmptyOverrideChangesNothing) {
  Policy p = SpecPolicy();
  PolicyOverride{}.ApplyTo(p);
  EXPECT_EQ(p.version, "test-1");
  EXPECT_EQ(p.campaign_years.size(), 1u);
  EXPECT_EQ(p.CampaignOf(2025)->start, Date::Ymd(2025, 9, 1));
  EXPECT_EQ(p.NormsOn(Date::Ymd(2025, 1, 1)).gp, 1700);
  EXPECT_EQ(p.FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 1);
  EXPECT_TRUE(p.holidays.extra_days_off.empty());
}

}  // namespace
}  // namespace emkhana::domain
