#include "wire/application_json.hpp"

#include "wire/json_fields.hpp"

namespace emkhana::wire {

using domain::NameOf;

Result<domain::Application> ParseApplication(const json::object& o) {
  Fields f(o);
  domain::Application a;
  a.id = f.Id("id");
  a.date = f.DateField("date").value_or(domain::Date{});
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
  if (!f.error().empty()) return Error::InvalidArgument(f.error());
  return a;
}

json::object DecisionJson(const domain::Decision& d) {
  json::object o;
  o["id"] = d.application_id;
  o["decision"] = NameOf(d.outcome);
  if (d.outcome == domain::Outcome::kApproved) {
    o["org"] = d.org;
    o["district"] = d.district;
    o["effective"] = d.effective->ToString();
  }
  o["decide_by"] = d.decide_by.ToString();
  json::array reasons;
  bool capacity = false;
  for (auto r : d.reasons) {
    reasons.push_back(json::string(NameOf(r)));
    capacity |= r == domain::Reason::kCapacityExceeded;
  }
  o["reasons"] = std::move(reasons);
  if (capacity) {
    json::array alternatives;
    for (const auto& alternative : d.alternatives)
      alternatives.push_back(json::string(alternative));
    o["alternatives"] = std::move(alternatives);
  }
  return o;
}

json::object PlacementJson(std::string_view iin, domain::Date date, std::string_view org,
                           std::string_view district) {
  json::object o;
  o["iin"] = iin;
  o["date"] = date.ToString();
  o["org"] = org.empty() ? json::value(nullptr) : json::value(org);
  o["district"] = district.empty() ? json::value(nullptr) : json::value(district);
  return o;
}

}  // namespace emkhana::wire
