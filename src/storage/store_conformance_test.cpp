// The storage conformance suite: the same tests on every Store backend (a typed
// test suite). Instantiations: StoreConformance/Sqlite.* and
// StoreConformance/Postgres.* — the latter needs EMKHANA_TEST_PG_URL
// (tests/pg/with_postgres.sh) and is skipped without it. Each test gets a
// fresh, empty store location (store_test_support.hpp). Backend-specific tests
// live beside each backend (sqlite_store_test.cpp, postgres_store_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "storage/audit_chain.hpp"
#include "storage/store.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::storage {
namespace {

using namespace storage::testing;  // NOLINT: the sample data

template <class Backend>
class StoreConformance : public BackendTest<Backend> {};

struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreConformance, Backends, BackendNames);

TYPED_TEST(StoreConformance, CommitThenReopenAndLoadGivesEverythingBack) {
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    auto r = store->Commit(FullBatch());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(store->commits(), 1);
  }
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  auto r = store->Load(sink);
  ASSERT_TRUE(r.has_value()) << r.error().message;

  ASSERT_EQ(sink.policies.size(), 1u);
  EXPECT_EQ(sink.policies[0].version, "kz-2025.05.12");
  EXPECT_EQ(sink.policies[0].body, "{\"version\":\"kz-2025.05.12\"}");

  ASSERT_EQ(sink.orgs.size(), 2u);  // by id
  ExpectSameOrg(sink.orgs[0], OrgA());
  ExpectSameOrg(sink.orgs[1], OrgB());

  ASSERT_EQ(sink.districts.size(), 2u);
  ExpectSameDistrict(sink.districts[0], DistrictA1());
  ExpectSameDistrict(sink.districts[1], DistrictA2());

  ASSERT_EQ(sink.persons.size(), 2u);  // by IIN
  ExpectSamePerson(sink.persons[0], PersonP());
  ExpectSamePerson(sink.persons[1], PersonQ());

  ASSERT_EQ(sink.attachments.size(), 2u);  // by id
  domain::Attachment one = AttachmentOne();
  one.to = Date::Ymd(2026, 1, 1);  // the PeriodChange cut it short
  one.end = domain::PeriodEnd::kSuperseded;
  ExpectSameAttachment(sink.attachments[0], one);
  ExpectSameAttachment(sink.attachments[1], AttachmentTwo());

  ASSERT_EQ(sink.decided.size(), 2u);  // in decision order
  ExpectSameDecided(sink.decided[0], Approved());
  ExpectSameDecided(sink.decided[1], Refused());
}

// Ids sort byte by byte (as SQLite's BINARY collation), decisions come in the
// order they were committed, and a policy written again moves to the end.
// A sink that takes the batches not yet in the tables (PendingSink: SQLite's journal) and
// applies them ends with what a sink that leaves them to the store gets.
TYPED_TEST(StoreConformance, PendingBatchesTakenGiveTheSamePicture) {
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    // Reference data, then a batch of decisions only (which SQLite journals).
    WriteBatch registered, decisions;
    for (auto& m : FullBatch().mutations) {
      const bool decision = std::holds_alternative<domain::Attachment>(m) ||
                            std::holds_alternative<PeriodChange>(m) ||
                            std::holds_alternative<DecidedApplication>(m) ||
                            std::holds_alternative<AuditEntry>(m);
      (decision ? decisions : registered).mutations.push_back(std::move(m));
    }
    decisions.mutations.push_back(IdempotencyKey{"K-1", "APP-1", "{}"});
    ASSERT_TRUE(store->Commit(registered).has_value());
    auto r = store->Commit(decisions);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  ApplyingSink taken;
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    auto r = LoadTakingPending(*store, taken);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  RecordingSink written;
  ASSERT_TRUE(store->Load(written).has_value());
  EXPECT_EQ(taken.persons.size(), written.persons.size());
  ASSERT_EQ(taken.attachments.size(), 2u);
  ASSERT_EQ(written.attachments.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i)
    ExpectSameAttachment(taken.attachments[i], written.attachments[i]);
  ExpectSameAttachment(taken.attachments[0], [] {
    auto a = AttachmentOne();
    a.to = ChangeOne().to;
    a.end = ChangeOne().end;
    return a;
  }());
  ASSERT_EQ(taken.decided.size(), 2u);
  ASSERT_EQ(written.decided.size(), 2u);
  ExpectSameDecided(taken.decided[0], Approved());
  ExpectSameDecided(written.decided[0], Approved());
  ExpectSameDecided(taken.decided[1], Refused());
  ASSERT_EQ(taken.keys.size(), written.keys.size());
  for (std::size_t i = 0; i < taken.keys.size(); ++i) {
    EXPECT_EQ(taken.keys[i].key, written.keys[i].key);
    EXPECT_EQ(taken.keys[i].application_id, written.keys[i].application_id);
  }
  EXPECT_EQ(CountsOf(*store).applications, 2);
  EXPECT_EQ(CountsOf(*store).audit, 3);
}

TYPED_TEST(StoreConformance, LoadStreamsInTheDocumentedOrder) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  WriteBatch b;
  b.mutations.push_back(PolicyVersion{"p-2", "{}"});
  b.mutations.push_back(PolicyVersion{"p-1", "{\"a\":1}"});
  for (const char* id : {"b", "B", "A1", "A-1", "a"}) {
    domain::Organisation o = OrgA();
    o.id = id;
    b.mutations.push_back(o);
    domain::District d = DistrictA1();
    d.id = std::string(id) + "/1";
    d.org = id;
    b.mutations.push_back(d);
  }
  domain::Person p = PersonQ();
  p.deceased.reset();
  for (const char* iin : {"950612310202", "850305301578", "900115301001"}) {
    p.iin = I(iin);
    b.mutations.push_back(p);
  }
  std::int64_t id = 30;
  for (const char* iin : {"950612310202", "850305301578", "900115301001"}) {
    domain::Attachment a = AttachmentTwo();
    a.id = id;
    id -= 10;
    a.iin = I(iin);
    a.org = "a";
    a.district = "a/1";
    b.mutations.push_back(a);
  }
  for (const char* app : {"APP-9", "APP-10", "APP-1"}) {
    DecidedApplication d = Refused();
    d.application.id = app;
    d.decision.application_id = app;
    b.mutations.push_back(d);
  }
  ASSERT_TRUE(store->Commit(b).has_value());
  WriteBatch again;
  again.mutations.push_back(PolicyVersion{"p-2", "{}"});
  ASSERT_TRUE(store->Commit(again).has_value());

  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  std::vector<std::string> policies, orgs, districts, persons, attachments, decided;
  for (const auto& v : sink.policies) policies.push_back(v.version);
  for (const auto& o : sink.orgs) orgs.push_back(o.id);
  for (const auto& d : sink.districts) districts.push_back(d.id);
  for (const auto& q : sink.persons) persons.push_back(q.iin.ToString());
  for (const auto& a : sink.attachments) attachments.push_back(std::to_string(a.id));
  for (const auto& d : sink.decided) decided.push_back(d.application.id);
  EXPECT_EQ(policies, (std::vector<std::string>{"p-1", "p-2"}));
  EXPECT_EQ(sink.policies[0].body, "{\"a\":1}");
  EXPECT_EQ(orgs, (std::vector<std::string>{"A-1", "A1", "B", "a", "b"}));
  EXPECT_EQ(districts, (std::vector<std::string>{"A-1/1", "A1/1", "B/1", "a/1", "b/1"}));
  EXPECT_EQ(persons, (std::vector<std::string>{"850305301578", "900115301001", "950612310202"}));
  EXPECT_EQ(attachments, (std::vector<std::string>{"10", "20", "30"}));
  EXPECT_EQ(decided, (std::vector<std::string>{"APP-9", "APP-10", "APP-1"}));
}

TYPED_TEST(StoreConformance, Counts) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(SameCounts(CountsOf(*store), StoreCounts{})) << Describe(CountsOf(*store));
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  StoreCounts c = CountsOf(*store);
  EXPECT_EQ(c.organisations, 2);
  EXPECT_EQ(c.districts, 2);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.attachments, 2);
  EXPECT_EQ(c.attachment_history, 3);  // two insertions and one change
  EXPECT_EQ(c.applications, 2);
  EXPECT_EQ(c.audit, 3);
}

TYPED_TEST(StoreConformance, AuditTrailNewestFirst) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  auto trail = store->AuditTrail("APP-1", 10);
  ASSERT_TRUE(trail.has_value()) << trail.error().message;
  ASSERT_EQ(trail->size(), 2u);
  EXPECT_EQ((*trail)[0].at, 11);
  EXPECT_EQ((*trail)[1].at, 10);
  const AuditEntry expected = Audit("APP-1", 11);
  EXPECT_EQ((*trail)[0].actor, expected.actor);
  EXPECT_EQ((*trail)[0].channel, expected.channel);
  EXPECT_EQ((*trail)[0].action, expected.action);
  EXPECT_EQ((*trail)[0].subject, expected.subject);
  EXPECT_EQ((*trail)[0].detail, expected.detail);
  EXPECT_EQ((*trail)[0].policy_version, expected.policy_version);
  auto limited = store->AuditTrail("APP-1", 1);
  ASSERT_TRUE(limited.has_value());
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ((*limited)[0].at, 11);
  auto none = store->AuditTrail("nobody", 10);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());

  // Moments keep their microseconds, before and after the epoch; texts keep
  // every byte.
  WriteBatch b;
  AuditEntry exact = Audit("ORG-A", 1'764'000'000'123'457);
  exact.detail = "закрыта; 'quoted' \"double\" \\ back";
  b.mutations.push_back(exact);
  b.mutations.push_back(Audit("ORG-A", -1'000'001));
  ASSERT_TRUE(store->Commit(b).has_value());
  auto org = store->AuditTrail("ORG-A", 10);
  ASSERT_TRUE(org.has_value()) << org.error().message;
  ASSERT_EQ(org->size(), 2u);
  EXPECT_EQ((*org)[0].at, -1'000'001);
  EXPECT_EQ((*org)[1].at, 1'764'000'000'123'457);
  EXPECT_EQ((*org)[1].detail, exact.detail);
}

// The audit trail is a hash chain in commit order, across commits and reopenings; each decision
// is vouched for by its entry's digest, which the stored decision gives back exactly.
TYPED_TEST(StoreConformance, AuditEntriesFormAVerifiableChain) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  WriteBatch reads;
  reads.mutations.push_back(
      AuditEntry{21, "registrar:ORG-A", "http", "read", "900115301001", "panel", "kz-2025.05.12"});
  ASSERT_TRUE(store->Commit(reads).has_value());
  auto page = store->AuditPage(0, 100);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->size(), 4u);
  std::string prev;
  for (const auto& [seq, e] : *page) {
    EXPECT_EQ(e.prev_hash, prev) << "entry " << seq;
    EXPECT_EQ(e.hash, AuditEntryHash(e, prev)) << "entry " << seq;
    prev = e.hash;
  }
  EXPECT_EQ((*page)[0].entry.ref, DecisionDigest(Approved()));
  EXPECT_EQ((*page)[1].entry.ref, "");  // a second entry about APP-1 vouches for nothing
  EXPECT_EQ((*page)[2].entry.ref, DecisionDigest(Refused()));
  auto after = store->AuditPage((*page)[1].seq, 1);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].seq, (*page)[2].seq);

  auto verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  EXPECT_TRUE(verdict->intact) << verdict->problem;
  EXPECT_EQ(verdict->entries, 4);
  EXPECT_EQ(verdict->decisions, 2);
  EXPECT_EQ(verdict->head_hash, prev);

  // Reopened, the chain goes on from its last entry.
  store.reset();
  store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(reads).has_value());
  verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  EXPECT_TRUE(verdict->intact) << verdict->problem;
  EXPECT_EQ(verdict->entries, 5);
  // An anchor taken earlier still holds; a wrong one does not.
  AuditVerifyOptions anchored{.anchor_seq = (*page)[3].seq, .anchor_hash = prev};
  verdict = VerifyAuditChain(*store, anchored);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->intact) << verdict->problem;
  anchored.anchor_hash = std::string(64, '0');
  verdict = VerifyAuditChain(*store, anchored);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_FALSE(verdict->intact);
  EXPECT_EQ(verdict->problem_seq, (*page)[3].seq);
}

TYPED_TEST(StoreConformance, FindApplication) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  auto missing = store->FindApplication("APP-1");
  ASSERT_TRUE(missing.has_value()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  auto approved = store->FindApplication("APP-1");
  ASSERT_TRUE(approved.has_value()) << approved.error().message;
  ASSERT_TRUE(approved->has_value());
  ExpectSameDecided(**approved, Approved());
  auto refused = store->FindApplication("APP-2");
  ASSERT_TRUE(refused.has_value());
  ASSERT_TRUE(refused->has_value());
  ExpectSameDecided(**refused, Refused());
  auto other = store->FindApplication("app-1");  // ids are case-sensitive
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->has_value());
}

TYPED_TEST(StoreConformance, ListApplicationsAndPersonName) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  WriteBatch b;
  for (int i = 3; i <= 6; ++i) {
    DecidedApplication d = Approved();
    d.application.id = d.decision.application_id = "APP-" + std::to_string(i);
    d.application.date = Date::Ymd(2025, 11, i);
    b.mutations.push_back(d);
  }
  ASSERT_TRUE(store->Commit(b).has_value());
  auto ids = [](const Result<std::vector<DecidedApplication>>& r) {
    std::vector<std::string> out;
    EXPECT_TRUE(r.has_value()) << r.error().message;
    if (r) {
      for (const auto& d : *r) out.push_back(d.application.id);
    }
    return out;
  };
  ApplicationQuery q;
  q.org = "ORG-A";
  EXPECT_EQ(ids(store->ListApplications(q)),
            (std::vector<std::string>{"APP-6", "APP-5", "APP-4", "APP-3", "APP-1"}));
  q.limit = 2;
  q.offset = 1;
  EXPECT_EQ(ids(store->ListApplications(q)), (std::vector<std::string>{"APP-5", "APP-4"}));
  q = ApplicationQuery{};
  q.org = "ORG-A";
  q.from = Date::Ymd(2025, 11, 4);
  q.to = Date::Ymd(2025, 11, 5);
  EXPECT_EQ(ids(store->ListApplications(q)), (std::vector<std::string>{"APP-5", "APP-4"}));
  q = ApplicationQuery{};
  q.iin = "85030530157";
  q.outcome = "refused";
  auto refused = store->ListApplications(q);
  EXPECT_EQ(ids(refused), (std::vector<std::string>{"APP-2"}));
  if (refused && !refused->empty()) ExpectSameDecided((*refused)[0], Refused());
  q.outcome = "approved";
  EXPECT_TRUE(ids(store->ListApplications(q)).empty());
  EXPECT_FALSE(store->ListApplications(ApplicationQuery{}).has_value());  // neither org nor iin

  auto name = store->PersonName("850305301578");
  ASSERT_TRUE(name.has_value()) << name.error().message;
  EXPECT_EQ(*name, PersonP().name);
  auto nobody = store->PersonName("950612310202");
  ASSERT_TRUE(nobody.has_value());
  EXPECT_EQ(*nobody, "");
}

TYPED_TEST(StoreConformance, AFailingMutationLeavesNothingOfItsBatch_MissingAttachment) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  WriteBatch bad;
  bad.mutations.push_back(OrgA());
  bad.mutations.push_back(DistrictA1());
  bad.mutations.push_back(PersonP());
  bad.mutations.push_back(AttachmentOne());
  bad.mutations.push_back(Audit("APP-1", 1));
  bad.mutations.push_back(Approved());
  bad.mutations.push_back(PeriodChange{999, Date::Ymd(2026, 1, 1), domain::PeriodEnd::kSuperseded,
                                       5});  // no such period
  auto r = store->Commit(bad);
  ASSERT_FALSE(r.has_value()) << "a PeriodChange of a missing attachment was accepted";
  EXPECT_EQ(store->commits(), 0);
  StoreCounts c = CountsOf(*store);
  EXPECT_TRUE(SameCounts(c, StoreCounts{})) << Describe(c);

  // The store is still usable and a good batch commits afterwards.
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  EXPECT_EQ(store->commits(), 1);
  EXPECT_EQ(CountsOf(*store).persons, 2);
}

TYPED_TEST(StoreConformance, AFailingMutationLeavesNothingOfItsBatch_ForeignKey) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  const StoreCounts before = CountsOf(*store);

  domain::Person newcomer;
  newcomer.iin = I("950612310202");
  newcomer.birth = Date::Ymd(1995, 6, 12);
  domain::Attachment a;
  a.id = 3;
  a.iin = newcomer.iin;
  a.org = "ORG-A";
  a.district = "NO-SUCH-DISTRICT";
  a.from = Date::Ymd(2025, 1, 1);
  a.recorded_at = 7;
  domain::Organisation c = OrgA();
  c.id = "ORG-C";

  WriteBatch bad;
  bad.mutations.push_back(c);
  bad.mutations.push_back(newcomer);
  bad.mutations.push_back(Audit("950612310202", 99));
  bad.mutations.push_back(a);
  auto r = store->Commit(bad);
  ASSERT_FALSE(r.has_value()) << "an attachment to a missing district was accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
  EXPECT_EQ(store->commits(), 1);
  const StoreCounts after = CountsOf(*store);
  EXPECT_TRUE(SameCounts(before, after)) << Describe(before) << " vs " << Describe(after);

  store.reset();
  store = this->Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  EXPECT_EQ(sink.orgs.size(), 2u);
  EXPECT_EQ(sink.persons.size(), 2u);
  EXPECT_EQ(sink.attachments.size(), 2u);
  EXPECT_TRUE(SameCounts(before, CountsOf(*store)));
}

// A duplicate key at the very end of a batch large enough to span many round
// trips of a pipelined backend: nothing of the batch stays, and the error says
// it was a precondition.
TYPED_TEST(StoreConformance, ADuplicateKeyInsideALargeBatchLeavesNothing) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  const StoreCounts before = CountsOf(*store);
  WriteBatch bad;
  for (int i = 0; i < 700; ++i) {
    domain::Person p = PersonQ();
    p.deceased.reset();
    p.iin = SyntheticIin(i);
    bad.mutations.push_back(p);
    domain::Attachment a = AttachmentTwo();
    a.id = 1000 + i;
    a.iin = p.iin;
    bad.mutations.push_back(a);
    bad.mutations.push_back(Audit(p.iin.ToString(), i));
  }
  domain::Attachment duplicate = AttachmentTwo();
  duplicate.id = 1000;  // the first of this batch again
  duplicate.iin = SyntheticIin(0);
  bad.mutations.push_back(duplicate);
  bad.mutations.push_back(Audit("last", 1));
  auto r = store->Commit(bad);
  ASSERT_FALSE(r.has_value()) << "a duplicate attachment id was accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
  EXPECT_EQ(store->commits(), 1);
  const StoreCounts after = CountsOf(*store);
  EXPECT_TRUE(SameCounts(before, after)) << Describe(before) << " vs " << Describe(after);

  // The same batch without the duplicate commits whole.
  bad.mutations.resize(bad.mutations.size() - 2);
  auto ok = store->Commit(bad);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  const StoreCounts all = CountsOf(*store);
  EXPECT_EQ(all.persons, before.persons + 700);
  EXPECT_EQ(all.attachments, before.attachments + 700);
  EXPECT_EQ(all.attachment_history, before.attachment_history + 700);
  EXPECT_EQ(all.audit, before.audit + 700);
}

TYPED_TEST(StoreConformance, ADuplicateApplicationIsRefusedAtomically) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  const StoreCounts before = CountsOf(*store);
  WriteBatch bad;
  bad.mutations.push_back(Audit("APP-1", 100));
  bad.mutations.push_back(Approved());  // APP-1 again: decisions are never overwritten
  auto r = store->Commit(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << r.error().message;
  EXPECT_TRUE(SameCounts(before, CountsOf(*store)));
  auto trail = store->AuditTrail("APP-1", 10);
  ASSERT_TRUE(trail.has_value());
  EXPECT_EQ(trail->size(), 2u);
}

// Many people with representatives, periods and decisions in one batch come
// back whole.
TYPED_TEST(StoreConformance, ALargeBatchRoundTrips) {
  constexpr int kPeople = 1500;
  WriteBatch b = FullBatch();
  std::vector<domain::Person> people;
  for (int i = 0; i < kPeople; ++i) {
    domain::Person p = PersonP();
    p.iin = SyntheticIin(i);
    p.name = "Person " + std::to_string(i);
    p.representatives = i % 3 == 0 ? std::vector<Iin>{} : std::vector<Iin>{PersonQ().iin};
    p.insurance.reset();
    people.push_back(p);
    b.mutations.push_back(p);
    domain::Attachment a = AttachmentTwo();
    a.id = 100 + i;
    a.iin = p.iin;
    a.recorded_at = 1'700'000'000'000'000 + i;
    b.mutations.push_back(a);
    DecidedApplication d = Approved();
    d.application.id = d.decision.application_id = "BULK-" + std::to_string(i);
    d.application.iin = p.iin.ToString();
    b.mutations.push_back(d);
  }
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    auto r = store->Commit(b);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(store->commits(), 1);
  }
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  ASSERT_EQ(sink.persons.size(), static_cast<std::size_t>(kPeople + 2));
  ASSERT_EQ(sink.attachments.size(), static_cast<std::size_t>(kPeople + 2));
  ASSERT_EQ(sink.decided.size(), static_cast<std::size_t>(kPeople + 2));
  std::sort(people.begin(), people.end(),
            [](const auto& x, const auto& y) { return x.iin.ToString() < y.iin.ToString(); });
  std::size_t k = 0;
  for (const auto& loaded : sink.persons) {
    if (loaded.iin == PersonP().iin || loaded.iin == PersonQ().iin) continue;
    ASSERT_LT(k, people.size());
    ExpectSamePerson(loaded, people[k++]);
  }
  EXPECT_EQ(k, people.size());
  for (int i = 0; i < kPeople; ++i) {
    const auto& a = sink.attachments[static_cast<std::size_t>(i) + 2];
    EXPECT_EQ(a.id, 100 + i);
    EXPECT_EQ(a.recorded_at, 1'700'000'000'000'000 + i);
    EXPECT_EQ(sink.decided[static_cast<std::size_t>(i) + 2].application.id,
              "BULK-" + std::to_string(i));
  }
}

TYPED_TEST(StoreConformance, CommitsCountsOnlyBatchesThatWroteSomething) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->commits(), 0);
  ASSERT_TRUE(store->Commit(WriteBatch{}).has_value());
  EXPECT_EQ(store->commits(), 0);  // an empty batch writes nothing
  WriteBatch one;
  one.mutations.push_back(OrgA());
  ASSERT_TRUE(store->Commit(one).has_value());
  EXPECT_EQ(store->commits(), 1);
  WriteBatch two;
  two.mutations.push_back(DistrictA1());
  two.mutations.push_back(Audit("ORG-A", 1));
  ASSERT_TRUE(store->Commit(two).has_value());
  EXPECT_EQ(store->commits(), 2);
  WriteBatch bad;
  bad.mutations.push_back(ChangeOne());  // attachment 1 does not exist
  ASSERT_FALSE(store->Commit(bad).has_value());
  EXPECT_EQ(store->commits(), 2);
}

TYPED_TEST(StoreConformance, UpsertsReplaceAndLifecycleMutationsApply) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());

  domain::Person p = PersonP();
  p.name = "Renamed";
  p.insurance.reset();
  p.representatives = {I("950612310202")};
  p.osms = {};
  domain::District d = DistrictA1();
  d.doctors = 3;
  d.capacity.reset();
  domain::Organisation b = OrgB();
  b.latitude = -0.1;
  b.closed_on.reset();
  b.successor.clear();
  WriteBatch batch;
  batch.mutations.push_back(p);
  batch.mutations.push_back(d);
  batch.mutations.push_back(b);
  batch.mutations.push_back(PersonDeath{I("850305301578"), Date::Ymd(2025, 11, 2)});
  batch.mutations.push_back(OrgClosure{"ORG-A", Date::Ymd(2026, 2, 1), ""});
  ASSERT_TRUE(store->Commit(batch).has_value());

  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  ASSERT_EQ(sink.persons.size(), 2u);
  p.deceased = Date::Ymd(2025, 11, 2);
  ExpectSamePerson(sink.persons[0], p);
  ASSERT_EQ(sink.districts.size(), 2u);
  ExpectSameDistrict(sink.districts[0], d);
  ASSERT_EQ(sink.orgs.size(), 2u);
  domain::Organisation a = OrgA();
  a.closed_on = Date::Ymd(2026, 2, 1);
  ExpectSameOrg(sink.orgs[0], a);
  ExpectSameOrg(sink.orgs[1], b);
  StoreCounts c = CountsOf(*store);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.districts, 2);

  // A closure with a successor, and one of an unknown organisation (a no-op).
  WriteBatch reorganised;
  reorganised.mutations.push_back(OrgClosure{"ORG-B", Date::Ymd(2026, 3, 1), "ORG-A"});
  reorganised.mutations.push_back(OrgClosure{"ORG-X", Date::Ymd(2026, 3, 1), ""});
  ASSERT_TRUE(store->Commit(reorganised).has_value());
  RecordingSink after;
  ASSERT_TRUE(store->Load(after).has_value());
  ASSERT_EQ(after.orgs.size(), 2u);
  EXPECT_EQ(after.orgs[1].closed_on, Date::Ymd(2026, 3, 1));
  EXPECT_EQ(after.orgs[1].successor, "ORG-A");
}

TYPED_TEST(StoreConformance, SamplePersonsIsReproducibleForASeed) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  auto empty = store->SamplePersons(5, 1);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_TRUE(empty->empty());  // nobody registered

  WriteBatch b;
  std::set<std::string> registered;
  for (int i = 0; i < 60; ++i) {
    domain::Person p = PersonQ();
    p.iin = SyntheticIin(i * 7);
    registered.insert(p.iin.ToString());
    b.mutations.push_back(p);
  }
  ASSERT_TRUE(store->Commit(b).has_value());

  auto first = store->SamplePersons(40, 7);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(first->size(), 40u);
  for (const auto& iin : *first) EXPECT_TRUE(registered.count(iin)) << iin;
  EXPECT_GT(std::set<std::string>(first->begin(), first->end()).size(), 10u);
  auto second = store->SamplePersons(40, 7);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, *second);
  auto other = store->SamplePersons(40, 8);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(*first, *other);
  auto none = store->SamplePersons(0, 7);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());

  // The same after reopening.
  store.reset();
  store = this->Open();
  ASSERT_NE(store, nullptr);
  auto reopened = store->SamplePersons(40, 7);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(*first, *reopened);
}

TYPED_TEST(StoreConformance, StatsSnapshotRoundTripsAndGoesStaleOnCommit) {
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  auto none = store->LoadStats();
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  const std::string header = "{\"regions\":[\"Алматы\"],\"policy\":\"kz-2025.05.12\"}";
  std::string entries;
  for (int i = 0; i < 70000; ++i) entries.push_back(static_cast<char>(i * 31 % 256));  // \0 too
  auto saved = store->SaveStats(header, entries);
  ASSERT_TRUE(saved.has_value()) << saved.error().message;
  EXPECT_EQ(store->commits(), 0);  // a snapshot is not a commit of the registry
  auto loaded = store->LoadStats();
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->header, header);
  EXPECT_EQ((*loaded)->entries, entries);
  EXPECT_FALSE((*loaded)->stale);

  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  auto stale = store->LoadStats();
  ASSERT_TRUE(stale.has_value());
  ASSERT_TRUE(stale->has_value());
  EXPECT_TRUE((*stale)->stale);
  EXPECT_EQ((*stale)->entries, entries);  // kept, only marked

  // A failed commit does not mark it (it is rolled back with the rest).
  ASSERT_TRUE(store->SaveStats(header, "x").has_value());
  WriteBatch bad;
  bad.mutations.push_back(ChangeOne());
  bad.mutations.push_back(
      PeriodChange{404, Date::Ymd(2026, 1, 1), domain::PeriodEnd::kCancelled, 1});
  ASSERT_FALSE(store->Commit(bad).has_value());
  auto fresh = store->LoadStats();
  ASSERT_TRUE(fresh.has_value() && fresh->has_value());
  EXPECT_FALSE((*fresh)->stale);
  EXPECT_EQ((*fresh)->entries, "x");

  store.reset();
  store = this->Open();
  ASSERT_NE(store, nullptr);
  auto reopened = store->LoadStats();
  ASSERT_TRUE(reopened.has_value() && reopened->has_value());
  EXPECT_EQ((*reopened)->header, header);
  EXPECT_EQ((*reopened)->entries, "x");
  EXPECT_FALSE((*reopened)->stale);
}

TYPED_TEST(StoreConformance, ReopeningMigratesOnceAndKeepsEverything) {
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  for (int i = 0; i < 2; ++i) {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->commits(), 0);  // counted per open store
    StoreCounts c = CountsOf(*store);
    EXPECT_EQ(c.organisations, 2);
    EXPECT_EQ(c.attachment_history, 3);
    EXPECT_EQ(c.audit, 3);
    RecordingSink sink;
    ASSERT_TRUE(store->Load(sink).has_value());
    EXPECT_EQ(sink.decided.size(), 2u);
  }
  // Two stores open on the same location at once (a second process): both work.
  auto first = this->Open();
  auto second = this->Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  WriteBatch b;
  b.mutations.push_back(Audit("ORG-A", 5));
  ASSERT_TRUE(first->Commit(b).has_value());
  first.reset();
  EXPECT_EQ(CountsOf(*second).audit, 4);
}

// The generator's path (OpenStoreForBulkLoad, then FinishBulkLoad): what a bulk load wrote comes
// back as Commit would have written it, also the mutations a bulk load does not expect.
TYPED_TEST(StoreConformance, ABulkLoadGivesBackWhatCommitWould) {
  {
    auto store = OpenStoreForBulkLoad(this->backend_.location());
    ASSERT_TRUE(store.has_value()) << store.error().message;
    auto r = (*store)->Commit(FullBatch());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    auto f = (*store)->FinishBulkLoad();
    ASSERT_TRUE(f.has_value()) << f.error().message;
    auto late = (*store)->Commit(FullBatch());
    ASSERT_FALSE(late.has_value()) << "after the load, writes go through a Store";
    EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  }
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  ASSERT_EQ(sink.orgs.size(), 2u);
  ExpectSameOrg(sink.orgs[0], OrgA());
  ExpectSameOrg(sink.orgs[1], OrgB());
  ASSERT_EQ(sink.districts.size(), 2u);
  ExpectSameDistrict(sink.districts[0], DistrictA1());
  ExpectSameDistrict(sink.districts[1], DistrictA2());
  ASSERT_EQ(sink.persons.size(), 2u);
  ExpectSamePerson(sink.persons[0], PersonP());
  ExpectSamePerson(sink.persons[1], PersonQ());
  ASSERT_EQ(sink.attachments.size(), 2u);
  domain::Attachment one = AttachmentOne();
  one.to = Date::Ymd(2026, 1, 1);  // the PeriodChange cut it short
  one.end = domain::PeriodEnd::kSuperseded;
  ExpectSameAttachment(sink.attachments[0], one);
  ExpectSameAttachment(sink.attachments[1], AttachmentTwo());
  ASSERT_EQ(sink.decided.size(), 2u);
  ExpectSameDecided(sink.decided[0], Approved());
  ExpectSameDecided(sink.decided[1], Refused());
  EXPECT_EQ(CountsOf(*store).audit, 3);
  // Crash-safe and writable as usual afterwards.
  WriteBatch b;
  b.mutations.push_back(Audit("ORG-A", 5));
  ASSERT_TRUE(store->Commit(b).has_value());
  EXPECT_EQ(CountsOf(*store).audit, 4);
}

TYPED_TEST(StoreConformance, ABulkLoadRefusesARegistry) {
  {
    auto store = this->Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  auto bulk = OpenStoreForBulkLoad(this->backend_.location());
  ASSERT_FALSE(bulk.has_value());
  EXPECT_EQ(bulk.error().code, ErrorCode::kFailedPrecondition) << bulk.error().message;
  auto store = this->Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountsOf(*store).persons, 2);  // untouched
}

}  // namespace
}  // namespace emkhana::storage
