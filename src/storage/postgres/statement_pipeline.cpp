#include "storage/postgres/statement_pipeline.hpp"

#include <fmt/format.h>

#include <cstring>

#include "storage/postgres/queries.hpp"
#include "storage/row_codec.hpp"

namespace emkhana::storage::postgres {

using codec::DateText;
using codec::NonEmpty;
using domain::NameOf;

namespace {

// Statements queued in the pipeline before a sync point: bounds what the server has to buffer
// for us (a few kB of results) while keeping round trips rare.
constexpr std::size_t kPipelineChunk = 256;

// A text array literal of IINs ('{850305301578,900115301001}'): digits need no quoting.
std::string IinArray(const std::vector<domain::Iin>& iins) {
  std::string out = "{";
  for (const auto& iin : iins) {
    if (out.size() > 1) out += ',';
    out += iin.ToString();
  }
  out += '}';
  return out;
}

}  // namespace

Result<void> StatementPipeline::Run(const WriteBatch& batch, bool in_transaction,
                                    const std::string* log) {
  if (auto r = conn_.EnterPipeline(); !r) return r;
  first_error_.reset();
  pending_.clear();
  logged_ = 0;
  auto status = [&]() -> Result<void> {
    if (!in_transaction) {
      if (!PQsendQueryParams(conn_.get(), "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0)) {
        return conn_.LastError("send BEGIN");
      }
      pending_.push_back({"BEGIN"});
      if (log) {
        if (auto r = Send(queries::kLockWriters, params_.Clear(), -1); !r) return r;
      }
    }
    for (const auto& m : batch.mutations) {
      if (auto r = std::visit([this](const auto& v) { return Write(v); }, m); !r) return r;
      if (first_error_) break;  // the rest would be skipped by the server anyway
    }
    if (!first_error_ && log) {
      if (auto r = conn_.SendPrepared(queries::kInsertChange.name, params_.Clear().Add(*log)); !r) {
        return r;
      }
      pending_.push_back({queries::kInsertChange.name, -1, true});
    }
    if (!first_error_) {
      if (auto r = Send(queries::kMarkStatsStale, params_.Clear(), -1); !r) return r;
    }
    return Drain();
  }();
  if (auto r = conn_.ExitPipeline(); !r) {
    needs_reset_ = true;  // results still queued: start afresh next time
    if (status) status = r;
  }
  if (!status) return status;
  if (first_error_) return *first_error_;
  return {};
}

Result<void> StatementPipeline::Send(const queries::Query& q, const Params& params,
                                     std::int64_t attachment) {
  if (auto r = conn_.SendPrepared(q.name, params); !r) return r;
  pending_.push_back({q.name, attachment});
  if (pending_.size() >= kPipelineChunk) return Drain();
  return {};
}

// Marks a sync point and reads every queued result up to it. The first failure is kept in
// first_error_; the server skips what follows it until the sync.
Result<void> StatementPipeline::Drain() {
  if (pending_.empty()) return {};
  if (auto r = conn_.SendSync(); !r) return r;
  std::size_t next = 0;
  int nulls = 0;
  for (;;) {
    PgResult r = conn_.NextResult();
    if (!r) {
      if (conn_.broken() || ++nulls > 1) {
        needs_reset_ = true;
        return conn_.LastError("pipeline");
      }
      continue;
    }
    nulls = 0;
    const auto status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    const Pending p = next < pending_.size() ? pending_[next] : Pending{"?"};
    ++next;
    if (status == PGRES_PIPELINE_ABORTED || first_error_) continue;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      first_error_ = ErrorOf(conn_.get(), r.get(), p.name);
    } else if (p.changed_attachment >= 0 && std::strcmp(PQcmdTuples(r.get()), "1") != 0) {
      first_error_ =
          Error::Internal(fmt::format("attachment {} does not exist", p.changed_attachment));
    } else if (p.returns_log_position && PQntuples(r.get()) == 1) {
      logged_ = Int(r.get(), 0, 0);
    }
  }
  pending_.clear();
  return {};
}

Result<void> StatementPipeline::Write(const domain::Organisation& o) {
  auto& p = params_.Clear();
  p.Add(o.id).Add(o.ate).Add(o.name).Add(o.license).Add(o.contract).Add(o.is_private);
  p.Add(o.rural).Add(o.latitude).Add(o.longitude).Add(DateText(o.closed_on));
  p.Add(NonEmpty(o.successor));
  return Send(queries::kUpsertOrganisation, p, -1);
}

Result<void> StatementPipeline::Write(const OrgClosure& c) {
  auto& p = params_.Clear();
  p.Add(c.org).Add(c.date.ToString()).Add(NonEmpty(c.successor));
  return Send(queries::kCloseOrganisation, p, -1);
}

Result<void> StatementPipeline::Write(const domain::District& d) {
  auto& p = params_.Clear();
  p.Add(d.id).Add(d.org).Add(NameOf(d.kind)).Add(d.doctors).Add(d.capacity);
  return Send(queries::kUpsertDistrict, p, -1);
}

Result<void> StatementPipeline::Write(const domain::Person& person) {
  const std::string iin = person.iin.ToString();
  auto& p = params_.Clear();
  p.Add(iin).Add(person.birth.ToString()).Add(NameOf(person.sex)).Add(NameOf(person.status));
  p.Add(person.name);
  for (int i = 0; i < domain::kAteRoleCount; ++i) p.Add(NonEmpty(person.ate[i]));
  p.Add(static_cast<std::int64_t>(person.categories.bits));
  if (person.insurance) {
    p.Add(NameOf(person.insurance->kind))
        .Add(person.insurance->from.ToString())
        .Add(person.insurance->until.ToString());
  } else {
    p.AddNull().AddNull().AddNull();
  }
  p.Add(DateText(person.deceased));
  p.Add(NameOf(person.osms.category)).Add(NameOf(person.osms.payer)).Add(person.osms.insured);
  if (auto r = Send(queries::kUpsertPerson, p, -1); !r) return r;
  if (auto r = Send(queries::kDeleteRepresentatives, params_.Clear().Add(iin), -1); !r) {
    return r;
  }
  if (person.representatives.empty()) return {};
  return Send(queries::kInsertRepresentatives,
              params_.Clear().Add(iin).Add(IinArray(person.representatives)), -1);
}

Result<void> StatementPipeline::Write(const PersonDeath& d) {
  return Send(queries::kMarkDeceased, params_.Clear().Add(d.iin.ToString()).Add(d.date.ToString()),
              -1);
}

Result<void> StatementPipeline::Write(const domain::Attachment& a) {
  auto& p = params_.Clear();
  p.Add(a.id).Add(a.iin.ToString()).Add(a.org).Add(a.district).Add(a.from.ToString());
  p.Add(DateText(a.to)).Add(NameOf(a.end)).Add(NonEmpty(a.application_id)).Add(a.recorded_at);
  return Send(queries::kInsertAttachment, p, -1);
}

Result<void> StatementPipeline::Write(const PeriodChange& c) {
  auto& p = params_.Clear();
  p.Add(c.attachment_id).Add(DateText(c.to)).Add(NameOf(c.end)).Add(c.recorded_at);
  return Send(queries::kChangeAttachment, p, c.attachment_id);
}

Result<void> StatementPipeline::Write(const DecidedApplication& d) {
  sealer_.NoteDecided(d);
  const auto& a = d.application;
  const auto& dec = d.decision;
  auto& p = params_.Clear();
  p.Add(a.id).Add(a.date.ToString()).Add(a.iin).Add(a.applicant).Add(a.org).Add(a.district);
  p.Add(NameOf(a.channel)).Add(NameOf(a.basis)).Add(a.consent);
  p.Add(static_cast<std::int64_t>(a.documents.bits)).Add(DateText(a.declared_birth));
  if (a.declared_sex) {
    p.Add(NameOf(*a.declared_sex));
  } else {
    p.AddNull();
  }
  p.Add(NameOf(dec.outcome)).Add(codec::JoinReasons(dec.reasons)).Add(NonEmpty(dec.org));
  p.Add(NonEmpty(dec.district)).Add(DateText(dec.effective)).Add(dec.decide_by.ToString());
  p.Add(codec::JoinList(dec.alternatives)).Add(dec.policy_version).Add(dec.free_choice_change);
  p.Add(d.recorded_at);
  return Send(queries::kInsertApplication, p, -1);
}

Result<void> StatementPipeline::Write(const AuditEntry& entry) {
  AuditEntry e = entry;
  sealer_.Seal(e);
  auto& p = params_.Clear();
  p.Add(e.at).Add(e.actor).Add(e.channel).Add(e.action).Add(e.subject).Add(e.detail);
  p.Add(e.policy_version).Add(e.ref).Add(e.prev_hash).Add(e.hash);
  return Send(queries::kInsertAudit, p, -1);
}

Result<void> StatementPipeline::Write(const PolicyVersion& v) {
  return Send(queries::kUpsertPolicy, params_.Clear().Add(v.version).Add(v.body), -1);
}

Result<void> StatementPipeline::Write(const IdempotencyKey& k) {
  return Send(queries::kInsertIdempotencyKey,
              params_.Clear().Add(k.key).Add(k.application_id).Add(k.fingerprint), -1);
}

}  // namespace emkhana::storage::postgres
