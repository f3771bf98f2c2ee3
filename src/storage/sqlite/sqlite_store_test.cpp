#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace emkhana::storage {
namespace {

using domain::Date;
using domain::Iin;

Iin I(const char* text) {
  auto iin = Iin::Parse(text);
  EXPECT_TRUE(iin.has_value()) << text;
  return iin.value_or(Iin{});
}

// --- Sample data: one of each mutation. ---

domain::Organization OrgA() {
  domain::Organization o;
  o.id = "ORG-A";
  o.ate = "751110000";
  o.name = "Городская поликлиника №1";
  o.license = true;
  o.contract = true;
  o.is_private = true;
  o.rural = false;
  o.latitude = 43.2389;
  o.longitude = 76.8897;
  return o;
}

domain::Organization OrgB() {
  domain::Organization o;
  o.id = "ORG-B";
  o.ate = "751110000";
  o.name = "Emkhana B";
  o.license = false;
  o.contract = true;
  o.is_private = false;
  o.rural = true;
  o.closed_on = Date::Ymd(2025, 12, 1);
  o.successor = "ORG-A";
  return o;
}

domain::District DistrictA1() {
  domain::District d;
  d.id = "ORG-A-1";
  d.org = "ORG-A";
  d.kind = domain::DistrictKind::kTherapist;
  d.doctors = 2;
  d.capacity = 3000;
  return d;
}

domain::District DistrictA2() {
  domain::District d;
  d.id = "ORG-A-2";
  d.org = "ORG-A";
  d.kind = domain::DistrictKind::kPediatrician;
  d.doctors = 1;  // capacity from the norm
  return d;
}

domain::Person PersonP() {
  domain::Person p;
  p.iin = I("850305301578");
  p.birth = Date::Ymd(1985, 3, 5);
  p.sex = domain::Sex::kFemale;
  p.status = domain::LegalStatus::kTemporary;
  p.name = "Айгерим Нурланова";
  p.ate[static_cast<int>(domain::AteRole::kRegistration)] = "751110000";
  p.ate[static_cast<int>(domain::AteRole::kResidence)] = "751110000";
  p.ate[static_cast<int>(domain::AteRole::kWork)] = "711210000";
  p.categories.Add(domain::Category::kPregnant);
  p.categories.Add(domain::Category::kStudent);
  p.insurance = domain::Insurance{domain::InsuranceKind::kVms, Date::Ymd(2025, 1, 1),
                                  Date::Ymd(2025, 12, 31)};
  p.representatives = {I("900115301001"), I("950612310202")};  // sorted by IIN
  return p;
}

domain::Person PersonQ() {
  domain::Person p;
  p.iin = I("900115301001");
  p.birth = Date::Ymd(1990, 1, 15);
  p.deceased = Date::Ymd(2025, 7, 1);
  return p;
}

domain::Attachment AttachmentOne() {
  domain::Attachment a;
  a.id = 1;
  a.iin = I("850305301578");
  a.org = "ORG-A";
  a.district = "ORG-A-1";
  a.from = Date::Ymd(2024, 2, 1);
  a.to = Date::Max();
  a.end = domain::PeriodEnd::kOpen;
  a.application_id = "APP-1";
  a.recorded_at = 1'700'000'000'000'000;
  return a;
}

domain::Attachment AttachmentTwo() {
  domain::Attachment a;
  a.id = 2;
  a.iin = I("850305301578");
  a.org = "ORG-A";
  a.district = "ORG-A-2";
  a.from = Date::Ymd(2026, 1, 1);
  a.recorded_at = 1'700'000'000'000'002;
  return a;
}

PeriodChange ChangeOne() {
  return PeriodChange{1, Date::Ymd(2026, 1, 1), domain::PeriodEnd::kSuperseded,
                      1'700'000'000'000'001};
}

DecidedApplication Approved() {
  DecidedApplication d;
  auto& a = d.application;
  a.id = "APP-1";
  a.date = Date::Ymd(2025, 10, 25);
  a.iin = "850305301578";
  a.applicant = "900115301001";
  a.org = "ORG-A";
  a.district = "ORG-A-1";
  a.channel = domain::Channel::kClinicPaper;
  a.basis = domain::Basis::kFreeChoice;
  a.consent = true;
  a.documents.Add(domain::Document::kResidenceProof);
  a.documents.Add(domain::Document::kConsentOfFamilyMember);
  a.declared_birth = Date::Ymd(1985, 3, 5);
  a.declared_sex = domain::Sex::kFemale;
  auto& dec = d.decision;
  dec.application_id = "APP-1";
  dec.outcome = domain::Outcome::kApproved;
  dec.org = "ORG-A";
  dec.district = "ORG-A-1";
  dec.effective = Date::Ymd(2026, 1, 1);
  dec.decide_by = Date::Ymd(2025, 10, 28);
  dec.policy_version = "kz-2025.05.12";
  dec.free_choice_change = true;
  d.recorded_at = 1'761'350'400'000'000;
  return d;
}

DecidedApplication Refused() {
  DecidedApplication d;
  auto& a = d.application;
  a.id = "APP-2";
  a.date = Date::Ymd(2025, 10, 26);
  a.iin = "85030530157";  // malformed, as submitted
  a.org = "ORG-B";
  a.channel = domain::Channel::kMobile;
  a.basis = domain::Basis::kResidenceChange;
  a.consent = false;
  auto& dec = d.decision;
  dec.application_id = "APP-2";
  dec.outcome = domain::Outcome::kRefused;
  dec.reasons = {domain::Reason::kCapacityExceeded, domain::Reason::kNoConsent};
  dec.decide_by = Date::Ymd(2025, 10, 28);
  dec.alternatives = {"ORG-A", "ORG-C"};
  dec.policy_version = "kz-2025.05.12+what-if";
  d.recorded_at = 1'761'436'800'000'000;
  return d;
}

AuditEntry Audit(std::string subject, std::int64_t at) {
  return AuditEntry{at,         "900115301001", "egov", "application.decided", std::move(subject),
                    "approved", "kz-2025.05.12"};
}

WriteBatch FullBatch() {
  WriteBatch b;
  b.mutations.push_back(PolicyVersion{"kz-2025.05.12", "{\"version\":\"kz-2025.05.12\"}"});
  b.mutations.push_back(OrgA());
  b.mutations.push_back(OrgB());
  b.mutations.push_back(DistrictA1());
  b.mutations.push_back(DistrictA2());
  b.mutations.push_back(PersonP());
  b.mutations.push_back(PersonQ());
  b.mutations.push_back(AttachmentOne());
  b.mutations.push_back(ChangeOne());
  b.mutations.push_back(AttachmentTwo());
  b.mutations.push_back(Approved());
  b.mutations.push_back(Refused());
  b.mutations.push_back(Audit("APP-1", 10));
  b.mutations.push_back(Audit("APP-1", 11));
  b.mutations.push_back(Audit("APP-2", 12));
  return b;
}

// Records everything a Load streams.
class RecordingSink : public LoadSink {
 public:
  void OnPolicy(const PolicyVersion& p) override { policies.push_back(p); }
  void OnOrganization(domain::Organization o) override { orgs.push_back(std::move(o)); }
  void OnDistrict(domain::District d) override { districts.push_back(std::move(d)); }
  void OnPerson(domain::Person p) override { persons.push_back(std::move(p)); }
  void OnAttachment(domain::Attachment a) override { attachments.push_back(std::move(a)); }
  void OnDecided(DecidedApplication d) override { decided.push_back(std::move(d)); }

  std::vector<PolicyVersion> policies;
  std::vector<domain::Organization> orgs;
  std::vector<domain::District> districts;
  std::vector<domain::Person> persons;
  std::vector<domain::Attachment> attachments;
  std::vector<DecidedApplication> decided;
};

void ExpectSameOrg(const domain::Organization& a, const domain::Organization& b) {
  SCOPED_TRACE("organization " + b.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.ate, b.ate);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.license, b.license);
  EXPECT_EQ(a.contract, b.contract);
  EXPECT_EQ(a.is_private, b.is_private);
  EXPECT_EQ(a.rural, b.rural);
  EXPECT_EQ(a.latitude, b.latitude);
  EXPECT_EQ(a.longitude, b.longitude);
  EXPECT_EQ(a.closed_on, b.closed_on);
  EXPECT_EQ(a.successor, b.successor);
}

void ExpectSameDistrict(const domain::District& a, const domain::District& b) {
  SCOPED_TRACE("district " + b.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.org, b.org);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.doctors, b.doctors);
  EXPECT_EQ(a.capacity, b.capacity);
}

void ExpectSamePerson(const domain::Person& a, const domain::Person& b) {
  SCOPED_TRACE("person " + b.iin.Masked());
  EXPECT_EQ(a.iin, b.iin);
  EXPECT_EQ(a.birth, b.birth);
  EXPECT_EQ(a.sex, b.sex);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.name, b.name);
  for (int i = 0; i < domain::kAteRoleCount; ++i) EXPECT_EQ(a.ate[i], b.ate[i]) << "ate " << i;
  EXPECT_EQ(a.categories, b.categories);
  ASSERT_EQ(a.insurance.has_value(), b.insurance.has_value());
  if (a.insurance) {
    EXPECT_EQ(a.insurance->kind, b.insurance->kind);
    EXPECT_EQ(a.insurance->from, b.insurance->from);
    EXPECT_EQ(a.insurance->until, b.insurance->until);
  }
  EXPECT_EQ(a.representatives, b.representatives);
  EXPECT_EQ(a.deceased, b.deceased);
}

void ExpectSameAttachment(const domain::Attachment& a, const domain::Attachment& b) {
  SCOPED_TRACE("attachment " + std::to_string(b.id));
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.iin, b.iin);
  EXPECT_EQ(a.org, b.org);
  EXPECT_EQ(a.district, b.district);
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.application_id, b.application_id);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
}

void ExpectSameDecided(const DecidedApplication& x, const DecidedApplication& y) {
  SCOPED_TRACE("application " + y.application.id);
  const auto& a = x.application;
  const auto& b = y.application;
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.date, b.date);
  EXPECT_EQ(a.iin, b.iin);
  EXPECT_EQ(a.applicant, b.applicant);
  EXPECT_EQ(a.org, b.org);
  EXPECT_EQ(a.district, b.district);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.basis, b.basis);
  EXPECT_EQ(a.consent, b.consent);
  EXPECT_EQ(a.documents, b.documents);
  EXPECT_EQ(a.declared_birth, b.declared_birth);
  EXPECT_EQ(a.declared_sex, b.declared_sex);
  const auto& c = x.decision;
  const auto& d = y.decision;
  EXPECT_EQ(c.application_id, d.application_id);
  EXPECT_EQ(c.outcome, d.outcome);
  EXPECT_EQ(c.reasons, d.reasons);
  EXPECT_EQ(c.org, d.org);
  EXPECT_EQ(c.district, d.district);
  EXPECT_EQ(c.effective, d.effective);
  EXPECT_EQ(c.decide_by, d.decide_by);
  EXPECT_EQ(c.alternatives, d.alternatives);
  EXPECT_EQ(c.policy_version, d.policy_version);
  EXPECT_EQ(c.free_choice_change, d.free_choice_change);
  EXPECT_EQ(x.recorded_at, y.recorded_at);
}

bool SameCounts(const StoreCounts& a, const StoreCounts& b) {
  return a.organizations == b.organizations && a.districts == b.districts &&
         a.persons == b.persons && a.attachments == b.attachments &&
         a.attachment_history == b.attachment_history && a.applications == b.applications &&
         a.audit == b.audit;
}

std::string Describe(const StoreCounts& c) {
  return "orgs=" + std::to_string(c.organizations) + " districts=" + std::to_string(c.districts) +
         " persons=" + std::to_string(c.persons) + " attachments=" + std::to_string(c.attachments) +
         " history=" + std::to_string(c.attachment_history) +
         " applications=" + std::to_string(c.applications) + " audit=" + std::to_string(c.audit);
}

StoreCounts CountsOf(Store& store) {
  auto c = store.Counts();
  EXPECT_TRUE(c.has_value()) << c.error().message;
  return c.has_value() ? *c : StoreCounts{};
}

// A unique database file under the test temporary directory, removed (with its WAL files)
// afterwards.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("emkhana_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
              "_" + info->name() + ".db"))
                .string();
    RemoveFiles();
  }
  void TearDown() override { RemoveFiles(); }

  void RemoveFiles() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix, ec);
    }
  }

  std::unique_ptr<Store> Open() {
    auto store = OpenStore(path_);
    EXPECT_TRUE(store.has_value()) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  // Runs one SQL statement on the file through the raw sqlite3 API; returns the error text, or
  // "" on success.
  std::string RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "open failed";
      sqlite3_close(db);
      ADD_FAILURE() << "cannot open " << path_ << ": " << msg;
      return msg;
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err ? err : "error");
    sqlite3_free(err);
    sqlite3_close(db);
    return msg;
  }

  std::int64_t RawInt(const std::string& sql) {
    sqlite3* db = nullptr;
    std::int64_t value = -1;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        value = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
  }

  std::string path_;
};

TEST_F(SqliteStoreTest, CommitThenReopenAndLoadGivesEverythingBack) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    auto r = store->Commit(FullBatch());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(store->commits(), 1);
  }
  auto store = Open();
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

TEST_F(SqliteStoreTest, Counts) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(SameCounts(CountsOf(*store), StoreCounts{})) << Describe(CountsOf(*store));
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  StoreCounts c = CountsOf(*store);
  EXPECT_EQ(c.organizations, 2);
  EXPECT_EQ(c.districts, 2);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.attachments, 2);
  EXPECT_EQ(c.attachment_history, 3);  // two insertions and one change
  EXPECT_EQ(c.applications, 2);
  EXPECT_EQ(c.audit, 3);
}

TEST_F(SqliteStoreTest, AuditTrailNewestFirst) {
  auto store = Open();
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
}

TEST_F(SqliteStoreTest, InMemoryStoreWorks) {
  auto opened = OpenStore(":memory:");
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  Store& store = **opened;
  ASSERT_TRUE(store.Commit(FullBatch()).has_value());
  EXPECT_EQ(store.commits(), 1);
  StoreCounts c = CountsOf(store);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.applications, 2);
  RecordingSink sink;
  ASSERT_TRUE(store.Load(sink).has_value());
  ASSERT_EQ(sink.persons.size(), 2u);
  ExpectSamePerson(sink.persons[0], PersonP());
  ASSERT_EQ(sink.decided.size(), 2u);
  ExpectSameDecided(sink.decided[1], Refused());

  // A second in-memory store is a separate, empty database.
  auto other = OpenStore(":memory:");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(CountsOf(**other).persons, 0);
}

TEST_F(SqliteStoreTest, AFailingMutationLeavesNothingOfItsBatch_MissingAttachment) {
  auto store = Open();
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

TEST_F(SqliteStoreTest, AFailingMutationLeavesNothingOfItsBatch_ForeignKey) {
  auto store = Open();
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
  domain::Organization c = OrgA();
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
  store = Open();
  ASSERT_NE(store, nullptr);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  EXPECT_EQ(sink.orgs.size(), 2u);
  EXPECT_EQ(sink.persons.size(), 2u);
  EXPECT_EQ(sink.attachments.size(), 2u);
  EXPECT_TRUE(SameCounts(before, CountsOf(*store)));
}

TEST_F(SqliteStoreTest, ADuplicateApplicationIsRefusedAtomically) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  const StoreCounts before = CountsOf(*store);
  WriteBatch bad;
  bad.mutations.push_back(Audit("APP-1", 100));
  bad.mutations.push_back(Approved());  // APP-1 again: decisions are never overwritten
  ASSERT_FALSE(store->Commit(bad).has_value());
  EXPECT_TRUE(SameCounts(before, CountsOf(*store)));
}

TEST_F(SqliteStoreTest, AuditLogAndDecisionsAreAppendOnly) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  std::string err = RawExec("UPDATE audit_log SET actor = 'someone else'");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "UPDATE audit_log: '" << err << "'";
  err = RawExec("DELETE FROM audit_log");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "DELETE FROM audit_log: '" << err << "'";
  err = RawExec("DELETE FROM application");
  EXPECT_NE(err.find("append-only"), std::string::npos)
      << "DELETE FROM application: '" << err << "'";
  err = RawExec("UPDATE application SET outcome = 'refused' WHERE id = 'APP-1'");
  EXPECT_NE(err.find("append-only"), std::string::npos) << "UPDATE application: '" << err << "'";
  err = RawExec("DELETE FROM attachment_history");
  EXPECT_FALSE(err.empty()) << "DELETE FROM attachment_history succeeded";
  err = RawExec("DELETE FROM attachment");
  EXPECT_FALSE(err.empty()) << "DELETE FROM attachment succeeded";

  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log WHERE actor = 'someone else'"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 2);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment_history"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment"), 2);
}

TEST_F(SqliteStoreTest, ReopeningAMigratedFileWorks) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  EXPECT_EQ(RawInt("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_GE(sqlite::LatestSchemaVersion(), 1);
  for (int i = 0; i < 2; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->commits(), 0);  // counted per open store
    StoreCounts c = CountsOf(*store);
    EXPECT_EQ(c.organizations, 2);
    EXPECT_EQ(c.audit, 3);
  }
  EXPECT_EQ(RawInt("PRAGMA user_version"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(RawInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'person'"),
            1);
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefused) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(RawExec("PRAGMA user_version = 999"), "");
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition) << store.error().message;
}

TEST_F(SqliteStoreTest, CommitsCountsOnlyBatchesThatWroteSomething) {
  auto store = Open();
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

TEST_F(SqliteStoreTest, UpsertsReplaceAndLifecycleMutationsApply) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());

  domain::Person p = PersonP();
  p.name = "Renamed";
  p.insurance.reset();
  p.representatives = {I("950612310202")};
  domain::District d = DistrictA1();
  d.doctors = 3;
  d.capacity.reset();
  WriteBatch b;
  b.mutations.push_back(p);
  b.mutations.push_back(d);
  b.mutations.push_back(PersonDeath{I("850305301578"), Date::Ymd(2025, 11, 2)});
  b.mutations.push_back(OrgClosure{"ORG-A", Date::Ymd(2026, 2, 1), ""});
  ASSERT_TRUE(store->Commit(b).has_value());

  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  ASSERT_EQ(sink.persons.size(), 2u);
  p.deceased = Date::Ymd(2025, 11, 2);
  ExpectSamePerson(sink.persons[0], p);
  ASSERT_EQ(sink.districts.size(), 2u);
  ExpectSameDistrict(sink.districts[0], d);
  ASSERT_EQ(sink.orgs.size(), 2u);
  domain::Organization a = OrgA();
  a.closed_on = Date::Ymd(2026, 2, 1);
  ExpectSameOrg(sink.orgs[0], a);
  StoreCounts c = CountsOf(*store);
  EXPECT_EQ(c.persons, 2);
  EXPECT_EQ(c.districts, 2);
}

}  // namespace
}  // namespace emkhana::storage
