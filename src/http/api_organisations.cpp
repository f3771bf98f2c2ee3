// Organisations with their districts, free places and distance; a district's panel.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "http/api.hpp"
#include "http/api_call.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

// ---------------------------------------------------------------- organisations

namespace {

// An organisation with its districts as of `day`: capacity, attached, free places; the distance
// from `from` (latitude, longitude) when given. The caller holds the registry lock.
json::object OrgJson(const registry::Registry& registry, const domain::Organisation& org, Date day,
                     std::optional<std::pair<double, double>> from) {
  json::object o;
  o["id"] = org.id;
  o["name"] = org.name;
  o["ate"] = org.ate;
  o["region"] = std::string(domain::RegionOfAte(org.ate));
  o["private"] = org.is_private;
  o["rural"] = org.rural;
  o["open"] = !org.ClosedOn(day) && org.license && org.contract;
  if (org.latitude && org.longitude) {
    o["location"] = json::array{*org.latitude, *org.longitude};
    if (from) {
      o["distance_km"] =
          std::round(DistanceKm(from->first, from->second, *org.latitude, *org.longitude) * 10) /
          10;
    }
  }
  json::array districts;
  int free_total = 0;
  for (const auto* d : registry.DistrictsOf(org.id)) {
    const int capacity = registry.CapacityOf(*d, day);
    const int free = registry.LeastFreePlacesFrom(*d, day);
    free_total += std::max(0, free);
    districts.push_back(json::object{{"id", d->id},
                                     {"kind", domain::NameOf(d->kind)},
                                     {"doctors", d->doctors},
                                     {"capacity", capacity},
                                     {"attached", registry.PanelSizeOn(d->id, day)},
                                     {"free", free}});
  }
  o["free_places"] = free_total;
  o["districts"] = std::move(districts);
  return o;
}

}  // namespace

Response Api::Organisations(Call& call) {
  const auto* ate = call.Param("ate");
  const auto* region = call.Param("region");
  if (!ate && !region) return call.Problem(ProblemCode::kInvalidQuery, "give ate= or region=");
  std::optional<double> lat, lon;
  if (call.Param("lat") || call.Param("lon")) {
    try {
      lat = std::stod(call.Param("lat") ? *call.Param("lat") : std::string("x"));
      lon = std::stod(call.Param("lon") ? *call.Param("lon") : std::string("x"));
    } catch (const std::exception&) {
      return call.Problem(ProblemCode::kInvalidQuery, "lat and lon: decimal degrees");
    }
    if (!std::isfinite(*lat) || !std::isfinite(*lon) || std::abs(*lat) > 90 ||
        std::abs(*lon) > 180) {
      return call.Problem(ProblemCode::kInvalidQuery, "lat and lon: decimal degrees");
    }
  }
  const Date day = Today();
  json::array orgs;
  {
    const auto reg = service_.Read();
    std::vector<const domain::Organisation*> found;
    if (ate) {
      found = reg->OrgsInAte(*ate);
    } else {
      for (const auto* o : reg->Organisations()) {
        if (domain::RegionOfAte(o->ate) == *region) found.push_back(o);
      }
    }
    for (const auto* org : found) {
      std::optional<std::pair<double, double>> from;
      if (lat) from.emplace(*lat, *lon);
      orgs.push_back(OrgJson(*reg, *org, day, from));
    }
  }
  if (lat) {
    std::stable_sort(orgs.begin(), orgs.end(), [](const json::value& a, const json::value& b) {
      const auto* da = a.as_object().if_contains("distance_km");
      const auto* db = b.as_object().if_contains("distance_km");
      if (!da || !db) return da != nullptr;
      return da->as_double() < db->as_double();
    });
  }
  return call.Json(json::object{{"date", day.ToString()}, {"organisations", std::move(orgs)}});
}

Response Api::Panel(Call& call, std::string_view district_id) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const Date day = *date;
  const auto reg = service_.Read();
  const auto* district = reg->FindDistrict(district_id);
  if (!district) return call.Problem(ProblemCode::kNotFound, "no such district");
  const bool allowed =
      call.Is(Role::kAdmin) || (call.Is(Role::kRegistrar) && call.claims->subject == district->org);
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your organisation's panel");
  const auto panel = reg->PanelMembers(district->id, day, 10'000);
  // One record per person on the panel (their access log shows it), and one for the district.
  const std::string what = "panel of " + district->id + " on " + day.ToString();
  std::vector<ReadRecord> reads{{district->id, what}};
  reads.reserve(panel.size() + 1);
  for (const auto& iin : panel) reads.push_back({iin.ToString(), what});
  if (auto no = RecordReads(call, std::move(reads))) return std::move(*no);
  json::array members;
  for (const auto& iin : panel) members.push_back(json::string(iin.ToString()));
  return call.Json(json::object{{"district", district->id},
                                {"org", district->org},
                                {"date", day.ToString()},
                                {"capacity", reg->CapacityOf(*district, day)},
                                {"attached", reg->PanelSizeOn(district->id, day)},
                                {"members", std::move(members)}});
}

Response Api::Organisation(Call& call, std::string_view id) {
  const auto date = call.DateOr(Today());
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  const auto reg = service_.Read();
  const auto* org = reg->FindOrg(id);
  if (!org) return call.Problem(ProblemCode::kNotFound, "no such organisation");
  auto o = OrgJson(*reg, *org, *date, std::nullopt);
  o["date"] = date->ToString();
  return call.Json(std::move(o));
}

Response Api::Moves(Call& call, std::string_view org_id) {
  if (!call.claims) return call.Problem(ProblemCode::kUnauthenticated, "sign in first");
  const bool allowed =
      call.Is(Role::kAdmin) || (call.Is(Role::kRegistrar) && call.claims->subject == org_id);
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your organisation");
  const Date today = Today();
  const auto date = call.DateOr(Date::Ymd(today.year() + 1, 1, 1));
  if (!date) return call.Problem(ProblemCode::kInvalidDate, "date: expected YYYY-MM-DD");
  if (*date <= today) return call.Problem(ProblemCode::kInvalidQuery, "date: a day after today");
  // Who is on the organisation's panels today and who on `date`: the differences are the moves
  // already decided (campaign approvals, age-outs, closures), in and out.
  auto reg = service_.Read();
  const auto* org = reg->FindOrg(org_id);
  if (!org) return call.Problem(ProblemCode::kNotFound, "no such organisation");
  const auto members = reg->OrgMembers(org->id, {today, *date});
  std::map<std::string, std::string> now, then;  // IIN -> district
  for (const auto& [iin, district] : members[0]) now[iin.ToString()] = district;
  for (const auto& [iin, district] : members[1]) then[iin.ToString()] = district;
  // Where the others come from or go to: settled placements only (a shared lock).
  auto org_on = [&](const std::string& iin, Date day) -> json::value {
    auto where = reg->TryWhereOn(*Iin::Parse(iin), day);
    return where && !where->org.empty() ? json::value(where->org) : json::value(nullptr);
  };
  json::array in, out, within;
  for (const auto& [iin, district] : then) {
    auto it = now.find(iin);
    if (it == now.end()) {
      in.push_back(
          json::object{{"iin", iin}, {"district", district}, {"from_org", org_on(iin, today)}});
    } else if (it->second != district) {
      within.push_back(
          json::object{{"iin", iin}, {"from_district", it->second}, {"district", district}});
    }
  }
  for (const auto& [iin, district] : now) {
    if (then.contains(iin)) continue;
    out.push_back(
        json::object{{"iin", iin}, {"district", district}, {"to_org", org_on(iin, *date)}});
  }
  reg.Release();
  // One record per person whose move is disclosed, and one for the organisation.
  const std::string what = "moves of " + std::string(org_id) + " to " + date->ToString();
  std::vector<ReadRecord> reads{{std::string(org_id), what}};
  for (const auto* list : {&in, &out, &within}) {
    for (const auto& item : *list)
      reads.push_back({json::value_to<std::string>(item.as_object().at("iin")), what});
  }
  if (auto no = RecordReads(call, std::move(reads))) return std::move(*no);
  return call.Json(json::object{{"org", std::string(org_id)},
                                {"from", today.ToString()},
                                {"date", date->ToString()},
                                {"in", std::move(in)},
                                {"out", std::move(out)},
                                {"within", std::move(within)}});
}

}  // namespace emkhana::http
