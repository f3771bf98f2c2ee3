// What goes on the wire, apart from the sessions (server.cpp): replies composed by hand, the
// problems answered before a request reaches the API, and the checks of a raw header that keep
// an ambiguous request (smuggling, ADR 0019) from being read at all.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/api.hpp"

namespace emkhana::http {

// A reply as it goes on the wire: the status line and header, then the body, written together.
// Composed here rather than by Beast's serializer, which cost about as much as the rest of a
// GET (callgrind).
struct Reply {
  std::string head, body;
  std::array<boost::asio::const_buffer, 2> buffers() const {
    return {boost::asio::buffer(head), boost::asio::buffer(body)};
  }
};

// Takes the response's body (the rest stays for the metrics and the log).
Reply MakeReply(Response& r, unsigned version, bool keep_alive);
// A request that could not be read: answered as a problem, then the connection is closed.
Response UnreadableRequest(const boost::beast::error_code& ec, std::string_view detail = {});
Response RateLimited(int retry_after_seconds, std::string_view accept_language);
// A header line that begins with a space or tab: obsolete line folding, which the parser would
// join to the line above. Front ends may read such a header differently, so it is refused.
bool HasObsFold(const char* p, std::size_t n);
// What makes a parsed header ambiguous (request smuggling: a front end and this server could
// see different messages in the same bytes): the reason, or empty when it is acceptable.
// One pass over the fields, which also counts them.
std::string_view Ambiguity(
    const boost::beast::http::request_parser<boost::beast::http::string_body>::value_type& req,
    std::ptrdiff_t& fields);

}  // namespace emkhana::http
