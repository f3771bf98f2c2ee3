// Replay end to end in-process: output lines, checks, exit codes, and persistence into --db.
#include "scenario/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "storage/store.hpp"

namespace emkhana::scenario {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("emkhana-replay-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path path() const { return path_; }

 private:
  fs::path path_;
};

const char* kStory = R"(
{"op": "org", "id": "ALA1", "ate": "ALMATY"}
{"op": "org", "id": "ALA2", "ate": "ALMATY"}
{"op": "district", "id": "ALA1-T1", "org": "ALA1", "kind": "therapist", "capacity": 1}
{"op": "district", "id": "ALA2-G1", "org": "ALA2", "kind": "gp", "capacity": 3}
{"op": "person", "iin": "900115401018", "birth": "1990-01-15", "sex": "F", "status": "citizen", "ate": {"registration": "ALMATY", "residence": "ALMATY"}}
{"op": "person", "iin": "850305301578", "birth": "1985-03-05", "sex": "M", "status": "citizen", "ate": {"registration": "ALMATY", "residence": "ALMATY"}}
{"op": "attach", "iin": "900115401018", "org": "ALA1", "district": "ALA1-T1", "from": "2020-01-01"}
{"op": "apply", "id": "A1", "date": "2025-09-10", "iin": "900115401018", "org": "ALA2", "channel": "egov", "basis": "free_choice", "expect": {"decision": "approved", "effective": "2026-01-01"}}
{"op": "apply", "id": "A2", "date": "2025-09-10", "iin": "850305301578", "org": "ALA1", "channel": "egov", "basis": "first_attachment", "expect": {"decision": "refused", "reasons": ["capacity_exceeded"], "alternatives": ["ALA2"]}}
{"op": "query", "iin": "900115401018", "date": "2026-01-01", "expect": {"org": "ALA2", "district": "ALA2-G1"}}
)";

TEST(Replay, PrintsOneLinePerApplyAndQueryAndChecks) {
  TempDir dir;
  auto file = dir.Write("story.jsonl", kStory);
  std::ostringstream out, err;
  ReplaySummary summary;
  EXPECT_EQ(Replay({file}, {.check = true}, out, err, &summary), 0) << err.str();
  EXPECT_EQ(summary.passed, 3);
  EXPECT_EQ(summary.failed, 0);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(
      all[0],
      R"({"id":"A1","decision":"approved","org":"ALA2","district":"ALA2-G1","effective":"2026-01-01","decide_by":"2025-09-11","reasons":[]})");
  EXPECT_EQ(
      all[1],
      R"({"id":"A2","decision":"refused","decide_by":"2025-09-11","reasons":["capacity_exceeded"],"alternatives":["ALA2"]})");
  EXPECT_EQ(all[3], "3 passed, 0 failed");
}

TEST(Replay, AMismatchFailsWithLocation) {
  TempDir dir;
  std::string story = kStory;
  story.replace(story.find("\"2026-01-01\"}}"), 12, "\"2026-01-02\"");
  auto file = dir.Write("wrong.jsonl", story);
  std::ostringstream out, err;
  EXPECT_EQ(Replay({file}, {.check = true}, out, err), 1);
  EXPECT_NE(err.str().find("wrong.jsonl:9: A1: effective: expected \"2026-01-02\""),
            std::string::npos)
      << err.str();
  EXPECT_NE(out.str().find("2 passed, 1 failed"), std::string::npos);
}

TEST(Replay, ScenarioErrorsStopWithExitCode2) {
  TempDir dir;
  const char* cases[][2] = {
      {"{\"op\": \"org\", \"id\": \"A\", \"ate\": \"X\"}\n{\"op\": \"org\"",
       "bad.jsonl:2: malformed JSON"},
      {"{\"op\": \"nope\"}", "bad.jsonl:1: unknown op 'nope'"},
      {"{\"op\": \"district\", \"id\": \"D\", \"org\": \"MISSING\", \"kind\": \"gp\"}",
       "bad.jsonl:1: district D: unknown organisation"},
      {"{\"op\": \"death\", \"iin\": \"900115401018\", \"date\": \"2025-01-01\"}",
       "bad.jsonl:1: death: unknown person"},
  };
  for (const auto& c : cases) {
    auto file = dir.Write("bad.jsonl", c[0]);
    std::ostringstream out, err;
    EXPECT_EQ(Replay({file}, {.check = true}, out, err), 2) << c[0];
    EXPECT_NE(err.str().find(c[1]), std::string::npos) << err.str();
  }
}

// Collects what a store holds.
struct Collect : storage::LoadSink {
  std::vector<domain::Attachment> attachments;
  std::vector<storage::DecidedApplication> decided;
  int persons = 0, orgs = 0, districts = 0, policies = 0;
  void OnPolicy(const storage::PolicyVersion&) override { ++policies; }
  void OnOrganisation(domain::Organisation) override { ++orgs; }
  void OnDistrict(domain::District) override { ++districts; }
  void OnPerson(domain::Person) override { ++persons; }
  void OnAttachment(domain::Attachment a) override { attachments.push_back(std::move(a)); }
  void OnDecided(storage::DecidedApplication d) override { decided.push_back(std::move(d)); }
  void OnIdempotencyKey(storage::IdempotencyKey) override {}
};

TEST(Replay, PersistsEverythingIntoTheDatabase) {
  TempDir dir;
  auto file = dir.Write("story.jsonl", kStory);
  const auto db = (dir.path() / "registry.db").string();
  {
    std::ostringstream out, err;
    ASSERT_EQ(Replay({file}, {.check = true, .db = db}, out, err), 0) << err.str();
  }
  auto store = storage::OpenStore(db);
  ASSERT_TRUE(store);
  Collect all;
  ASSERT_TRUE((*store)->Load(all));
  EXPECT_EQ(all.orgs, 2);
  EXPECT_EQ(all.districts, 2);
  EXPECT_EQ(all.persons, 2);
  EXPECT_GE(all.policies, 1);
  ASSERT_EQ(all.decided.size(), 2u);
  EXPECT_EQ(all.decided[0].decision.outcome, domain::Outcome::kApproved);
  EXPECT_EQ(all.decided[1].decision.reasons, std::vector{domain::Reason::kCapacityExceeded});
  EXPECT_EQ(all.decided[1].decision.alternatives, std::vector<std::string>{"ALA2"});
  ASSERT_EQ(all.attachments.size(), 2u);  // the imported one, cut short, and the new one
  EXPECT_EQ(all.attachments[0].to, domain::Date::Ymd(2026, 1, 1));
  EXPECT_EQ(all.attachments[0].end, domain::PeriodEnd::kSuperseded);
  EXPECT_EQ(all.attachments[1].from, domain::Date::Ymd(2026, 1, 1));
  auto counts = (*store)->Counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->applications, 2);
  EXPECT_EQ(counts->attachment_history, 3);  // two inserts and one change
  EXPECT_GE(counts->audit, 9);               // every reference record, import and decision
  auto trail = (*store)->AuditTrail("A1", 10);
  ASSERT_TRUE(trail);
  ASSERT_EQ(trail->size(), 1u);
  EXPECT_EQ((*trail)[0].action, "application.decided");
  EXPECT_EQ((*trail)[0].actor, "900115401018");
  EXPECT_EQ((*trail)[0].channel, "egov");

  // A registry reopened from the file answers as the replay did.
  SystemClock clock;
  auto registry = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
  ASSERT_TRUE(registry);
  auto iin = *domain::Iin::Parse("900115401018");
  EXPECT_EQ((*registry)->WhereOn(iin, domain::Date::Ymd(2025, 12, 31)).district, "ALA1-T1");
  EXPECT_EQ((*registry)->WhereOn(iin, domain::Date::Ymd(2026, 1, 1)).district, "ALA2-G1");
  EXPECT_EQ((*registry)->FreeChoiceChangesIn(iin, 2025), 1);

  // The same application id again is answered from the record, not decided twice.
  {
    std::ostringstream out, err;
    ASSERT_EQ(Replay({file}, {.check = true, .db = db}, out, err), 0) << err.str();
  }
  auto again = storage::OpenStore(db);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->Counts()->applications, 2);
}

}  // namespace
}  // namespace emkhana::scenario
