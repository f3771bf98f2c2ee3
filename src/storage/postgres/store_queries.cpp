#include "storage/postgres/store_queries.hpp"

#include <algorithm>

#include "storage/postgres/queries.hpp"
#include "storage/row_codec.hpp"

namespace emkhana::storage::postgres {

using codec::ParseDateOr;
using domain::Date;
using domain::ParseEnum;

DecidedApplication ReadApplication(const PGresult* r, int i) {
  DecidedApplication d;
  auto& a = d.application;
  a.id = Text(r, i, 0);
  a.date = ParseDateOr(Text(r, i, 1), Date{});
  a.iin = Text(r, i, 2);
  a.applicant = Text(r, i, 3);
  a.org = Text(r, i, 4);
  if (!IsNull(r, i, 5)) a.district = Text(r, i, 5);
  a.channel = ParseEnum<domain::Channel>(Text(r, i, 6)).value_or(domain::Channel::kEgov);
  a.basis = ParseEnum<domain::Basis>(Text(r, i, 7)).value_or(domain::Basis::kFreeChoice);
  a.consent = Bool(r, i, 8);
  a.documents.bits = static_cast<std::uint32_t>(Int(r, i, 9));
  if (!IsNull(r, i, 10)) a.declared_birth = Date::Parse(Text(r, i, 10));
  if (!IsNull(r, i, 11)) a.declared_sex = ParseEnum<domain::Sex>(Text(r, i, 11));
  auto& dec = d.decision;
  dec.application_id = a.id;
  dec.outcome = ParseEnum<domain::Outcome>(Text(r, i, 12)).value_or(domain::Outcome::kRefused);
  for (const auto& code : codec::SplitList(Text(r, i, 13))) {
    if (auto reason = ParseEnum<domain::Reason>(code)) dec.reasons.push_back(*reason);
  }
  dec.org = Text(r, i, 14);
  dec.district = Text(r, i, 15);
  if (!IsNull(r, i, 16)) dec.effective = Date::Parse(Text(r, i, 16));
  dec.decide_by = ParseDateOr(Text(r, i, 17), Date{});
  dec.alternatives = codec::SplitList(Text(r, i, 18));
  dec.policy_version = Text(r, i, 19);
  dec.free_choice_change = Bool(r, i, 20);
  d.recorded_at = Int(r, i, 21);
  return d;
}

Result<StoreCounts> ReadCounts(Connection& conn) {
  auto r = conn.ExecPrepared(queries::kCounts.name, {});
  if (!r) return r.error();
  const PGresult* p = r->get();
  return StoreCounts{Int(p, 0, 0), Int(p, 0, 1), Int(p, 0, 2), Int(p, 0, 3),
                     Int(p, 0, 4), Int(p, 0, 5), Int(p, 0, 6)};
}

Result<std::vector<AuditEntry>> ReadAuditTrail(Connection& conn, const std::string& subject,
                                               int limit) {
  Params params;
  params.Add(subject).Add(std::max(limit, 0));
  auto r = conn.ExecPrepared(queries::kAuditBySubject.name, params);
  if (!r) return r.error();
  const PGresult* p = r->get();
  std::vector<AuditEntry> out;
  out.reserve(static_cast<std::size_t>(PQntuples(p)));
  for (int i = 0; i < PQntuples(p); ++i) {
    out.push_back({Int(p, i, 0), Text(p, i, 1), Text(p, i, 2), Text(p, i, 3), Text(p, i, 4),
                   Text(p, i, 5), Text(p, i, 6)});
  }
  return out;
}

Result<std::vector<StoredAuditEntry>> ReadAuditPage(Connection& conn, std::int64_t after,
                                                    int limit) {
  Params params;
  params.Add(after).Add(std::max(limit, 0));
  auto r = conn.ExecPrepared(queries::kAuditPage.name, params);
  if (!r) return r.error();
  const PGresult* p = r->get();
  std::vector<StoredAuditEntry> out;
  out.reserve(static_cast<std::size_t>(PQntuples(p)));
  for (int i = 0; i < PQntuples(p); ++i) {
    out.push_back({Int(p, i, 0),
                   {Int(p, i, 1), Text(p, i, 2), Text(p, i, 3), Text(p, i, 4), Text(p, i, 5),
                    Text(p, i, 6), Text(p, i, 7), Text(p, i, 8), Text(p, i, 9), Text(p, i, 10)}});
  }
  return out;
}

Result<std::optional<DecidedApplication>> FindDecided(Connection& conn, const std::string& id) {
  Params params;
  params.Add(id);
  auto r = conn.ExecPrepared(queries::kFindApplication.name, params);
  if (!r) return r.error();
  std::optional<DecidedApplication> found;
  if (PQntuples(r->get()) > 0) found = ReadApplication(r->get(), 0);
  return found;
}

Result<std::vector<DecidedApplication>> ReadApplicationList(Connection& conn,
                                                            const ApplicationQuery& q) {
  Params params;
  params.Add(q.org.empty() ? q.iin : q.org).Add(q.outcome);
  params.Add(q.from == Date::Min() ? std::string("-infinity") : q.from.ToString());
  params.Add(q.to.IsMax() ? std::string("infinity") : q.to.ToString());
  params.Add(std::max(q.limit, 0)).Add(std::max(q.offset, 0));
  auto r = conn.ExecPrepared(
      (q.org.empty() ? queries::kApplicationsByPerson : queries::kApplicationsByOrg).name, params);
  if (!r) return r.error();
  std::vector<DecidedApplication> out;
  out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
  for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadApplication(r->get(), i));
  return out;
}

Result<std::string> ReadPersonName(Connection& conn, const std::string& iin) {
  Params params;
  params.Add(iin);
  auto r = conn.ExecPrepared(queries::kPersonName.name, params);
  if (!r) return r.error();
  return PQntuples(r->get()) > 0 ? Text(r->get(), 0, 0) : std::string();
}

// As the SQLite store draws rowids: a random number between the smallest and largest
// person.seq (xorshift64 from the seed), then the first person at or after it.
Result<std::vector<std::string>> DrawPersons(Connection& conn, std::int64_t n, std::uint64_t seed) {
  std::vector<std::string> out;
  auto range = conn.ExecPrepared(queries::kPersonSeqRange.name, {});
  if (!range) return range.error();
  if (PQntuples(range->get()) == 0 || IsNull(range->get(), 0, 0)) return out;  // nobody
  const std::int64_t lo = Int(range->get(), 0, 0), hi = Int(range->get(), 0, 1);
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, n)));
  constexpr std::int64_t kPerQuery = 50000;
  for (std::int64_t done = 0; done < n;) {
    const std::int64_t count = std::min(kPerQuery, n - done);
    std::string targets = "{";
    for (std::int64_t i = 0; i < count; ++i) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
      if (i > 0) targets += ',';
      targets += std::to_string(
          lo + static_cast<std::int64_t>(state % static_cast<std::uint64_t>(hi - lo + 1)));
    }
    targets += '}';
    Params params;
    params.Add(targets);
    auto picked = conn.ExecPrepared(queries::kPickPersons.name, params);
    if (!picked) return picked.error();
    for (int i = 0; i < PQntuples(picked->get()); ++i) {
      if (!IsNull(picked->get(), i, 0)) out.push_back(Text(picked->get(), i, 0));
    }
    done += count;
  }
  return out;
}

Result<void> WriteStats(Connection& conn, const std::string& header, const std::string& entries) {
  Params params;
  params.Add(header).AddBinary(entries);
  auto r = conn.ExecPrepared(queries::kSaveStats.name, params);  // its own transaction
  if (!r) return r.error();
  return {};
}

Result<std::optional<StoredStats>> ReadStats(Connection& conn) {
  auto r = conn.ExecPrepared(queries::kLoadStats.name, {}, /*binary=*/true);
  if (!r) return r.error();
  const PGresult* p = r->get();
  std::optional<StoredStats> out;
  if (PQntuples(p) > 0) {
    out = StoredStats{Text(p, 0, 0), Text(p, 0, 1),
                      PQgetlength(p, 0, 2) > 0 && PQgetvalue(p, 0, 2)[0] != 0};
  }
  return out;
}

}  // namespace emkhana::storage::postgres
