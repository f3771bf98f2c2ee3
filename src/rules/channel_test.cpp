// Channels and documents (DOMAIN.md "Channels"): channel_not_allowed, missing_documents.
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Insurance;
using domain::Outcome;

class ChannelTest : public RulesTest {};

TEST_F(ChannelTest, ElectronicChannelsAndServiceCentreAreOpenToEveryone) {
  Adult(0);
  for (auto channel : {Channel::kEgov, Channel::kMobile, Channel::kServiceCentre}) {
    EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, channel)).outcome,
              Outcome::kApproved)
        << domain::NameOf(channel);
  }
}

TEST_F(ChannelTest, PaperFromAnOrdinaryAdultIsNotAllowed) {
  Adult(0);
  EXPECT_EQ(
      Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper)),
      Strings{"channel_not_allowed"});
}

class PaperCategoryTest : public ChannelTest, public ::testing::WithParamInterface<Category> {};

TEST_P(PaperCategoryTest, PaperIsAllowedForTheCategory) {
  auto& p = Adult(0);
  p.categories.Add(GetParam());
  SetAte(p, AteRole::kDeployment, "A1");  // conscripts: where deployed
  SetAte(p, AteRole::kCustody, "A1");     // convicts: where held
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  app.documents.Add(Document::kCommissionProtocol);  // convicts need it on any channel
  EXPECT_EQ(Reasons(app), Strings{}) << domain::NameOf(GetParam());
}

INSTANTIATE_TEST_SUITE_P(EveryPaperCategory, PaperCategoryTest,
                         ::testing::Values(Category::kPensioner, Category::kDisabled,
                                           Category::kConscript, Category::kConvict,
                                           Category::kBornAbroad, Category::kInstitutionWard,
                                           Category::kStudent),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

TEST_F(ChannelTest, PaperIsNotAllowedForAPregnantWoman) {
  auto& p = Adult(0);
  p.sex = domain::Sex::kFemale;
  p.categories.Add(Category::kPregnant);
  EXPECT_EQ(
      Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper)),
      Strings{"channel_not_allowed"});
}

TEST_F(ChannelTest, PaperIsAllowedWithADmsPolicyValidOnTheDate) {
  Adult(0).insurance = Insurance{InsuranceKind::kDms, D(2025, 1, 1), D(2025, 12, 31)};
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper))
                .outcome,
            Outcome::kApproved);
}

TEST_F(ChannelTest, PaperIsAllowedOnTheLastDayOfTheDmsPolicy) {
  Adult(0).insurance = Insurance{InsuranceKind::kDms, D(2024, 1, 1), kOutside};
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper))
                .outcome,
            Outcome::kApproved);
}

TEST_F(ChannelTest, PaperIsNotAllowedWithAVmsPolicy) {
  Adult(0).insurance = Insurance{InsuranceKind::kVms, D(2025, 1, 1), D(2025, 12, 31)};
  EXPECT_EQ(
      Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper)),
      Strings{"channel_not_allowed"});
}

TEST_F(ChannelTest, PaperIsNotAllowedWithAnExpiredOrFutureDmsPolicy) {
  auto& p = Adult(0);
  p.insurance = Insurance{InsuranceKind::kDms, D(2024, 1, 1), kOutside.Prev()};
  const auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  EXPECT_EQ(Reasons(app), Strings{"channel_not_allowed"});
  view_.persons.at(ParseIin(ValidIin(0))).insurance =
      Insurance{InsuranceKind::kDms, kOutside.Next(), D(2026, 1, 1)};
  EXPECT_EQ(Reasons(app), Strings{"channel_not_allowed"});
}

class PaperApplicantTest : public ChannelTest, public ::testing::WithParamInterface<Category> {};

TEST_P(PaperApplicantTest, PaperIsAllowedWhenTheApplicantIsOfTheCategory) {
  Child(0).representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1).categories.Add(GetParam());
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Reasons(app), Strings{});
}

INSTANTIATE_TEST_SUITE_P(ApplicantCategories, PaperApplicantTest,
                         ::testing::Values(Category::kDisabledChildRepresentative,
                                           Category::kFosterCarer),
                         [](const auto& param_info) {
                           return std::string(domain::NameOf(param_info.param));
                         });

TEST_F(ChannelTest, PaperIsNotAllowedWhenOnlyTheApplicantIsAPensioner) {
  // "only when the person is a pensioner, ...": the applicant's own pension does not count.
  Child(0).representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1).categories.Add(Category::kPensioner);
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Reasons(app), Strings{"channel_not_allowed"});
}

// ---- documents

TEST_F(ChannelTest, ConvictWithoutCommissionProtocolMissesDocumentsOnAnyChannel) {
  auto& p = Adult(0);
  p.categories.Add(Category::kConvict);
  SetAte(p, AteRole::kCustody, "A1");
  for (auto channel : {Channel::kEgov, Channel::kClinicPaper}) {
    EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, channel)),
              Strings{"missing_documents"})
        << domain::NameOf(channel);
  }
}

TEST_F(ChannelTest, ConvictWithCommissionProtocolIsApproved) {
  auto& p = Adult(0);
  p.categories.Add(Category::kConvict);
  SetAte(p, AteRole::kCustody, "A1");
  auto app = App(ValidIin(0), "O1", kOutside);
  app.documents.Add(Document::kCommissionProtocol);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ChannelTest, TemporaryResidenceBasisNeedsResidenceProof) {
  auto& p = Adult(0);
  SetAte(p, AteRole::kTemporary, "A1");
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kTemporaryResidence);
  EXPECT_EQ(Reasons(app), Strings{"missing_documents"});
  app.documents.Add(Document::kResidenceProof);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ChannelTest, ResidenceProofIsNotNeededForOtherBases) {
  Adult(0);
  EXPECT_EQ(Reasons(App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange)), Strings{});
}

TEST_F(ChannelTest, MinorStudentOnPaperNeedsRectorLetter) {
  auto& p = AddPerson(ValidIin(0), D(2008, 1, 1));  // 17 on the application date
  p.categories.Add(Category::kStudent);
  p.representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1);
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Reasons(app), Strings{"missing_documents"});
  app.documents.Add(Document::kRectorLetter);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ChannelTest, MinorStudentOnElectronicChannelNeedsNoRectorLetter) {
  auto& p = AddPerson(ValidIin(0), D(2008, 1, 1));
  p.categories.Add(Category::kStudent);
  p.representatives.push_back(ParseIin(ValidIin(1)));
  Adult(1);
  auto app = App(ValidIin(0), "O1", kOutside);
  app.applicant = ValidIin(1);
  EXPECT_EQ(Decide(app).outcome, Outcome::kApproved);
}

TEST_F(ChannelTest, AdultStudentOnPaperNeedsNoRectorLetter) {
  Adult(0).categories.Add(Category::kStudent);
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper))
                .outcome,
            Outcome::kApproved);
}

}  // namespace
}  // namespace emkhana::rules::testing
