// Applying another process's committed batches (Registry::ApplyChanges, ADR 0006) has the same
// effect as loading them: two registries over one SQLite file stand for two processes over one
// database, the batches one of them commits go through the change log's format to the other,
// and both must then agree with each other and with a registry opened afresh — periods and
// their stored ids, plans, panels, free-choice counts and idempotency keys.
#include <random>

#include "registry/test_registry.hpp"
#include "storage/change_codec.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::registry::testing {
namespace {

using domain::PeriodEnd;

// A store over another that keeps the batches it committed, as PostgreSQL's change log does
// (through the log's own format), for another registry to apply.
class LoggingStore final : public storage::testing::ForwardingStore {
 public:
  explicit LoggingStore(std::unique_ptr<storage::Store> inner)
      : ForwardingStore(*inner), owned_(std::move(inner)) {}

  Result<void> Commit(const storage::WriteBatch& batch) override {
    auto r = inner_.Commit(batch);
    if (!r) return r;
    auto logged = storage::DecodeChanges(storage::EncodeChanges(batch));
    if (!logged) return logged.error();
    if (!logged->empty()) log_.push_back({static_cast<std::int64_t>(log_.size()) + 1, *logged});
    return {};
  }
  // The batches logged since the last call.
  std::vector<storage::LoggedBatch> TakeNew() {
    std::vector<storage::LoggedBatch> out(log_.begin() + static_cast<std::ptrdiff_t>(taken_),
                                          log_.end());
    taken_ = log_.size();
    return out;
  }

 private:
  std::unique_ptr<storage::Store> owned_;
  std::vector<storage::LoggedBatch> log_;
  std::size_t taken_ = 0;
};

// A registry as one process holds it: its store logs what it commits.
struct Process {
  explicit Process(const std::string& path, const Clock& clock)
      : store(storage::OpenStore(path).value()),
        registry(Registry::Open(store, clock, policy::DefaultPolicy()).value()) {}
  LoggingStore store;
  std::unique_ptr<Registry> registry;
};

// ATE A1: O1 (gp 6, pediatrician 4, therapist 5), O2 (gp 8), O3 (gp 3, pediatrician 3);
// ATE A2: O9 (gp 10). Small districts, many teenagers: capacity, moves and age-outs meet.
class ApplyChangesTest : public RegistryFixture {
 protected:
  void SetUp() override {
    OpenAt(db_.path());  // the fixture's registry builds the world, then two processes open it
    Org("O1", "A1");
    District("O1-G1", "O1", DistrictKind::kGp, 6);
    District("O1-P1", "O1", DistrictKind::kPediatrician, 4);
    District("O1-T1", "O1", DistrictKind::kTherapist, 5);
    Org("O2", "A1");
    District("O2-G1", "O2", DistrictKind::kGp, 8);
    Org("O3", "A1");
    District("O3-G1", "O3", DistrictKind::kGp, 3);
    District("O3-P1", "O3", DistrictKind::kPediatrician, 3);
    Org("O9", "A2");
    District("O9-G1", "O9", DistrictKind::kGp, 10);
  }

  void OpenProcesses() {
    ASSERT_TRUE(reg_->Flush());
    a_ = std::make_unique<Process>(db_.path(), clock_);
    b_ = std::make_unique<Process>(db_.path(), clock_);
  }
  // `from` commits its pending changes; `to` applies them.
  void Hand(Process& from, Process& to) {
    auto flushed = from.registry->Flush();
    ASSERT_TRUE(flushed) << flushed.error().message;
    auto applied = to.registry->ApplyChanges(from.store.TakeNew());
    ASSERT_TRUE(applied) << applied.error().message;
  }

  void ExpectSame(const Registry& x, const Registry& y, const std::string& what) {
    SCOPED_TRACE(what);
    const std::vector<Date> days = {D(2024, 6, 1),  D(2025, 3, 1), D(2025, 10, 1), D(2026, 1, 1),
                                    D(2026, 6, 30), D(2027, 1, 1), D(2031, 1, 1)};
    for (const auto& iin : known_) {
      for (Date day : days) {
        EXPECT_EQ(Where(x, iin, day), Where(y, iin, day))
            << iin.ToString() << " on " << day.ToString();
      }
      const auto hx = x.History(iin), hy = y.History(iin);
      ASSERT_EQ(hx.size(), hy.size()) << iin.ToString();
      for (std::size_t i = 0; i < hx.size(); ++i) {
        SCOPED_TRACE(iin.ToString() + " period " + std::to_string(i));
        EXPECT_EQ(hx[i].district, hy[i].district);
        EXPECT_EQ(hx[i].from, hy[i].from);
        EXPECT_EQ(hx[i].to, hy[i].to);
        EXPECT_EQ(hx[i].end, hy[i].end);
        EXPECT_EQ(hx[i].application_id, hy[i].application_id);
        // Stored ids agree; a plan's id is each process's own (never stored).
        const bool stored = hx[i].id < Population::kFirstPlanId;
        EXPECT_EQ(stored, hy[i].id < Population::kFirstPlanId);
        if (stored) {
          EXPECT_EQ(hx[i].id, hy[i].id);
        }
      }
      for (int year = 2024; year <= 2027; ++year) {
        EXPECT_EQ(x.FreeChoiceChangesIn(iin, year), y.FreeChoiceChangesIn(iin, year));
      }
    }
    for (const char* district : {"O1-G1", "O1-P1", "O1-T1", "O2-G1", "O3-G1", "O3-P1", "O9-G1"}) {
      for (Date day : days) {
        EXPECT_EQ(x.PanelSizeOn(district, day), y.PanelSizeOn(district, day))
            << district << " on " << day.ToString();
      }
    }
    EXPECT_EQ(x.today(), y.today());
  }

  TempDb db_;
  std::unique_ptr<Process> a_, b_;
};

// Two processes take turns at random, each applying the other's batches before it decides: at
// the end both agree with a registry loaded from the database.
class ApplyChangesStory : public ApplyChangesTest,
                          public ::testing::WithParamInterface<unsigned> {};

TEST_P(ApplyChangesStory, TwoProcessesAgreeWithALoadedRegistry) {
  std::mt19937 random(GetParam());
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  constexpr int kPeople = 36;
  Person(0);  // the registered representative of every minor
  for (int n = 1; n < kPeople; ++n) {
    const Date birth = pick(2) ? D(2006 + pick(3), 1 + pick(12), 1 + pick(28))  // 18 soon
                               : D(1960 + pick(40), 1 + pick(12), 1 + pick(28));
    auto p = MakePerson(n, birth, pick(3) ? "A1" : "A2", "A1");
    p.representatives.push_back(TestIin(0));
    Put(p);
    if (pick(3) != 0) {
      const bool child = p.AgeOn(D(2015, 1, 1)) < 18;
      Import(n, child ? (pick(2) ? "O1-P1" : "O3-P1") : (pick(2) ? "O1-T1" : "O2-G1"),
             D(2015, 1, 1));
    }
  }
  OpenProcesses();
  const std::string orgs[] = {"O1", "O2", "O3", "O9"};
  const Basis bases[] = {Basis::kFreeChoice, Basis::kFreeChoice, Basis::kFirstAttachment,
                         Basis::kResidenceChange, Basis::kOrgClosed};
  bool closed = false;
  int approvals = 0, turns = 0;
  for (Date day = D(2024, 6, 3); day < D(2027, 1, 1) && !HasFailure();
       day = day.AddDays(1 + pick(8))) {
    // Whose turn: the other applies what this one commits.
    const bool first = pick(2) == 0;
    Process& writer = first ? *a_ : *b_;
    Process& other = first ? *b_ : *a_;
    ++turns;
    for (int e = 0; e < 1 + pick(3); ++e) {
      const int roll = pick(100);
      const int n = 1 + pick(kPeople - 1);
      if (roll < 3) {
        if (!writer.registry->FindPerson(TestIin(n))->deceased) {
          ASSERT_TRUE(writer.registry->RecordDeath(TestIin(n), day, {}));
        }
      } else if (roll < 4 && !closed) {
        ASSERT_TRUE(writer.registry->CloseOrganisation("O3", day, pick(2) ? "O1" : "", {}));
        closed = true;
      } else {
        std::optional<std::string> district;
        if (pick(4) == 0) district = pick(2) ? "O1-G1" : "O1-P1";
        auto app = App(n, orgs[pick(4)], day, bases[pick(5)], district);
        if (writer.registry->FindPerson(TestIin(n))->AgeOn(day) < 18) {
          app.applicant = TestIin(0).ToString();
        }
        approvals += writer.registry->Decide(app, {}).outcome == Outcome::kApproved;
      }
    }
    Hand(writer, other);
    if (turns % 10 == 0)
      ExpectSame(*a_->registry, *b_->registry, "after turn " + std::to_string(turns));
  }
  EXPECT_GT(approvals, 10) << "the story should exercise approvals";
  ExpectSame(*a_->registry, *b_->registry, "the two processes");
  auto store = storage::OpenStore(db_.path()).value();
  auto loaded = Registry::Open(*store, clock_, policy::DefaultPolicy()).value();
  ExpectSame(*a_->registry, *loaded, "a process and a registry loaded afresh");
  ExpectConsistent(*a_->registry, known_);
  ExpectConsistent(*b_->registry, known_);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ApplyChangesStory, ::testing::Values(3u, 11u, 2026u));

// A child's age-out planned in both processes and made final by one: the other drops its plan
// for the stored period, and both then give the next stored id to the same period.
TEST_F(ApplyChangesTest, AnAgeOutMadeFinalElsewhereReplacesThePlan) {
  Person(0, D(2007, 10, 1));
  Import(0, "O1-P1", D(2010, 1, 1));
  Person(1);
  Person(2);
  OpenProcesses();
  EXPECT_EQ(Where(*b_->registry, TestIin(0), D(2025, 10, 1)), "O1/O1-G1");  // the plan
  // A decision after the birthday brings the story past it: the age-out is stored.
  ASSERT_EQ(a_->registry->Decide(App(1, "O2", D(2025, 10, 6)), {}).outcome, Outcome::kApproved);
  Hand(*a_, *b_);
  ExpectSame(*a_->registry, *b_->registry, "after the age-out");
  const auto periods = b_->registry->History(TestIin(0));
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_LT(periods[1].id, Population::kFirstPlanId) << "stored, not planned";
  EXPECT_EQ(b_->registry->PanelSizeOn("O1-G1", D(2025, 10, 1)), 1);
  // The other process decides next, on top: its period takes the next stored id.
  ASSERT_EQ(b_->registry->Decide(App(2, "O2", D(2025, 10, 7)), {}).outcome, Outcome::kApproved);
  Hand(*b_, *a_);
  ExpectSame(*a_->registry, *b_->registry, "after the other's decision");
  const auto second = a_->registry->History(TestIin(2));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, periods[1].id + 2) << "person 1's period, then person 2's";
}

TEST_F(ApplyChangesTest, AnIdempotencyKeyMeansOneApplicationInEveryProcess) {
  Person(1);
  OpenProcesses();
  const IdempotencyClaim claim{"key-1", "{\"iin\":1}"};
  auto first = a_->registry->Decide(App(1, "O2", D(2025, 3, 3)), {}, claim);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->outcome, Outcome::kApproved);
  Hand(*a_, *b_);
  // The same key through the other process, with another generated id: the first decision.
  auto again = b_->registry->Decide(App(1, "O1", D(2025, 3, 3)), {}, claim);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->application_id, first->application_id);
  EXPECT_EQ(again->district, "O2-G1");
  auto conflict = b_->registry->Decide(App(1, "O1", D(2025, 3, 3)), {}, {"key-1", "other"});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(b_->registry->pending_mutations(), 0u) << "nothing decided, nothing to write";
}

TEST_F(ApplyChangesTest, ABatchAlreadyAppliedIsSkipped) {
  Person(1);
  OpenProcesses();
  ASSERT_EQ(a_->registry->Decide(App(1, "O2", D(2025, 3, 3)), {}).outcome, Outcome::kApproved);
  ASSERT_TRUE(a_->registry->Flush());
  const auto batches = a_->store.TakeNew();
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_TRUE(b_->registry->ApplyChanges(batches));
  EXPECT_EQ(b_->registry->applied_through(), batches[0].seq);
  ASSERT_TRUE(b_->registry->ApplyChanges(batches)) << "applied again: skipped, not refused";
  EXPECT_EQ(b_->registry->PanelSizeOn("O2-G1", D(2025, 3, 3)), 1);
}

TEST_F(ApplyChangesTest, APeriodIdThisProcessHasUsedIsRefused) {
  Person(1);
  Person(2);
  OpenProcesses();
  // Both decide on the same state without seeing each other: the second batch cannot apply.
  ASSERT_EQ(a_->registry->Decide(App(1, "O2", D(2025, 3, 3)), {}).outcome, Outcome::kApproved);
  ASSERT_EQ(b_->registry->Decide(App(2, "O2", D(2025, 3, 3)), {}).outcome, Outcome::kApproved);
  ASSERT_TRUE(a_->registry->Flush());
  auto applied = b_->registry->ApplyChanges(a_->store.TakeNew());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(b_->registry->failed()) << "its memory must be reopened";
}

}  // namespace
}  // namespace emkhana::registry::testing
