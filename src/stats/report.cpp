#include "stats/report.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

#include "policy/policy_loader.hpp"

namespace emkhana::stats {

namespace json = boost::json;
using domain::Date;

const std::array<const char*, kBroadBands> kBroadBandNames{"0-4", "5-17", "18-59", "60+"};

int BroadBand(int age) { return age < 5 ? 0 : age < 18 ? 1 : age < 60 ? 2 : 3; }

std::string FiveYearBandName(int band) {
  if (band == kFiveYearBands - 1) return fmt::format("{}+", band * 5);
  return fmt::format("{}-{}", band * 5, band * 5 + 4);
}

namespace {
int FiveYearBand(int age) { return std::min(age / 5, kFiveYearBands - 1); }
}  // namespace

Result<Report> Summarise(const Snapshot& s, Date date, std::string_view region) {
  if (!s.cube.Covers(date)) {
    return Error::FailedPrecondition(
        fmt::format("the maintained statistics cover {} to {}; {} is outside (use --recount)",
                    s.cube.since().ToString(), s.cube.horizon().ToString(), date.ToString()));
  }
  Report r;
  r.region = std::string(region);
  r.date = date;
  r.age_date = domain::MonthStart(date);
  r.as_of = s.as_of;
  r.since = s.cube.since();
  // The campaign whose moves take effect on the next 1 January; on 1 January itself, the one
  // that has just taken effect.
  r.campaign_year = Date::FromDays(date.days() - 1).year();
  const auto& regions = s.cube.regions();
  // Whether a person's region (an index into `regions`) and an organisation are in the view.
  auto person_in = [&](std::size_t index) {
    return region.empty() || (index < regions.size() && regions[index] == region);
  };
  auto org_in = [&](std::size_t index) {
    return region.empty() || (index < s.orgs.size() && s.orgs[index].region == region);
  };

  std::vector<RegionRow> by_region(regions.size());
  for (std::size_t i = 0; i < regions.size(); ++i) by_region[i].region = regions[i];
  r.orgs.resize(s.orgs.size());
  for (std::size_t i = 0; i < s.orgs.size(); ++i) {
    const auto& o = s.orgs[i];
    r.orgs[i].id = o.id;
    r.orgs[i].name = o.name;
    r.orgs[i].region = o.region;
    r.orgs[i].rural = o.rural;
    r.orgs[i].is_private = o.is_private;
  }

  // One walk over the cells. People of one (organisation, region, sex) are summed by age first,
  // then counted once per age: two million cells become about 150 000 groups.
  const AgesOn ages(r.age_date);
  constexpr int kAges = 128;  // ages above fall in the same bands as 127
  struct AgeGroup {
    std::uint64_t key = ~0ull;  // the cell key above the birth bits (from sex up); ~0: none yet
    std::array<std::int64_t, kAges> by_age{};
    int lowest = kAges, highest = -1;
  } group;
  auto count_people = [&](Facet facet, std::uint32_t org, std::uint32_t person_region,
                          domain::Sex sex, int age, std::int64_t n) {
    if (facet == Facet::kPopulation) {
      if (!person_in(person_region)) return;
      r.population.Add(sex, n);
      r.population_pyramid[FiveYearBand(age)].Add(sex, n);
      r.population_broad[BroadBand(age)] += n;
      if (person_region < by_region.size()) by_region[person_region].population += n;
      return;
    }
    // The region's people wherever attached; its organisations whoever they serve.
    if (person_in(person_region)) {
      r.attached.Add(sex, n);
      r.attached_pyramid[FiveYearBand(age)].Add(sex, n);
      r.attached_broad[BroadBand(age)] += n;
      if (person_region < by_region.size()) by_region[person_region].attached += n;
    }
    if (org < r.orgs.size() && org_in(org)) {
      auto& row = r.orgs[org];
      row.attached.Add(sex, n);
      row.bands[BroadBand(age)] += n;
      (row.rural ? r.rural : r.urban) += n;
      (row.is_private ? r.private_orgs : r.public_orgs) += n;
    }
  };
  auto flush_group = [&] {
    if (group.highest < 0) return;
    const Cell c = Cell::Unpack(group.key << cube_bits::kSexShift);
    for (int age = group.lowest; age <= group.highest; ++age) {
      if (group.by_age[age] != 0) {
        count_people(c.facet, c.org, c.region, c.sex, age, group.by_age[age]);
        group.by_age[age] = 0;
      }
    }
    group.lowest = kAges;
    group.highest = -1;
  };
  // Born after the first of the month: age 0 (as in the attached counts).
  auto age_of = [&](std::uint64_t cell) {
    const BirthKey birth{cube_bits::Field(cell, cube_bits::kBirthShift, 12),
                         cube_bits::Field(cell, cube_bits::kBornFirstShift, 1) != 0};
    return std::min(kAges - 1, std::max(0, ages(birth)));
  };

  // District utilisation: panel on the date against capacity under the norms then in force.
  std::vector<std::int64_t> panel(s.districts.size(), 0);
  // Flows of the campaign year: moves effective after 1 January of the year up to and
  // including the next 1 January (the campaign's effective date); of which pending: effective
  // after the date asked.
  const Date flows_after = Date::Ymd(r.campaign_year, 1, 1);
  const Date flows_upto = Date::Ymd(r.campaign_year + 1, 1, 1);

  const bool whole = s.ForEachRawCell([&](std::uint64_t cell, std::span<const Entry> entries) {
    const auto facet = static_cast<Facet>(cell >> cube_bits::kFacetShift);
    auto on = [&](Date day) {
      std::int64_t n = 0;
      for (const auto& e : entries) {
        if (e.day <= day.days()) n += e.count;
      }
      return n;
    };
    if (facet != Facet::kAttached && facet != Facet::kPopulation) flush_group();
    switch (facet) {
      case Facet::kAttached:
      case Facet::kPopulation: {
        const std::int64_t n = on(date);
        if (n == 0) break;
        const std::uint64_t key = cell >> cube_bits::kSexShift;
        if (key != group.key) {
          flush_group();
          group.key = key;
        }
        const int age = age_of(cell);
        group.by_age[age] += n;
        group.lowest = std::min(group.lowest, age);
        group.highest = std::max(group.highest, age);
        break;
      }
      case Facet::kInsured: {
        const std::int64_t n = on(date);
        if (n == 0) break;
        const Cell c = Cell::Unpack(cell);
        if (!person_in(c.region)) break;
        if (c.region < by_region.size()) {
          by_region[c.region].registered += n;
          if (c.osms.insured) by_region[c.region].insured += n;
        }
        auto& cat = r.insured_by_category[std::string(domain::NameOf(c.osms.category))];
        cat[0] += n;
        if (c.osms.insured) cat[1] += n;
        r.by_payer[std::string(domain::NameOf(c.osms.payer))] += n;
        break;
      }
      case Facet::kDistrict: {
        const Cell c = Cell::Unpack(cell);
        if (c.district < panel.size()) panel[c.district] += on(date);
        break;
      }
      case Facet::kFlow: {
        const Cell c = Cell::Unpack(cell);
        if (c.org >= r.orgs.size()) break;
        auto& org = r.orgs[c.org];
        const bool in = c.direction == Direction::kIn;
        for (const auto& e : entries) {
          if (e.day <= flows_after.days() || e.day > flows_upto.days()) continue;
          (in ? org.inflow : org.outflow) += e.count;
          if (e.day > date.days()) (in ? org.pending_in : org.pending_out) += e.count;
        }
        break;
      }
      case Facet::kDecision: {
        const std::int64_t n = on(Date::Min());
        const Cell c = Cell::Unpack(cell);
        if (n == 0 || c.year != r.campaign_year) break;
        const std::string channel(domain::NameOf(c.channel));
        if (c.reason == kNoReason) {
          r.decisions_by_channel[channel][c.outcome == domain::Outcome::kApproved ? 0 : 1] += n;
        } else if (c.reason < domain::EnumNames<domain::Reason>::kAll.size()) {
          const auto reason = static_cast<domain::Reason>(c.reason);
          r.refusals[std::string(domain::NameOf(reason))][channel] += n;
        }
        break;
      }
    }
    return true;
  });
  flush_group();
  if (!whole) {
    return Error::Internal(
        "statistics snapshot: the entries are damaged; run `emkhana stats --recount`");
  }

  auto policy = policy::ParsePolicyJson(s.policy_json);
  const domain::Policy& p = policy ? *policy : policy::DefaultPolicy();
  const auto norms = p.NormsOn(date);
  for (std::size_t i = 0; i < s.districts.size(); ++i) {
    const auto& d = s.districts[i];
    if (!org_in(d.org)) continue;
    auto& kind = r.districts_by_kind[std::string(domain::NameOf(d.kind))];
    const std::int64_t capacity = d.capacity ? *d.capacity : norms.For(d.kind) * d.doctors;
    for (auto* use : {&r.districts, &kind}) {
      ++use->districts;
      if (capacity <= 0) continue;
      ++use->with_capacity;
      if (panel[i] * 10 > capacity * 9) ++use->above_90;
      if (panel[i] > capacity) ++use->above_100;
    }
  }

  if (!region.empty()) {
    std::erase_if(r.orgs, [&](const OrgRow& o) { return o.region != region; });
  }
  // Organisations by id, whatever order the snapshot's dictionary has.
  std::sort(r.orgs.begin(), r.orgs.end(),
            [](const OrgRow& a, const OrgRow& b) { return a.id < b.id; });
  for (auto& row : by_region) {
    if (row.population || row.attached || row.registered) r.regions.push_back(std::move(row));
  }
  std::sort(r.regions.begin(), r.regions.end(),
            [](const RegionRow& a, const RegionRow& b) { return a.region < b.region; });
  return r;
}

namespace {
double Share(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}
json::object Sexes(const SexCounts& c) {
  return {{"men", c.men}, {"women", c.women}, {"total", c.total()}};
}
json::object Use(const DistrictUse& u) {
  return {{"districts", u.districts},
          {"with_capacity", u.with_capacity},
          {"above_90", u.above_90},
          {"above_100", u.above_100},
          {"share_above_90", Share(u.above_90, u.with_capacity)},
          {"share_above_100", Share(u.above_100, u.with_capacity)}};
}
}  // namespace

json::value ToJson(const Report& r) {
  json::object o;
  o["scope"] = r.region.empty() ? json::value("national") : json::value(r.region);
  o["date"] = r.date.ToString();
  o["age_date"] = r.age_date.ToString();
  o["as_of"] = r.as_of.ToString();
  o["since"] = r.since == Date::Min() ? "" : r.since.ToString();
  o["population"] = Sexes(r.population);
  o["attached"] = Sexes(r.attached);
  o["unattached"] = r.population.total() - r.attached.total();
  json::array regions;
  for (const auto& g : r.regions) {
    regions.push_back(json::object{{"region", g.region},
                                   {"population", g.population},
                                   {"attached", g.attached},
                                   {"unattached", g.population - g.attached},
                                   {"attached_share", Share(g.attached, g.population)},
                                   {"registered", g.registered},
                                   {"insured", g.insured},
                                   {"insured_share", Share(g.insured, g.registered)}});
  }
  o["regions"] = std::move(regions);
  json::array orgs;
  for (const auto& g : r.orgs) {
    json::object bands;
    for (int b = 0; b < kBroadBands; ++b) bands[kBroadBandNames[b]] = g.bands[b];
    orgs.push_back(json::object{{"id", g.id},
                                {"name", g.name},
                                {"region", g.region},
                                {"rural", g.rural},
                                {"private", g.is_private},
                                {"attached", Sexes(g.attached)},
                                {"age_bands", std::move(bands)},
                                {"inflow", g.inflow},
                                {"outflow", g.outflow},
                                {"net", g.inflow - g.outflow},
                                {"pending_in", g.pending_in},
                                {"pending_out", g.pending_out}});
  }
  o["organisations"] = std::move(orgs);
  o["organisation_types"] = json::object{{"urban", r.urban},
                                         {"rural", r.rural},
                                         {"private", r.private_orgs},
                                         {"public", r.public_orgs}};
  json::array pyramid;
  for (int b = 0; b < kFiveYearBands; ++b) {
    pyramid.push_back(json::object{{"band", FiveYearBandName(b)},
                                   {"attached", Sexes(r.attached_pyramid[b])},
                                   {"population", Sexes(r.population_pyramid[b])}});
  }
  o["age_sex"] = std::move(pyramid);
  json::array broad;
  for (int b = 0; b < kBroadBands; ++b) {
    broad.push_back(json::object{{"band", kBroadBandNames[b]},
                                 {"attached", r.attached_broad[b]},
                                 {"population", r.population_broad[b]}});
  }
  o["age_bands"] = std::move(broad);
  json::object kinds;
  for (const auto& [k, u] : r.districts_by_kind) kinds[k] = Use(u);
  o["districts"] = json::object{{"all", Use(r.districts)}, {"by_kind", std::move(kinds)}};
  json::object decisions;
  for (const auto& [channel, n] : r.decisions_by_channel) {
    decisions[channel] = json::object{{"approved", n[0]}, {"refused", n[1]}};
  }
  json::object refusals;
  for (const auto& [reason, channels] : r.refusals) {
    json::object c;
    for (const auto& [channel, n] : channels) c[channel] = n;
    refusals[reason] = std::move(c);
  }
  o["campaign"] = json::object{{"year", r.campaign_year},
                               {"decisions_by_channel", std::move(decisions)},
                               {"refusals", std::move(refusals)}};
  json::object categories, payers;
  for (const auto& [cat, n] : r.insured_by_category) {
    categories[cat] =
        json::object{{"registered", n[0]}, {"insured", n[1]}, {"insured_share", Share(n[1], n[0])}};
  }
  for (const auto& [payer, n] : r.by_payer) payers[payer] = n;
  o["osms"] = json::object{{"by_category", std::move(categories)}, {"by_payer", std::move(payers)}};
  return o;
}

std::string ToText(const Report& r) {
  std::string out;
  auto line = [&](std::string s) {
    out += s;
    out += '\n';
  };
  line(fmt::format("Прикреплённое население на {} / {} күнгі бекітілген халық (возраст на {})",
                   r.date.ToString(), r.date.ToString(), r.age_date.ToString()));
  if (!r.region.empty()) {
    line(fmt::format("  регион / өңір {} (решения по стране / шешімдер бүкіл ел бойынша)",
                     r.region));
  }
  line(fmt::format("  population {:>12}   attached {:>12} ({:.1f} %)   unattached {:>10}",
                   r.population.total(), r.attached.total(),
                   100 * Share(r.attached.total(), r.population.total()),
                   r.population.total() - r.attached.total()));
  line(fmt::format("  attached men {:>10}   women {:>10}", r.attached.men, r.attached.women));
  line("");
  line(fmt::format("{:<10} {:>12} {:>12} {:>8} {:>12} {:>8}", "region", "population", "attached",
                   "share", "unattached", "insured"));
  for (const auto& g : r.regions) {
    line(fmt::format("{:<10} {:>12} {:>12} {:>7.1f}% {:>12} {:>7.1f}%", g.region, g.population,
                     g.attached, 100 * Share(g.attached, g.population), g.population - g.attached,
                     100 * Share(g.insured, g.registered)));
  }
  line("");
  line(fmt::format("{:<8} {:>11} {:>11} {:>11} {:>11}", "age", "att. men", "att. women", "pop. men",
                   "pop. women"));
  for (int b = 0; b < kFiveYearBands; ++b) {
    line(fmt::format("{:<8} {:>11} {:>11} {:>11} {:>11}", FiveYearBandName(b),
                     r.attached_pyramid[b].men, r.attached_pyramid[b].women,
                     r.population_pyramid[b].men, r.population_pyramid[b].women));
  }
  for (int b = 0; b < kBroadBands; ++b) {
    line(fmt::format("{:<8} attached {:>11}  population {:>11}", kBroadBandNames[b],
                     r.attached_broad[b], r.population_broad[b]));
  }
  line("");
  line(fmt::format("organisations: urban {} · rural {} · private {} · public {} (attached persons)",
                   r.urban, r.rural, r.private_orgs, r.public_orgs));
  line(fmt::format(
      "districts: {} · above 90 % {} ({:.1f} %) · above 100 % {} ({:.1f} %)", r.districts.districts,
      r.districts.above_90, 100 * Share(r.districts.above_90, r.districts.with_capacity),
      r.districts.above_100, 100 * Share(r.districts.above_100, r.districts.with_capacity)));
  auto orgs = r.orgs;
  std::erase_if(orgs, [](const OrgRow& g) { return g.inflow == 0 && g.outflow == 0; });
  std::sort(orgs.begin(), orgs.end(), [](const OrgRow& a, const OrgRow& b) {
    return a.inflow - a.outflow != b.inflow - b.outflow
               ? a.inflow - a.outflow > b.inflow - b.outflow
               : a.id < b.id;
  });
  std::int64_t moves = 0, pending = 0;
  for (const auto& g : orgs) {
    moves += g.inflow;
    pending += g.pending_in;
  }
  line("");
  line(fmt::format("campaign {}: {} moves, {} pending (not yet effective on {})", r.campaign_year,
                   moves, pending, r.date.ToString()));
  // The five largest gains and losses (all of them when there are ten or fewer).
  const std::size_t shown = orgs.size() <= 10 ? orgs.size() : 5;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& g = orgs[i];
    line(fmt::format("  {:<14} in {:>7} out {:>7} net {:>+7}", g.id, g.inflow, g.outflow,
                     g.inflow - g.outflow));
  }
  for (std::size_t i = std::max(shown, orgs.size() > 5 ? orgs.size() - 5 : 0); i < orgs.size();
       ++i) {
    const auto& g = orgs[i];
    line(fmt::format("  {:<14} in {:>7} out {:>7} net {:>+7}", g.id, g.inflow, g.outflow,
                     g.inflow - g.outflow));
  }
  for (const auto& [channel, n] : r.decisions_by_channel) {
    line(fmt::format("  {:<15} approved {:>9}  refused {:>9}", channel, n[0], n[1]));
  }
  for (const auto& [reason, channels] : r.refusals) {
    std::int64_t total = 0;
    std::string parts;
    for (const auto& [channel, n] : channels) {
      total += n;
      parts += fmt::format(" {}={}", channel, n);
    }
    line(fmt::format("  refused {:<20} {:>9} ({})", reason, total, parts.substr(1)));
  }
  line("");
  line("OSMS / ОСМС: category registered insured");
  for (const auto& [cat, n] : r.insured_by_category) {
    line(
        fmt::format("  {:<20} {:>11} {:>11} ({:.1f} %)", cat, n[0], n[1], 100 * Share(n[1], n[0])));
  }
  return out;
}

}  // namespace emkhana::stats
