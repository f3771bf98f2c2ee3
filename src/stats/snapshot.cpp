#include "stats/snapshot.hpp"

#include <boost/json.hpp>

#include <cstring>

namespace emkhana::stats {

namespace json = boost::json;
using domain::Date;

namespace {
constexpr std::size_t kEntryBytes = 8 + 4 + 8;  // key, day, count; little-endian as on x86-64

template <class T>
void Put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}
template <class T>
T Take(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace

std::string EncodeHeader(const Snapshot& s) {
  json::object h;
  h["format"] = 1;
  h["as_of"] = s.as_of.ToString();
  h["since"] = s.cube.since() == Date::Min() ? "" : s.cube.since().ToString();
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
  const auto entries = cube.Entries();
  std::string out;
  out.reserve(entries.size() * kEntryBytes);
  for (const auto& e : entries) {
    Put(out, e.key);
    Put(out, e.day);
    Put(out, e.count);
  }
  return out;
}

Result<Snapshot> DecodeSnapshot(std::string_view header, std::string_view entries) {
  auto bad = [](const std::string& what) {
    return Error::Internal("statistics snapshot: " + what + "; run `emkhana stats --recount`");
  };
  if (entries.size() % kEntryBytes != 0) return bad("entries are truncated");
  boost::system::error_code ec;
  auto parsed = json::parse(header, ec);
  if (ec || !parsed.is_object()) return bad("the header is not JSON");
  try {
    const auto& h = parsed.as_object();
    if (h.at("format").to_number<int>() != 1) return bad("unknown format");
    Snapshot s;
    s.as_of = Date::Parse(h.at("as_of").as_string()).value_or(Date::Min());
    const auto since_text = h.at("since").as_string();
    const Date since = since_text.empty() ? Date::Min() : Date::Parse(since_text).value_or(Date::Min());
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
    std::vector<Entry> packed(entries.size() / kEntryBytes);
    for (std::size_t i = 0; i < packed.size(); ++i) {
      const char* p = entries.data() + i * kEntryBytes;
      packed[i] = {Take<std::uint64_t>(p), Take<std::int32_t>(p + 8), Take<std::int64_t>(p + 12)};
    }
    s.cube = Cube(since);
    s.cube.Load(packed, std::move(regions));
    return s;
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

}  // namespace emkhana::stats
