// Test-only: a small in-memory RegistryView and a GoogleTest fixture for the rules engine.
//
// FakeView keeps persons, organisations, districts and attachment periods in plain maps; a
// district's panel on a date is the number of live periods covering it plus any "occupancy"
// added with Occupy (other people, not modelled one by one). Capacity is the district's explicit
// capacity, else norm(kind) x doctors under the default policy. Nothing here is used by
// production code.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "domain/calendar.hpp"
#include "domain/model.hpp"
#include "domain/policy.hpp"
#include "policy/policy_loader.hpp"
#include "rules/evaluate.hpp"
#include "rules/facts.hpp"

namespace emkhana::rules::testing {

using domain::AteRole;
using domain::Attachment;
using domain::Basis;
using domain::Category;
using domain::Channel;
using domain::Date;
using domain::District;
using domain::DistrictKind;
using domain::Document;
using domain::Iin;
using domain::InsuranceKind;
using domain::LegalStatus;
using domain::Organisation;
using domain::Person;
using domain::Reason;

inline Date D(int y, unsigned m, unsigned d) { return Date::Ymd(y, m, d); }

// The n-th (0-based) valid IIN of the form 8503053SSSSC: distinct and deterministic.
inline std::string ValidIin(int n) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  static int serial = 0;
  static std::vector<std::string> cache;
  for (; static_cast<int>(cache.size()) <= n; ++serial) {
    const std::string first11 = fmt::format("8503053{:04d}", serial);
    if (auto check = Iin::CheckDigit(first11)) {
      cache.push_back(first11 + static_cast<char>('0' + *check));
    }
  }
  return cache[static_cast<std::size_t>(n)];
}

// A 12-digit string with a wrong check digit.
inline std::string BadCheckDigit(const std::string& iin) {
  std::string s = iin;
  s[11] = static_cast<char>('0' + (s[11] - '0' + 1) % 10);
  return s;
}

inline Iin ParseIin(const std::string& text) {
  auto iin = Iin::Parse(text);
  if (!iin) throw std::invalid_argument("test: invalid IIN " + text);
  return *iin;
}

class FakeView final : public RegistryView {
 public:
  std::map<Iin, Person> persons;
  std::map<std::string, Organisation, std::less<>> orgs;
  std::map<std::string, District, std::less<>> districts;
  std::map<Iin, std::vector<Attachment>> periods;  // kept ordered by `from`
  std::map<std::pair<Iin, int>, int> free_choices;
  domain::Norms norms;

  struct Occupancy {
    std::string district;
    Date from, to;
    int count;
  };
  std::vector<Occupancy> occupancy;

  // `count` other people in `district` over [from, to).
  void Occupy(const std::string& district, int count, Date from = Date::Min(),
              Date to = Date::Max()) {
    occupancy.push_back({district, from, to, count});
  }

  const Person* FindPerson(const Iin& iin) const override {
    auto it = persons.find(iin);
    return it == persons.end() ? nullptr : &it->second;
  }
  const Organisation* FindOrg(std::string_view id) const override {
    auto it = orgs.find(id);
    return it == orgs.end() ? nullptr : &it->second;
  }
  const District* FindDistrict(std::string_view id) const override {
    auto it = districts.find(id);
    return it == districts.end() ? nullptr : &it->second;
  }
  std::span<const District* const> DistrictsOf(std::string_view org) const override {
    auto& out = handed_out_.emplace_back();  // kept: the answer is a view
    for (const auto& [id, d] : districts) {
      if (d.org == org) out.push_back(&d);
    }
    return out;
  }
  std::vector<const Organisation*> OrgsInAte(std::string_view ate) const override {
    std::vector<const Organisation*> out;
    for (const auto& [id, o] : orgs) {
      if (o.ate == ate) out.push_back(&o);
    }
    return out;
  }
  std::vector<const Attachment*> PeriodsOf(const Iin& iin) const override {
    std::vector<const Attachment*> out;
    if (auto it = periods.find(iin); it != periods.end()) {
      for (const auto& p : it->second) {
        if (!p.Cancelled()) out.push_back(&p);
      }
    }
    return out;
  }
  int FreeChoiceChangesIn(const Iin& iin, int year) const override {
    auto it = free_choices.find({iin, year});
    return it == free_choices.end() ? 0 : it->second;
  }
  int Capacity(const District& d) const {
    return d.capacity ? *d.capacity : norms.For(d.kind) * d.doctors;
  }
  int PanelOn(const std::string& district, Date day) const {
    int n = 0;
    for (const auto& o : occupancy) {
      if (o.district == district && o.from <= day && day < o.to) n += o.count;
    }
    for (const auto& [iin, list] : periods) {
      for (const auto& p : list) {
        if (!p.Cancelled() && p.district == district && p.Covers(day)) ++n;
      }
    }
    return n;
  }
  int FreePlacesOn(const District& d, Date day, const domain::Iin* = nullptr) const override {
    return Capacity(d) - PanelOn(d.id, day);
  }
  int LeastFreePlacesFrom(const District& d, Date day,
                          const domain::Iin* = nullptr) const override {
    // The panel only grows where a period starts: look at `day` and every later start.
    std::set<Date> days{day};
    for (const auto& o : occupancy) {
      if (o.district == d.id && o.from > day) days.insert(o.from);
    }
    for (const auto& [iin, list] : periods) {
      for (const auto& p : list) {
        if (p.district == d.id && p.from > day) days.insert(p.from);
      }
    }
    int least = FreePlacesOn(d, day);
    for (Date x : days) least = std::min(least, FreePlacesOn(d, x));
    return least;
  }

 private:
  mutable std::deque<std::vector<const District*>> handed_out_;  // what DistrictsOf returned
};

// Dates used throughout: 2025 campaign is 1 Sep - 1 Nov (default policy).
inline const Date kInCampaign = D(2025, 9, 10);  // Wednesday
inline const Date kOutside = D(2025, 3, 12);     // Wednesday
inline const Date kNextJan1 = D(2026, 1, 1);

// The world of most rule tests:
//   ATE A1: O1 (O1-G1 gp, O1-P1 pediatrician, O1-T1 therapist), O2 (O2-G1, O2-T1), O3 (O3-G1);
//   ATE A2: O9 (O9-G1).
// Every district has capacity 10 and is empty. Persons are added per test.
class RulesTest : public ::testing::Test {
 protected:
  RulesTest() : policy_(policy::DefaultPolicy()), calendar_(policy_.holidays) {
    AddOrg("O1", "A1");
    AddDistrict("O1-G1", "O1", DistrictKind::kGp, 10);
    AddDistrict("O1-P1", "O1", DistrictKind::kPediatrician, 10);
    AddDistrict("O1-T1", "O1", DistrictKind::kTherapist, 10);
    AddOrg("O2", "A1");
    AddDistrict("O2-G1", "O2", DistrictKind::kGp, 10);
    AddDistrict("O2-T1", "O2", DistrictKind::kTherapist, 10);
    AddOrg("O3", "A1");
    AddDistrict("O3-G1", "O3", DistrictKind::kGp, 10);
    AddOrg("O9", "A2");
    AddDistrict("O9-G1", "O9", DistrictKind::kGp, 10);
  }

  Organisation& AddOrg(const std::string& id, const std::string& ate) {
    Organisation o;
    o.id = id;
    o.ate = ate;
    return view_.orgs[id] = o;
  }
  District& AddDistrict(const std::string& id, const std::string& org, DistrictKind kind,
                        std::optional<int> capacity) {
    District d;
    d.id = id;
    d.org = org;
    d.kind = kind;
    d.capacity = capacity;
    return view_.districts[id] = d;
  }
  // A citizen registered and living in A1, born `birth`.
  Person& AddPerson(const std::string& iin, Date birth, const std::string& ate = "A1") {
    Person p;
    p.iin = ParseIin(iin);
    p.birth = birth;
    p.ate[static_cast<int>(AteRole::kRegistration)] = ate;
    p.ate[static_cast<int>(AteRole::kResidence)] = ate;
    return view_.persons[p.iin] = p;
  }
  Person& Adult(int n = 0) { return AddPerson(ValidIin(n), D(1985, 3, 5)); }
  // Born 2015-06-01: 10 years old in 2025.
  Person& Child(int n) { return AddPerson(ValidIin(n), D(2015, 6, 1)); }

  static void SetAte(Person& p, AteRole role, const std::string& ate) {
    p.ate[static_cast<int>(role)] = ate;
  }
  static void ClearAtes(Person& p) {
    for (auto& a : p.ate) a.clear();
  }

  Attachment& Attach(const std::string& iin, const std::string& district, Date from,
                     Date to = Date::Max()) {
    Attachment a;
    a.id = next_id_++;
    a.iin = ParseIin(iin);
    a.org = view_.districts.at(district).org;
    a.district = district;
    a.from = from;
    a.to = to;
    auto& list = view_.periods[a.iin];
    list.push_back(a);
    std::sort(list.begin(), list.end(),
              [](const Attachment& x, const Attachment& y) { return x.from < y.from; });
    for (auto& p : list) {
      if (p.id == a.id) return p;
    }
    return list.back();
  }

  static domain::Application App(const std::string& iin, const std::string& org, Date date,
                                 Basis basis = Basis::kFirstAttachment,
                                 Channel channel = Channel::kEgov) {
    domain::Application a;
    a.id = "A-" + iin + "-" + org;
    a.date = date;
    a.iin = iin;
    a.org = org;
    a.basis = basis;
    a.channel = channel;
    return a;
  }

  domain::Decision Decide(const domain::Application& app) const {
    return Evaluate(app, view_, policy_, calendar_);
  }

  static std::vector<std::string> Names(const std::vector<Reason>& reasons) {
    std::vector<std::string> out;
    for (auto r : reasons) out.emplace_back(domain::NameOf(r));
    return out;
  }
  // The reason names of the decision on `app` (empty when approved).
  std::vector<std::string> Reasons(const domain::Application& app) const {
    return Names(Decide(app).reasons);
  }

  domain::Policy policy_;
  domain::Calendar calendar_;
  FakeView view_;
  std::int64_t next_id_ = 1;
};

// Shorthand for expectations on reason lists.
using Strings = std::vector<std::string>;

}  // namespace emkhana::rules::testing
