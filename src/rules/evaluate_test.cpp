// Evaluation order and reporting (FORMAT.md "Refusal reasons", "Output lines"): every failing
// rule is reported, sorted by code name; capacity only when all else passes.
#include <algorithm>

#include "rules/reasons.hpp"
#include "rules/test_fixture.hpp"

namespace emkhana::rules::testing {
namespace {

using domain::Outcome;

class EvaluateTest : public RulesTest {};

TEST_F(EvaluateTest, ApprovalCarriesEverythingTheOutputNeeds) {
  Adult(0);
  auto app = App(ValidIin(0), "O2", kOutside);
  app.id = "A42";
  const auto d = Decide(app);
  EXPECT_EQ(d.application_id, "A42");
  EXPECT_EQ(d.outcome, Outcome::kApproved);
  EXPECT_TRUE(d.reasons.empty());
  EXPECT_EQ(d.org, "O2");
  EXPECT_EQ(d.district, "O2-G1");
  EXPECT_EQ(d.effective, kOutside);
  EXPECT_EQ(d.decide_by, kOutside.Next());
  EXPECT_EQ(d.policy_version, policy_.version);
  EXPECT_TRUE(d.alternatives.empty());
}

TEST_F(EvaluateTest, EveryFailingRuleIsReportedSortedByName) {
  auto& p = Adult(0);
  p.status = LegalStatus::kTemporary;  // no insurance
  Attach(ValidIin(0), "O2-G1", D(2010, 1, 1));
  view_.orgs.at("O9").license = false;
  auto app = App(ValidIin(0), "O9", kOutside, Basis::kFreeChoice, Channel::kClinicPaper);
  app.consent = false;
  app.district = "O1-G1";
  EXPECT_EQ(Reasons(app),
            (Strings{"channel_not_allowed", "no_consent", "not_eligible", "org_not_eligible",
                     "outside_campaign", "territory", "wrong_district"}));
}

TEST_F(EvaluateTest, MoreReasonsTogether) {
  // A minor convict on paper, attached, with an unconfirmed basis, to the own organisation.
  auto& p = AddPerson(ValidIin(0), D(2009, 1, 1));
  p.categories.Add(Category::kConvict);
  p.categories.Add(Category::kStudent);
  Attach(ValidIin(0), "O1-P1", D(2010, 1, 1));
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kFirstAttachment, Channel::kClinicPaper);
  EXPECT_EQ(Reasons(app),
            (Strings{"already_attached", "missing_documents", "no_representation", "territory"}));
}

TEST_F(EvaluateTest, ReasonsAreUniqueAndSorted) {
  auto& p = Adult(0);
  Attach(ValidIin(0), "O2-G1", D(2010, 1, 1));
  ClearAtes(p);
  auto app = App(ValidIin(0), "O1", kOutside, Basis::kResidenceChange, Channel::kClinicPaper);
  app.district = "O1-P1";
  const auto reasons = Reasons(app);
  EXPECT_TRUE(std::is_sorted(reasons.begin(), reasons.end()));
  EXPECT_EQ(std::adjacent_find(reasons.begin(), reasons.end()), reasons.end());
  EXPECT_EQ(reasons,
            (Strings{"channel_not_allowed", "invalid_basis", "territory", "wrong_district"}));
}

TEST_F(EvaluateTest, EvaluationIsPureAndRepeatable) {
  Adult(0);
  const auto app = App(ValidIin(0), "O1", kOutside);
  const auto a = Decide(app);
  const auto b = Decide(app);
  EXPECT_EQ(a.district, b.district);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_TRUE(view_.PeriodsOf(ParseIin(ValidIin(0))).empty());
}

TEST_F(EvaluateTest, WithoutAlternativesOption) {
  Adult(0);
  view_.Occupy("O1-G1", 10);
  view_.Occupy("O1-T1", 10);
  const auto d = Evaluate(App(ValidIin(0), "O1", kOutside), view_, policy_, calendar_,
                          {.with_alternatives = false});
  EXPECT_EQ(Names(d.reasons), Strings{"capacity_exceeded"});
  EXPECT_TRUE(d.alternatives.empty());
  EXPECT_EQ(Decide(App(ValidIin(0), "O1", kOutside)).alternatives, (Strings{"O2", "O3"}));
}

TEST(ReasonCatalogueTest, EveryReasonHasTheRussianTextOfDomainMd) {
  const std::pair<Reason, std::string_view> texts[] = {
      {Reason::kInvalidIin, "ИИН указан неверно"},
      {Reason::kUnknownPerson, "Лицо не найдено в государственной базе данных физических лиц"},
      {Reason::kFalseData, "Предоставлены недостоверные данные"},
      {Reason::kDeceased, "Лицо умерло"},
      {Reason::kNoConsent,
       "Отсутствует согласие на доступ к персональным данным ограниченного доступа"},
      {Reason::kNoRepresentation,
       "Отсутствуют документы, подтверждающие законное представительство"},
      {Reason::kChannelNotAllowed,
       "Заявление на бумажном носителе не принимается от данной категории лиц"},
      {Reason::kMissingDocuments, "Не представлены необходимые документы"},
      {Reason::kNotEligible, "Нет права на прикрепление (требуется полис ДМС/ВМС)"},
      {Reason::kOrgNotEligible, "Организация не оказывает ПМСП в рамках ГОБМП/ОСМС"},
      {Reason::kTerritory, "Организация вне административно-территориальной единицы проживания"},
      {Reason::kAlreadyAttached, "Лицо уже прикреплено к этой организации"},
      {Reason::kWrongDistrict, "Участок не обслуживает данную возрастную группу"},
      {Reason::kOutsideCampaign,
       "Свободный выбор возможен только в период прикрепительной кампании"},
      {Reason::kTooFrequent, "Свободный выбор поликлиники возможен не чаще одного раза в год"},
      {Reason::kInvalidBasis, "Основание для прикрепления вне кампании не подтверждено"},
      {Reason::kCapacityExceeded,
       "Превышена допустимая численность прикрепленного населения на участке"},
  };
  for (const auto& [reason, ru] : texts) {
    const auto& info = Describe(reason);
    EXPECT_EQ(info.reason, reason) << domain::NameOf(reason);
    EXPECT_EQ(info.ru, ru) << domain::NameOf(reason);
    EXPECT_FALSE(info.kk.empty()) << domain::NameOf(reason);
    EXPECT_FALSE(info.en.empty()) << domain::NameOf(reason);
  }
}

}  // namespace
}  // namespace emkhana::rules::testing
