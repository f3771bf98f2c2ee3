#include "stats/funding.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

namespace emkhana::stats {

namespace json = boost::json;
using domain::Date;

double FundingTable::Coefficient(domain::Sex sex, int age) const {
  const int b = BandOf(age);
  if (b < 0) return 0.0;
  return sex == domain::Sex::kMale ? bands[b].men : bands[b].women;
}

int FundingTable::BandOf(int age) const {
  for (std::size_t i = 0; i < bands.size(); ++i) {
    if (bands[i].from <= age && age < bands[i].to) return static_cast<int>(i);
  }
  return -1;
}

const FundingTable& IllustrativeFundingTable() {
  static const FundingTable table = [] {
    FundingTable t;
    t.version = "illustrative-2026";
    t.source =
        "ILLUSTRATIVE values, not the official coefficients of order ҚР ДСМ-309/2020; base rate "
        "≈ 27 000 ₸ per person per year (shared/DOMAIN.md)";
    t.illustrative = true;
    t.base_rate_per_year = 27000;
    t.bands = {{0, 1, 3.40, 3.25},   {1, 5, 1.90, 1.80},   {5, 10, 1.05, 1.00},
               {10, 15, 0.85, 0.85}, {15, 20, 0.80, 0.95}, {20, 30, 0.55, 1.10},
               {30, 40, 0.60, 1.05}, {40, 50, 0.75, 0.95}, {50, 60, 1.00, 1.05},
               {60, 70, 1.45, 1.35}, {70, 200, 1.85, 1.70}};
    return t;
  }();
  return table;
}

Result<FundingTable> ParseFundingTable(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::InvalidArgument("funding table: not a JSON object");
  try {
    const auto& o = v.as_object();
    FundingTable t;
    t.version = o.at("version").as_string();
    t.source = o.contains("source") ? std::string(o.at("source").as_string()) : "";
    t.illustrative = o.contains("illustrative") && o.at("illustrative").as_bool();
    t.base_rate_per_year = o.at("base_rate_per_year").to_number<double>();
    int expected_from = 0;
    for (const auto& b : o.at("bands").as_array()) {
      const auto& band = b.as_object();
      FundingTable::Band x{band.at("from").to_number<int>(), band.at("to").to_number<int>(),
                           band.at("men").to_number<double>(),
                           band.at("women").to_number<double>()};
      if (x.from != expected_from || x.to <= x.from || x.men < 0 || x.women < 0) {
        return Error::InvalidArgument(
            fmt::format("funding table: band [{}, {}) must start at {} and be non-empty", x.from,
                        x.to, expected_from));
      }
      expected_from = x.to;
      t.bands.push_back(x);
    }
    if (t.bands.empty() || t.base_rate_per_year <= 0) {
      return Error::InvalidArgument("funding table: bands and a positive base rate are required");
    }
    return t;
  } catch (const std::exception& e) {
    return Error::InvalidArgument(std::string("funding table: ") + e.what());
  }
}

void OrgFunding::Add(const OrgFunding& o) {
  persons += o.persons;
  persons_before += o.persons_before;
  amount += o.amount;
  amount_before += o.amount_before;
  joins += o.joins;
  leaves += o.leaves;
  deaths += o.deaths;
  band_moves += o.band_moves;
  joins_amount += o.joins_amount;
  leaves_amount += o.leaves_amount;
  deaths_amount += o.deaths_amount;
  age_effect += o.age_effect;
}

Result<FundingReport> ComputeFunding(const Snapshot& s, const FundingTable& table, int year,
                                     int month) {
  if (month < 1 || month > 12) return Error::InvalidArgument("funding: month must be 1..12");
  FundingReport r;
  r.year = year;
  r.month = month;
  r.table = table;
  r.first_day = Date::Ymd(year, static_cast<unsigned>(month), 1);
  r.before_first_day = domain::PreviousMonthStart(r.first_day);
  if (!s.cube.Covers(r.first_day)) {
    return Error::FailedPrecondition(
        fmt::format("funding: the maintained statistics cover {} to {}", s.cube.since().ToString(),
                    s.cube.horizon().ToString()));
  }
  r.explained = s.cube.Covers(r.before_first_day);
  r.orgs.resize(s.orgs.size());
  for (std::size_t i = 0; i < s.orgs.size(); ++i) {
    r.orgs[i].id = s.orgs[i].id;
    r.orgs[i].name = s.orgs[i].name;
    r.orgs[i].region = s.orgs[i].region;
  }
  const double monthly = table.base_rate_per_year / 12.0;
  // The rate and the band of every (sex, birth key) on both first days, worked out once: the
  // pass below meets two million cells.
  struct ByBirth {
    std::vector<double> rate;
    std::vector<int> band;
  };
  auto by_birth = [&](Date on) {
    const AgesOn ages(on);
    ByBirth b{std::vector<double>(2 * 8192), std::vector<int>(2 * 8192)};
    for (int sex = 0; sex < 2; ++sex) {
      for (std::uint32_t key = 0; key < 8192; ++key) {
        const int age = std::max(0, ages(BirthKey{key / 2, (key & 1) != 0}));
        b.rate[sex * 8192 + key] = monthly * table.Coefficient(static_cast<domain::Sex>(sex), age);
        b.band[sex * 8192 + key] = table.BandOf(age);
      }
    }
    return b;
  };
  const ByBirth now_table = by_birth(r.first_day);
  const ByBirth before_table = r.explained ? by_birth(r.before_first_day) : ByBirth{};
  auto index = [](const Cell& c) {
    return static_cast<std::size_t>(c.sex) * 8192 + c.birth.month * 2 +
           (c.birth.born_first ? 1 : 0);
  };

  // amount - amount_before = J·c_now - (L + D)·c_before + (A - L - D)·(c_now - c_before)
  auto Account = [&](const Cell& c, std::int64_t before, std::int64_t joins, std::int64_t leaves,
                     std::int64_t deaths) {
    if (c.org >= r.orgs.size()) return;
    auto& o = r.orgs[c.org];
    const std::size_t i = index(c);
    const double now_rate = now_table.rate[i], before_rate = before_table.rate[i];
    const std::int64_t stay = before - leaves - deaths;
    const std::int64_t now = stay + joins;
    o.persons += now;
    o.persons_before += before;
    o.amount += static_cast<double>(now) * now_rate;
    o.amount_before += static_cast<double>(before) * before_rate;
    o.joins += joins;
    o.leaves += leaves;
    o.deaths += deaths;
    o.joins_amount += static_cast<double>(joins) * now_rate;
    o.leaves_amount -= static_cast<double>(leaves) * before_rate;
    o.deaths_amount -= static_cast<double>(deaths) * before_rate;
    o.age_effect += static_cast<double>(stay) * (now_rate - before_rate);
    if (now_table.band[i] != before_table.band[i]) o.band_moves += stay;
  };
  // One pass over the attached cells (sorted, the first facet): A on the previous first day,
  // then J, L, D in between; without the previous month, only the count on the first day.
  const bool whole = s.ForEachRawCell([&](std::uint64_t cell, std::span<const Entry> entries) {
    if (static_cast<Facet>(cell >> cube_bits::kFacetShift) != Facet::kAttached) {
      return cell >> cube_bits::kFacetShift < static_cast<std::uint64_t>(Facet::kAttached);
    }
    const Cell c = Cell::Unpack(cell);
    if (!r.explained) {
      std::int64_t n = 0;
      for (const auto& e : entries) {
        if (e.day <= r.first_day.days()) n += e.count;
      }
      if (n != 0 && c.org < r.orgs.size()) {
        r.orgs[c.org].persons += n;
        r.orgs[c.org].amount += static_cast<double>(n) * now_table.rate[index(c)];
      }
      return true;
    }
    std::int64_t before = 0, joins = 0, leaves = 0, deaths = 0;
    for (const auto& e : entries) {
      if (e.day <= r.before_first_day.days()) {
        before += e.count;
      } else if (e.day <= r.first_day.days()) {
        switch (static_cast<Event>((e.key >> cube_bits::kEventShift) & 3)) {
          case Event::kJoin:
            joins += e.count;
            break;
          case Event::kLeave:
            leaves -= e.count;  // stored as -1 entries
            break;
          case Event::kDeath:
            deaths -= e.count;
            break;
        }
      }
    }
    Account(c, before, joins, leaves, deaths);
    return true;
  });
  if (!whole) {
    return Error::Internal(
        "statistics snapshot: the entries are damaged; run `emkhana stats --recount`");
  }
  std::sort(r.orgs.begin(), r.orgs.end(),
            [](const OrgFunding& a, const OrgFunding& b) { return a.id < b.id; });
  r.total.id = "total";
  for (const auto& o : r.orgs) r.total.Add(o);
  return r;
}

namespace {
double Tenge(double x) { return static_cast<double>(std::llround(x * 100)) / 100; }
json::object OrgJson(const OrgFunding& o, bool explained) {
  json::object j{{"id", o.id},
                 {"name", o.name},
                 {"region", o.region},
                 {"persons", o.persons},
                 {"amount", Tenge(o.amount)}};
  if (explained) {
    j["persons_before"] = o.persons_before;
    j["amount_before"] = Tenge(o.amount_before);
    j["change"] = json::object{{"amount", Tenge(o.amount - o.amount_before)},
                               {"joins", o.joins},
                               {"joins_amount", Tenge(o.joins_amount)},
                               {"leaves", o.leaves},
                               {"leaves_amount", Tenge(o.leaves_amount)},
                               {"deaths", o.deaths},
                               {"deaths_amount", Tenge(o.deaths_amount)},
                               {"age_band_moves", o.band_moves},
                               {"age_effect", Tenge(o.age_effect)}};
  }
  return j;
}
}  // namespace

json::value ToJson(const FundingReport& r) {
  json::array orgs;
  for (const auto& o : r.orgs) orgs.push_back(OrgJson(o, r.explained));
  json::array bands;
  for (const auto& b : r.table.bands) {
    bands.push_back(
        json::object{{"from", b.from}, {"to", b.to}, {"men", b.men}, {"women", b.women}});
  }
  return json::object{
      {"month", fmt::format("{:04}-{:02}", r.year, r.month)},
      {"first_day", r.first_day.ToString()},
      {"compared_with", r.explained ? json::value(r.before_first_day.ToString()) : nullptr},
      {"table", json::object{{"version", r.table.version},
                             {"illustrative", r.table.illustrative},
                             {"source", r.table.source},
                             {"base_rate_per_year", r.table.base_rate_per_year},
                             {"bands", std::move(bands)}}},
      {"total", OrgJson(r.total, r.explained)},
      {"organisations", std::move(orgs)}};
}

std::string ToText(const FundingReport& r) {
  std::string out;
  if (r.table.illustrative) {
    out += "ВНИМАНИЕ / НАЗАР АУДАРЫҢЫЗ / NOTE: illustrative sex-age coefficients (" +
           r.table.version + "), not the official table. " + r.table.source + "\n";
  }
  out += fmt::format("КПН {:04}-{:02}: persons attached on {} × {:.0f} ₸/year ÷ 12 × coefficient\n",
                     r.year, r.month, r.first_day.ToString(), r.table.base_rate_per_year);
  out += fmt::format("{:<14} {:>10} {:>16}", "organisation", "persons", "amount, ₸");
  if (r.explained) {
    out += fmt::format(" {:>14} {:>8} {:>8} {:>7} {:>7} {:>12}", "change, ₸", "joins", "leaves",
                       "deaths", "bands", "age effect");
  }
  out += "\n";
  auto row = [&](const OrgFunding& o) {
    out += fmt::format("{:<14} {:>10} {:>16.2f}", o.id, o.persons, o.amount);
    if (r.explained) {
      out +=
          fmt::format(" {:>+14.2f} {:>8} {:>8} {:>7} {:>7} {:>+12.2f}", o.amount - o.amount_before,
                      o.joins, o.leaves, o.deaths, o.band_moves, o.age_effect);
    }
    out += "\n";
  };
  for (const auto& o : r.orgs) row(o);
  row(r.total);
  if (!r.explained) {
    out += fmt::format("(no comparison: {} is before the maintained statistics)\n",
                       r.before_first_day.ToString());
  }
  return out;
}

}  // namespace emkhana::stats
