// The generator's invariants, its determinism, and the maintained statistics and funding against
// brute-force counts over the same database (straight SQL over the rows).
#include "generate/generator.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "campaign/campaign.hpp"
#include "core/clock.hpp"
#include "policy/policy_loader.hpp"
#include "registry/pipeline.hpp"
#include "registry/registry.hpp"
#include "stats/funding.hpp"
#include "stats/report.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace emkhana::generate {
namespace {

using domain::Date;
namespace fs = std::filesystem;

constexpr std::int64_t kPopulation = 30'000;
const Date kAsOf = Date::Ymd(2026, 11, 22);

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / fmt::format("emkhana-gen-{}-{}.db", getpid(), name)).string();
}

struct Generated {
  std::string path;
  GenerateSummary summary;
};

Generated Make(const std::string& name, std::uint64_t seed) {
  Generated g{TempPath(name), {}};
  fs::remove(g.path);
  auto store = storage::sqlite::OpenSqliteStoreForBulkLoad(g.path);
  EXPECT_TRUE(store) << store.error().message;
  auto summary = Generate({kPopulation, seed, kAsOf}, **store, nullptr);
  EXPECT_TRUE(summary) << summary.error().message;
  g.summary = *summary;
  return g;
}

// Rows of a query, each row its columns joined by '|'.
std::vector<std::string> Rows(const std::string& path, const std::string& sql, int columns) {
  auto db = storage::sqlite::Connection::Open(path);
  EXPECT_TRUE(db);
  auto s = db->Prepare(sql);
  EXPECT_TRUE(s) << sql;
  std::vector<std::string> out;
  Error error{ErrorCode::kInternal, ""};
  while (s->Step(&error)) {
    std::string row;
    for (int c = 0; c < columns; ++c) row += (c ? "|" : "") + s->Text(c);
    out.push_back(std::move(row));
  }
  EXPECT_TRUE(error.message.empty()) << error.message;
  return out;
}

std::vector<std::string> Split(const std::string& row) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= row.size(); ++i) {
    if (i == row.size() || row[i] == '|') {
      parts.push_back(row.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { generated_ = new Generated(Make("a", 7)); }
  static void TearDownTestSuite() {
    fs::remove(generated_->path);
    delete generated_;
  }
  static Generated* generated_;
};
Generated* GeneratorTest::generated_ = nullptr;

TEST_F(GeneratorTest, IinsAreValidAndUnique) {
  const auto iins = Rows(generated_->path, "SELECT iin FROM person", 1);
  ASSERT_GT(iins.size(), kPopulation * 99 / 100);
  std::set<std::string> seen;
  for (const auto& iin : iins) {
    EXPECT_TRUE(domain::Iin::Parse(iin)) << iin;
    EXPECT_TRUE(seen.insert(iin).second) << iin;
  }
}

TEST_F(GeneratorTest, ProportionsMatchTheCountry) {
  const auto& s = generated_->summary;
  const double n = static_cast<double>(s.persons);
  EXPECT_NEAR(s.persons, kPopulation, 5);
  EXPECT_NEAR(s.women / n, 10'477'240.0 / 20'495'975.0, 0.015);  // slightly more women
  EXPECT_NEAR(s.children / n, 0.30, 0.02);
  EXPECT_NEAR(s.elderly / n, 0.135, 0.015);
  EXPECT_GE(s.by_status[static_cast<int>(domain::LegalStatus::kCitizen)] / n, 0.97);
  EXPECT_NEAR(s.attached / n, 0.955, 0.015);
  EXPECT_NEAR(s.insured / n, 0.80, 0.06);
  EXPECT_EQ(s.regions, 20);
  EXPECT_GT(s.representatives, s.children);  // most children have one or two parents
  // About a fifth of organisations are private (few organisations at this size: wide bounds).
  EXPECT_GE(s.private_orgs, 1);
  EXPECT_LT(s.private_orgs, s.organisations);
  // Regions in proportion: Almaty city is the largest, Ulytau the smallest.
  const auto by_region = Rows(generated_->path,
                              "SELECT substr(ate_residence, 1, 3), count(*) FROM person "
                              "GROUP BY 1 ORDER BY 2 DESC",
                              2);
  ASSERT_EQ(by_region.size(), 20u);
  EXPECT_EQ(Split(by_region.front())[0], "ALA");
  EXPECT_EQ(Split(by_region.back())[0], "ULY");
  // Men and women in the register add up, and the sex-age structure holds per band.
  const auto women = Rows(generated_->path, "SELECT count(*) FROM person WHERE sex = 'F'", 1);
  EXPECT_EQ(std::stoll(women[0]), s.women);
}

TEST_F(GeneratorTest, EveryAttachmentIsLegal) {
  const auto rows = Rows(
      generated_->path,
      "SELECT a.iin, a.valid_from, ifnull(a.valid_to, ''), a.end_reason, d.kind, o.ate, o.license, "
      "o.contract, p.ate_residence, p.birth, p.status, ifnull(p.insurance_from, ''), "
      "ifnull(p.insurance_until, '') FROM attachment a JOIN district d ON d.id = a.district "
      "JOIN organisation o ON o.id = a.org JOIN person p ON p.iin = a.iin",
      13);
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), generated_->summary.attached);
  for (const auto& row : rows) {
    const auto f = Split(row);
    const Date from = *Date::Parse(f[1]);
    const Date birth = *Date::Parse(f[9]);
    const int age = domain::AgeOn(birth, from);
    SCOPED_TRACE(row);
    EXPECT_LE(from, kAsOf);
    EXPECT_GE(from, birth);
    EXPECT_EQ(f[5], f[8]) << "territory: the organisation is in the residence unit";
    EXPECT_EQ(f[6], "1");
    EXPECT_EQ(f[7], "1") << "an organisation without a contract attaches no one";
    if (f[4] == "pediatrician") {
      EXPECT_LT(age, 18);
      EXPECT_EQ(f[2], domain::Anniversary(birth, 18).ToString());
      EXPECT_EQ(f[3], "age_out");
    } else {
      EXPECT_EQ(f[2], "");
      EXPECT_EQ(f[3], "open");
    }
    if (f[4] == "therapist") {
      EXPECT_GE(age, 18);
    }
    if (f[10] == "temporary" || f[10] == "eaeu_migrant") {
      ASSERT_FALSE(f[11].empty()) << "needs a DMS/VMS policy";
      EXPECT_LE(*Date::Parse(f[11]), from);
      EXPECT_GE(*Date::Parse(f[12]), from);
    }
  }
}

TEST_F(GeneratorTest, NoDistrictOverCapacityExceptThosePlannedSo) {
  const std::set<std::string> over(generated_->summary.over_full_districts.begin(),
                                   generated_->summary.over_full_districts.end());
  const auto rows = Rows(generated_->path,
                         "SELECT d.id, d.kind, d.doctors, count(a.id) FROM district d LEFT JOIN "
                         "attachment a ON a.district = d.id GROUP BY d.id",
                         4);
  const auto norms = policy::DefaultPolicy().NormsOn(kAsOf);
  int within = 0;
  for (const auto& row : rows) {
    const auto f = Split(row);
    const int capacity =
        norms.For(*domain::ParseEnum<domain::DistrictKind>(f[1])) * std::stoi(f[2]);
    const int panel = std::stoi(f[3]);
    if (!over.contains(f[0])) {
      EXPECT_LE(panel, capacity) << row;
      ++within;
    }
  }
  EXPECT_GT(within, 0);
}

TEST(GeneratorDeterminism, SameSeedSameRegistryOtherSeedOther) {
  const auto a = Make("d1", 42), b = Make("d2", 42), c = Make("d3", 43);
  const std::string persons = "SELECT * FROM person ORDER BY iin";
  const std::string periods = "SELECT * FROM attachment ORDER BY id";
  const std::string reps = "SELECT * FROM representative ORDER BY iin, representative";
  EXPECT_EQ(Rows(a.path, persons, 23), Rows(b.path, persons, 23));
  EXPECT_EQ(Rows(a.path, periods, 9), Rows(b.path, periods, 9));
  EXPECT_EQ(Rows(a.path, reps, 2), Rows(b.path, reps, 2));
  EXPECT_NE(Rows(a.path, persons, 23), Rows(c.path, persons, 23));
  for (const auto* g : {&a, &b, &c}) fs::remove(g->path);
}

// ---------------------------------------------------------------- statistics and funding

struct BruteForce {
  std::int64_t population = 0, attached = 0;
  std::map<std::string, std::int64_t> attached_by_org, attached_by_region, population_by_region;
  std::map<std::pair<int, int>, std::int64_t> attached_by_sex_band;  // (sex, 5-year band)
  std::map<std::string, double> funding_by_org;
};

// Straight from the rows: who is alive and attached on `day`, ages on the first of its month.
BruteForce Count(const std::string& path, Date day) {
  BruteForce b;
  const Date month = Date::Ymd(day.year(), day.month(), 1);
  const auto& table = stats::IllustrativeFundingTable();
  std::map<std::string, std::pair<std::string, std::string>> person;  // iin -> (sex|birth, region)
  for (const auto& row : Rows(path,
                              "SELECT iin, sex, birth, ifnull(ate_residence, ate_registration), "
                              "ifnull(deceased, '9999-12-31') FROM person",
                              5)) {
    const auto f = Split(row);
    if (*Date::Parse(f[4]) <= day) continue;
    const auto region = std::string(domain::RegionOfAte(f[3]));
    ++b.population;
    ++b.population_by_region[region];
    person[f[0]] = {f[1] + "|" + f[2], region};
  }
  for (const auto& row : Rows(path,
                              "SELECT iin, org, valid_from, ifnull(valid_to, '9999-12-31') FROM "
                              "attachment WHERE end_reason != 'cancelled'",
                              4)) {
    const auto f = Split(row);
    if (!(*Date::Parse(f[2]) <= day && day < *Date::Parse(f[3]))) continue;
    auto it = person.find(f[0]);
    if (it == person.end()) continue;
    const auto facts = Split(it->second.first);
    const auto sex = facts[0] == "M" ? domain::Sex::kMale : domain::Sex::kFemale;
    const int age = std::max(0, domain::AgeOn(*Date::Parse(facts[1]), month));
    ++b.attached;
    ++b.attached_by_org[f[1]];
    ++b.attached_by_region[it->second.second];
    ++b.attached_by_sex_band[{static_cast<int>(sex), std::min(age / 5, 17)}];
    b.funding_by_org[f[1]] += table.base_rate_per_year / 12 * table.Coefficient(sex, age);
  }
  return b;
}

// The stored snapshot, unpacked into memory (as a server holds it) or walked as stored (as
// `stats` and `funding` answer).
stats::Snapshot StoredSnapshot(const std::string& path,
                               stats::Decode how = stats::Decode::kInMemory) {
  auto store = storage::OpenStore(path);
  EXPECT_TRUE(store);
  auto stored = (*store)->LoadStats();
  EXPECT_TRUE(stored && *stored && !(*stored)->stale);
  auto s = stats::DecodeSnapshot((*stored)->header, (*stored)->entries, how);
  EXPECT_TRUE(s) << s.error().message;
  return *s;
}

void ExpectEqual(const stats::Snapshot& snapshot, const BruteForce& b, Date day) {
  auto r = stats::Summarise(snapshot, day);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->population.total(), b.population);
  EXPECT_EQ(r->attached.total(), b.attached);
  for (const auto& org : r->orgs) {
    EXPECT_EQ(org.attached.total(),
              b.attached_by_org.contains(org.id) ? b.attached_by_org.at(org.id) : 0)
        << org.id;
  }
  for (const auto& region : r->regions) {
    EXPECT_EQ(region.attached, b.attached_by_region.at(region.region)) << region.region;
    EXPECT_EQ(region.population, b.population_by_region.at(region.region)) << region.region;
  }
  // A region's own view counts its people and its organisations, and equals the brute force.
  for (const auto& region : r->regions) {
    auto view = stats::Summarise(snapshot, day, region.region);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->attached.total(), b.attached_by_region.at(region.region)) << region.region;
    EXPECT_EQ(view->population.total(), b.population_by_region.at(region.region));
    ASSERT_EQ(view->regions.size(), 1u);
    for (const auto& org : view->orgs) {
      EXPECT_EQ(org.region, region.region);
      EXPECT_EQ(org.attached.total(),
                b.attached_by_org.contains(org.id) ? b.attached_by_org.at(org.id) : 0);
    }
  }
  for (int band = 0; band < stats::kFiveYearBands; ++band) {
    for (int sex = 0; sex < 2; ++sex) {
      const auto key = std::make_pair(sex, band);
      const auto expected =
          b.attached_by_sex_band.contains(key) ? b.attached_by_sex_band.at(key) : 0;
      const auto& got = r->attached_pyramid[band];
      EXPECT_EQ(sex == 0 ? got.men : got.women, expected) << "band " << band << " sex " << sex;
    }
  }
  if (day.day() == 1) {
    auto f = stats::ComputeFunding(snapshot, stats::IllustrativeFundingTable(), day.year(),
                                   static_cast<int>(day.month()));
    ASSERT_TRUE(f) << f.error().message;
    double total = 0;
    for (const auto& org : f->orgs) {
      const double expected = b.funding_by_org.contains(org.id) ? b.funding_by_org.at(org.id) : 0;
      EXPECT_NEAR(org.amount, expected, 1e-6 * std::max(1.0, expected)) << org.id;
      total += expected;
    }
    EXPECT_NEAR(f->total.amount, total, 1e-6 * total);
    if (f->explained) {
      // The explanation adds up: joins + leaves + deaths + age effect = the change.
      const auto& t = f->total;
      EXPECT_NEAR(t.amount - t.amount_before,
                  t.joins_amount + t.leaves_amount + t.deaths_amount + t.age_effect,
                  1e-6 * t.amount);
    }
  }
}

TEST_F(GeneratorTest, StatisticsAndFundingEqualABruteForceCount) {
  for (auto how : {stats::Decode::kInMemory, stats::Decode::kPacked}) {
    SCOPED_TRACE(how == stats::Decode::kPacked ? "packed" : "in memory");
    const auto snapshot = StoredSnapshot(generated_->path, how);
    EXPECT_EQ(snapshot.packed.empty(), how == stats::Decode::kInMemory);
    for (Date day : {Date::Ymd(2026, 10, 1), kAsOf, Date::Ymd(2026, 12, 1), Date::Ymd(2027, 3, 1),
                     Date::Ymd(2028, 12, 31)}) {
      SCOPED_TRACE(day.ToString());
      ExpectEqual(snapshot, Count(generated_->path, day), day);
    }
    // Outside the maintained window the answer is a recount, never a wrong number.
    EXPECT_FALSE(stats::Summarise(snapshot, Date::Ymd(2029, 1, 1)));
    EXPECT_FALSE(stats::Summarise(snapshot, Date::Ymd(2026, 9, 30)));
  }
}

// Both forms of one snapshot give the same answers to the last field, and damaged packed
// entries give an error, never numbers.
void ExpectSameAnswers(const std::string& path, std::initializer_list<Date> days) {
  const auto memory = StoredSnapshot(path, stats::Decode::kInMemory);
  auto packed = StoredSnapshot(path, stats::Decode::kPacked);
  for (Date day : days) {
    SCOPED_TRACE(day.ToString());
    for (std::string region : {"", "ALA"}) {
      auto a = stats::Summarise(memory, day, region), b = stats::Summarise(packed, day, region);
      ASSERT_TRUE(a && b);
      EXPECT_EQ(stats::ToJson(*a), stats::ToJson(*b)) << region;
    }
    auto a = stats::ComputeFunding(memory, stats::IllustrativeFundingTable(), day.year(),
                                   static_cast<int>(day.month()));
    auto b = stats::ComputeFunding(packed, stats::IllustrativeFundingTable(), day.year(),
                                   static_cast<int>(day.month()));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(stats::ToJson(*a), stats::ToJson(*b));
  }
  packed.packed.resize(packed.packed.size() - 1);
  EXPECT_FALSE(stats::Summarise(packed, *days.begin()));
  packed.packed.push_back('\x80');  // a varint that never ends
  EXPECT_FALSE(stats::Summarise(packed, *days.begin()));
}

TEST_F(GeneratorTest, PackedAndUnpackedSnapshotsGiveTheSameAnswers) {
  ExpectSameAnswers(generated_->path, {kAsOf, Date::Ymd(2026, 12, 1), Date::Ymd(2027, 1, 1)});
}

TEST(StatisticsAfterACampaign, StayEqualToABruteForceCount) {
  auto g = Make("campaign", 9);
  {
    auto store = storage::OpenStore(g.path);
    ASSERT_TRUE(store);
    ManualClock clock(1'800'000'000'000'000);
    auto reg = registry::Registry::Open(**store, clock, policy::DefaultPolicy());
    ASSERT_TRUE(reg) << reg.error().message;
    const auto apps = campaign::MakeApplications(**reg, {3'000, 5, 2027});
    {
      registry::DecisionPipeline pipeline(**reg);
      std::vector<std::future<Result<domain::Decision>>> done;
      for (const auto& a : apps) done.push_back(pipeline.Submit(a));
      for (auto& f : done) ASSERT_TRUE(f.get());
    }
    // Two deaths: they end attachments and show in the funding explanation.
    ASSERT_TRUE((*reg)->RecordDeath((*reg)->PersonIinAt(10), Date::Ymd(2027, 12, 15), {}));
    ASSERT_TRUE((*reg)->RecordDeath((*reg)->PersonIinAt(20), Date::Ymd(2027, 12, 20), {}));
    ASSERT_TRUE((*reg)->Checkpoint());
    // The live cube and the stored snapshot agree on what they say.
    auto live = stats::Summarise((*reg)->Snapshot(), Date::Ymd(2028, 1, 1));
    ASSERT_TRUE(live);
    EXPECT_GT(live->attached.total(), 0);
  }
  ExpectSameAnswers(g.path, {Date::Ymd(2027, 11, 2), Date::Ymd(2028, 1, 1)});
  const auto snapshot = StoredSnapshot(g.path, stats::Decode::kPacked);
  for (Date day : {Date::Ymd(2027, 10, 1), Date::Ymd(2027, 12, 31), Date::Ymd(2028, 1, 1),
                   Date::Ymd(2028, 2, 1)}) {
    SCOPED_TRACE(day.ToString());
    ExpectEqual(snapshot, Count(g.path, day), day);
  }
  auto report = stats::Summarise(snapshot, Date::Ymd(2027, 11, 2));
  ASSERT_TRUE(report);
  std::int64_t refusals = 0, pending = 0;
  for (const auto& [reason, channels] : report->refusals) {
    for (const auto& [channel, n] : channels) refusals += n;
  }
  for (const auto& org : report->orgs) pending += org.pending_in;
  EXPECT_GT(refusals, 0);
  EXPECT_GT(pending, 0) << "free choices take effect on 1 January";
  auto funding = stats::ComputeFunding(snapshot, stats::IllustrativeFundingTable(), 2028, 1);
  ASSERT_TRUE(funding);
  EXPECT_TRUE(funding->explained);
  EXPECT_EQ(funding->total.deaths, 2);
  fs::remove(g.path);
}

}  // namespace
}  // namespace emkhana::generate
