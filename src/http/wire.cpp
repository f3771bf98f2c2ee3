#include "http/wire.hpp"

#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace emkhana::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Takes the response's body (the rest stays for the metrics and the log).
Reply MakeReply(Response& r, unsigned version, bool keep_alive) {
  Reply out;
  auto given = [&](std::string_view name) {
    return std::any_of(r.headers.begin(), r.headers.end(),
                       [&](const auto& h) { return beast::iequals(h.first, name); });
  };
  auto add = std::back_inserter(out.head);
  out.head.reserve(320);
  fmt::format_to(add, "HTTP/{}.{} {} {}\r\nServer: emkhana\r\nContent-Type: {}\r\n", version / 10,
                 version % 10, r.status,
                 std::string_view(bhttp::obsolete_reason(static_cast<bhttp::status>(r.status))),
                 r.content_type);
  if (!given("Cache-Control")) out.head += "Cache-Control: no-store\r\n";
  if (!given("X-Content-Type-Options")) out.head += "X-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : r.headers) {
    // Values come from the handlers; a line break would forge a header, so such a field is left
    // out.
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    fmt::format_to(add, "{}: {}\r\n", name, value);
  }
  if (version >= 11 && !keep_alive) out.head += "Connection: close\r\n";
  if (version < 11 && keep_alive) out.head += "Connection: keep-alive\r\n";
  fmt::format_to(add, "Content-Length: {}\r\n\r\n", r.body.size());
  out.body = std::move(r.body);
  return out;
}

// A request that could not be read: answered as a problem, then the connection is closed.
Response UnreadableRequest(const beast::error_code& ec, std::string_view detail) {
  const auto code = ec == bhttp::error::body_limit     ? ProblemCode::kBodyTooLarge
                    : ec == bhttp::error::header_limit ? ProblemCode::kHeadersTooLarge
                                                       : ProblemCode::kBadRequest;
  Response r;
  r.status = TypeOf(code).status;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(code, Lang::kRu, detail.empty() ? ec.message() : detail);
  r.route = "unreadable";
  return r;
}

Response RateLimited(int retry_after_seconds, std::string_view accept_language) {
  Response r;
  r.status = TypeOf(ProblemCode::kRateLimited).status;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(ProblemCode::kRateLimited, PickLanguage(accept_language),
                       "over the request rate; see Retry-After");
  r.route = "rate_limited";
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

// A header line that begins with a space or tab: obsolete line folding, which the parser would
// join to the line above. Front ends may read such a header differently, so it is refused.
bool HasObsFold(const char* p, std::size_t n) {
  const char* end = p + n;
  for (const char* nl = p; (nl = static_cast<const char*>(std::memchr(nl, '\n', end - nl)));) {
    if (++nl == end) break;
    if (*nl == ' ' || *nl == '\t') return true;
  }
  return false;
}

// What makes a parsed header ambiguous (request smuggling: a front end and this server could
// see different messages in the same bytes): the reason, or empty when it is acceptable.
// One pass over the fields, which also counts them.
std::string_view Ambiguity(const bhttp::request_parser<bhttp::string_body>::value_type& req,
                           std::ptrdiff_t& fields) {
  int te = 0, length = 0, host = 0;
  for (const auto& f : req) {
    ++fields;
    switch (f.name()) {
      case bhttp::field::transfer_encoding:
        if (++te > 1) return "Transfer-Encoding is repeated";
        if (!beast::iequals(f.value(), "chunked")) return "Transfer-Encoding other than chunked";
        break;
      case bhttp::field::content_length:
        ++length;
        break;
      case bhttp::field::host:
        ++host;
        break;
      default:
        break;
    }
  }
  if (te > 0 && length > 0) return "Content-Length with Transfer-Encoding";
  if (length > 1) return "Content-Length is repeated";
  if (host > 1) return "Host is repeated";
  if (host == 0 && req.version() >= 11) return "Host is missing";
  return {};
}

}  // namespace emkhana::http
