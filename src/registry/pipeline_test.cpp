// The single-writer decision pipeline: exact capacity under concurrent submitters, group commit,
// futures fulfilled only once durable, draining on Stop. No sleeps: threads are joined and
// futures waited on.
#include "registry/pipeline.hpp"

#include <sqlite3.h>

#include <chrono>
#include <map>
#include <thread>

#include "registry/test_registry.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::registry::testing {
namespace {

using Strings = std::vector<std::string>;

const Date kDay = D(2025, 3, 12);

class PipelineTest : public RegistryFixture {
 protected:
  // One organisation with one GP district of capacity 20, and `people` unattached adults; all
  // committed before the pipeline starts.
  void SetUpWorld(int people) {
    OpenAt(db_.path());
    Org("O1", "A1");
    District("O1-G1", "O1", DistrictKind::kGp, 20);
    for (int n = 0; n < people; ++n) Person(n);
    ASSERT_TRUE(reg_->Flush());
  }
  static domain::Application AppFor(int n, const std::string& id) {
    domain::Application a;
    a.id = id;
    a.date = kDay;
    a.iin = TestIin(n).ToString();
    a.org = "O1";
    a.district = "O1-G1";
    a.basis = Basis::kFirstAttachment;
    a.channel = Channel::kEgov;
    return a;
  }
  TempDb db_;
};

// 1000 people apply twice each (2000 applications) from 8 threads at once for a district of 20.
TEST_F(PipelineTest, ConcurrentSubmittersGetExactCapacity) {
  constexpr int kPeople = 1000, kThreads = 8;
  SetUpWorld(kPeople);
  const auto commits_before = store_->commits();

  std::vector<std::vector<std::pair<int, std::future<Result<domain::Decision>>>>> futures(kThreads);
  PipelineStats stats;
  {
    DecisionPipeline pipeline(*reg_);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < 2 * kPeople; i += kThreads) {
          const int n = i % kPeople;
          futures[t].emplace_back(n, pipeline.Submit(AppFor(n, "P" + std::to_string(i))));
        }
      });
    }
    for (auto& th : threads) th.join();
    for (auto& list : futures) {
      for (auto& [n, f] : list) f.wait();
    }
    pipeline.Stop();
    stats = pipeline.stats();  // updated after the futures are set: read once stopped
  }

  std::map<int, int> approved_per_person;
  int approved = 0, capacity_refusals = 0, already = 0, other = 0;
  for (auto& list : futures) {
    for (auto& [n, f] : list) {
      auto r = f.get();
      ASSERT_TRUE(r) << r.error().message;
      const auto& d = *r;
      if (d.outcome == Outcome::kApproved) {
        ++approved;
        ++approved_per_person[n];
        EXPECT_EQ(d.district, "O1-G1");
      } else if (Names(d) == Strings{"capacity_exceeded"}) {
        ++capacity_refusals;
        EXPECT_TRUE(d.alternatives.empty());
      } else if (Names(d) == Strings{"already_attached"}) {
        ++already;
      } else {
        ++other;
      }
    }
  }
  EXPECT_EQ(approved, 20);
  EXPECT_EQ(approved_per_person.size(), 20u) << "someone was approved twice";
  // The second application of an approved person finds them attached; capacity never frees, so
  // it always comes after the approval.
  EXPECT_EQ(already, 20);
  EXPECT_EQ(capacity_refusals, 2 * kPeople - 40);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(reg_->PanelSizeOn("O1-G1", kDay), 20);
  EXPECT_EQ(reg_->PanelSizeOn("O1-G1", D(2030, 1, 1)), 20);
  ExpectConsistent();

  // Group commit: fewer transactions than decisions, one commit per batch.
  EXPECT_EQ(stats.decisions, 2 * kPeople);
  EXPECT_LT(stats.batches, stats.decisions);
  EXPECT_GE(stats.batches, 1);
  EXPECT_GE(stats.largest_batch, 2u);
  EXPECT_EQ(store_->commits() - commits_before, stats.batches);

  // Durable: a fresh registry over the same file sees every decision.
  auto store2 = storage::OpenStore(db_.path()).value();
  EXPECT_EQ(store2->Counts().value().applications, 2 * kPeople);
  auto reg2 = Registry::Open(*store2, clock_, policy::DefaultPolicy()).value();
  EXPECT_EQ(reg2->PanelSizeOn("O1-G1", kDay), 20);
  for (const auto& [n, count] : approved_per_person) {
    EXPECT_EQ(Where(*reg2, TestIin(n), kDay), "O1/O1-G1") << n;
  }
  ExpectConsistent(*reg2, known_);
}

TEST_F(PipelineTest, FutureIsReadyOnlyAfterItsDecisionIsCommitted) {
  constexpr int kApps = 300;
  SetUpWorld(kApps);
  auto reader = storage::OpenStore(db_.path()).value();
  DecisionPipeline pipeline(*reg_, {.max_batch = 16});
  std::vector<std::future<Result<domain::Decision>>> futures;
  for (int n = 0; n < kApps; ++n)
    futures.push_back(pipeline.Submit(AppFor(n, "F" + std::to_string(n))));
  // A single submitter: decisions are taken in submission order, so when future k is ready the
  // store (read through another connection) holds at least k + 1 decisions.
  for (int k = 0; k < kApps; ++k) {
    auto r = futures[k].get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->application_id, "F" + std::to_string(k));
    const auto stored = reader->Counts().value().applications;
    EXPECT_GE(stored, k + 1) << "future " << k << " was ready before its commit";
  }
  pipeline.Stop();
  EXPECT_EQ(reader->Counts().value().applications, kApps);
  const auto stats = pipeline.stats();
  EXPECT_LE(stats.largest_batch, 16u);
  EXPECT_GE(stats.batches, (kApps + 15) / 16);
}

TEST_F(PipelineTest, StopDrainsEverythingSubmitted) {
  constexpr int kApps = 200;
  SetUpWorld(kApps);
  DecisionPipeline pipeline(*reg_);
  std::vector<std::future<Result<domain::Decision>>> futures;
  for (int n = 0; n < kApps; ++n)
    futures.push_back(pipeline.Submit(AppFor(n, "S" + std::to_string(n))));
  pipeline.Stop();
  int approved = 0;
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    auto r = f.get();
    ASSERT_TRUE(r);
    approved += r->outcome == Outcome::kApproved;
  }
  EXPECT_EQ(approved, 20);
  EXPECT_EQ(pipeline.stats().decisions, kApps);
  EXPECT_EQ(pipeline.queue_depth(), 0u);
  // After Stop, submissions fail at once.
  auto late = pipeline.Submit(AppFor(0, "late"));
  ASSERT_EQ(late.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto r = late.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  pipeline.Stop();  // idempotent
}

TEST_F(PipelineTest, DestructorDrains) {
  SetUpWorld(30);
  std::vector<std::future<Result<domain::Decision>>> futures;
  {
    DecisionPipeline pipeline(*reg_);
    for (int n = 0; n < 30; ++n)
      futures.push_back(pipeline.Submit(AppFor(n, "D" + std::to_string(n))));
  }
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_TRUE(f.get());
  }
  EXPECT_EQ(reg_->pending_mutations(), 0u);
}

TEST_F(PipelineTest, ResubmittedApplicationIdGetsTheSameDecision) {
  SetUpWorld(2);
  DecisionPipeline pipeline(*reg_);
  auto first = pipeline.Submit(AppFor(0, "R1")).get();
  auto again = pipeline.Submit(AppFor(0, "R1")).get();
  ASSERT_TRUE(first);
  ASSERT_TRUE(again);
  EXPECT_EQ(first->outcome, Outcome::kApproved);
  EXPECT_EQ(again->outcome, Outcome::kApproved);
  EXPECT_EQ(again->district, first->district);
  EXPECT_EQ(reg_->PeriodsOf(TestIin(0)).size(), 1u);
}

// The committer writes each new decision's records (ADR 0013): the decided application and one
// audit entry, at the decision's time and with its actor and outcome; a repeat writes none.
TEST_F(PipelineTest, EachNewDecisionIsRecordedOnceWithItsAuditEntry) {
  SetUpWorld(3);
  {
    DecisionPipeline pipeline(*reg_, {.max_batch = 2});
    const Actor clerk{"clerk-7", "clinic_paper"};
    auto first = pipeline.Submit(AppFor(0, "W1"), clerk);
    auto again = pipeline.Submit(AppFor(0, "W1"), clerk);
    auto other = pipeline.Submit(AppFor(1, "W2"), clerk);
    auto third = pipeline.Submit(AppFor(2, "W3"), clerk);
    ASSERT_TRUE(first.get() && again.get() && other.get() && third.get());
  }
  for (const char* id : {"W1", "W2", "W3"}) {
    auto stored = reg_->StoredApplication(id);
    ASSERT_TRUE(stored && *stored) << id;
    auto trail = reg_->AuditTrail(id, 10);
    ASSERT_TRUE(trail) << id;
    ASSERT_EQ(trail->size(), 1u) << id;
    const auto& entry = (*trail)[0];
    EXPECT_EQ(entry.action, "application.decided");
    EXPECT_EQ(entry.actor, "clerk-7");
    EXPECT_EQ(entry.channel, "clinic_paper");
    EXPECT_EQ(entry.detail, "approved " + (*stored)->decision.district + " ");
    EXPECT_EQ(entry.at, (*stored)->recorded_at);
    EXPECT_NE(entry.at, 0);
    EXPECT_EQ(entry.policy_version, (*stored)->decision.policy_version);
  }
  storage::ApplicationQuery of_o1;
  of_o1.org = "O1";
  auto listed = reg_->ListApplications(of_o1);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 3u);
}

// A store whose commits fail after the first `ok` ones (a full disk, a lost connection).
class FailingStore final : public storage::testing::ForwardingStore {
 public:
  FailingStore(storage::Store& inner, int ok) : ForwardingStore(inner), ok_(ok) {}
  Result<void> Commit(const storage::WriteBatch& batch) override {
    if (ok_-- <= 0) return Error::Unavailable("disk full (test)");
    return inner_.Commit(batch);
  }

 private:
  int ok_;
};

// Batches are decided while the previous one commits: when a commit fails, that batch and every
// later one (decided on top of it) are answered with the error, nothing after it is stored, and
// the pipeline takes no more work.
TEST_F(PipelineTest, ACommitFailureFailsThatBatchAndEveryLaterOne) {
  constexpr int kApps = 120;
  SetUpWorld(kApps);
  FailingStore failing(*store_, 3);
  auto reg = Registry::Open(failing, clock_, policy::DefaultPolicy()).value();
  const auto stored_before = store_->Counts().value().applications;
  std::vector<Result<domain::Decision>> results;
  {
    DecisionPipeline pipeline(*reg, {.max_batch = 8});
    std::vector<std::future<Result<domain::Decision>>> futures;
    for (int n = 0; n < kApps; ++n) {
      futures.push_back(pipeline.Submit(AppFor(n, "X" + std::to_string(n))));
    }
    for (auto& f : futures) results.push_back(f.get());
    auto late = pipeline.Submit(AppFor(0, "late")).get();
    EXPECT_FALSE(late);
  }
  int ok = 0;
  bool failed = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      EXPECT_FALSE(failed) << "decision " << i << " answered after an earlier commit failed";
      ++ok;
    } else {
      failed = true;
    }
  }
  EXPECT_TRUE(failed);
  EXPECT_GT(ok, 0);
  EXPECT_TRUE(reg->failed());
  EXPECT_EQ(store_->Counts().value().applications - stored_before, ok)
      << "exactly the decisions answered as durable are stored";
}

// Rows of `table` in the SQLite file at `path`, read through a connection of the test's own.
std::int64_t RowsIn(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &s, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      n = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

// ADR 0007: decisions are durable in the store's journal; an idle committer writes them into the
// tables. The one bounded wait of this file: the idle moment is the point.
TEST_F(PipelineTest, AnIdleCommitterWritesTheJournalIntoTheTables) {
  SetUpWorld(30);
  DecisionPipeline pipeline(*reg_, {.tidy_after_idle_ms = 20});
  std::vector<std::future<Result<domain::Decision>>> futures;
  for (int n = 0; n < 30; ++n)
    futures.push_back(pipeline.Submit(AppFor(n, "J" + std::to_string(n))));
  for (auto& f : futures) ASSERT_TRUE(f.get().has_value());
  EXPECT_GT(RowsIn(db_.path(), "decision_journal") + RowsIn(db_.path(), "application"), 0);
  for (int i = 0; i < 1000 && RowsIn(db_.path(), "decision_journal") != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(RowsIn(db_.path(), "decision_journal"), 0);
  EXPECT_EQ(RowsIn(db_.path(), "application"), 30);
}

}  // namespace
}  // namespace emkhana::registry::testing
