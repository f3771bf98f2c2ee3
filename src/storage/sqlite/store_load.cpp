#include "storage/sqlite/store_load.hpp"

#include <algorithm>
#include <map>

#include "storage/row_codec.hpp"
#include "storage/sqlite/queries.hpp"

namespace emkhana::storage::sqlite {

using codec::ParseDateOr;
using domain::Date;
using domain::ParseEnum;

Result<void> LoadTables(Connection& db, LoadSink& sink, KnownRows& known) {
  Error error{ErrorCode::kInternal, ""};
  // A row that cannot be read back is reported, never skipped: the registry would be incomplete.
  auto Corrupt = [&](const std::string& iin_text) {
    if (error.message.empty()) {
      error = Error::Internal("corrupt row: IIN " + domain::MaskIinsInText(iin_text));
    }
  };
  auto run = [&](const char* sql, auto&& on_row) -> Result<void> {
    auto s = db.Prepare(sql);
    if (!s) return s.error();
    while (s->Step(&error)) on_row(*s);
    if (!error.message.empty()) return error;
    return {};
  };
  if (auto r = run(queries::kLoadPolicies,
                   [&](Statement& s) {
                     sink.OnPolicy({s.Text(0), s.Text(1)});
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadOrganisations,
                   [&](Statement& s) {
                     domain::Organisation o;
                     o.id = s.Text(0);
                     o.ate = s.Text(1);
                     o.name = s.Text(2);
                     o.license = s.Int(3) != 0;
                     o.contract = s.Int(4) != 0;
                     o.is_private = s.Int(5) != 0;
                     o.rural = s.Int(6) != 0;
                     if (!s.IsNull(7)) o.latitude = s.Real(7);
                     if (!s.IsNull(8)) o.longitude = s.Real(8);
                     if (!s.IsNull(9)) o.closed_on = Date::Parse(s.Text(9));
                     o.successor = s.Text(10);
                     sink.OnOrganisation(std::move(o));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadDistricts,
                   [&](Statement& s) {
                     domain::District d;
                     d.id = s.Text(0);
                     d.org = s.Text(1);
                     d.kind = ParseEnum<domain::DistrictKind>(s.Text(2)).value_or(
                         domain::DistrictKind::kGp);
                     d.doctors = static_cast<int>(s.Int(3));
                     if (!s.IsNull(4)) d.capacity = static_cast<int>(s.Int(4));
                     sink.OnDistrict(std::move(d));
                   });
      !r) {
    return r;
  }
  std::multimap<std::string, domain::Iin> reps;
  if (auto r = run(queries::kLoadRepresentatives,
                   [&](Statement& s) {
                     if (auto rep = domain::Iin::Parse(s.Text(1))) reps.emplace(s.Text(0), *rep);
                   });
      !r) {
    return r;
  }
  if (auto r = run(
          queries::kLoadPersons,
          [&](Statement& s) {
            auto iin = domain::Iin::Parse(s.Text(0));
            if (!iin) return Corrupt(s.Text(0));
            domain::Person p;
            p.iin = *iin;
            p.birth = ParseDateOr(s.Text(1), Date{});
            p.sex = ParseEnum<domain::Sex>(s.Text(2)).value_or(domain::Sex::kMale);
            p.status =
                ParseEnum<domain::LegalStatus>(s.Text(3)).value_or(domain::LegalStatus::kCitizen);
            p.name = s.Text(4);
            for (int i = 0; i < domain::kAteRoleCount; ++i) p.ate[i] = s.Text(5 + i);
            p.categories.bits = static_cast<std::uint32_t>(s.Int(12));
            if (!s.IsNull(13)) {
              p.insurance = domain::Insurance{ParseEnum<domain::InsuranceKind>(s.Text(13))
                                                  .value_or(domain::InsuranceKind::kDms),
                                              ParseDateOr(s.Text(14), Date{}),
                                              ParseDateOr(s.Text(15), Date{})};
            }
            if (!s.IsNull(16)) p.deceased = Date::Parse(s.Text(16));
            p.osms.category =
                ParseEnum<domain::OsmsCategory>(s.Text(17)).value_or(domain::OsmsCategory::kNone);
            p.osms.payer =
                ParseEnum<domain::OsmsPayer>(s.Text(18)).value_or(domain::OsmsPayer::kNone);
            p.osms.insured = s.Int(19) != 0;
            auto [lo, hi] = reps.equal_range(s.Text(0));
            for (auto it = lo; it != hi; ++it) p.representatives.push_back(it->second);
            sink.OnPerson(std::move(p));
          });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadAttachments,
                   [&](Statement& s) {
                     auto iin = domain::Iin::Parse(s.Text(1));
                     if (!iin) return Corrupt(s.Text(1));
                     domain::Attachment a;
                     a.id = s.Int(0);
                     known.periods.insert(a.id);
                     known.largest_period = std::max(known.largest_period, a.id);
                     a.iin = *iin;
                     a.org = s.Text(2);
                     a.district = s.Text(3);
                     a.from = ParseDateOr(s.Text(4), Date{});
                     a.to = s.IsNull(5) ? Date::Max() : ParseDateOr(s.Text(5), Date::Max());
                     a.end =
                         ParseEnum<domain::PeriodEnd>(s.Text(6)).value_or(domain::PeriodEnd::kOpen);
                     a.application_id = s.Text(7);
                     a.recorded_at = s.Int(8);
                     sink.OnAttachment(std::move(a));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadApplications,
                   [&](Statement& s) {
                     auto d = ReadApplication(s);
                     known.apps.insert(Fingerprint(d.application.id));
                     sink.OnDecided(std::move(d));
                   });
      !r) {
    return r;
  }
  if (auto r = run(queries::kLoadIdempotencyKeys,
                   [&](Statement& s) {
                     sink.OnIdempotencyKey({s.Text(0), s.Text(1), s.Text(2)});
                   });
      !r) {
    return r;
  }
  return {};
}

}  // namespace emkhana::storage::sqlite
