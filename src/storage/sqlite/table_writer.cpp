#include "storage/sqlite/table_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "storage/row_codec.hpp"
#include "storage/sqlite/queries.hpp"

namespace emkhana::storage::sqlite {

using codec::DateText;
using codec::NonEmpty;
using codec::ParseDateOr;
using domain::Date;
using domain::NameOf;
using domain::ParseEnum;

DecidedApplication ReadApplication(Statement& s) {
  DecidedApplication d;
  auto& a = d.application;
  a.id = s.Text(0);
  a.date = ParseDateOr(s.Text(1), Date{});
  a.iin = s.Text(2);
  a.applicant = s.Text(3);
  a.org = s.Text(4);
  if (!s.IsNull(5)) a.district = s.Text(5);
  a.channel = ParseEnum<domain::Channel>(s.Text(6)).value_or(domain::Channel::kEgov);
  a.basis = ParseEnum<domain::Basis>(s.Text(7)).value_or(domain::Basis::kFreeChoice);
  a.consent = s.Int(8) != 0;
  a.documents.bits = static_cast<std::uint32_t>(s.Int(9));
  if (!s.IsNull(10)) a.declared_birth = Date::Parse(s.Text(10));
  if (!s.IsNull(11)) a.declared_sex = ParseEnum<domain::Sex>(s.Text(11));
  auto& dec = d.decision;
  dec.application_id = a.id;
  dec.outcome = ParseEnum<domain::Outcome>(s.Text(12)).value_or(domain::Outcome::kRefused);
  for (const auto& r : codec::SplitList(s.Text(13))) {
    if (auto reason = ParseEnum<domain::Reason>(r)) dec.reasons.push_back(*reason);
  }
  dec.org = s.Text(14);
  dec.district = s.Text(15);
  if (!s.IsNull(16)) dec.effective = Date::Parse(s.Text(16));
  dec.decide_by = ParseDateOr(s.Text(17), Date{});
  dec.alternatives = codec::SplitList(s.Text(18));
  dec.policy_version = s.Text(19);
  dec.free_choice_change = s.Int(20) != 0;
  d.recorded_at = s.Int(21);
  return d;
}

Result<void> TableWriter::Prepare() {
  struct Item {
    Statement* stmt;
    const char* sql;
  };
  const Item items[] = {
      {&upsert_policy_, queries::kUpsertPolicy},
      {&upsert_org_, queries::kUpsertOrganisation},
      {&close_org_, queries::kCloseOrganisation},
      {&upsert_district_, queries::kUpsertDistrict},
      {&upsert_person_, queries::kUpsertPerson},
      {&delete_reps_, queries::kDeleteRepresentatives},
      {&insert_rep_, queries::kInsertRepresentative},
      {&mark_deceased_, queries::kMarkDeceased},
      {&insert_attachment_, queries::kInsertAttachment},
      {&change_attachment_, queries::kChangeAttachment},
      {&insert_history_, queries::kInsertAttachmentHistory},
      {&insert_application_, queries::kInsertApplication},
      {&insert_audit_, queries::kInsertAudit},
      {&audit_tail_, queries::kAuditTail},
      {&audit_vouched_, queries::kAuditVouched},
      {&insert_idempotency_key_, queries::kInsertIdempotencyKey},
      {&find_application_, queries::kFindApplication},
  };
  for (const auto& item : items) {
    auto s = db_.Prepare(item.sql);
    if (!s) return s.error();
    *item.stmt = std::move(*s);
  }
  return {};
}

Result<void> TableWriter::Write(const WriteBatch& batch) {
  // The chain goes on from the last entry in the tables: what this transaction wrote so far,
  // or, after a rollback, what is there for good.
  if (std::any_of(batch.mutations.begin(), batch.mutations.end(),
                  [](const Mutation& m) { return std::holds_alternative<AuditEntry>(m); })) {
    if (auto r = ResumeChain(); !r) return r;
  }
  for (const auto& m : batch.mutations) {
    if (auto r = std::visit([this](const auto& v) { return Write(v); }, m); !r) return r;
  }
  return {};
}

Result<void> TableWriter::Write(const domain::Organisation& o) {
  return upsert_org_.Bind(1, o.id)
      .Bind(2, o.ate)
      .Bind(3, o.name)
      .Bind(4, int(o.license))
      .Bind(5, int(o.contract))
      .Bind(6, int(o.is_private))
      .Bind(7, int(o.rural))
      .Bind(8, o.latitude)
      .Bind(9, o.longitude)
      .Bind(10, DateText(o.closed_on))
      .Bind(11, NonEmpty(o.successor))
      .Run();
}

Result<void> TableWriter::Write(const OrgClosure& c) {
  return close_org_.Bind(1, c.org).Bind(2, c.date.ToString()).Bind(3, NonEmpty(c.successor)).Run();
}

Result<void> TableWriter::Write(const domain::District& d) {
  return upsert_district_.Bind(1, d.id)
      .Bind(2, d.org)
      .Bind(3, NameOf(d.kind))
      .Bind(4, d.doctors)
      .Bind(5, d.capacity)
      .Run();
}

// Texts are bound without copies (BindStatic): each lives, in `p` or here, until Run() has
// stepped and reset the statement. This is the bulk load's hottest path.
Result<void> TableWriter::Write(const domain::Person& p) {
  auto& s = upsert_person_;
  const std::string iin = p.iin.ToString(), birth = p.birth.ToString();
  std::string insured_from, insured_until, deceased;
  s.BindStatic(1, iin).BindStatic(2, birth).BindStatic(3, NameOf(p.sex));
  s.BindStatic(4, NameOf(p.status)).BindStatic(5, p.name);
  for (int i = 0; i < domain::kAteRoleCount; ++i) {
    if (p.ate[i].empty()) {
      s.BindNull(6 + i);
    } else {
      s.BindStatic(6 + i, p.ate[i]);
    }
  }
  s.Bind(13, static_cast<std::int64_t>(p.categories.bits));
  if (p.insurance) {
    insured_from = p.insurance->from.ToString();
    insured_until = p.insurance->until.ToString();
    s.BindStatic(14, NameOf(p.insurance->kind))
        .BindStatic(15, insured_from)
        .BindStatic(16, insured_until);
  } else {
    s.BindNull(14).BindNull(15).BindNull(16);
  }
  if (p.deceased) {
    deceased = p.deceased->ToString();
    s.BindStatic(17, deceased);
  } else {
    s.BindNull(17);
  }
  s.BindStatic(18, NameOf(p.osms.category))
      .BindStatic(19, NameOf(p.osms.payer))
      .Bind(20, std::int64_t{p.osms.insured});
  if (auto r = s.Run(); !r) return r;
  if (!bulk_) {
    if (auto r = delete_reps_.BindStatic(1, iin).Run(); !r) return r;
  }
  for (const auto& rep : p.representatives) {
    const std::string representative = rep.ToString();
    if (auto r = insert_rep_.BindStatic(1, iin).BindStatic(2, representative).Run(); !r) {
      return r;
    }
  }
  return {};
}

Result<void> TableWriter::Write(const PersonDeath& d) {
  return mark_deceased_.Bind(1, d.iin.ToString()).Bind(2, d.date.ToString()).Run();
}

Result<void> TableWriter::Write(const domain::Attachment& a) {
  known_.largest_period = std::max(known_.largest_period, a.id);
  if (auto r = insert_attachment_.Bind(1, a.id)
                   .Bind(2, a.iin.ToString())
                   .Bind(3, a.org)
                   .Bind(4, a.district)
                   .Bind(5, a.from.ToString())
                   .Bind(6, DateText(a.to))
                   .Bind(7, NameOf(a.end))
                   .Bind(8, NonEmpty(a.application_id))
                   .Bind(9, a.recorded_at)
                   .Run();
      !r) {
    return r;
  }
  // A bulk-loaded period's first version is its own row; history records later changes.
  if (bulk_) return {};
  return insert_history_.Bind(1, a.id).Bind(2, a.recorded_at).Run();
}

Result<void> TableWriter::Write(const PeriodChange& c) {
  if (auto r = change_attachment_.Bind(1, c.attachment_id)
                   .Bind(2, DateText(c.to))
                   .Bind(3, NameOf(c.end))
                   .Run();
      !r) {
    return r;
  }
  if (sqlite3_changes(db_.get()) != 1) {
    return Error::Internal(fmt::format("attachment {} does not exist", c.attachment_id));
  }
  return insert_history_.Bind(1, c.attachment_id).Bind(2, c.recorded_at).Run();
}

Result<void> TableWriter::ResumeChain() {
  Error error{ErrorCode::kInternal, ""};
  std::string tail;
  if (audit_tail_.Step(&error) && !audit_tail_.IsNull(0)) tail = audit_tail_.Text(0);
  audit_tail_.Reset();
  if (!error.message.empty()) return error;
  sealer_.Resume(std::move(tail));
  return {};
}

Result<void> TableWriter::Write(const DecidedApplication& d) {
  sealer_.NoteDecided(d);
  const auto& a = d.application;
  known_.apps.insert(Fingerprint(a.id));
  const auto& dec = d.decision;
  auto& s = insert_application_;
  s.Bind(1, a.id)
      .Bind(2, a.date.ToString())
      .Bind(3, a.iin)
      .Bind(4, a.applicant)
      .Bind(5, a.org)
      .Bind(6, a.district)
      .Bind(7, NameOf(a.channel))
      .Bind(8, NameOf(a.basis))
      .Bind(9, int(a.consent))
      .Bind(10, static_cast<std::int64_t>(a.documents.bits))
      .Bind(11, DateText(a.declared_birth));
  if (a.declared_sex)
    s.Bind(12, NameOf(*a.declared_sex));
  else
    s.BindNull(12);
  s.Bind(13, NameOf(dec.outcome))
      .Bind(14, codec::JoinReasons(dec.reasons))
      .Bind(15, NonEmpty(dec.org))
      .Bind(16, NonEmpty(dec.district))
      .Bind(17, DateText(dec.effective))
      .Bind(18, dec.decide_by.ToString())
      .Bind(19, codec::JoinList(dec.alternatives))
      .Bind(20, dec.policy_version)
      .Bind(21, int(dec.free_choice_change))
      .Bind(22, d.recorded_at);
  return s.Run();
}

Result<void> TableWriter::Write(const AuditEntry& entry) {
  AuditEntry e = entry;
  if (e.action == kDecidedAction && !sealer_.Noted(e.subject)) {
    // Its decision went to the tables with an earlier journal record, perhaps before a
    // restart: the stored row is what the entry vouches for, unless an entry does already.
    Error error{ErrorCode::kInternal, ""};
    const bool vouched = audit_vouched_.Bind(1, e.subject).Step(&error);
    audit_vouched_.Reset();
    if (!vouched && error.message.empty()) {
      find_application_.Bind(1, e.subject);
      if (find_application_.Step(&error)) {
        sealer_.NoteDecided(ReadApplication(find_application_));
      }
      find_application_.Reset();
    }
    if (!error.message.empty()) return error;
  }
  sealer_.Seal(e);
  return insert_audit_.Bind(1, e.at)
      .Bind(2, e.actor)
      .Bind(3, e.channel)
      .Bind(4, e.action)
      .Bind(5, e.subject)
      .Bind(6, e.detail)
      .Bind(7, e.policy_version)
      .Bind(8, e.ref)
      .Bind(9, e.prev_hash)
      .Bind(10, e.hash)
      .Run();
}

Result<void> TableWriter::Write(const PolicyVersion& p) {
  return upsert_policy_.Bind(1, p.version).Bind(2, p.body).Run();
}

// A retry after a restart must find its decision: the keys are kept with the decisions.
Result<void> TableWriter::Write(const IdempotencyKey& k) {
  return insert_idempotency_key_.Bind(1, k.key)
      .Bind(2, k.application_id)
      .Bind(3, k.fingerprint)
      .Run();
}

}  // namespace emkhana::storage::sqlite
