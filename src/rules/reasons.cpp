#include "rules/reasons.hpp"

#include <array>

namespace emkhana::rules {

using domain::Reason;

namespace {
constexpr std::string_view kOrder194 = "Order ҚР ДСМ-194/2020";
const std::array<ReasonInfo, 17> kReasons{{
    {Reason::kInvalidIin, "identity.cpp:CheckIdentity", "DOMAIN.md, The IIN", "ИИН указан неверно",
     "ЖСН қате көрсетілген", "The IIN is invalid"},
    {Reason::kUnknownPerson, "identity.cpp:CheckIdentity", "eGov service passport",
     "Лицо не найдено в государственной базе данных физических лиц",
     "Тұлға жеке тұлғалардың мемлекеттік дерекқорында табылмады",
     "The person is not in the state database of individuals"},
    {Reason::kFalseData, "identity.cpp:CheckIdentity", "eGov service passport",
     "Предоставлены недостоверные данные", "Дұрыс емес деректер ұсынылды",
     "The data given disagree with the register"},
    {Reason::kDeceased, "identity.cpp:CheckIdentity", "eGov service passport", "Лицо умерло",
     "Тұлға қайтыс болған", "The person is deceased"},
    {Reason::kNoConsent, "applicant.cpp:CheckApplicant", kOrder194,
     "Отсутствует согласие на доступ к персональным данным ограниченного доступа",
     "Қолжетімділігі шектеулі дербес деректерге қол жеткізуге келісім жоқ",
     "No consent to access restricted personal data"},
    {Reason::kNoRepresentation, "applicant.cpp:CheckApplicant", kOrder194,
     "Отсутствуют документы, подтверждающие законное представительство",
     "Заңды өкілдікті растайтын құжаттар жоқ", "No documents proving legal representation"},
    {Reason::kChannelNotAllowed, "channel.cpp:CheckChannel", kOrder194,
     "Заявление на бумажном носителе не принимается от данной категории лиц",
     "Қағаз жүзіндегі өтініш осы санаттағы тұлғалардан қабылданбайды",
     "A paper application is not accepted from this category of persons"},
    {Reason::kMissingDocuments, "channel.cpp:CheckDocuments", kOrder194,
     "Не представлены необходимые документы", "Қажетті құжаттар ұсынылмады",
     "Required documents are missing"},
    {Reason::kNotEligible, "eligibility.cpp:CheckEligibility", kOrder194,
     "Нет права на прикрепление (требуется полис ДМС/ВМС)",
     "Тіркелуге құқығы жоқ (ЕМС/ЖМС полисі қажет)",
     "Not entitled to attach (a DMS/VMS policy is required)"},
    {Reason::kOrgNotEligible, "organisation.cpp:CheckOrganisation", kOrder194,
     "Организация не оказывает ПМСП в рамках ГОБМП/ОСМС",
     "Ұйым ТМККК/МӘМС шеңберінде МСАК көрсетпейді",
     "The organisation does not provide PHC under GOBMP/OSMS"},
    {Reason::kTerritory, "territory.cpp:CheckTerritory", kOrder194,
     "Организация вне административно-территориальной единицы проживания",
     "Ұйым тұратын әкімшілік-аумақтық бірліктен тыс орналасқан",
     "The organisation is outside the person's administrative-territorial unit"},
    {Reason::kAlreadyAttached, "organisation.cpp:CheckOrganisation", kOrder194,
     "Лицо уже прикреплено к этой организации", "Тұлға осы ұйымға тіркелген",
     "The person is already attached to this organisation"},
    {Reason::kWrongDistrict, "organisation.cpp:CheckDistrict", kOrder194,
     "Участок не обслуживает данную возрастную группу", "Учаске осы жас тобына қызмет көрсетпейді",
     "The district does not serve this age group"},
    {Reason::kOutsideCampaign, "timing.cpp:CheckTiming", kOrder194,
     "Свободный выбор возможен только в период прикрепительной кампании",
     "Еркін таңдау тек тіркеу науқаны кезеңінде мүмкін",
     "Free choice is possible only during the attachment campaign"},
    {Reason::kTooFrequent, "timing.cpp:CheckTiming", kOrder194,
     "Свободный выбор поликлиники возможен не чаще одного раза в год",
     "Емхананы еркін таңдау жылына бір реттен жиі емес",
     "A clinic may be chosen freely at most once a year"},
    {Reason::kInvalidBasis, "timing.cpp:CheckTiming", kOrder194,
     "Основание для прикрепления вне кампании не подтверждено",
     "Науқаннан тыс тіркелу негізі расталмады",
     "The basis for attaching outside the campaign is not confirmed"},
    {Reason::kCapacityExceeded, "capacity.cpp:CheckCapacity", kOrder194,
     "Превышена допустимая численность прикрепленного населения на участке",
     "Учаскеге тіркелген халықтың рұқсат етілген саны асып кетті",
     "The district's permitted panel size is exceeded"},
}};
}  // namespace

const ReasonInfo& Describe(Reason reason) {
  for (const auto& info : kReasons) {
    if (info.reason == reason) return info;
  }
  return kReasons.back();
}

}  // namespace emkhana::rules
