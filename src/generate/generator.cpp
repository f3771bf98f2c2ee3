#include "generate/generator.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "generate/country.hpp"
#include "policy/policy_loader.hpp"
#include "stats/snapshot.hpp"

namespace emkhana::generate {

namespace json = boost::json;
using domain::Date;
using domain::DistrictKind;
using domain::Sex;

namespace {

constexpr std::size_t kBatchMutations = 50'000;
constexpr double kNeverAttached = 0.04;  // newborns not yet attached, people who never applied

// ---------------------------------------------------------------- IINs in order

int CheckDigit(const int d[11]) {
  int r = 0;
  for (int i = 0; i < 11; ++i) r += d[i] * (i + 1);
  r %= 11;
  if (r != 10) return r;
  static constexpr int kW2[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  r = 0;
  for (int i = 0; i < 11; ++i) r += d[i] * kW2[i];
  r %= 11;
  return r == 10 ? -1 : r;
}

// Calls f(iin, birth, sex) for the whole population in increasing IIN order. The number born on
// each day of each sex follows the age model; fractions carry over so the total is N.
template <class F>
void ForEachPerson(const AgeModel& ages, std::int64_t n, Date as_of, F&& f) {
  double carry = 0;
  for (int yy = 0; yy < 100; ++yy) {
    for (unsigned mm = 1; mm <= 12; ++mm) {
      for (unsigned dd = 1; dd <= 31; ++dd) {
        for (int c = 3; c <= 6; ++c) {
          const int year = (c <= 4 ? 1900 : 2000) + yy;
          const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{mm},
                                                std::chrono::day{dd}};
          if (!ymd.ok()) continue;
          const Date birth = Date::Ymd(year, mm, dd);
          if (birth > as_of) continue;
          const int age = domain::AgeOn(birth, as_of);
          if (age >= 100) continue;
          const Sex sex = c % 2 == 1 ? Sex::kMale : Sex::kFemale;
          const double male = ages.male[age];
          carry += static_cast<double>(n) * ages.share[age] / 365.25 *
                   (sex == Sex::kMale ? male : 1 - male);
          auto count = static_cast<int>(carry);
          carry -= count;
          int d[11] = {yy / 10,
                       yy % 10,
                       static_cast<int>(mm / 10),
                       static_cast<int>(mm % 10),
                       static_cast<int>(dd / 10),
                       static_cast<int>(dd % 10),
                       c,
                       0,
                       0,
                       0,
                       0};
          for (int serial = 0; count > 0 && serial < 10'000; ++serial) {
            d[7] = serial / 1000;
            d[8] = serial / 100 % 10;
            d[9] = serial / 10 % 10;
            d[10] = serial % 10;
            const int k = CheckDigit(d);
            if (k < 0) continue;  // no IIN has this prefix
            std::uint64_t iin = 0;
            for (int i = 0; i < 11; ++i) iin = iin * 10 + static_cast<std::uint64_t>(d[i]);
            f(iin * 10 + static_cast<std::uint64_t>(k), birth, sex, age);
            --count;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- names (synthetic)

constexpr const char* kSurnames[] = {
    "Ахметов",  "Беков",   "Жумабаев",   "Касымов",   "Нурланов",   "Сериков",
    "Тулеев",   "Омаров",  "Иванов",     "Петров",    "Алиев",      "Сагинтаев",
    "Исмаилов", "Абенов",  "Кенжебеков", "Смагулов",  "Оспанов",    "Мухамедов",
    "Байжанов", "Ермеков", "Кузнецов",   "Темирбаев", "Жаксылыков", "Бекмуханов"};
constexpr const char* kMen[] = {"Алихан", "Айдос", "Ерлан",    "Нурлан", "Дамир",  "Арман",
                                "Тимур",  "Асхат", "Бауыржан", "Данияр", "Сергей", "Андрей",
                                "Руслан", "Ержан", "Санжар",   "Мейрам"};
constexpr const char* kWomen[] = {"Айгерим", "Асель",  "Динара",   "Жанар", "Камила", "Мадина",
                                  "Сауле",   "Толкын", "Гульнара", "Анна",  "Елена",  "Алия",
                                  "Аружан",  "Дана",   "Меруерт",  "Инкар"};

template <std::size_t N>
const char* Pick(const char* const (&list)[N], Rng& rng) {
  return list[rng.Below(N)];
}

std::string NameOf(Sex sex, Rng& rng) {
  std::string surname = Pick(kSurnames, rng);
  const bool ov = surname.size() > 4 && (surname.ends_with("ов") || surname.ends_with("ев"));
  if (sex == Sex::kFemale && ov) surname += "а";
  return surname + " " + (sex == Sex::kMale ? Pick(kMen, rng) : Pick(kWomen, rng));
}

// ---------------------------------------------------------------- a person

using domain::Category;
using domain::LegalStatus;
using domain::OsmsCategory;
using domain::OsmsPayer;

LegalStatus DrawStatus(Rng& rng) {
  const double x = rng.Real();
  if (x < 0.975) return LegalStatus::kCitizen;
  if (x < 0.985) return LegalStatus::kKandas;
  if (x < 0.993) return LegalStatus::kResident;
  if (x < 0.9955) return LegalStatus::kTemporary;
  if (x < 0.9995) return LegalStatus::kEaeuMigrant;
  return LegalStatus::kRefugee;
}

domain::OsmsStanding DrawOsms(const domain::Person& p, int age, Rng& rng) {
  using S = domain::OsmsStanding;
  const auto& c = p.categories;
  if (p.status == LegalStatus::kTemporary) return {};
  if (p.status == LegalStatus::kEaeuMigrant) {
    return rng.Chance(0.6) ? S{OsmsCategory::kEmployee, OsmsPayer::kEmployer, true} : S{};
  }
  // The state pays for its preferential categories; they are insured.
  if (age < 18) return {OsmsCategory::kChild, OsmsPayer::kState, true};
  if (c.Has(Category::kPensioner)) return {OsmsCategory::kPensioner, OsmsPayer::kState, true};
  if (c.Has(Category::kDisabled)) return {OsmsCategory::kDisabled, OsmsPayer::kState, true};
  if (c.Has(Category::kConscript)) return {OsmsCategory::kConscript, OsmsPayer::kState, true};
  if (c.Has(Category::kConvict)) return {OsmsCategory::kConvict, OsmsPayer::kState, true};
  if (c.Has(Category::kPregnant)) return {OsmsCategory::kChildCareLeave, OsmsPayer::kState, true};
  if (c.Has(Category::kStudent)) return {OsmsCategory::kStudent, OsmsPayer::kState, true};
  const double x = rng.Real();
  if (x < 0.55) return {OsmsCategory::kEmployee, OsmsPayer::kEmployer, rng.Chance(0.97)};
  if (x < 0.60) return {OsmsCategory::kEntrepreneur, OsmsPayer::kSelf, rng.Chance(0.75)};
  if (x < 0.66) return {OsmsCategory::kSelfEmployed, OsmsPayer::kSelf, rng.Chance(0.65)};
  if (x < 0.68) return {OsmsCategory::kSelfPayer, OsmsPayer::kSelf, rng.Chance(0.85)};
  if (x < 0.71) return {OsmsCategory::kUnemployed, OsmsPayer::kState, true};
  if (x < 0.74 && p.sex == Sex::kFemale) {
    return {OsmsCategory::kMotherOfMany, OsmsPayer::kState, true};
  }
  if (x < 0.75) return {OsmsCategory::kOtherPreferential, OsmsPayer::kState, true};
  return {};  // not a participant: GOBMP only
}

struct Pools {
  // IINs of possible parents by unit: women 20-45, men 22-50.
  std::vector<std::vector<std::uint64_t>> mothers, fathers;
};

// Commits batches on its own thread, so that making people (one core) and writing them (the
// other) overlap. At most two batches wait; the store is touched by this thread only until
// Finish returns.
class Writer {
 public:
  explicit Writer(storage::Committer& store) : store_(store), thread_([this] { Run(); }) {}
  ~Writer() { (void)Finish(); }

  template <class T>
  Result<void> Add(T&& mutation) {
    batch_.mutations.emplace_back(std::forward<T>(mutation));
    if (batch_.size() >= kBatchMutations) return Hand();
    return {};
  }

  // Writes what is left and stops the thread; the first error of any commit, if one failed.
  Result<void> Finish() {
    if (!thread_.joinable()) return Status();
    (void)Hand();
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    return Status();
  }

 private:
  Result<void> Status() {
    std::lock_guard lock(mutex_);
    if (error_) return *error_;
    return {};
  }
  Result<void> Hand() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < 2 || error_; });
    if (error_) return *error_;
    if (!batch_.empty()) queue_.push_back(std::move(batch_));
    batch_ = storage::WriteBatch{};
    if (!spare_.empty()) {
      batch_ = std::move(spare_.back());  // keeps its capacity
      spare_.pop_back();
    }
    lock.unlock();
    changed_.notify_all();
    // Freed here, not by the writing thread: that one is the load's bound.
    batch_.mutations.clear();
    batch_.mutations.reserve(kBatchMutations);
    return {};
  }
  void Run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;
      auto batch = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      auto r = error_ ? Result<void>() : store_.Commit(batch);
      lock.lock();
      if (!r && !error_) error_ = r.error();
      spare_.push_back(std::move(batch));
      changed_.notify_all();
    }
  }

  storage::Committer& store_;
  storage::WriteBatch batch_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<storage::WriteBatch> queue_;
  std::vector<storage::WriteBatch> spare_;
  std::optional<Error> error_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts when everything above exists
};

}  // namespace

json::value GenerateSummary::ToJson() const {
  json::object status;
  for (const auto& [s, name] : domain::EnumNames<LegalStatus>::kAll) {
    status[name] = by_status[static_cast<int>(s)];
  }
  json::array over;
  for (const auto& d : over_full_districts) over.emplace_back(d);
  return json::object{{"persons", persons},
                      {"men", men},
                      {"women", women},
                      {"children_0_17", children},
                      {"aged_60_plus", elderly},
                      {"attached", attached},
                      {"representatives", representatives},
                      {"insured", insured},
                      {"status", std::move(status)},
                      {"regions", regions},
                      {"units", units},
                      {"organisations", organisations},
                      {"private_organisations", private_orgs},
                      {"rural_organisations", rural_orgs},
                      {"districts", districts},
                      {"over_full_districts", std::move(over)}};
}

Result<GenerateSummary> Generate(const GenerateOptions& o, storage::BulkLoad& store,
                                 const Progress& progress) {
  const auto& policy = policy::DefaultPolicy();
  auto built = Country::Build(KazakhstanJson(), o.population, o.seed, policy.NormsOn(o.as_of));
  if (!built) return built.error();
  Country& country = *built;
  GenerateSummary sum;
  Writer out(store);
  const std::int64_t recorded_at = 0;  // generated history has no wall-clock time

  // Places.
  sum.regions = static_cast<std::int64_t>(country.regions.size());
  sum.units = static_cast<std::int64_t>(country.units.size());
  for (const auto& plan : country.orgs) {
    ++sum.organisations;
    sum.private_orgs += plan.org.is_private;
    sum.rural_orgs += plan.org.rural;
    if (auto r = out.Add(plan.org); !r) return r.error();
  }
  for (const auto& d : country.districts) {
    ++sum.districts;
    if (d.over_full) sum.over_full_districts.push_back(d.district.id);
    if (auto r = out.Add(d.district); !r) return r.error();
  }

  // Pass 1: possible parents by unit (the unit is a person's first random draw).
  Pools pools;
  pools.mothers.resize(country.units.size());
  pools.fathers.resize(country.units.size());
  ForEachPerson(country.ages, o.population, o.as_of,
                [&](std::uint64_t iin, Date, Sex sex, int age) {
                  if (age < 20 || age > 50) return;
                  if (sex == Sex::kFemale && age > 45) return;
                  Rng rng(o.seed, iin);
                  const auto unit = country.DrawUnit(rng);
                  (sex == Sex::kFemale ? pools.mothers : pools.fathers)[unit].push_back(iin);
                });

  // The statistics, counted as the people are written.
  stats::Snapshot snapshot;
  snapshot.as_of = o.as_of;
  snapshot.cube = stats::Cube::ForReference(o.as_of);
  for (const auto& plan : country.orgs) {
    snapshot.orgs.push_back({plan.org.id, plan.org.name, plan.org.ate,
                             std::string(domain::RegionOfAte(plan.org.ate)), plan.org.rural,
                             plan.org.is_private});
  }
  for (const auto& d : country.districts) {
    snapshot.districts.push_back(
        {d.district.id, d.org, d.district.kind, d.district.doctors, d.district.capacity});
  }
  snapshot.policy_json = policy::PolicyToJson(policy);

  // Pass 2: the people and their attachments.
  std::int64_t attachment_id = 0;
  std::optional<Error> failure;
  const auto& all_units = country.units;
  ForEachPerson(
      country.ages, o.population, o.as_of, [&](std::uint64_t iin, Date birth, Sex sex, int age) {
        if (failure) return;
        Rng rng(o.seed, iin);
        const auto unit = country.DrawUnit(rng);
        domain::Person p;
        p.iin = domain::Iin::FromNumberUnchecked(iin);
        p.birth = birth;
        p.sex = sex;
        p.status = DrawStatus(rng);
        const auto& code = all_units[unit].code;
        p.ate[static_cast<int>(domain::AteRole::kResidence)] = code;
        p.ate[static_cast<int>(domain::AteRole::kRegistration)] =
            rng.Chance(0.9) ? code : all_units[country.DrawNeighbour(unit, rng)].code;
        if (age >= (sex == Sex::kMale ? 63 : 61)) p.categories.Add(Category::kPensioner);
        if (rng.Chance(0.012 + 0.0009 * age)) p.categories.Add(Category::kDisabled);
        if (sex == Sex::kFemale && age >= 18 && age <= 45 && rng.Chance(0.05)) {
          p.categories.Add(Category::kPregnant);
        }
        if (age >= 17 && age <= 23 && rng.Chance(0.35)) p.categories.Add(Category::kStudent);
        if (sex == Sex::kMale && age >= 18 && age <= 24 && rng.Chance(0.02)) {
          p.categories.Add(Category::kConscript);
          p.ate[static_cast<int>(domain::AteRole::kDeployment)] = code;
        }
        if (age >= 18 && rng.Chance(0.0015)) {
          p.categories.Add(Category::kConvict);
          p.ate[static_cast<int>(domain::AteRole::kCustody)] = code;
        }
        const bool needs_policy =
            p.status == LegalStatus::kTemporary || p.status == LegalStatus::kEaeuMigrant;
        if (needs_policy && rng.Chance(0.65)) {
          p.insurance = domain::Insurance{
              rng.Chance(0.8) ? domain::InsuranceKind::kDms : domain::InsuranceKind::kVms,
              Date::FromDays(o.as_of.days() - static_cast<std::int32_t>(rng.Int(30, 300))),
              Date::FromDays(o.as_of.days() + static_cast<std::int32_t>(rng.Int(30, 330)))};
        }
        p.osms = DrawOsms(p, age, rng);
        p.name = NameOf(sex, rng);
        if (age < 18) {
          const auto& mothers = pools.mothers[unit];
          const auto& fathers = pools.fathers[unit];
          if (!mothers.empty()) {
            p.representatives.push_back(
                domain::Iin::FromNumberUnchecked(mothers[rng.Below(mothers.size())]));
          }
          if (!fathers.empty() && rng.Chance(0.7)) {
            p.representatives.push_back(
                domain::Iin::FromNumberUnchecked(fathers[rng.Below(fathers.size())]));
          }
        }

        // Attachment: in an organisation of the residence unit, a district serving the age with
        // quota left (most quota left most likely).
        std::optional<domain::Attachment> attachment;
        std::uint32_t chosen_index = 0;
        const bool eligible = !needs_policy || p.insurance;
        if (eligible && !rng.Chance(kNeverAttached)) {
          const bool child = age < 18;
          std::int64_t total_left = 0;
          for (auto org : all_units[unit].orgs) {
            const auto& plan = country.orgs[org];
            for (auto d : child ? plan.child_districts : plan.adult_districts) {
              total_left += std::max(0, country.districts[d].quota - country.districts[d].attached);
            }
          }
          std::int64_t pick =
              total_left > 0 ? static_cast<std::int64_t>(rng.Below(total_left)) : -1;
          DistrictPlan* chosen = nullptr;
          for (auto org : all_units[unit].orgs) {
            const auto& plan = country.orgs[org];
            for (auto d : child ? plan.child_districts : plan.adult_districts) {
              auto& dp = country.districts[d];
              const int left = std::max(0, dp.quota - dp.attached);
              if (pick >= 0 && pick < left && !chosen) {
                chosen = &dp;
                chosen_index = d;
              }
              pick -= left;
            }
          }
          if (!chosen) {
            // No quota left in the unit: any district serving the age with room under capacity
            // (never one planned over it), most room first.
            int best_room = 0;
            for (auto org : all_units[unit].orgs) {
              const auto& plan = country.orgs[org];
              for (auto d : child ? plan.child_districts : plan.adult_districts) {
                auto& dp = country.districts[d];
                const int room = dp.capacity - dp.attached;
                if (!dp.over_full && room > best_room) {
                  best_room = room;
                  chosen = &dp;
                  chosen_index = d;
                }
              }
            }
          }
          if (chosen) {
            ++chosen->attached;
            domain::Attachment a;
            a.id = ++attachment_id;
            a.iin = p.iin;
            a.org = chosen->district.org;
            a.district = chosen->district.id;
            // Attached some time in the last eight years, on a day the district served the age.
            Date earliest = std::max(birth, Date::FromDays(o.as_of.days() - 8 * 365));
            if (chosen->district.kind == DistrictKind::kTherapist) {
              earliest = std::max(earliest, domain::Anniversary(birth, 18));
            }
            if (p.insurance) earliest = std::max(earliest, p.insurance->from);
            a.from = Date::FromDays(static_cast<std::int32_t>(
                rng.Int(std::min(earliest.days(), o.as_of.days()), o.as_of.days())));
            const Date adult = domain::Anniversary(birth, 18);
            if (chosen->district.kind == DistrictKind::kPediatrician && a.from < adult) {
              a.to = adult;  // the adult part is planned by the registry (ADR 0003)
              a.end = domain::PeriodEnd::kAgeOut;
            }
            a.recorded_at = recorded_at;
            attachment = std::move(a);
          }
        }

        // Counts.
        ++sum.persons;
        (sex == Sex::kMale ? sum.men : sum.women) += 1;
        if (age < 18) ++sum.children;
        if (age >= 60) ++sum.elderly;
        ++sum.by_status[static_cast<int>(p.status)];
        sum.representatives += static_cast<std::int64_t>(p.representatives.size());
        if (p.osms.insured) ++sum.insured;
        stats::PersonFacts facts{snapshot.cube.RegionId(domain::RegionOfAte(code)), sex, birth,
                                 p.osms};
        snapshot.cube.AddPerson(facts, std::nullopt);
        if (attachment) {
          ++sum.attached;
          const auto& a = *attachment;
          snapshot.cube.AddPeriod(facts, country.districts[chosen_index].org, chosen_index, a.from,
                                  a.to, a.end);
        }
        if (auto r = out.Add(std::move(p)); !r) failure = r.error();
        if (attachment) {
          if (auto r = out.Add(std::move(*attachment)); !r) failure = r.error();
        }
        if (progress && sum.persons % 100'000 == 0) progress(sum.persons, o.population);
      });
  if (failure) return *failure;

  // The record of the run, then the policy and the statistics.
  storage::AuditEntry audit;
  audit.at = 0;
  audit.actor = "generator";
  audit.channel = "generate";
  audit.action = "registry.generated";
  audit.subject = "registry";
  audit.detail = fmt::format("synthetic population {} (seed {}, as of {}): {}", o.population,
                             o.seed, o.as_of.ToString(), json::serialize(sum.ToJson()));
  audit.policy_version = policy.version;
  if (auto r = out.Add(std::move(audit)); !r) return r.error();
  if (auto r = out.Add(storage::PolicyVersion{policy.version, snapshot.policy_json}); !r) {
    return r.error();
  }
  if (auto r = out.Finish(); !r) return r.error();
  if (progress) progress(sum.persons, o.population);
  if (auto r = store.FinishBulkLoad(); !r) return r.error();
  if (auto r = store.SaveStats(stats::EncodeHeader(snapshot), stats::EncodeEntries(snapshot.cube));
      !r) {
    return r.error();
  }
  return sum;
}

}  // namespace emkhana::generate
