#include "scenario/scenario.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "wire/application_json.hpp"
#include "wire/json_fields.hpp"

namespace emkhana::scenario {

namespace json = boost::json;
using domain::Date;

namespace {

using wire::DateList;
using wire::Fields;

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

}  // namespace

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
    auto app = wire::ParseApplication(o);
    if (!app) return Error::InvalidArgument(fmt::format("op 'apply': {}", app.error().message));
    step.body = ApplyStep{std::move(*app)};
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
