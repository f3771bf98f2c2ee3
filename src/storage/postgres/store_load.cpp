#include "storage/postgres/store_load.hpp"

#include <fmt/format.h>

#include "storage/postgres/queries.hpp"
#include "storage/postgres/store_queries.hpp"
#include "storage/row_codec.hpp"

namespace emkhana::storage::postgres {

using codec::ParseDateOr;
using domain::Date;
using domain::ParseEnum;

namespace {

// Rows per FETCH while loading.
constexpr int kFetchRows = 10000;
constexpr const char* kLoadCursor = "emkhana_load";

// Runs `sql` through a cursor and hands each row to `on_row(result, row)`; stops at the
// first error `on_row` reports.
template <class OnRow>
Result<void> Stream(Connection& conn, const char* sql, OnRow&& on_row) {
  if (auto r = conn.Exec(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", kLoadCursor, sql)); !r) {
    return r;
  }
  const std::string fetch = fmt::format("FETCH FORWARD {} FROM {}", kFetchRows, kLoadCursor);
  for (;;) {
    auto chunk = conn.Query(fetch);
    if (!chunk) return chunk.error();
    const int rows = PQntuples(chunk->get());
    for (int i = 0; i < rows; ++i) {
      if (auto r = on_row(chunk->get(), i); !r) return r;
    }
    if (rows < kFetchRows) break;
  }
  return conn.Exec(fmt::format("CLOSE {}", kLoadCursor));
}

Result<void> StreamTables(Connection& conn, LoadSink& sink) {
  // A row that cannot be read back is reported, never skipped: the registry would be incomplete.
  auto corrupt = [](const std::string& iin_text) -> Result<void> {
    return Error::Internal("corrupt row: IIN " + domain::MaskIinsInText(iin_text));
  };
  if (auto r = Stream(conn, queries::kLoadPolicies,
                      [&](const PGresult* p, int i) -> Result<void> {
                        sink.OnPolicy({Text(p, i, 0), Text(p, i, 1)});
                        return {};
                      });
      !r) {
    return r;
  }
  if (auto r = Stream(conn, queries::kLoadOrganisations,
                      [&](const PGresult* p, int i) -> Result<void> {
                        domain::Organisation o;
                        o.id = Text(p, i, 0);
                        o.ate = Text(p, i, 1);
                        o.name = Text(p, i, 2);
                        o.license = Bool(p, i, 3);
                        o.contract = Bool(p, i, 4);
                        o.is_private = Bool(p, i, 5);
                        o.rural = Bool(p, i, 6);
                        if (!IsNull(p, i, 7)) o.latitude = Real(p, i, 7);
                        if (!IsNull(p, i, 8)) o.longitude = Real(p, i, 8);
                        if (!IsNull(p, i, 9)) o.closed_on = Date::Parse(Text(p, i, 9));
                        o.successor = Text(p, i, 10);
                        sink.OnOrganisation(std::move(o));
                        return {};
                      });
      !r) {
    return r;
  }
  if (auto r = Stream(
          conn, queries::kLoadDistricts,
          [&](const PGresult* p, int i) -> Result<void> {
            domain::District d;
            d.id = Text(p, i, 0);
            d.org = Text(p, i, 1);
            d.kind =
                ParseEnum<domain::DistrictKind>(Text(p, i, 2)).value_or(domain::DistrictKind::kGp);
            d.doctors = static_cast<int>(Int(p, i, 3));
            if (!IsNull(p, i, 4)) d.capacity = static_cast<int>(Int(p, i, 4));
            sink.OnDistrict(std::move(d));
            return {};
          });
      !r) {
    return r;
  }
  if (auto persons = Stream(
          conn, queries::kLoadPersons,
          [&](const PGresult* r, int i) -> Result<void> {
            auto iin = domain::Iin::Parse(Text(r, i, 0));
            if (!iin) return corrupt(Text(r, i, 0));
            domain::Person p;
            p.iin = *iin;
            p.birth = ParseDateOr(Text(r, i, 1), Date{});
            p.sex = ParseEnum<domain::Sex>(Text(r, i, 2)).value_or(domain::Sex::kMale);
            p.status = ParseEnum<domain::LegalStatus>(Text(r, i, 3))
                           .value_or(domain::LegalStatus::kCitizen);
            p.name = Text(r, i, 4);
            for (int k = 0; k < domain::kAteRoleCount; ++k) p.ate[k] = Text(r, i, 5 + k);
            p.categories.bits = static_cast<std::uint32_t>(Int(r, i, 12));
            if (!IsNull(r, i, 13)) {
              p.insurance = domain::Insurance{ParseEnum<domain::InsuranceKind>(Text(r, i, 13))
                                                  .value_or(domain::InsuranceKind::kDms),
                                              ParseDateOr(Text(r, i, 14), Date{}),
                                              ParseDateOr(Text(r, i, 15), Date{})};
            }
            if (!IsNull(r, i, 16)) p.deceased = Date::Parse(Text(r, i, 16));
            p.osms.category = ParseEnum<domain::OsmsCategory>(Text(r, i, 17))
                                  .value_or(domain::OsmsCategory::kNone);
            p.osms.payer =
                ParseEnum<domain::OsmsPayer>(Text(r, i, 18)).value_or(domain::OsmsPayer::kNone);
            p.osms.insured = Bool(r, i, 19);
            for (const auto& rep : codec::SplitList(Text(r, i, 20))) {
              auto rep_iin = domain::Iin::Parse(rep);
              if (!rep_iin) return corrupt(rep);
              p.representatives.push_back(*rep_iin);
            }
            sink.OnPerson(std::move(p));
            return {};
          });
      !persons) {
    return persons;
  }
  if (auto r = Stream(
          conn, queries::kLoadAttachments,
          [&](const PGresult* p, int i) -> Result<void> {
            auto iin = domain::Iin::Parse(Text(p, i, 1));
            if (!iin) return corrupt(Text(p, i, 1));
            domain::Attachment a;
            a.id = Int(p, i, 0);
            a.iin = *iin;
            a.org = Text(p, i, 2);
            a.district = Text(p, i, 3);
            a.from = ParseDateOr(Text(p, i, 4), Date{});
            a.to = IsNull(p, i, 5) ? Date::Max() : ParseDateOr(Text(p, i, 5), Date::Max());
            a.end = ParseEnum<domain::PeriodEnd>(Text(p, i, 6)).value_or(domain::PeriodEnd::kOpen);
            a.application_id = Text(p, i, 7);
            a.recorded_at = Int(p, i, 8);
            sink.OnAttachment(std::move(a));
            return {};
          });
      !r) {
    return r;
  }
  if (auto r = Stream(conn, queries::kLoadApplications,
                      [&](const PGresult* p, int i) -> Result<void> {
                        sink.OnDecided(ReadApplication(p, i));
                        return {};
                      });
      !r) {
    return r;
  }
  return Stream(conn, queries::kLoadIdempotencyKeys, [&](const PGresult* p, int i) -> Result<void> {
    sink.OnIdempotencyKey({Text(p, i, 0), Text(p, i, 1), Text(p, i, 2)});
    return {};
  });
}

}  // namespace

Result<std::int64_t> LoadTables(Connection& conn, LoadSink& sink) {
  // The log position of this picture (the same snapshot): later batches are applied on top.
  auto position = conn.ExecPrepared(queries::kLogPosition.name, {});
  if (!position) return position.error();
  if (auto r = StreamTables(conn, sink); !r) return r.error();
  return Int(position->get(), 0, 0);
}

}  // namespace emkhana::storage::postgres
