// Two registries with their decision pipelines on one PostgreSQL database, as two `serve`
// processes would hold them (ADR 0006): they decide in turns, each after applying the other's
// batches, so capacity holds across them, idempotent applications are decided once, and each
// follows the other's decisions while idle. Needs EMKHANA_TEST_PG_URL (tests/pg/with_postgres.sh;
// CTest's store_postgres); skipped without it.
#include <future>
#include <shared_mutex>
#include <thread>

#include "registry/pipeline.hpp"
#include "registry/test_registry.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::registry::testing {
namespace {

constexpr int kCapacity = 20;
constexpr int kApplicants = 60;
const Date kDay = D(2025, 3, 3);

// One `serve` process: its stores (writes and turns; reads and polling), registry and pipeline.
struct Process {
  Process(const std::string& location, const Clock& clock) {
    store = storage::OpenStore(location).value();
    read = storage::OpenReadStore(location).value();
    registry = Registry::Open(*store, clock, policy::DefaultPolicy(), read.get()).value();
    pipeline = std::make_unique<DecisionPipeline>(
        *registry, PipelineOptions{.max_batch = 7, .registry_lock = &lock, .poll_every_ms = 20});
  }
  int PanelSize() {
    std::shared_lock shared(lock);
    return registry->PanelSizeOn("O1-G1", kDay);
  }
  std::unique_ptr<storage::Store> store, read;
  std::unique_ptr<Registry> registry;
  std::shared_mutex lock;
  std::unique_ptr<DecisionPipeline> pipeline;
};

class SharedRegistryTest : public storage::testing::BackendTest<storage::testing::PostgresBackend> {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto reg = Registry::Open(*store, clock_, policy::DefaultPolicy()).value();
    EXPECT_TRUE(reg->shared());
    domain::Organisation org;
    org.id = "O1";
    org.ate = "A1";
    ASSERT_TRUE(reg->PutOrganisation(org, {}));
    domain::District district;
    district.id = "O1-G1";
    district.org = "O1";
    district.capacity = kCapacity;
    ASSERT_TRUE(reg->PutDistrict(district, {}));
    for (int n = 0; n < kApplicants; ++n) {
      domain::Person p;
      p.iin = TestIin(n);
      p.birth = D(1985, 3, 5);
      p.ate[static_cast<int>(domain::AteRole::kRegistration)] = "A1";
      ASSERT_TRUE(reg->PutPerson(p, {}));
    }
    ASSERT_TRUE(reg->Flush());
  }
  static domain::Application App(int n, std::string id) {
    domain::Application a;
    a.id = std::move(id);
    a.date = kDay;
    a.iin = TestIin(n).ToString();
    a.org = "O1";
    a.basis = domain::Basis::kFirstAttachment;
    return a;
  }
  std::int64_t Count(const std::string& sql) {
    auto conn = storage::postgres::Connection::Open(backend_.location());
    if (!conn) return -1;
    auto r = conn->Query(sql);
    return r ? storage::postgres::Int(r->get(), 0, 0) : -1;
  }
  // Waits (a bounded while) until `done` holds: the other process polls every 20 ms.
  template <class F>
  static bool Eventually(F&& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  ManualClock clock_{1'740'000'000'000'000};
};

TEST_F(SharedRegistryTest, TwoProcessesFillADistrictExactlyAndFollowEachOther) {
  Process a(backend_.location(), clock_), b(backend_.location(), clock_);
  std::vector<std::future<Result<domain::Decision>>> decisions;
  for (int n = 0; n < kApplicants; ++n) {
    auto& to = n % 2 == 0 ? a : b;
    decisions.push_back(to.pipeline->Submit(App(n, "S-" + std::to_string(n))));
  }
  int approved = 0, capacity = 0;
  for (auto& f : decisions) {
    auto d = f.get();
    ASSERT_TRUE(d.has_value()) << d.error().message;
    if (d->outcome == domain::Outcome::kApproved) {
      ++approved;
    } else if (d->reasons == std::vector{domain::Reason::kCapacityExceeded}) {
      ++capacity;
    }
  }
  EXPECT_EQ(approved, kCapacity);
  EXPECT_EQ(capacity, kApplicants - kCapacity);
  EXPECT_EQ(Count("SELECT count(*) FROM attachment WHERE district = 'O1-G1'"), kCapacity);
  EXPECT_EQ(Count("SELECT count(*) FROM application"), kApplicants);
  EXPECT_TRUE(Eventually([&] { return a.PanelSize() == kCapacity; })) << a.PanelSize();
  EXPECT_TRUE(Eventually([&] { return b.PanelSize() == kCapacity; })) << b.PanelSize();

  // An application decided by one process, sent again to the other: the same decision.
  auto again = b.pipeline->Submit(App(0, "S-0")).get();
  ASSERT_TRUE(again.has_value()) << again.error().message;
  auto stored = b.registry->StoredApplication("S-0");
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ(again->outcome, (*stored)->decision.outcome);
  EXPECT_EQ(again->district, (*stored)->decision.district);
  EXPECT_EQ(Count("SELECT count(*) FROM application"), kApplicants) << "not decided twice";
}

TEST_F(SharedRegistryTest, OneIdempotencyKeyThroughTwoProcessesIsOneDecision) {
  Process a(backend_.location(), clock_), b(backend_.location(), clock_);
  const IdempotencyClaim claim{"the-key", "{\"iin\":0}"};
  std::promise<Result<domain::Decision>> pa, pb;
  a.pipeline->Submit(App(0, "K-a"), {}, claim, [&](auto r) { pa.set_value(std::move(r)); });
  b.pipeline->Submit(App(0, "K-b"), {}, claim, [&](auto r) { pb.set_value(std::move(r)); });
  auto ra = pa.get_future().get(), rb = pb.get_future().get();
  ASSERT_TRUE(ra.has_value()) << ra.error().message;
  ASSERT_TRUE(rb.has_value()) << rb.error().message;
  EXPECT_EQ(ra->application_id, rb->application_id);
  EXPECT_EQ(ra->outcome, domain::Outcome::kApproved);
  EXPECT_EQ(rb->outcome, domain::Outcome::kApproved);
  EXPECT_EQ(Count("SELECT count(*) FROM application"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM idempotency_key"), 1);
  std::promise<Result<domain::Decision>> pc;
  a.pipeline->Submit(App(1, "K-c"), {}, IdempotencyClaim{"the-key", "other"},
                     [&](auto r) { pc.set_value(std::move(r)); });
  auto conflict = pc.get_future().get();
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().code, ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace emkhana::registry::testing
