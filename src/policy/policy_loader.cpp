#include "policy/policy_loader.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "policy/default_policy_json.hpp"

namespace emkhana::policy {

namespace json = boost::json;
using domain::Date;

namespace {

// Reading helpers: each failure names the path of the offending value.
struct Reader {
  std::string error;

  const json::value* Field(const json::object& o, std::string_view key, std::string_view path) {
    auto* v = o.if_contains(key);
    if (!v && error.empty()) error = fmt::format("{}.{}: missing", path, key);
    return v;
  }
  std::string String(const json::value* v, std::string_view path) {
    if (v && v->is_string()) return std::string(v->as_string());
    if (error.empty()) error = fmt::format("{}: expected a string", path);
    return {};
  }
  // An optional text field: absent is "", present must be a string.
  std::string OptString(const json::value* v, std::string_view path) {
    return v ? String(v, path) : std::string();
  }
  int Int(const json::value* v, std::string_view path) {
    if (v && v->is_int64()) return static_cast<int>(v->as_int64());
    if (error.empty()) error = fmt::format("{}: expected an integer", path);
    return 0;
  }
  Date DateValue(const json::value* v, std::string_view path) {
    auto s = String(v, path);
    auto d = Date::Parse(s);
    if (!d && error.empty()) error = fmt::format("{}: expected a date YYYY-MM-DD", path);
    return d.value_or(Date{});
  }
  // "MM-DD"
  std::pair<unsigned, unsigned> MonthDay(const json::value* v, std::string_view path) {
    auto s = String(v, path);
    auto d = Date::Parse("2000-" + s);  // a leap year accepts 02-29
    if (!d || s.size() != 5) {
      if (error.empty()) error = fmt::format("{}: expected MM-DD", path);
      return {1, 1};
    }
    return {d->month(), d->day()};
  }
  const json::array* Array(const json::value* v, std::string_view path) {
    if (v && v->is_array()) return &v->as_array();
    if (error.empty()) error = fmt::format("{}: expected an array", path);
    return nullptr;
  }
  const json::object* Object(const json::value* v, std::string_view path) {
    if (v && v->is_object()) return &v->as_object();
    if (error.empty()) error = fmt::format("{}: expected an object", path);
    return nullptr;
  }
  template <class E>
  domain::Flags<E> FlagList(const json::value* v, std::string_view path) {
    domain::Flags<E> flags;
    if (auto* a = Array(v, path)) {
      for (const auto& item : *a) {
        auto e = domain::ParseEnum<E>(String(&item, path));
        if (e) {
          flags.Add(*e);
        } else if (error.empty()) {
          error = fmt::format("{}: unknown value", path);
        }
      }
    }
    return flags;
  }
};

}  // namespace

Result<domain::Policy> ParsePolicyJson(std::string_view json_text) {
  boost::system::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec) return Error::InvalidArgument(fmt::format("policy: {}", ec.message()));
  if (!root.is_object()) return Error::InvalidArgument("policy: expected an object");
  const auto& o = root.as_object();
  Reader r;
  domain::Policy p;
  p.version = r.String(r.Field(o, "version", "policy"), "policy.version");

  if (auto* c = r.Object(r.Field(o, "campaigns", "policy"), "policy.campaigns")) {
    if (auto* years = c->if_contains("years")) {
      if (auto* a = r.Array(years, "campaigns.years")) {
        for (const auto& item : *a) {
          auto* w = r.Object(&item, "campaigns.years[]");
          if (!w) break;
          p.campaign_years.push_back({r.Int(r.Field(*w, "year", "years[]"), "year"),
                                      r.DateValue(r.Field(*w, "start", "years[]"), "start"),
                                      r.DateValue(r.Field(*w, "end", "years[]"), "end"),
                                      r.OptString(w->if_contains("source"), "source")});
        }
      }
    }
    if (auto* a = r.Array(r.Field(*c, "rules", "campaigns"), "campaigns.rules")) {
      for (const auto& item : *a) {
        auto* w = r.Object(&item, "campaigns.rules[]");
        if (!w) break;
        domain::CampaignRule rule;
        rule.from_year = r.Int(r.Field(*w, "from_year", "rules[]"), "from_year");
        if (auto* to = w->if_contains("to_year")) rule.to_year = r.Int(to, "to_year");
        std::tie(rule.start_month, rule.start_day) =
            r.MonthDay(r.Field(*w, "start", "rules[]"), "start");
        std::tie(rule.end_month, rule.end_day) = r.MonthDay(r.Field(*w, "end", "rules[]"), "end");
        rule.source = r.OptString(w->if_contains("source"), "source");
        p.campaign_rules.push_back(rule);
      }
    }
  }
  if (auto* a = r.Array(r.Field(o, "norms", "policy"), "policy.norms")) {
    for (const auto& item : *a) {
      auto* n = r.Object(&item, "norms[]");
      if (!n) break;
      domain::Norms norms{r.Int(r.Field(*n, "gp", "norms[]"), "gp"),
                          r.Int(r.Field(*n, "therapist", "norms[]"), "therapist"),
                          r.Int(r.Field(*n, "pediatrician", "norms[]"), "pediatrician")};
      p.norms.push_back({r.DateValue(r.Field(*n, "from", "norms[]"), "from"), norms,
                         r.OptString(n->if_contains("source"), "source")});
    }
  }
  if (auto* a = r.Array(r.Field(o, "free_choices_per_year", "policy"), "free_choices_per_year")) {
    for (const auto& item : *a) {
      auto* n = r.Object(&item, "free_choices_per_year[]");
      if (!n) break;
      p.free_choices_per_year.push_back({r.DateValue(r.Field(*n, "from", "free_choices[]"), "from"),
                                         r.Int(r.Field(*n, "value", "free_choices[]"), "value"),
                                         r.OptString(n->if_contains("source"), "source")});
    }
  }
  if (auto* paper = r.Object(r.Field(o, "paper", "policy"), "policy.paper")) {
    p.paper_categories =
        r.FlagList<domain::Category>(r.Field(*paper, "categories", "paper"), "paper.categories");
    p.paper_applicant_categories = r.FlagList<domain::Category>(
        r.Field(*paper, "applicant_categories", "paper"), "paper.applicant_categories");
    if (auto* a = r.Array(r.Field(*paper, "insurance", "paper"), "paper.insurance")) {
      for (const auto& item : *a) {
        auto k = domain::ParseEnum<domain::InsuranceKind>(r.String(&item, "paper.insurance"));
        if (k)
          p.paper_insurance.push_back(*k);
        else if (r.error.empty())
          r.error = "paper.insurance: unknown kind";
      }
    }
  }
  if (auto* h = r.Object(r.Field(o, "holidays", "policy"), "policy.holidays")) {
    p.holidays.source = r.OptString(h->if_contains("source"), "holidays.source");
    if (auto* a = r.Array(r.Field(*h, "fixed", "holidays"), "holidays.fixed")) {
      for (const auto& item : *a) {
        auto* f = r.Object(&item, "holidays.fixed[]");
        if (!f) break;
        domain::FixedHoliday fh;
        std::tie(fh.month, fh.day) = r.MonthDay(r.Field(*f, "date", "fixed[]"), "fixed[].date");
        fh.name = r.OptString(f->if_contains("name"), "fixed[].name");
        if (auto* m = f->if_contains("moves")) {
          if (m->is_bool()) fh.moves_off_weekend = m->as_bool();
          else if (r.error.empty()) r.error = "holidays.fixed[].moves: expected true or false";
        }
        p.holidays.fixed.push_back(fh);
      }
    }
    auto dates = [&](std::string_view key, auto&& sink) {
      if (auto* v = h->if_contains(key)) {
        if (auto* a = r.Array(v, key)) {
          for (const auto& item : *a) sink(r.DateValue(&item, key));
        }
      }
    };
    dates("kurban_ait", [&](Date d) { p.holidays.kurban_ait.push_back(d); });
    dates("extra_days_off", [&](Date d) { p.holidays.extra_days_off.insert(d); });
    dates("working_weekends", [&](Date d) { p.holidays.working_weekends.insert(d); });
  }
  if (!r.error.empty()) return Error::InvalidArgument("policy: " + r.error);
  return p;
}

std::string PolicyToJson(const domain::Policy& p) {
  auto md = [](unsigned m, unsigned d) { return fmt::format("{:02}-{:02}", m, d); };
  json::object o;
  o["version"] = p.version;
  json::array years, rules;
  for (const auto& w : p.campaign_years) {
    years.push_back(json::object{{"year", w.year},
                                 {"start", w.start.ToString()},
                                 {"end", w.end.ToString()},
                                 {"source", w.source}});
  }
  for (const auto& r : p.campaign_rules) {
    rules.push_back(json::object{{"from_year", r.from_year},
                                 {"to_year", r.to_year},
                                 {"start", md(r.start_month, r.start_day)},
                                 {"end", md(r.end_month, r.end_day)},
                                 {"source", r.source}});
  }
  o["campaigns"] = json::object{{"years", years}, {"rules", rules}};
  json::array norms;
  for (const auto& n : p.norms) {
    norms.push_back(json::object{{"from", n.from.ToString()},
                                 {"gp", n.value.gp},
                                 {"therapist", n.value.therapist},
                                 {"pediatrician", n.value.pediatrician},
                                 {"source", n.source}});
  }
  o["norms"] = norms;
  json::array choices;
  for (const auto& n : p.free_choices_per_year) {
    choices.push_back(
        json::object{{"from", n.from.ToString()}, {"value", n.value}, {"source", n.source}});
  }
  o["free_choices_per_year"] = choices;
  auto flag_list = [](domain::Categories flags) {
    json::array a;
    for (const auto& [c, name] : domain::EnumNames<domain::Category>::kAll) {
      if (flags.Has(c)) a.push_back(json::string(name));
    }
    return a;
  };
  json::array insurance;
  for (auto k : p.paper_insurance) insurance.push_back(json::string(domain::NameOf(k)));
  o["paper"] = json::object{{"categories", flag_list(p.paper_categories)},
                            {"applicant_categories", flag_list(p.paper_applicant_categories)},
                            {"insurance", insurance}};
  json::array fixed, kurban, extra, working;
  for (const auto& h : p.holidays.fixed) {
    fixed.push_back(json::object{
        {"date", md(h.month, h.day)}, {"name", h.name}, {"moves", h.moves_off_weekend}});
  }
  for (auto d : p.holidays.kurban_ait) kurban.push_back(json::string(d.ToString()));
  for (auto d : p.holidays.extra_days_off) extra.push_back(json::string(d.ToString()));
  for (auto d : p.holidays.working_weekends) working.push_back(json::string(d.ToString()));
  o["holidays"] = json::object{{"source", p.holidays.source},
                               {"fixed", fixed},
                               {"kurban_ait", kurban},
                               {"extra_days_off", extra},
                               {"working_weekends", working}};
  return json::serialize(o);
}

std::string_view DefaultPolicyJson() { return kDefaultPolicyJson; }

const domain::Policy& DefaultPolicy() {
  static const domain::Policy policy = ParsePolicyJson(kDefaultPolicyJson).value();
  return policy;
}

}  // namespace emkhana::policy
