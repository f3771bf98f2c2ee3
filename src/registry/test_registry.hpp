// Test-only helpers for registry/ tests: a temporary SQLite file that cleans up after itself, a
// fixture that builds small worlds on a real Registry, and invariant checks over PeriodsOf
// (no two live periods of a person cover the same date; maintained panels equal a recount).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "domain/model.hpp"
#include "policy/policy_loader.hpp"
#include "registry/registry.hpp"
#include "storage/store.hpp"

namespace emkhana::registry::testing {

using domain::Basis;
using domain::Channel;
using domain::Date;
using domain::DistrictKind;
using domain::Iin;
using domain::Outcome;

inline Date D(int y, unsigned m, unsigned d) { return Date::Ymd(y, m, d); }

// The n-th (0-based) valid IIN of the form 8503053SSSSC; increasing with n.
inline Iin TestIin(int n) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  static int serial = 0;
  static std::vector<Iin> cache;
  for (; static_cast<int>(cache.size()) <= n; ++serial) {
    const std::string first11 = fmt::format("8503053{:04d}", serial);
    if (auto check = Iin::CheckDigit(first11)) {
      cache.push_back(*Iin::Parse(first11 + static_cast<char>('0' + *check)));
    }
  }
  return cache[static_cast<std::size_t>(n)];
}

// A fresh SQLite file path under the temporary directory, removed (with -wal/-shm) at the end.
class TempDb {
 public:
  TempDb() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "emkhana_h2_";
    if (info) name += std::string(info->test_suite_name()) + "_" + info->name();
    for (auto& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    path_ = (std::filesystem::temp_directory_path() /
             (name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".db"))
                .string();
    Remove();
  }
  ~TempDb() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix, ec);
    }
  }
  std::string path_;
};

// Builds small worlds on a real registry. By default over ":memory:".
class RegistryFixture : public ::testing::Test {
 protected:
  void SetUp() override { OpenAt(":memory:"); }

  void OpenAt(const std::string& location) {
    reg_.reset();
    store_ = storage::OpenStore(location).value();
    reg_ = Registry::Open(*store_, clock_, policy::DefaultPolicy()).value();
  }

  void Org(const std::string& id, const std::string& ate) {
    domain::Organisation o;
    o.id = id;
    o.ate = ate;
    ASSERT_TRUE(reg_->PutOrganisation(o, {}));
  }
  void District(const std::string& id, const std::string& org, DistrictKind kind,
                std::optional<int> capacity, int doctors = 1) {
    domain::District d;
    d.id = id;
    d.org = org;
    d.kind = kind;
    d.capacity = capacity;
    d.doctors = doctors;
    ASSERT_TRUE(reg_->PutDistrict(d, {}));
  }
  // A citizen registered and living in `ate` (residence may differ).
  domain::Person MakePerson(int n, Date birth, const std::string& registration = "A1",
                            const std::string& residence = "") {
    domain::Person p;
    p.iin = TestIin(n);
    p.birth = birth;
    p.ate[static_cast<int>(domain::AteRole::kRegistration)] = registration;
    p.ate[static_cast<int>(domain::AteRole::kResidence)] =
        residence.empty() ? registration : residence;
    return p;
  }
  void Put(domain::Person p) {
    known_.insert(p.iin);
    ASSERT_TRUE(reg_->PutPerson(std::move(p), {}));
  }
  void Person(int n, Date birth = D(1985, 3, 5), const std::string& registration = "A1",
              const std::string& residence = "") {
    Put(MakePerson(n, birth, registration, residence));
  }
  void Import(int n, const std::string& district, Date from) {
    ASSERT_TRUE(reg_->ImportAttachment(TestIin(n), district, from, {}));
  }

  static domain::Application App(int n, const std::string& org, Date date,
                                 Basis basis = Basis::kFirstAttachment,
                                 std::optional<std::string> district = std::nullopt) {
    static int seq = 0;
    domain::Application a;
    a.id = "APP-" + std::to_string(++seq);
    a.date = date;
    a.iin = TestIin(n).ToString();
    a.org = org;
    a.basis = basis;
    a.channel = Channel::kEgov;
    a.district = std::move(district);
    return a;
  }
  domain::Decision Apply(int n, const std::string& org, Date date,
                         Basis basis = Basis::kFirstAttachment,
                         std::optional<std::string> district = std::nullopt) {
    return reg_->Decide(App(n, org, date, basis, std::move(district)), {});
  }
  static std::vector<std::string> Names(const domain::Decision& d) {
    std::vector<std::string> out;
    for (auto r : d.reasons) out.emplace_back(domain::NameOf(r));
    return out;
  }
  // "ORG/DISTRICT" on `day`, or "-" when unattached.
  std::string Where(int n, Date day) const { return Where(*reg_, TestIin(n), day); }
  static std::string Where(const Registry& reg, const Iin& iin, Date day) {
    const auto p = reg.WhereOn(iin, day);
    return p.org.empty() ? "-" : p.org + "/" + p.district;
  }
  int Panel(const std::string& district, Date day) const {
    return reg_->PanelSizeOn(district, day);
  }

  // Invariant 1 and the maintained counts, for every person ever put:
  // - live periods are ordered by `from` and no two cover the same date;
  // - each district's panel on every boundary date equals the number of live periods covering it
  //   (age-outs still to come not counted).
  void ExpectConsistent() const { ExpectConsistent(*reg_, known_); }
  static void ExpectConsistent(const Registry& reg, const std::set<Iin>& persons) {
    std::set<Date> days;
    std::set<std::string> districts;
    std::map<std::pair<std::string, Date>, int> recount;
    std::vector<const domain::Attachment*> all;
    for (const auto& iin : persons) {
      const auto periods = reg.PeriodsOf(iin);
      for (std::size_t i = 0; i < periods.size(); ++i) {
        const auto* a = periods[i];
        EXPECT_FALSE(a->Cancelled());
        EXPECT_EQ(a->iin, iin);
        EXPECT_LE(a->from, a->to) << iin.ToString() << " period " << a->id;
        if (i > 0) {
          EXPECT_LE(periods[i - 1]->from, a->from) << "PeriodsOf not ordered by from";
        }
        for (std::size_t j = i + 1; j < periods.size(); ++j) {
          const auto* b = periods[j];
          const bool overlap = std::max(a->from, b->from) < std::min(a->to, b->to);
          EXPECT_FALSE(overlap) << "person " << iin.ToString()
                                << " has two live periods: " << a->district << " ["
                                << a->from.ToString() << ", " << a->to.ToString() << ") and "
                                << b->district << " [" << b->from.ToString() << ", "
                                << b->to.ToString() << ")";
        }
        days.insert(a->from);
        days.insert(a->from.Prev());
        if (!a->to.IsMax()) {
          days.insert(a->to);
          days.insert(a->to.Prev());
        }
        districts.insert(a->district);
        // A child's age-out still to come holds no place in any panel (ADR 0005).
        const bool planned_age_out = i > 0 && a->from > reg.today() &&
                                     periods[i - 1]->end == domain::PeriodEnd::kAgeOut &&
                                     periods[i - 1]->to == a->from;
        if (!planned_age_out) all.push_back(a);
      }
    }
    for (const auto& district : districts) {
      for (Date day : days) {
        int n = 0;
        for (const auto* a : all) n += a->district == district && a->Covers(day);
        EXPECT_EQ(reg.PanelSizeOn(district, day), n)
            << "panel of " << district << " on " << day.ToString();
      }
    }
  }

  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Registry> reg_;
  std::set<Iin> known_;
};

}  // namespace emkhana::registry::testing
