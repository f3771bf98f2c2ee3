#include "scenario/scenario.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace emkhana::scenario {

namespace json = boost::json;
using domain::Date;

namespace {

// Typed access to the fields of one step; the first problem is kept and reported.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}
  const std::string& error() const { return error_; }
  bool Has(std::string_view key) const {
    auto* v = o_.if_contains(key);
    return v && !v->is_null();
  }

  std::string String(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return {};
    if (!v->is_string()) return Fail(key, "expected a string"), std::string();
    return std::string(v->as_string());
  }
  // A string that must not be empty.
  std::string Id(std::string_view key) {
    auto s = String(key);
    if (error_.empty() && s.empty()) Fail(key, "must not be empty");
    return s;
  }
  std::optional<Date> DateField(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) return Fail(key, "expected a date string YYYY-MM-DD"), std::nullopt;
    auto d = Date::Parse(v->as_string());
    if (!d)
      Fail(key, fmt::format("'{}' is not a valid date YYYY-MM-DD", std::string(v->as_string())));
    return d;
  }
  std::optional<int> Int(std::string_view key, int min, bool required = false) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_int64() && !v->is_uint64()) return Fail(key, "expected an integer"), std::nullopt;
    auto n = v->is_int64()
                 ? v->as_int64()
                 : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
    if (n < min || n > 100'000'000) return Fail(key, "out of range"), std::nullopt;
    return static_cast<int>(n);
  }
  std::optional<bool> Bool(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return std::nullopt;
    if (!v->is_bool()) return Fail(key, "expected true or false"), std::nullopt;
    return v->as_bool();
  }
  template <class E>
  std::optional<E> Enum(std::string_view key, bool required = true) {
    auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) return Fail(key, "expected a string"), std::nullopt;
    auto e = domain::ParseEnum<E>(v->as_string());
    if (!e) Fail(key, fmt::format("unknown value '{}'", std::string(v->as_string())));
    return e;
  }
  template <class E>
  domain::Flags<E> FlagList(std::string_view key) {
    domain::Flags<E> flags;
    auto* v = Get(key, false);
    if (!v) return flags;
    if (!v->is_array()) return Fail(key, "expected a list"), flags;
    for (const auto& item : v->as_array()) {
      auto e = item.is_string() ? domain::ParseEnum<E>(item.as_string()) : std::nullopt;
      if (!e) return Fail(key, fmt::format("unknown value {}", json::serialize(item))), flags;
      flags.Add(*e);
    }
    return flags;
  }
  const json::array* Array(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return nullptr;
    if (!v->is_array()) return Fail(key, "expected a list"), nullptr;
    return &v->as_array();
  }
  const json::object* Object(std::string_view key) {
    auto* v = Get(key, false);
    if (!v) return nullptr;
    if (!v->is_object()) return Fail(key, "expected an object"), nullptr;
    return &v->as_object();
  }
  void Fail(std::string_view key, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("field '{}': {}", key, what);
  }

 private:
  const json::value* Get(std::string_view key, bool required) {
    auto* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    return v;
  }
  const json::object& o_;
  std::string error_;
};

std::vector<Date> DateList(Fields& f, std::string_view key) {
  std::vector<Date> out;
  if (auto* a = f.Array(key)) {
    for (const auto& item : *a) {
      auto d = item.is_string() ? Date::Parse(item.as_string()) : std::nullopt;
      if (!d) {
        f.Fail(key, fmt::format("{} is not a date YYYY-MM-DD", json::serialize(item)));
        break;
      }
      out.push_back(*d);
    }
  }
  return out;
}

StepBody ParsePolicy(Fields& f, const json::object& o) {
  PolicyStep step;
  auto& c = step.change;
  if (auto* campaigns = f.Array("campaigns")) {
    for (const auto& item : *campaigns) {
      if (!item.is_object()) {
        f.Fail("campaigns", "expected objects {year, start, end}");
        break;
      }
      Fields w(item.as_object());
      auto year = w.Int("year", 1900, true);
      auto start = w.DateField("start");
      auto end = w.DateField("end");
      if (!w.error().empty()) {
        f.Fail("campaigns", w.error());
        break;
      }
      if (*end < *start) {
        f.Fail("campaigns", "end before start");
        break;
      }
      c.campaigns.push_back({*year, *start, *end, "scenario"});
    }
  }
  if (auto* norms = f.Object("norms")) {
    Fields n(*norms);
    c.gp_norm = n.Int("gp", 0);
    c.therapist_norm = n.Int("therapist", 0);
    c.pediatrician_norm = n.Int("pediatrician", 0);
    if (!n.error().empty()) f.Fail("norms", n.error());
  }
  c.extra_days_off = DateList(f, "holidays");
  c.working_weekends = DateList(f, "working_weekends");
  c.free_choices_per_year = f.Int("free_choices_per_year", 0);
  // The label names the change, so that decisions record which variant they used.
  c.label = fmt::format("scenario-{:08x}",
                        static_cast<std::uint32_t>(std::hash<std::string>{}(json::serialize(o))));
  return step;
}

StepBody ParseOrg(Fields& f) {
  OrgStep step;
  auto& o = step.org;
  o.id = f.Id("id");
  o.ate = f.Id("ate");
  o.name = f.String("name", false);
  o.license = f.Bool("license").value_or(true);
  o.contract = f.Bool("contract").value_or(true);
  o.is_private = f.Bool("private").value_or(false);
  o.rural = f.Bool("rural").value_or(false);
  if (auto* loc = f.Array("location")) {
    if (loc->size() != 2 || !(*loc)[0].is_number() || !(*loc)[1].is_number()) {
      f.Fail("location", "expected [lat, lon]");
    } else {
      o.latitude = (*loc)[0].to_number<double>();
      o.longitude = (*loc)[1].to_number<double>();
    }
  }
  return step;
}

StepBody ParseDistrict(Fields& f) {
  DistrictStep step;
  auto& d = step.district;
  d.id = f.Id("id");
  d.org = f.Id("org");
  d.kind = f.Enum<domain::DistrictKind>("kind").value_or(domain::DistrictKind::kGp);
  d.doctors = f.Int("doctors", 0).value_or(1);
  d.capacity = f.Int("capacity", 0);
  return step;
}

StepBody ParsePerson(Fields& f) {
  PersonStep step;
  auto& p = step.person;
  const auto iin_text = f.String("iin");
  auto birth = f.DateField("birth");
  p.sex = f.Enum<domain::Sex>("sex").value_or(domain::Sex::kMale);
  p.status = f.Enum<domain::LegalStatus>("status").value_or(domain::LegalStatus::kCitizen);
  p.name = f.String("name", false);
  if (auto* ate = f.Object("ate")) {
    Fields a(*ate);
    for (const auto& [role, name] : domain::EnumNames<domain::AteRole>::kAll) {
      p.ate[static_cast<int>(role)] = a.String(name, false);
    }
    if (!a.error().empty()) f.Fail("ate", a.error());
  }
  p.categories = f.FlagList<domain::Category>("categories");
  if (auto* ins = f.Object("insurance")) {
    Fields i(*ins);
    auto kind = i.Enum<domain::InsuranceKind>("kind");
    auto from = i.DateField("from");
    auto until = i.DateField("until");
    if (!i.error().empty())
      f.Fail("insurance", i.error());
    else
      p.insurance = domain::Insurance{*kind, *from, *until};
  }
  if (auto* reps = f.Array("representatives")) {
    for (const auto& r : *reps) {
      auto iin = r.is_string() ? domain::Iin::Parse(r.as_string()) : std::nullopt;
      if (!iin) {
        f.Fail("representatives", fmt::format("{} is not a valid IIN", json::serialize(r)));
        break;
      }
      p.representatives.push_back(*iin);
    }
  }
  if (f.Has("deceased")) p.deceased = f.DateField("deceased");
  if (!f.error().empty()) return step;
  p.birth = *birth;
  auto iin = domain::Iin::Parse(iin_text);
  if (!iin) {
    bool digits =
        iin_text.size() == 12 && iin_text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) f.Fail("iin", "expected 12 digits");
    return InvalidPersonStep{iin_text};
  }
  p.iin = *iin;
  return step;
}

std::optional<domain::Iin> ValidIin(Fields& f, std::string_view key) {
  auto text = f.String(key);
  if (!f.error().empty()) return std::nullopt;
  auto iin = domain::Iin::Parse(text);
  if (!iin) f.Fail(key, fmt::format("'{}' is not a valid IIN", domain::MaskIinsInText(text)));
  return iin;
}

StepBody ParseApply(Fields& f) {
  ApplyStep step;
  auto& a = step.application;
  a.id = f.Id("id");
  a.date = f.DateField("date").value_or(Date{});
  a.iin = f.String("iin");
  a.org = f.String("org");
  a.channel = f.Enum<domain::Channel>("channel").value_or(domain::Channel::kEgov);
  a.basis = f.Enum<domain::Basis>("basis").value_or(domain::Basis::kFreeChoice);
  if (f.Has("district")) a.district = f.String("district");
  a.applicant = f.String("applicant", false);
  if (a.applicant == a.iin) a.applicant.clear();
  a.consent = f.Bool("consent").value_or(true);
  a.documents = f.FlagList<domain::Document>("documents");
  if (f.Has("birth")) a.declared_birth = f.DateField("birth");
  if (f.Has("sex")) a.declared_sex = f.Enum<domain::Sex>("sex");
  return step;
}

}  // namespace

Result<domain::Application> ParseApplication(const json::object& o) {
  Fields f(o);
  auto step = ParseApply(f);
  if (!f.error().empty()) return Error::InvalidArgument(f.error());
  return std::get<ApplyStep>(step).application;
}

Result<std::optional<Step>> ParseLine(std::string_view line, int line_number) {
  std::size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos || line[first] == '#') return std::optional<Step>{};
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) return Error::InvalidArgument(fmt::format("malformed JSON: {}", ec.message()));
  if (!v.is_object()) return Error::InvalidArgument("expected a JSON object");
  const auto& o = v.as_object();
  Fields f(o);
  const auto op = f.String("op");
  if (!f.error().empty()) return Error::InvalidArgument(f.error());

  Step step;
  step.line = line_number;
  if (op == "policy") {
    step.body = ParsePolicy(f, o);
  } else if (op == "org") {
    step.body = ParseOrg(f);
  } else if (op == "district") {
    step.body = ParseDistrict(f);
  } else if (op == "person") {
    step.body = ParsePerson(f);
  } else if (op == "attach") {
    AttachStep a;
    auto iin = ValidIin(f, "iin");
    a.org = f.Id("org");
    a.district = f.Id("district");
    a.from = f.DateField("from").value_or(Date{});
    if (iin) a.iin = *iin;
    step.body = a;
  } else if (op == "apply") {
    step.body = ParseApply(f);
  } else if (op == "death") {
    DeathStep d;
    auto iin = ValidIin(f, "iin");
    d.date = f.DateField("date").value_or(Date{});
    if (iin) d.iin = *iin;
    step.body = d;
  } else if (op == "org_close") {
    OrgCloseStep c;
    c.org = f.Id("org");
    c.date = f.DateField("date").value_or(Date{});
    c.successor = f.String("successor", false);
    step.body = c;
  } else if (op == "query") {
    QueryStep q;
    q.iin = f.String("iin");
    q.date = f.DateField("date").value_or(Date{});
    step.body = q;
  } else {
    return Error::InvalidArgument(fmt::format("unknown op '{}'", op));
  }
  if (auto* expect = o.if_contains("expect")) {
    if (!expect->is_object())
      f.Fail("expect", "expected an object");
    else
      step.expect = expect->as_object();
  }
  if (!f.error().empty()) return Error::InvalidArgument(fmt::format("op '{}': {}", op, f.error()));
  return std::optional<Step>(std::move(step));
}

Result<Scenario> ParseScenario(std::string_view text, const std::string& file) {
  Scenario scenario;
  scenario.file = file;
  int line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line_number;
    auto line = text.substr(pos, end - pos);
    auto step = ParseLine(line, line_number);
    if (!step) {
      return Error::InvalidArgument(
          fmt::format("{}:{}: {}", file, line_number, step.error().message));
    }
    if (*step) scenario.steps.push_back(std::move(**step));
    pos = end + 1;
  }
  return scenario;
}

Result<Scenario> ReadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound(fmt::format("{}: cannot open", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseScenario(buffer.str(), path);
}

}  // namespace emkhana::scenario
