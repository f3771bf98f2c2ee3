// Organisations with their districts, free places and distance; a district's panel.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "http/api.hpp"
#include "http/api_call.hpp"

namespace emkhana::http {

namespace json = boost::json;
using domain::Date;
using domain::Iin;

// ---------------------------------------------------------------- organisations

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
    std::shared_lock lock(registry_lock_);
    std::vector<const domain::Organization*> found;
    if (ate) {
      found = registry_.OrgsInAte(*ate);
    } else {
      for (const auto* o : registry_.Organizations()) {
        if (domain::RegionOfAte(o->ate) == *region) found.push_back(o);
      }
    }
    for (const auto* org : found) {
      json::object o;
      o["id"] = org->id;
      o["name"] = org->name;
      o["ate"] = org->ate;
      o["private"] = org->is_private;
      o["rural"] = org->rural;
      o["open"] = !org->ClosedOn(day) && org->license && org->contract;
      if (org->latitude && org->longitude) {
        o["location"] = json::array{*org->latitude, *org->longitude};
        if (lat) {
          o["distance_km"] =
              std::round(DistanceKm(*lat, *lon, *org->latitude, *org->longitude) * 10) / 10;
        }
      }
      json::array districts;
      int free_total = 0;
      for (const auto* d : registry_.DistrictsOf(org->id)) {
        const int capacity = registry_.CapacityOf(*d, day);
        const int free = registry_.LeastFreePlacesFrom(*d, day);
        free_total += std::max(0, free);
        districts.push_back(json::object{{"id", d->id},
                                         {"kind", domain::NameOf(d->kind)},
                                         {"doctors", d->doctors},
                                         {"capacity", capacity},
                                         {"attached", registry_.PanelSizeOn(d->id, day)},
                                         {"free", free}});
      }
      o["free_places"] = free_total;
      o["districts"] = std::move(districts);
      orgs.push_back(std::move(o));
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
  std::shared_lock lock(registry_lock_);
  const auto* district = registry_.FindDistrict(district_id);
  if (!district) return call.Problem(ProblemCode::kNotFound, "no such district");
  const bool allowed =
      call.Is(Role::kAdmin) || (call.Is(Role::kRegistrar) && call.claims->subject == district->org);
  if (!allowed) return call.Problem(ProblemCode::kForbidden, "not your organisation's panel");
  RecordRead(call, district->id, "panel on " + day.ToString());
  json::array members;
  for (const auto& iin : registry_.PanelMembers(district->id, day, 10'000)) {
    members.push_back(json::string(iin.ToString()));
  }
  return call.Json(json::object{{"district", district->id},
                                {"org", district->org},
                                {"date", day.ToString()},
                                {"capacity", registry_.CapacityOf(*district, day)},
                                {"attached", registry_.PanelSizeOn(district->id, day)},
                                {"members", std::move(members)}});
}

}  // namespace emkhana::http
