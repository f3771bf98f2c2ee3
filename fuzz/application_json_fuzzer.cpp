// The application decoder: an HTTP body to POST /api/v1/applications, through Api::Handle as a
// citizen, a registrar or an operator (by the input's length: the three actors who may submit,
// so the body reaches every step: UTF-8, JSON, the signature's removal and canonical form, known
// fields, wire::ParseApplication, the channel's actor, the signature check).
// Every answer is a 4xx problem+json, or a decision to wait for with a decoded application.
#include <boost/json.hpp>

#include <variant>

#include "common.hpp"

using namespace emkhana;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& world = fuzz::TheWorld();
  http::Request request;
  request.method = "POST";
  request.target = "/api/v1/applications";
  request.content_type = "application/json";
  constexpr std::size_t kSubmitters[] = {1, 2, 6};  // citizen, registrar, operator (common.cpp)
  request.authorization = world.authorizations[kSubmitters[size % 3]];
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto handled = world.api->Handle(request);
  if (const auto* response = std::get_if<http::Response>(&handled)) {
    fuzz::FuzzCheck(response->status >= 400 && response->status < 500, "a 4xx for a bad body");
    fuzz::FuzzCheck(response->content_type == "application/problem+json", "problem+json");
    boost::system::error_code ec;
    (void)boost::json::parse(response->body, ec);
    fuzz::FuzzCheck(!ec, "the problem is JSON");
    return 0;
  }
  const auto& deferred = std::get<http::Deferred>(handled);
  fuzz::FuzzCheck(!deferred.application.id.empty(), "an accepted application has an id");
  fuzz::FuzzCheck(static_cast<bool>(deferred.finish), "and a reply to make");
  return 0;
}
