// Test support for the storage backends (tests only): one sample of every Mutation, a sink that
// records what Load streams, field-by-field comparisons, and the backends under test — each
// makes a fresh, empty store location for one test and removes it afterwards:
// - SqliteBackend: a file under the test temporary directory.
// - PostgresBackend: a new database `t_<pid>_<n>_<random>` on the server named by the
//   environment variable EMKHANA_TEST_PG_URL (dropped at the end); without it the test is
//   skipped (tests/pg/with_postgres.sh provides a throwaway server).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/postgres/pg_conn.hpp"
#include "storage/store.hpp"

namespace emkhana::storage::testing {

using domain::Date;
using domain::Iin;

inline Iin I(const char* text) {
  auto iin = Iin::Parse(text);
  EXPECT_TRUE(iin.has_value()) << text;
  return iin.value_or(Iin{});
}

// --- Sample data: one of each mutation. ---

inline domain::Organisation OrgA() {
  domain::Organisation o;
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

inline domain::Organisation OrgB() {
  domain::Organisation o;
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

inline domain::District DistrictA1() {
  domain::District d;
  d.id = "ORG-A-1";
  d.org = "ORG-A";
  d.kind = domain::DistrictKind::kTherapist;
  d.doctors = 2;
  d.capacity = 3000;
  return d;
}

inline domain::District DistrictA2() {
  domain::District d;
  d.id = "ORG-A-2";
  d.org = "ORG-A";
  d.kind = domain::DistrictKind::kPediatrician;
  d.doctors = 1;  // capacity from the norm
  return d;
}

inline domain::Person PersonP() {
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
  p.osms = {domain::OsmsCategory::kEmployee, domain::OsmsPayer::kEmployer, true};
  return p;
}

inline domain::Person PersonQ() {
  domain::Person p;
  p.iin = I("900115301001");
  p.birth = Date::Ymd(1990, 1, 15);
  p.deceased = Date::Ymd(2025, 7, 1);
  return p;
}

inline domain::Attachment AttachmentOne() {
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

inline domain::Attachment AttachmentTwo() {
  domain::Attachment a;
  a.id = 2;
  a.iin = I("850305301578");
  a.org = "ORG-A";
  a.district = "ORG-A-2";
  a.from = Date::Ymd(2026, 1, 1);
  a.recorded_at = 1'700'000'000'000'002;
  return a;
}

inline PeriodChange ChangeOne() {
  return PeriodChange{1, Date::Ymd(2026, 1, 1), domain::PeriodEnd::kSuperseded,
                      1'700'000'000'000'001};
}

inline DecidedApplication Approved() {
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

inline DecidedApplication Refused() {
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

inline AuditEntry Audit(std::string subject, std::int64_t at) {
  return AuditEntry{at,         "900115301001", "egov", "application.decided", std::move(subject),
                    "approved", "kz-2025.05.12"};
}

inline WriteBatch FullBatch() {
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

// A valid IIN for synthetic person number `n` (born 1980-01-01 + n days, male, checksum fixed).
inline Iin SyntheticIin(int n) {
  const Date birth = Date::FromDays(Date::Ymd(1980, 1, 1).days() + n % 9000);
  for (int serial = n / 9000 * 10;; ++serial) {
    const std::string text = fmt::format("{:02}{:02}{:02}3{:04}", birth.year() % 100, birth.month(),
                                         birth.day(), serial % 10000);
    for (char check = '0'; check <= '9'; ++check) {
      if (auto iin = Iin::Parse(text + check)) return *iin;
    }
  }
}

// --- Recording and comparing what Load streams. ---

class RecordingSink : public LoadSink {
 public:
  void OnPolicy(const PolicyVersion& p) override { policies.push_back(p); }
  void OnOrganisation(domain::Organisation o) override { orgs.push_back(std::move(o)); }
  void OnDistrict(domain::District d) override { districts.push_back(std::move(d)); }
  void OnPerson(domain::Person p) override { persons.push_back(std::move(p)); }
  void OnAttachment(domain::Attachment a) override { attachments.push_back(std::move(a)); }
  void OnDecided(DecidedApplication d) override { decided.push_back(std::move(d)); }
  void OnIdempotencyKey(IdempotencyKey k) override { keys.push_back(std::move(k)); }

  std::vector<IdempotencyKey> keys;
  std::vector<PolicyVersion> policies;
  std::vector<domain::Organisation> orgs;
  std::vector<domain::District> districts;
  std::vector<domain::Person> persons;
  std::vector<domain::Attachment> attachments;
  std::vector<DecidedApplication> decided;
};

// A sink that takes the batches a store has not yet written to its tables (PendingSink) and
// applies them to what it recorded, as the registry applies them to its memory.
class ApplyingSink : public RecordingSink, public PendingSink {
 public:
  void OnPending(WriteBatch batch) override {
    ++pending;
    for (auto& m : batch.mutations) {
      if (auto* a = std::get_if<domain::Attachment>(&m)) {
        attachments.push_back(std::move(*a));
      } else if (const auto* c = std::get_if<PeriodChange>(&m)) {
        for (auto& period : attachments) {
          if (period.id == c->attachment_id) period.to = c->to, period.end = c->end;
        }
      } else if (auto* d = std::get_if<DecidedApplication>(&m)) {
        decided.push_back(std::move(*d));
      } else if (auto* k = std::get_if<IdempotencyKey>(&m)) {
        keys.push_back(std::move(*k));
      }
    }
  }
  int pending = 0;  // batches taken
};

// Loads as the registry does: a store with a journal hands its batches to `sink` as they are.
inline Result<void> LoadTakingPending(Store& store, ApplyingSink& sink) {
  auto* journal = store.journal();
  return journal ? journal->LoadWithPending(sink, sink) : store.Load(sink);
}

inline void ExpectSameOrg(const domain::Organisation& a, const domain::Organisation& b) {
  SCOPED_TRACE("organisation " + b.id);
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

inline void ExpectSameDistrict(const domain::District& a, const domain::District& b) {
  SCOPED_TRACE("district " + b.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.org, b.org);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.doctors, b.doctors);
  EXPECT_EQ(a.capacity, b.capacity);
}

inline void ExpectSamePerson(const domain::Person& a, const domain::Person& b) {
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
  EXPECT_EQ(a.osms, b.osms);
}

inline void ExpectSameAttachment(const domain::Attachment& a, const domain::Attachment& b) {
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

inline void ExpectSameDecided(const DecidedApplication& x, const DecidedApplication& y) {
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

inline bool SameCounts(const StoreCounts& a, const StoreCounts& b) {
  return a.organisations == b.organisations && a.districts == b.districts &&
         a.persons == b.persons && a.attachments == b.attachments &&
         a.attachment_history == b.attachment_history && a.applications == b.applications &&
         a.audit == b.audit;
}

inline std::string Describe(const StoreCounts& c) {
  return "orgs=" + std::to_string(c.organisations) + " districts=" + std::to_string(c.districts) +
         " persons=" + std::to_string(c.persons) + " attachments=" + std::to_string(c.attachments) +
         " history=" + std::to_string(c.attachment_history) +
         " applications=" + std::to_string(c.applications) + " audit=" + std::to_string(c.audit);
}

inline StoreCounts CountsOf(Queries& store) {
  auto c = store.Counts();
  EXPECT_TRUE(c.has_value()) << c.error().message;
  return c.has_value() ? *c : StoreCounts{};
}

// --- Backends. ---

// A unique name for this test: pid, a counter and the test's name.
inline std::string UniqueTestTag() {
  static std::atomic<int> counter{0};
  return std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

class SqliteBackend {
 public:
  static constexpr const char* kName = "Sqlite";

  // "" when the location is ready; otherwise why the test is skipped.
  std::string Create() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("emkhana_store_" + UniqueTestTag() + "_" + info->name() + ".db"))
                .string();
    Destroy();
    return "";
  }
  const std::string& location() const { return path_; }
  const std::string& error() const { return error_; }
  void Destroy() {
    if (path_.empty()) return;
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix, ec);
    }
  }

 private:
  std::string path_, error_;
};

// `url` with its database replaced by `database` (postgresql://user@host:port/DB?params).
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto query = url.find('?', scheme + 3);
  const auto path = url.find('/', scheme + 3);
  const auto end = query == std::string::npos ? url.size() : query;
  if (path == std::string::npos || path > end) {
    return url.substr(0, end) + "/" + database + url.substr(end);
  }
  return url.substr(0, path) + "/" + database + url.substr(end);
}

class PostgresBackend {
 public:
  static constexpr const char* kName = "Postgres";
  static constexpr const char* kUrlVariable = "EMKHANA_TEST_PG_URL";

  std::string Create() {
    const char* url = std::getenv(kUrlVariable);
    if (!url || !*url) {
      return std::string(kUrlVariable) +
             " is not set: no PostgreSQL server to test against (run under "
             "tests/pg/with_postgres.sh, or set it to postgresql://USER@HOST:PORT/DB of a role "
             "that may CREATE DATABASE)";
    }
    admin_url_ = url;
    std::random_device random;
    database_ = fmt::format("t_{}_{:08x}", UniqueTestTag(), random());
    auto admin = postgres::Connection::Open(admin_url_);
    if (!admin) {
      error_ = admin.error().message;
      return "";
    }
    if (auto r = admin->Exec("CREATE DATABASE " + database_); !r) {
      error_ = r.error().message;
      database_.clear();
      return "";
    }
    location_ = WithDatabase(admin_url_, database_);
    return "";
  }
  const std::string& location() const { return location_; }
  const std::string& error() const { return error_; }
  const std::string& database() const { return database_; }
  void Destroy() {
    if (database_.empty()) return;
    auto admin = postgres::Connection::Open(admin_url_);
    ASSERT_TRUE(admin.has_value()) << admin.error().message;
    auto r = admin->Exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    EXPECT_TRUE(r.has_value()) << r.error().message;
    database_.clear();
  }

 private:
  std::string admin_url_, database_, location_, error_;
};

// A test with a fresh, empty store location of `Backend` (skipped when the backend has none)
// and Open() to open a store there.
template <class Backend>
class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string skip = backend_.Create();
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_TRUE(backend_.error().empty()) << backend_.error();
  }
  void TearDown() override { backend_.Destroy(); }

  std::unique_ptr<Store> Open() {
    auto store = OpenStore(backend_.location());
    EXPECT_TRUE(store.has_value()) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  Backend backend_;
};

// A store that passes every call to another: tests override the calls they make fail, log or
// throw. Its journal and change log are the other's (a registry loads and follows through them
// directly).
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}
  Result<void> Commit(const WriteBatch& batch) override { return inner_.Commit(batch); }
  std::int64_t commits() const override { return inner_.commits(); }
  Result<void> Load(LoadSink& sink) override { return inner_.Load(sink); }
  Result<StoreCounts> Counts() override { return inner_.Counts(); }
  Result<std::vector<AuditEntry>> AuditTrail(const std::string& subject, int limit) override {
    return inner_.AuditTrail(subject, limit);
  }
  Result<std::vector<StoredAuditEntry>> AuditPage(std::int64_t after, int limit) override {
    return inner_.AuditPage(after, limit);
  }
  Result<std::optional<DecidedApplication>> FindApplication(const std::string& id) override {
    return inner_.FindApplication(id);
  }
  Result<std::vector<DecidedApplication>> ListApplications(const ApplicationQuery& q) override {
    return inner_.ListApplications(q);
  }
  Result<std::string> PersonName(const std::string& iin) override { return inner_.PersonName(iin); }
  Result<std::vector<std::string>> SamplePersons(std::int64_t n, std::uint64_t seed) override {
    return inner_.SamplePersons(n, seed);
  }
  Result<void> SaveStats(const std::string& header, const std::string& entries) override {
    return inner_.SaveStats(header, entries);
  }
  Result<std::optional<StoredStats>> LoadStats() override { return inner_.LoadStats(); }
  ChangeLog* change_log() override { return inner_.change_log(); }
  Journal* journal() override { return inner_.journal(); }

 protected:
  Store& inner_;
};

}  // namespace emkhana::storage::testing
