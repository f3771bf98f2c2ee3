#include "stats/snapshot.hpp"

#include <boost/json.hpp>

#include <sys/mman.h>

#include <cstdint>
#include <cstring>

namespace emkhana::stats {

namespace json = boost::json;
using domain::Date;

namespace {
constexpr int kFormat = 2;  // 2: days relative to `since`

// Entries are stored sorted, as LEB128 varints: the key as a delta from the previous key, the
// day as a zigzag delta from the previous day of the same key (else from the cube's `since`, where
// most cells have their only entry), the count zigzag.
// Three to six bytes an entry instead of twenty: the snapshot is read on every `stats`.
void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
std::uint64_t Zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t Unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}
bool TakeVarint(const char*& p, const char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(*p++);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}
// The same, when at least ten bytes remain; stops after ten bytes as the checked form does.
inline std::uint64_t TakeVarintUnchecked(const char*& p) {
  std::uint64_t byte = static_cast<std::uint8_t>(*p++);
  if (byte < 0x80) return byte;
  std::uint64_t v = byte & 0x7F;
  for (int shift = 7; shift < 64; shift += 7) {
    byte = static_cast<std::uint8_t>(*p++);
    v |= (byte & 0x7F) << shift;
    if (byte < 0x80) break;
  }
  return v;
}

// Asks for 2 MiB pages over a large buffer not yet written: a 20 M registry's entries take
// about 60 MB, which is 15 000 page faults in 4 KiB pages and a few dozen in huge ones.
void AdviseHugePages(const void* data, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = 2u << 20;
  const auto first = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto last = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}
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
    PutVarint(out, e.key - key);
    PutVarint(out, Zigzag(static_cast<std::int64_t>(e.day) - day));
    PutVarint(out, Zigzag(e.count));
    key = e.key;
    day = e.day;
  }
  return out;
}

Result<Snapshot> DecodeSnapshot(std::string_view header, std::string_view entries) {
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
    // At least three bytes an entry: this capacity never reallocates, and pages never written
    // cost nothing.
    std::vector<Entry> packed;
    packed.reserve(entries.size() / 3 + 1);
    AdviseHugePages(packed.data(), packed.capacity() * sizeof(Entry));
    const char* p = entries.data();
    const char* end = p + entries.size();
    const std::int64_t first_day = since.days();
    std::uint64_t key = 0;
    std::int64_t day = first_day;
    bool ordered = true;  // each entry after the one before: a later key, or a later day
    auto add = [&](std::uint64_t dk, std::uint64_t dd, std::uint64_t n) {
      if (dk != 0) day = first_day;
      const std::int64_t step = Unzigzag(dd);
      ordered &= (dk != 0 || step > 0) && key + dk >= key;
      key += dk;
      day += step;
      packed.push_back(
          {key, static_cast<std::int32_t>(day), static_cast<std::int32_t>(Unzigzag(n))});
    };
    // Three varints take at most 30 bytes: far from the end no bound is checked.
    while (end - p >= 30) {
      const std::uint64_t dk = TakeVarintUnchecked(p);
      const std::uint64_t dd = TakeVarintUnchecked(p);
      add(dk, dd, TakeVarintUnchecked(p));
    }
    while (p < end) {
      std::uint64_t dk = 0, dd = 0, n = 0;
      if (!TakeVarint(p, end, dk) || !TakeVarint(p, end, dd) || !TakeVarint(p, end, n)) {
        return bad("entries are truncated");
      }
      add(dk, dd, n);
    }
    s.cube = Cube(since, horizon);
    if (!ordered) return bad("the entries are out of order");
    s.cube.Load(std::move(packed), std::move(regions), Cube::Order::kSortedAndDistinct);
    return s;
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

}  // namespace emkhana::stats
