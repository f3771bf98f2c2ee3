#include "policy/policy_loader.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <string>

namespace emkhana::policy {
namespace {

namespace json = boost::json;
using domain::Category;
using domain::Date;
using domain::InsuranceKind;
using domain::Policy;

void ExpectSamePolicy(const Policy& a, const Policy& b) {
  EXPECT_EQ(a.version, b.version);

  ASSERT_EQ(a.campaign_years.size(), b.campaign_years.size());
  for (std::size_t i = 0; i < a.campaign_years.size(); ++i) {
    SCOPED_TRACE("campaign_years[" + std::to_string(i) + "]");
    EXPECT_EQ(a.campaign_years[i].year, b.campaign_years[i].year);
    EXPECT_EQ(a.campaign_years[i].start, b.campaign_years[i].start);
    EXPECT_EQ(a.campaign_years[i].end, b.campaign_years[i].end);
    EXPECT_EQ(a.campaign_years[i].source, b.campaign_years[i].source);
  }
  ASSERT_EQ(a.campaign_rules.size(), b.campaign_rules.size());
  for (std::size_t i = 0; i < a.campaign_rules.size(); ++i) {
    SCOPED_TRACE("campaign_rules[" + std::to_string(i) + "]");
    const auto& x = a.campaign_rules[i];
    const auto& y = b.campaign_rules[i];
    EXPECT_EQ(x.from_year, y.from_year);
    EXPECT_EQ(x.to_year, y.to_year);
    EXPECT_EQ(x.start_month, y.start_month);
    EXPECT_EQ(x.start_day, y.start_day);
    EXPECT_EQ(x.end_month, y.end_month);
    EXPECT_EQ(x.end_day, y.end_day);
    EXPECT_EQ(x.source, y.source);
  }
  ASSERT_EQ(a.norms.size(), b.norms.size());
  for (std::size_t i = 0; i < a.norms.size(); ++i) {
    SCOPED_TRACE("norms[" + std::to_string(i) + "]");
    EXPECT_EQ(a.norms[i].from.days(), b.norms[i].from.days())
        << a.norms[i].from.ToString() << " vs " << b.norms[i].from.ToString();
    EXPECT_EQ(a.norms[i].value.gp, b.norms[i].value.gp);
    EXPECT_EQ(a.norms[i].value.therapist, b.norms[i].value.therapist);
    EXPECT_EQ(a.norms[i].value.pediatrician, b.norms[i].value.pediatrician);
    EXPECT_EQ(a.norms[i].source, b.norms[i].source);
  }
  ASSERT_EQ(a.free_choices_per_year.size(), b.free_choices_per_year.size());
  for (std::size_t i = 0; i < a.free_choices_per_year.size(); ++i) {
    SCOPED_TRACE("free_choices_per_year[" + std::to_string(i) + "]");
    EXPECT_EQ(a.free_choices_per_year[i].from.days(), b.free_choices_per_year[i].from.days())
        << a.free_choices_per_year[i].from.ToString() << " vs "
        << b.free_choices_per_year[i].from.ToString();
    EXPECT_EQ(a.free_choices_per_year[i].value, b.free_choices_per_year[i].value);
    EXPECT_EQ(a.free_choices_per_year[i].source, b.free_choices_per_year[i].source);
  }
  EXPECT_EQ(a.paper_categories, b.paper_categories);
  EXPECT_EQ(a.paper_applicant_categories, b.paper_applicant_categories);
  EXPECT_EQ(a.paper_insurance, b.paper_insurance);

  EXPECT_EQ(a.holidays.source, b.holidays.source);
  ASSERT_EQ(a.holidays.fixed.size(), b.holidays.fixed.size());
  for (std::size_t i = 0; i < a.holidays.fixed.size(); ++i) {
    SCOPED_TRACE("holidays.fixed[" + std::to_string(i) + "]");
    EXPECT_EQ(a.holidays.fixed[i].month, b.holidays.fixed[i].month);
    EXPECT_EQ(a.holidays.fixed[i].day, b.holidays.fixed[i].day);
    EXPECT_EQ(a.holidays.fixed[i].moves_off_weekend, b.holidays.fixed[i].moves_off_weekend);
    EXPECT_EQ(a.holidays.fixed[i].name, b.holidays.fixed[i].name);
  }
  EXPECT_EQ(a.holidays.kurban_ait, b.holidays.kurban_ait);
  EXPECT_EQ(a.holidays.extra_days_off, b.holidays.extra_days_off);
  EXPECT_EQ(a.holidays.working_weekends, b.holidays.working_weekends);
}

TEST(PolicyLoaderTest, ParsesTheDefaultPolicy) {
  auto p = ParsePolicyJson(DefaultPolicyJson());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->version, "kz-2025.05.12");
  ASSERT_EQ(p->campaign_years.size(), 1u);
  EXPECT_EQ(p->campaign_years[0].year, 2017);
  EXPECT_EQ(p->campaign_years[0].start, Date::Ymd(2017, 4, 5));
  EXPECT_EQ(p->campaign_years[0].end, Date::Ymd(2017, 6, 30));
  ASSERT_EQ(p->campaign_rules.size(), 2u);
  EXPECT_EQ(p->campaign_rules[0].from_year, 2018);
  EXPECT_EQ(p->campaign_rules[0].to_year, 2024);
  EXPECT_EQ(p->campaign_rules[0].start_month, 9u);
  EXPECT_EQ(p->campaign_rules[0].start_day, 15u);
  EXPECT_EQ(p->campaign_rules[0].end_month, 11u);
  EXPECT_EQ(p->campaign_rules[0].end_day, 15u);
  EXPECT_EQ(p->campaign_rules[1].from_year, 2025);
  EXPECT_EQ(p->campaign_rules[1].to_year, 9999);  // absent: open-ended
  EXPECT_EQ(p->campaign_rules[1].start_day, 1u);
  EXPECT_EQ(p->campaign_rules[1].end_month, 11u);
  EXPECT_EQ(p->campaign_rules[1].end_day, 1u);

  ASSERT_EQ(p->norms.size(), 1u);
  EXPECT_EQ(p->norms[0].from, Date::Ymd(2020, 11, 13));
  EXPECT_EQ(p->norms[0].value.gp, 1700);
  EXPECT_EQ(p->norms[0].value.therapist, 2200);
  EXPECT_EQ(p->norms[0].value.pediatrician, 900);
  EXPECT_EQ(p->FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 1);

  for (Category c :
       {Category::kPensioner, Category::kDisabled, Category::kConscript, Category::kConvict,
        Category::kBornAbroad, Category::kInstitutionWard, Category::kStudent}) {
    EXPECT_TRUE(p->paper_categories.Has(c)) << domain::NameOf(c);
  }
  EXPECT_FALSE(p->paper_categories.Has(Category::kPregnant));
  EXPECT_FALSE(p->paper_categories.Has(Category::kFosterCarer));
  EXPECT_TRUE(p->paper_applicant_categories.Has(Category::kDisabledChildRepresentative));
  EXPECT_TRUE(p->paper_applicant_categories.Has(Category::kFosterCarer));
  EXPECT_FALSE(p->paper_applicant_categories.Has(Category::kPensioner));
  EXPECT_EQ(p->paper_insurance, std::vector<InsuranceKind>{InsuranceKind::kDms});

  ASSERT_EQ(p->holidays.fixed.size(), 14u);
  int not_moving = 0;
  for (const auto& h : p->holidays.fixed) {
    if (!h.moves_off_weekend) {
      ++not_moving;
      EXPECT_EQ(h.month, 1u);
      EXPECT_EQ(h.day, 7u);
    }
  }
  EXPECT_EQ(not_moving, 1);
  EXPECT_EQ(
      p->holidays.kurban_ait,
      (std::vector<Date>{Date::Ymd(2024, 6, 16), Date::Ymd(2025, 6, 6), Date::Ymd(2026, 5, 27)}));
  EXPECT_TRUE(p->holidays.extra_days_off.empty());
  EXPECT_TRUE(p->holidays.working_weekends.empty());
}

TEST(PolicyLoaderTest, DefaultPolicyIsTheParsedDefaultJson) {
  auto p = ParsePolicyJson(DefaultPolicyJson());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ExpectSamePolicy(DefaultPolicy(), *p);
  EXPECT_EQ(&DefaultPolicy(), &DefaultPolicy());
}

TEST(PolicyLoaderTest, RoundTripOfTheDefaultPolicy) {
  const Policy& p = DefaultPolicy();
  std::string text = PolicyToJson(p);
  auto back = ParsePolicyJson(text);
  ASSERT_TRUE(back.has_value()) << back.error().message << "\n" << text;
  ExpectSamePolicy(p, *back);
  // Serialising again gives the same text.
  EXPECT_EQ(PolicyToJson(*back), text);
}

TEST(PolicyLoaderTest, RoundTripOfAnOverriddenPolicy) {
  Policy p = DefaultPolicy();
  domain::PolicyOverride o;
  o.campaigns.push_back({2026, Date::Ymd(2026, 8, 15), Date::Ymd(2026, 10, 15), "what-if"});
  o.gp_norm = 10;
  o.extra_days_off = {Date::Ymd(2025, 1, 3), Date::Ymd(2025, 11, 3)};
  o.working_weekends = {Date::Ymd(2025, 1, 18)};
  o.free_choices_per_year = 2;
  o.label = "test";
  o.ApplyTo(p);
  p.paper_insurance.push_back(InsuranceKind::kVms);
  p.paper_categories.Add(Category::kPregnant);
  p.norms.push_back({Date::Ymd(2027, 1, 1), domain::Norms{1, 2, 3}, "later"});

  auto back = ParsePolicyJson(PolicyToJson(p));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ExpectSamePolicy(p, *back);
  EXPECT_EQ(back->version, "kz-2025.05.12+test");
  EXPECT_EQ(back->CampaignOf(2026)->start, Date::Ymd(2026, 8, 15));
  EXPECT_EQ(back->NormsOn(Date::Ymd(2026, 1, 1)).gp, 10);
  EXPECT_EQ(back->NormsOn(Date::Ymd(2027, 1, 1)).gp, 1);
}

// ApplyTo gives a policy with no dated norms a value dated Date::Min(); the header of
// policy_loader promises ParsePolicyJson(PolicyToJson(p)) equals p for every p.
TEST(PolicyLoaderTest, RoundTripOfAnOverrideOnAPolicyWithoutDatedValues) {
  Policy p;
  p.version = "bare";
  domain::PolicyOverride o;
  o.gp_norm = 5;
  o.free_choices_per_year = 2;
  o.ApplyTo(p);
  ASSERT_EQ(p.norms.size(), 1u);
  ASSERT_EQ(p.free_choices_per_year.size(), 1u);

  std::string text = PolicyToJson(p);
  auto back = ParsePolicyJson(text);
  ASSERT_TRUE(back.has_value()) << back.error().message << "\n" << text;
  EXPECT_EQ(back->NormsOn(Date::Ymd(2025, 1, 1)).gp, 5);
  EXPECT_EQ(back->FreeChoicesPerYearOn(Date::Ymd(2025, 1, 1)), 2);
  // The dated values must come back with the same `from` (Date::Min()), not another date.
  ExpectSamePolicy(p, *back);
}

TEST(PolicyLoaderTest, RoundTripOfAnEmptyPolicy) {
  Policy p;
  p.version = "empty";
  auto back = ParsePolicyJson(PolicyToJson(p));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ExpectSamePolicy(p, *back);
}

// --- Malformed inputs: an error value, never an exception. ---

void ExpectInvalid(std::string_view text, std::string_view mentions = {}) {
  Result<Policy> r = Error::Internal("not run");
  EXPECT_NO_THROW(r = ParsePolicyJson(text));
  ASSERT_TRUE(r.has_error()) << "accepted";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
  if (!mentions.empty()) {
    EXPECT_NE(r.error().message.find(mentions), std::string::npos) << r.error().message;
  }
}

// SCOPED_TRACE in a macro records the caller's line.
#define EXPECT_POLICY_INVALID(...)    \
  do {                                \
    SCOPED_TRACE("input built here"); \
    ExpectInvalid(__VA_ARGS__);       \
  } while (0)

// The default policy with one change made by `edit`.
std::string Edited(const std::function<void(json::object&)>& edit) {
  json::value v = json::parse(DefaultPolicyJson());
  edit(v.as_object());
  return json::serialize(v);
}

json::object& At(json::object& o, std::string_view key) { return o.at(key).as_object(); }
json::object& First(json::object& o, std::string_view key) {
  return o.at(key).as_array().at(0).as_object();
}

TEST(PolicyLoaderTest, EditedBaselineParses) {
  // Sanity check of the helper: an edit that changes nothing still parses.
  auto r = ParsePolicyJson(Edited([](json::object&) {}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
}

TEST(PolicyLoaderTest, NotJson) {
  EXPECT_POLICY_INVALID("");
  EXPECT_POLICY_INVALID("{");
  EXPECT_POLICY_INVALID("not json at all");
  EXPECT_POLICY_INVALID("{\"version\": \"x\",}");
  EXPECT_POLICY_INVALID(std::string(DefaultPolicyJson().substr(0, DefaultPolicyJson().size() / 2)));
  EXPECT_POLICY_INVALID(std::string(10000, '[') + std::string(10000, ']'));  // too deep
}

TEST(PolicyLoaderTest, NotAnObject) {
  EXPECT_POLICY_INVALID("null");
  EXPECT_POLICY_INVALID("[]");
  EXPECT_POLICY_INVALID("42");
  EXPECT_POLICY_INVALID("\"kz-2025\"");
}

TEST(PolicyLoaderTest, MissingFields) {
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("version"); }), "version");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("campaigns"); }), "campaigns");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("norms"); }), "norms");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("free_choices_per_year"); }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("paper"); }), "paper");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o.erase("holidays"); }), "holidays");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { At(o, "campaigns").erase("rules"); }),
                        "rules");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms").erase("gp"); }), "gp");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms").erase("from"); }), "from");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("years").as_array().at(0).as_object().erase("end");
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object().erase("date");
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { At(o, "paper").erase("categories"); }));
}

TEST(PolicyLoaderTest, BadDates) {
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("years").as_array().at(0).as_object()["start"] = "2017-02-30";
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms")["from"] = "2020/11/13"; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { First(o, "norms")["from"] = "2020-11-13T00:00"; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { First(o, "free_choices_per_year")["from"] = ""; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "holidays")["kurban_ait"] = json::array{"2025-6-6"}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "holidays")["extra_days_off"] = json::array{"2025-01-03", "2025-02-29"};
  }));
  EXPECT_POLICY_INVALID(Edited(
      [](json::object& o) { At(o, "holidays")["working_weekends"] = json::array{"tomorrow"}; }));
}

TEST(PolicyLoaderTest, BadMonthDays) {
  for (const char* bad :
       {"9-15", "09-1", "13-01", "02-30", "00-10", "0915", "09-15x", "", "2025-09-15", "09/15"}) {
    SCOPED_TRACE(bad);
    EXPECT_POLICY_INVALID(Edited([&](json::object& o) {
      At(o, "campaigns").at("rules").as_array().at(0).as_object()["start"] = bad;
    }));
    EXPECT_POLICY_INVALID(Edited([&](json::object& o) {
      At(o, "holidays").at("fixed").as_array().at(0).as_object()["date"] = bad;
    }));
  }
  // 29 Feb is a valid month-day.
  auto r = ParsePolicyJson(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object()["date"] = "02-29";
  }));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->holidays.fixed[0].month, 2u);
  EXPECT_EQ(r->holidays.fixed[0].day, 29u);
}

TEST(PolicyLoaderTest, UnknownPaperValues) {
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "paper")["categories"] = json::array{"pensioner", "astronaut"};
  }));
  EXPECT_POLICY_INVALID(Edited(
      [](json::object& o) { At(o, "paper")["applicant_categories"] = json::array{"Pensioner"}; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "paper")["insurance"] = json::array{"omc"}; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "paper")["categories"] = json::array{7}; }));
}

TEST(PolicyLoaderTest, WrongTypes) {
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["version"] = 5; }), "version");
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["campaigns"] = json::array{}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { At(o, "campaigns")["years"] = "2017"; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "campaigns")["rules"] = json::object{}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("years").as_array().at(0).as_object()["year"] = "2017";
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("rules").as_array().at(0).as_object()["from_year"] = 2018.0;
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("rules").as_array().at(0).as_object()["to_year"] = nullptr;
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "campaigns").at("rules").as_array().at(0).as_object()["start"] = 915;
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["norms"] = json::object{}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["norms"] = json::array{1700}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms")["gp"] = "1700"; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms")["therapist"] = 2200.5; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms")["pediatrician"] = true; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { First(o, "norms")["from"] = 20201113; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { First(o, "free_choices_per_year")["value"] = true; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["paper"] = json::array{}; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "paper")["categories"] = "pensioner"; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { At(o, "paper")["insurance"] = "dms"; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { o["holidays"] = "none"; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "holidays")["fixed"] = json::object{}; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "holidays")["fixed"] = json::array{"01-01"}; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "holidays")["kurban_ait"] = "2025-06-06"; }));
  EXPECT_POLICY_INVALID(
      Edited([](json::object& o) { At(o, "holidays")["kurban_ait"] = json::array{20250606}; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) { At(o, "holidays")["source"] = 1; }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object()["name"] = json::array{};
  }));
}

// A holiday's `moves` flag decides whether its day off is transferred; a value that is not a
// boolean must be refused, not read as `false`.
TEST(PolicyLoaderTest, MovesMustBeABoolean) {
  auto ok = ParsePolicyJson(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object()["moves"] = true;
  }));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_TRUE(ok->holidays.fixed[0].moves_off_weekend);
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object()["moves"] = "true";
  }));
  EXPECT_POLICY_INVALID(Edited([](json::object& o) {
    At(o, "holidays").at("fixed").as_array().at(0).as_object()["moves"] = 1;
  }));
}

TEST(PolicyLoaderTest, OptionalFieldsMayBeAbsent) {
  auto r = ParsePolicyJson(Edited([](json::object& o) {
    At(o, "campaigns").erase("years");
    At(o, "holidays").erase("kurban_ait");
    At(o, "holidays").erase("extra_days_off");
    At(o, "holidays").erase("working_weekends");
    At(o, "campaigns").at("rules").as_array().at(1).as_object().erase("to_year");
  }));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->campaign_years.empty());
  EXPECT_TRUE(r->holidays.kurban_ait.empty());
  EXPECT_FALSE(r->CampaignOf(2017).has_value());
  EXPECT_EQ(r->campaign_rules.at(1).to_year, 9999);
}

}  // namespace
}  // namespace emkhana::policy
