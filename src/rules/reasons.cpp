#include "rules/reasons.hpp"

#include <array>

namespace emkhana::rules {

using domain::Reason;

namespace {
constexpr std::string_view kOrder194 = "Order ҚР ДСМ-194/2020";
const std::array<ReasonInfo, 17> kReasons{{
    {Reason::kInvalidIin, "identity.cpp:CheckIdentity", "DOMAIN.md, The IIN", "ИИН указан неверно",
     "ЖСН қате көрсетілген", "The IIN is not valid"},
    {Reason::kUnknownPerson, "identity.cpp:CheckIdentity", "eGov service passport",
     "Лицо не найдено в государственной базе данных физических лиц",
     "Тұлға жеке тұлғалардың мемлекеттік дерекқорында табылмады",
     "The person is not in the state register of individuals"},
    {Reason::kFalseData, "identity.cpp:CheckIdentity", "eGov service passport",
     "Предоставлены недостоверные данные", "Дұрыс емес деректер ұсынылды",
     "The application gives data that disagree with the register"},
    {Reason::kDeceased, "identity.cpp:CheckIdentity", "eGov service passport", "Лицо умерло",
     "Тұлға қайтыс болған", "The person has died"},
    {Reason::kNoConsent, "applicant.cpp:CheckApplicant", kOrder194,
     "Отсутствует согласие на доступ к персональным данным ограниченного доступа",
     "Қолжетімділігі шектеулі дербес деректерге қол жеткізуге келісім жоқ",
     "Consent to access personal data of restricted access is missing"},
    {Reason::kNoRepresentation, "applicant.cpp:CheckApplicant", kOrder194,
     "Отсутствуют документы, подтверждающие законное представительство",
     "Заңды өкілдікті растайтын құжаттар жоқ",
     "No document proves that the applicant is the legal representative"},
    {Reason::kChannelNotAllowed, "channel.cpp:CheckChannel", kOrder194,
     "Заявление на бумажном носителе не принимается от данной категории лиц",
     "Қағаз жүзіндегі өтініш осы санаттағы тұлғалардан қабылданбайды",
     "Paper applications are not accepted from this group of people"},
    {Reason::kMissingDocuments, "channel.cpp:CheckDocuments", kOrder194,
     "Не представлены необходимые документы", "Қажетті құжаттар ұсынылмады",
     "A required document was not presented"},
    {Reason::kNotEligible, "eligibility.cpp:CheckEligibility", kOrder194,
     "Нет права на прикрепление (требуется полис ДМС/ВМС)",
     "Тіркелуге құқығы жоқ (ЕМС/ЖМС полисі қажет)",
     "No right to attach (a voluntary or imputed insurance policy is needed)"},
    {Reason::kOrgNotEligible, "organisation.cpp:CheckOrganisation", kOrder194,
     "Организация не оказывает ПМСП в рамках ГОБМП/ОСМС",
     "Ұйым ТМККК/МӘМС шеңберінде МСАК көрсетпейді",
     "The organisation does not provide state-funded primary care"},
    {Reason::kTerritory, "territory.cpp:CheckTerritory", kOrder194,
     "Организация вне административно-территориальной единицы проживания",
     "Ұйым тұратын әкімшілік-аумақтық бірліктен тыс орналасқан",
     "The organisation is outside the administrative unit where the person lives"},
    {Reason::kAlreadyAttached, "organisation.cpp:CheckOrganisation", kOrder194,
     "Лицо уже прикреплено к этой организации", "Тұлға осы ұйымға тіркелген",
     "The person is already attached to this organisation"},
    {Reason::kWrongDistrict, "organisation.cpp:CheckDistrict", kOrder194,
     "Участок не обслуживает данную возрастную группу", "Учаске осы жас тобына қызмет көрсетпейді",
     "The district does not serve this age group"},
    {Reason::kOutsideCampaign, "timing.cpp:CheckTiming", kOrder194,
     "Свободный выбор возможен только в период прикрепительной кампании",
     "Еркін таңдау тек тіркеу науқаны кезеңінде мүмкін",
     "A free choice is possible only during the attachment campaign"},
    {Reason::kTooFrequent, "timing.cpp:CheckTiming", kOrder194,
     "Свободный выбор поликлиники возможен не чаще одного раза в год",
     "Емхананы еркін таңдау жылына бір реттен жиі емес",
     "A clinic may be chosen freely at most once a year"},
    {Reason::kInvalidBasis, "timing.cpp:CheckTiming", kOrder194,
     "Основание для прикрепления вне кампании не подтверждено",
     "Науқаннан тыс тіркелу негізі расталмады",
     "The ground for attaching outside the campaign is not confirmed"},
    {Reason::kCapacityExceeded, "capacity.cpp:CheckCapacity", kOrder194,
     "Превышена допустимая численность прикрепленного населения на участке",
     "Учаскеге тіркелген халықтың рұқсат етілген саны асып кетті",
     "The district has reached the number of people it may serve"},
}};
}  // namespace

const ReasonInfo& Describe(Reason reason) {
  for (const auto& info : kReasons) {
    if (info.reason == reason) return info;
  }
  return kReasons.back();
}

}  // namespace emkhana::rules
