// Errors of the HTTP API as RFC 9457 problem details (`application/problem+json`).
//
// Every rejected request is answered by one entry of a fixed catalogue: a stable `code` that
// clients may rely on, the HTTP status (chosen here and nowhere else), and a title in Kazakh,
// Russian and English picked by `Accept-Language`. A refused application is not a problem: it is
// a 200 with a decision.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace emkhana::http {

enum class Lang { kKk, kRu, kEn };

// The first of kk, ru, en named in an Accept-Language header (q-values are not weighed: a
// browser lists its preferred language first); Russian when none is named.
Lang PickLanguage(std::string_view accept_language);
std::string_view LangTag(Lang lang);

enum class ProblemCode {
  kMalformedJson,          // the body is not JSON, or not a JSON object
  kInvalidField,           // a field has the wrong type or value
  kUnknownField,           // a field the API does not know
  kInvalidIin,             // an IIN in the path is not 12 digits with a valid check digit
  kInvalidDate,            // a date is not YYYY-MM-DD
  kInvalidQuery,           // a query parameter is missing or wrong
  kNotFound,               // the resource does not exist
  kRouteNotFound,          // no such path
  kMethodNotAllowed,       // the path exists, the method does not
  kUnauthenticated,        // no bearer token, or an invalid or expired one
  kForbidden,              // the role may not do this
  kIdempotencyConflict,    // an Idempotency-Key reused for a different application
  kReferenceConflict,      // a caller's reference reused for a different application
  kFieldNotAccepted,       // a field only the register may set (an application's date or id)
  kChannelForbidden,       // the caller's role may not enter applications through this channel
  kInPersonOnly,           // acting for another, or with documents someone must see: at a desk
  kBodyTooLarge,           // the body is over the limit
  kHeadersTooLarge,        // the header is over the limit (size or number of fields)
  kUnsupportedMediaType,   // a body that is not application/json
  kBadRequest,             // an HTTP request the server cannot parse
  kSignatureRequired,      // an egov/mobile application without its digital signature
  kSignatureInvalid,       // the signature or certificate cannot be read, or does not match
  kSignatureUntrusted,     // the certificate is not issued by a trusted CA, or not valid now
  kSignatureNotApplicant,  // the certificate names someone other than the applicant
  kRateLimited,            // the token or address sent more requests than its rate allows
  kUnavailable,            // the registry cannot take writes now (shutting down, store failed)
  kAuditUnavailable,       // the read could not be recorded, so its data is not sent
  kInternal,               // a bug
};

struct ProblemType {
  std::string_view code;  // stable, snake_case
  int status;
  std::string_view title_kk, title_ru, title_en;
};

const ProblemType& TypeOf(ProblemCode code);
// Errors of the layers below, by their ErrorCode.
ProblemCode ProblemFor(ErrorCode code);

// The problem+json body: {"type","title","status","code","detail"}. `detail` says what exactly
// was wrong (technical, in English, IINs masked by the caller).
std::string ProblemBody(ProblemCode code, Lang lang, std::string_view detail);

}  // namespace emkhana::http
