// Deadlines (DOMAIN.md "Deadlines"): received on the date if a working day, else the next one;
// egov, mobile, service_centre: the working day after receipt; clinic_paper: the day of receipt.
#include "rules/checks.hpp"
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

class DeadlineTest : public RulesTest {
 protected:
  Date By(Date date, Channel channel) const {
    domain::Application app;
    app.date = date;
    app.channel = channel;
    return DecideBy(app, calendar_);
  }
};

constexpr Channel kElectronic[] = {Channel::kEgov, Channel::kMobile, Channel::kServiceCentre};

TEST_F(DeadlineTest, ElectronicOnAWorkingDayIsDueTheNextWorkingDay) {
  for (auto c : kElectronic) {
    EXPECT_EQ(By(D(2025, 9, 10), c), D(2025, 9, 11)) << domain::NameOf(c);  // Wed -> Thu
    EXPECT_EQ(By(D(2025, 9, 12), c), D(2025, 9, 15)) << domain::NameOf(c);  // Fri -> Mon
  }
}

TEST_F(DeadlineTest, PaperOnAWorkingDayIsDueTheSameDay) {
  EXPECT_EQ(By(D(2025, 9, 10), Channel::kClinicPaper), D(2025, 9, 10));
  EXPECT_EQ(By(D(2025, 9, 12), Channel::kClinicPaper), D(2025, 9, 12));
}

TEST_F(DeadlineTest, WeekendReceiptMovesToMonday) {
  // Saturday 2025-09-13 and Sunday 2025-09-14: received Monday 15.
  for (auto date : {D(2025, 9, 13), D(2025, 9, 14)}) {
    EXPECT_EQ(By(date, Channel::kClinicPaper), D(2025, 9, 15));
    EXPECT_EQ(By(date, Channel::kEgov), D(2025, 9, 16));
  }
}

TEST_F(DeadlineTest, HolidayReceipt) {
  // Tuesday 2025-12-16, Independence Day: received Wednesday 17.
  EXPECT_EQ(By(D(2025, 12, 16), Channel::kClinicPaper), D(2025, 12, 17));
  EXPECT_EQ(By(D(2025, 12, 16), Channel::kMobile), D(2025, 12, 18));
  // Wednesday 2026-01-07, Orthodox Christmas.
  EXPECT_EQ(By(D(2026, 1, 7), Channel::kClinicPaper), D(2026, 1, 8));
}

TEST_F(DeadlineTest, NewYearHolidaysAndWeekend) {
  // Wed 2025-12-31: 1-2 January (Thu, Fri) and the weekend follow: due Monday 5 January.
  EXPECT_EQ(By(D(2025, 12, 31), Channel::kEgov), D(2026, 1, 5));
  EXPECT_EQ(By(D(2025, 12, 31), Channel::kClinicPaper), D(2025, 12, 31));
  EXPECT_EQ(By(D(2026, 1, 1), Channel::kClinicPaper), D(2026, 1, 5));
  EXPECT_EQ(By(D(2026, 1, 1), Channel::kServiceCentre), D(2026, 1, 6));
}

TEST_F(DeadlineTest, HolidayOnSaturdayMovesItsDayOffToMonday) {
  // 8 March 2025 is a Saturday: Monday 10 March is the day off.
  EXPECT_EQ(By(D(2025, 3, 7), Channel::kEgov), D(2025, 3, 11));
  EXPECT_EQ(By(D(2025, 3, 8), Channel::kClinicPaper), D(2025, 3, 11));
}

TEST_F(DeadlineTest, SeventhOfJanuaryOnSundayIsNotMoved) {
  // 7 January 2024 is a Sunday and does not move: Monday 8 January is a working day.
  EXPECT_EQ(By(D(2024, 1, 5), Channel::kEgov), D(2024, 1, 8));
}

TEST_F(DeadlineTest, KurbanAitOnSundayIsNotMoved) {
  // Kurban ait 2024-06-16 is a Sunday and does not move.
  EXPECT_EQ(By(D(2024, 6, 14), Channel::kEgov), D(2024, 6, 17));
  // Kurban ait 2025-06-06 is a Friday: a day off.
  EXPECT_EQ(By(D(2025, 6, 5), Channel::kEgov), D(2025, 6, 9));
}

TEST_F(DeadlineTest, PolicyDecreesAddDaysOffAndWorkingWeekends) {
  auto p = policy_;
  p.holidays.extra_days_off.insert(D(2025, 9, 11));
  p.holidays.working_weekends.insert(D(2025, 9, 13));
  const domain::Calendar cal(p.holidays);
  domain::Application app;
  app.date = D(2025, 9, 10);
  app.channel = Channel::kEgov;
  EXPECT_EQ(DecideBy(app, cal), D(2025, 9, 12));
  app.date = D(2025, 9, 12);
  EXPECT_EQ(DecideBy(app, cal), D(2025, 9, 13));  // a working Saturday
}

TEST_F(DeadlineTest, EvaluateReportsDecideByForApprovalsAndRefusals) {
  Adult(0);
  auto app = App(ValidIin(0), "O1", D(2025, 9, 13));  // Saturday
  const auto approved = Decide(app);
  EXPECT_EQ(approved.outcome, domain::Outcome::kApproved);
  EXPECT_EQ(approved.decide_by, D(2025, 9, 16));
  app.consent = false;
  app.channel = Channel::kClinicPaper;
  const auto refused = Decide(app);
  EXPECT_EQ(refused.outcome, domain::Outcome::kRefused);
  EXPECT_EQ(refused.decide_by, D(2025, 9, 15));
}

}  // namespace
}  // namespace emkhana::rules::testing
