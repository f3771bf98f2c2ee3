#include "http/problem.hpp"

#include <boost/json.hpp>

#include <array>

namespace emkhana::http {

namespace {

// The one table of problem types: code, HTTP status, titles (kk, ru, en).
constexpr std::array kTypes = {
    ProblemType{"malformed_json", 400, "Сұрау денесі JSON нысаны емес",
                "Тело запроса не является объектом JSON", "The request body is not a JSON object"},
    ProblemType{"invalid_field", 422, "Өрістің мәні жарамсыз", "Недопустимое значение поля",
                "A field has an invalid value"},
    ProblemType{"unknown_field", 422, "Белгісіз өріс", "Неизвестное поле", "Unknown field"},
    ProblemType{"invalid_iin", 400, "ЖСН жарамсыз", "Недействительный ИИН", "The IIN is not valid"},
    ProblemType{"invalid_date", 400, "Күн ЖЖЖЖ-АА-КК пішімінде емес",
                "Дата не в формате ГГГГ-ММ-ДД", "The date is not in YYYY-MM-DD form"},
    ProblemType{"invalid_query", 400, "Сұрау параметрі жарамсыз", "Недопустимый параметр запроса",
                "A query parameter is missing or invalid"},
    ProblemType{"not_found", 404, "Табылмады", "Не найдено", "Not found"},
    ProblemType{"route_not_found", 404, "Мұндай мекенжай жоқ", "Такого адреса нет", "No such path"},
    ProblemType{"method_not_allowed", 405, "Бұл әдіс рұқсат етілмеген", "Метод не разрешён",
                "Method not allowed"},
    ProblemType{"unauthenticated", 401, "Жүйеге кіру қажет", "Требуется вход в систему",
                "Authentication required"},
    ProblemType{"forbidden", 403, "Қолжетімділік жоқ", "Доступ запрещён", "Access denied"},
    ProblemType{"idempotency_conflict", 422, "Бұл кілт басқа өтінішке берілген",
                "Этот ключ уже использован для другого заявления",
                "This Idempotency-Key was used for another application"},
    ProblemType{"reference_conflict", 409, "Бұл сілтеме басқа өтінішке берілген",
                "Этот номер (reference) уже использован для другого заявления",
                "This reference was used for another application"},
    ProblemType{"field_not_accepted", 422, "Бұл өрісті тізілім өзі толтырады",
                "Это поле заполняет сам регистр", "The register sets this field itself"},
    ProblemType{"channel_forbidden", 403, "Бұл арна арқылы өтініш беруге болмайды",
                "Через этот канал вы не можете подать заявление",
                "You may not file applications through this channel"},
    ProblemType{"in_person_only", 403,
                "Басқа адамның атынан ХҚКО-да немесе емханада құжаттармен жүгініңіз",
                "Действовать от имени другого лица можно только в ЦОН или в поликлинике с "
                "документами",
                "Acting for another person is done in person, at a service centre or the clinic, "
                "with the documents"},
    ProblemType{"body_too_large", 413, "Сұрау тым үлкен", "Слишком большой запрос",
                "The request body is too large"},
    ProblemType{"headers_too_large", 431, "Сұрау тақырыптары тым үлкен",
                "Слишком большие заголовки запроса", "The request headers are too large"},
    ProblemType{"unsupported_media_type", 415, "JSON күтіледі", "Ожидается JSON",
                "Expected application/json"},
    ProblemType{"bad_request", 400, "Сұрау оқылмады", "Не удалось прочитать запрос",
                "The request could not be read"},
    ProblemType{"signature_required", 422, "Өтінішке ЭЦҚ қол қойылмаған",
                "Заявление не подписано ЭЦП",
                "The application is not signed with a digital signature"},
    ProblemType{"signature_invalid", 422, "ЭЦҚ жарамсыз", "ЭЦП недействительна",
                "The digital signature is not valid"},
    ProblemType{"signature_untrusted", 422, "Тіркелгі куәлігіне сенім жоқ",
                "Сертификат не выдан доверенным удостоверяющим центром или недействителен",
                "The certificate is not issued by a trusted authority or is not valid now"},
    ProblemType{"signature_not_applicant", 403, "ЭЦҚ өтініш берушіге тиесілі емес",
                "ЭЦП принадлежит не заявителю", "The signature is not the applicant's"},
    ProblemType{"rate_limited", 429, "Сұраулар тым көп, кейінірек қайталаңыз",
                "Слишком много запросов, повторите позже", "Too many requests, retry later"},
    ProblemType{"unavailable", 503, "Қызмет уақытша қолжетімсіз", "Сервис временно недоступен",
                "The service is temporarily unavailable"},
    ProblemType{"audit_unavailable", 503,
                "Деректерді қарау тіркелмеді, сондықтан олар көрсетілмейді; кейінірек қайталаңыз",
                "Просмотр данных не удалось записать в журнал, поэтому данные не выданы; "
                "повторите позже",
                "The read could not be recorded in the audit trail, so its data is not sent; "
                "retry later"},
    ProblemType{"internal", 500, "Ішкі қате", "Внутренняя ошибка", "Internal error"},
};
static_assert(kTypes.size() == static_cast<std::size_t>(ProblemCode::kInternal) + 1);

}  // namespace

Lang PickLanguage(std::string_view header) {
  // Tags in order of appearance; the first of ours wins.
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    auto tag = header.substr(pos, end - pos);
    tag = tag.substr(0, tag.find(';'));
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    const auto primary = tag.substr(0, tag.find('-'));
    auto is = [&](std::string_view want) {
      if (primary.size() != want.size()) return false;
      for (std::size_t i = 0; i < want.size(); ++i) {
        if ((primary[i] | 0x20) != want[i]) return false;
      }
      return true;
    };
    if (is("kk")) return Lang::kKk;
    if (is("ru")) return Lang::kRu;
    if (is("en")) return Lang::kEn;
    pos = end + 1;
  }
  return Lang::kRu;
}

std::string_view LangTag(Lang lang) {
  switch (lang) {
    case Lang::kKk:
      return "kk";
    case Lang::kEn:
      return "en";
    case Lang::kRu:
      break;
  }
  return "ru";
}

const ProblemType& TypeOf(ProblemCode code) { return kTypes[static_cast<std::size_t>(code)]; }

ProblemCode ProblemFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return ProblemCode::kInvalidField;
    case ErrorCode::kNotFound:
      return ProblemCode::kNotFound;
    case ErrorCode::kAlreadyExists:  // a reference the caller gave another application
      return ProblemCode::kReferenceConflict;
    case ErrorCode::kFailedPrecondition:  // an Idempotency-Key with another body
      return ProblemCode::kIdempotencyConflict;
    case ErrorCode::kUnavailable:
      return ProblemCode::kUnavailable;
    case ErrorCode::kInternal:
      break;
  }
  return ProblemCode::kInternal;
}

std::string ProblemBody(ProblemCode code, Lang lang, std::string_view detail) {
  const auto& t = TypeOf(code);
  boost::json::object o;
  o["type"] = "https://emkhana.kz/problems/" + std::string(t.code);
  o["title"] = lang == Lang::kKk ? t.title_kk : lang == Lang::kEn ? t.title_en : t.title_ru;
  o["status"] = t.status;
  o["code"] = t.code;
  // Invalid UTF-8 from the request must not reach the reply as it is.
  std::string clean;
  for (unsigned char c : detail) clean += c < 0x20 || c >= 0x7f ? '?' : static_cast<char>(c);
  o["detail"] = clean;
  boost::json::object titles;
  titles["kk"] = t.title_kk;
  titles["ru"] = t.title_ru;
  titles["en"] = t.title_en;
  o["titles"] = std::move(titles);
  return boost::json::serialize(o);
}

}  // namespace emkhana::http
