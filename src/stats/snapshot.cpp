#include "stats/snapshot.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <cstring>

#include "core/huge_pages.hpp"
#include "stats/packed_entries.hpp"

namespace emkhana::stats {

namespace json = boost::json;
using domain::Date;

namespace {
constexpr int kFormat = 2;  // 2: days relative to `since`

}  // namespace

std::string EncodeHeader(const Snapshot& s) {
  json::object h;
  h["format"] = kFormat;
  h["as_of"] = s.as_of.ToString();
  h["since"] = s.cube.since() == Date::Min() ? "" : s.cube.since().ToString();
  h["horizon"] = s.cube.horizon() == Date::Max() ? "" : s.cube.horizon().ToString();
  json::array regions;
  for (const auto& r : s.cube.regions()) regions.emplace_back(r);
  h["regions"] = std::move(regions);
  json::array orgs;
  for (const auto& o : s.orgs) {
    orgs.emplace_back(json::array{json::string(o.id), json::string(o.name), json::string(o.ate),
                                  json::string(o.region), o.rural, o.is_private});
  }
  h["orgs"] = std::move(orgs);
  json::array districts;
  for (const auto& d : s.districts) {
    json::array row{json::string(d.id), d.org, json::string(domain::NameOf(d.kind)), d.doctors};
    if (d.capacity) {
      row.emplace_back(*d.capacity);
    } else {
      row.emplace_back(nullptr);
    }
    districts.emplace_back(std::move(row));
  }
  h["districts"] = std::move(districts);
  h["policy"] = s.policy_json;
  return json::serialize(h);
}

std::string EncodeEntries(const Cube& cube) {
  const auto& entries = cube.Entries();
  std::string out;
  out.reserve(entries.size() * 6);
  const std::int64_t since = cube.since().days();
  std::uint64_t key = 0;
  std::int64_t day = since;
  for (const auto& e : entries) {
    if (e.key != key) day = since;
    packed::PutVarint(out, e.key - key);
    packed::PutVarint(out, packed::Zigzag(static_cast<std::int64_t>(e.day) - day));
    packed::PutVarint(out, packed::Zigzag(e.count));
    key = e.key;
    day = e.day;
  }
  return out;
}

Result<Snapshot> DecodeSnapshot(std::string_view header, std::string entries, Decode how) {
  auto bad = [](const std::string& what) {
    return Error::Internal("statistics snapshot: " + what + "; run `emkhana stats --recount`");
  };
  boost::system::error_code ec;
  auto parsed = json::parse(header, ec);
  if (ec || !parsed.is_object()) return bad("the header is not JSON");
  try {
    const auto& h = parsed.as_object();
    if (h.at("format").to_number<int>() != kFormat) return bad("an older format");
    Snapshot s;
    s.as_of = Date::Parse(h.at("as_of").as_string()).value_or(Date::Min());
    const auto since_text = h.at("since").as_string();
    const Date since =
        since_text.empty() ? Date::Min() : Date::Parse(since_text).value_or(Date::Min());
    const auto horizon_text = h.at("horizon").as_string();
    const Date horizon =
        horizon_text.empty() ? Date::Max() : Date::Parse(horizon_text).value_or(Date::Max());
    std::vector<std::string> regions;
    for (const auto& r : h.at("regions").as_array()) regions.emplace_back(r.as_string());
    for (const auto& v : h.at("orgs").as_array()) {
      const auto& o = v.as_array();
      s.orgs.push_back({std::string(o.at(0).as_string()), std::string(o.at(1).as_string()),
                        std::string(o.at(2).as_string()), std::string(o.at(3).as_string()),
                        o.at(4).as_bool(), o.at(5).as_bool()});
    }
    for (const auto& v : h.at("districts").as_array()) {
      const auto& d = v.as_array();
      DistrictInfo info;
      info.id = d.at(0).as_string();
      info.org = d.at(1).to_number<std::uint32_t>();
      info.kind = domain::ParseEnum<domain::DistrictKind>(d.at(2).as_string())
                      .value_or(domain::DistrictKind::kGp);
      info.doctors = d.at(3).to_number<int>();
      if (!d.at(4).is_null()) info.capacity = d.at(4).to_number<int>();
      s.districts.push_back(std::move(info));
    }
    s.policy_json = h.at("policy").as_string();
    s.cube = Cube(since, horizon);
    if (how == Decode::kPacked) {
      s.cube.Load({}, std::move(regions));
      s.packed = std::move(entries);
      return s;
    }
    // At least three bytes an entry: this capacity never reallocates, and pages never written
    // cost nothing.
    std::vector<Entry> unpacked;
    unpacked.reserve(entries.size() / 3 + 1);
    AdviseHugePages(unpacked.data(), unpacked.capacity() * sizeof(Entry));
    const auto read = packed::Decode(entries, since,
                                     [&](std::uint64_t key, std::int32_t day, std::int32_t count) {
                                       unpacked.push_back({key, day, count});
                                       return true;
                                     });
    if (read != packed::Read::kWhole) return bad("the entries are truncated or out of order");
    s.cube.Load(std::move(unpacked), std::move(regions), Cube::Order::kSortedAndDistinct);
    return s;
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

}  // namespace emkhana::stats
