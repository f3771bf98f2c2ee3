// Who may attach (DOMAIN.md): not_eligible for temporary stayers and EAEU migrants without a DMS
// or VMS policy valid on the application date.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Insurance;
using domain::Outcome;

class EligibilityTest : public RulesTest, public ::testing::WithParamInterface<LegalStatus> {
 protected:
  domain::Person& Foreigner() {
    auto& p = Adult(0);
    p.status = GetParam();
    return p;
  }
  domain::Application Apply() const { return App(ValidIin(0), "O1", kOutside); }
};

class AlwaysEligibleTest : public EligibilityTest {};

TEST_P(AlwaysEligibleTest, EligibleWithoutInsurance) {
  Foreigner();
  EXPECT_EQ(Decide(Apply()).outcome, Outcome::kApproved);
}

INSTANTIATE_TEST_SUITE_P(Statuses, AlwaysEligibleTest,
                         ::testing::Values(LegalStatus::kCitizen, LegalStatus::kKandas,
                                           LegalStatus::kRefugee, LegalStatus::kResident),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

class InsuranceNeededTest : public EligibilityTest {};

TEST_P(InsuranceNeededTest, NotEligibleWithoutInsurance) {
  Foreigner();
  EXPECT_EQ(Reasons(Apply()), Strings{"not_eligible"});
}

TEST_P(InsuranceNeededTest, EligibleWithDmsValidOnTheDate) {
  Foreigner().insurance = Insurance{InsuranceKind::kDms, D(2025, 1, 1), D(2025, 12, 31)};
  EXPECT_EQ(Decide(Apply()).outcome, Outcome::kApproved);
}

TEST_P(InsuranceNeededTest, EligibleWithVmsValidOnTheDate) {
  Foreigner().insurance = Insurance{InsuranceKind::kVms, D(2025, 1, 1), D(2025, 12, 31)};
  EXPECT_EQ(Decide(Apply()).outcome, Outcome::kApproved);
}

TEST_P(InsuranceNeededTest, EligibleOnTheFirstAndLastDayOfThePolicy) {
  Foreigner().insurance = Insurance{InsuranceKind::kDms, kOutside, kOutside};
  EXPECT_EQ(Decide(Apply()).outcome, Outcome::kApproved);
}

TEST_P(InsuranceNeededTest, NotEligibleWithExpiredPolicy) {
  Foreigner().insurance = Insurance{InsuranceKind::kVms, D(2024, 1, 1), kOutside.Prev()};
  EXPECT_EQ(Reasons(Apply()), Strings{"not_eligible"});
}

TEST_P(InsuranceNeededTest, NotEligibleWithPolicyStartingLater) {
  Foreigner().insurance = Insurance{InsuranceKind::kDms, kOutside.Next(), D(2026, 12, 31)};
  EXPECT_EQ(Reasons(Apply()), Strings{"not_eligible"});
}

INSTANTIATE_TEST_SUITE_P(Statuses, InsuranceNeededTest,
                         ::testing::Values(LegalStatus::kTemporary, LegalStatus::kEaeuMigrant),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

}  // namespace
}  // namespace emkhana::rules::testing
