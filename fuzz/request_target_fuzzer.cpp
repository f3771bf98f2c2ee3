// Request targets and query strings: the whole Api::Handle (parse_origin_form, the segment and
// parameter checks, the route table, every GET handler's parameters) over the tiny world.
// Input: one byte choosing the caller (none or a role), the method and the language, then the
// target. No answer may be a 500, and a JSON answer must be JSON.
#include <boost/json.hpp>

#include <variant>

#include "common.hpp"

using namespace emkhana;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& world = fuzz::TheWorld();
  const std::uint8_t choice = data[0];
  static constexpr const char* kMethods[] = {"GET", "GET", "POST", "HEAD"};
  static constexpr const char* kLanguages[] = {"", "kk", "en;q=0.5, ru", "de"};
  http::Request request;
  request.authorization = world.authorizations[(choice & 7) % world.authorizations.size()];
  request.method = kMethods[(choice >> 3) & 3];
  request.accept_language = kLanguages[(choice >> 5) & 3];
  request.target.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto handled = world.api->Handle(request);
  const auto* response = std::get_if<http::Response>(&handled);
  if (!response) return 0;  // a POST of an application (an empty body cannot be one)
  fuzz::FuzzCheck(response->status != 500, "no 500 for a request target");
  if (response->content_type.find("json") != std::string::npos) {
    boost::system::error_code ec;
    (void)boost::json::parse(response->body, ec);
    fuzz::FuzzCheck(!ec, "a JSON answer is JSON");
  }
  return 0;
}
