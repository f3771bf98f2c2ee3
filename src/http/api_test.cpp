// Api::Handle without sockets: what an exception escaping a handler becomes.
#include "http/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "policy/policy_loader.hpp"
#include "storage/store.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::http {
namespace {

// A store whose audit queries throw (a bug below the API, bad_alloc, ...).
class ThrowingAuditStore final : public storage::testing::ForwardingStore {
 public:
  explicit ThrowingAuditStore(std::unique_ptr<storage::Store> inner)
      : ForwardingStore(*inner), owned_(std::move(inner)) {}
  Result<std::vector<storage::AuditEntry>> AuditTrail(const std::string&, int) override {
    throw std::runtime_error("the audit query blew up (test)");
  }

 private:
  std::unique_ptr<storage::Store> owned_;
};

TEST(ApiHandle, AnEscapedExceptionIsA500ProblemThatClosesTheConnection) {
  auto inner = storage::OpenStore(":memory:");
  ASSERT_TRUE(inner.has_value()) << inner.error().message;
  ThrowingAuditStore store(std::move(*inner));
  ManualClock clock(1'790'000'000'000'000);
  auto registry = registry::Registry::Open(store, clock, policy::DefaultPolicy());
  ASSERT_TRUE(registry.has_value()) << registry.error().message;
  const TokenKey key{"k1", std::string(64, 'k')};
  TokenVerifier tokens(KeyRing{{key}}, std::nullopt, clock);
  auto token = IssueToken(key, {Role::kAdmin, "ops", clock.NowMicros() / 1'000'000 + 600});
  ASSERT_TRUE(token.has_value());
  registry::Service service(**registry, {});
  Api api(service, {.tokens = &tokens, .clock = &clock});

  Request audit{.method = "GET",
                .target = "/api/v1/audit?subject=W-1",
                .authorization = "Bearer " + *token,
                .accept_language = "kk"};
  auto handled = api.Handle(audit);
  ASSERT_TRUE(std::holds_alternative<Response>(handled));
  const auto& failed = std::get<Response>(handled);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.content_type, "application/problem+json");
  EXPECT_TRUE(failed.close);
  const auto body = boost::json::parse(failed.body);
  EXPECT_EQ(body.at("code"), "internal");
  EXPECT_EQ(body.at("title"), "Ішкі қате");
  EXPECT_EQ(failed.body.find("blew up"), std::string::npos) << "no internals in the reply";

  // The API goes on serving.
  auto health = api.Handle(Request{.method = "GET", .target = "/healthz"});
  ASSERT_TRUE(std::holds_alternative<Response>(health));
  EXPECT_EQ(std::get<Response>(health).status, 200);
  EXPECT_FALSE(std::get<Response>(health).close);
  api.Drain();
}

}  // namespace
}  // namespace emkhana::http
