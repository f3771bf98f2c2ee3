#include "storage/sqlite/journal_codec.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace emkhana::storage::sqlite {

using domain::Date;
using domain::NameOf;
using domain::ParseEnum;

namespace {

constexpr char kVersion = 1;
enum Kind : unsigned char {
  kAttachment = 1,
  kPeriodChange = 2,
  kDecided = 3,
  kAudit = 4,
  kIdempotencyKey = 5
};

// --- writing ---

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Byte(unsigned char b) { out_.push_back(static_cast<char>(b)); }
  void Unsigned(std::uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<unsigned char>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<unsigned char>(v));
  }
  void Signed(std::int64_t v) {
    Unsigned((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void Text(std::string_view s) {
    Unsigned(s.size());
    out_.append(s);
  }
  void Day(Date d) { Signed(d.days()); }
  // 0 for none, else the day number plus one (Date::Max's day number fits: it is INT32_MAX).
  void MaybeDay(const std::optional<Date>& d) {
    Unsigned(d ? static_cast<std::uint64_t>(static_cast<std::int64_t>(d->days()) - INT32_MIN) + 1
               : 0);
  }
  void Texts(const std::vector<std::string>& items) {
    Unsigned(items.size());
    for (const auto& s : items) Text(s);
  }

 private:
  std::string& out_;
};

void Encode(Writer& w, const domain::Attachment& a) {
  w.Byte(kAttachment);
  w.Signed(a.id);
  w.Unsigned(a.iin.number());
  w.Text(a.org);
  w.Text(a.district);
  w.Day(a.from);
  w.Day(a.to);
  w.Text(NameOf(a.end));
  w.Text(a.application_id);
  w.Signed(a.recorded_at);
}
void Encode(Writer& w, const PeriodChange& c) {
  w.Byte(kPeriodChange);
  w.Signed(c.attachment_id);
  w.Day(c.to);
  w.Text(NameOf(c.end));
  w.Signed(c.recorded_at);
}
void Encode(Writer& w, const DecidedApplication& d) {
  const auto& a = d.application;
  const auto& dec = d.decision;
  w.Byte(kDecided);
  w.Text(a.id);
  w.Day(a.date);
  w.Text(a.iin);
  w.Text(a.applicant);
  w.Text(a.org);
  w.Byte(a.district ? 1 : 0);
  if (a.district) w.Text(*a.district);
  w.Text(NameOf(a.channel));
  w.Text(NameOf(a.basis));
  w.Byte(a.consent ? 1 : 0);
  w.Unsigned(a.documents.bits);
  w.MaybeDay(a.declared_birth);
  w.Text(a.declared_sex ? NameOf(*a.declared_sex) : std::string_view());
  w.Text(dec.application_id);
  w.Text(NameOf(dec.outcome));
  w.Unsigned(dec.reasons.size());
  for (auto r : dec.reasons) w.Text(NameOf(r));
  w.Text(dec.org);
  w.Text(dec.district);
  w.MaybeDay(dec.effective);
  w.Day(dec.decide_by);
  w.Texts(dec.alternatives);
  w.Text(dec.policy_version);
  w.Byte(dec.free_choice_change ? 1 : 0);
  w.Signed(d.recorded_at);
}
void Encode(Writer& w, const AuditEntry& e) {
  w.Byte(kAudit);
  w.Signed(e.at);
  w.Text(e.actor);
  w.Text(e.channel);
  w.Text(e.action);
  w.Text(e.subject);
  w.Text(e.detail);
  w.Text(e.policy_version);
}
void Encode(Writer& w, const IdempotencyKey& k) {
  w.Byte(kIdempotencyKey);
  w.Text(k.key);
  w.Text(k.application_id);
  w.Text(k.fingerprint);
}
template <class T>
void Encode(Writer&, const T&) {}  // not journalled (see Journalled)

// --- reading ---

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ >= in_.size(); }
  bool ok() const { return ok_; }
  unsigned char Byte() {
    if (pos_ >= in_.size()) return Fail(), 0;
    return static_cast<unsigned char>(in_[pos_++]);
  }
  std::uint64_t Unsigned() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const unsigned char b = Byte();
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail(), 0;
  }
  std::int64_t Signed() {
    const std::uint64_t u = Unsigned();
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  }
  std::string Text() {
    const std::uint64_t n = Unsigned();
    if (n > in_.size() - pos_) return Fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Date Day() {
    const std::int64_t d = Signed();
    if (d < INT32_MIN || d > INT32_MAX) return Fail(), Date{};
    return Date::FromDays(static_cast<std::int32_t>(d));
  }
  std::optional<Date> MaybeDay() {
    const std::uint64_t v = Unsigned();
    if (v == 0) return std::nullopt;
    const std::int64_t d = static_cast<std::int64_t>(v - 1) + INT32_MIN;
    if (d > INT32_MAX) return Fail(), std::nullopt;
    return Date::FromDays(static_cast<std::int32_t>(d));
  }
  std::vector<std::string> Texts() {
    std::vector<std::string> out;
    const std::uint64_t n = Unsigned();
    for (std::uint64_t i = 0; i < n && ok_; ++i) out.push_back(Text());
    return out;
  }
  template <class E>
  E Enum() {
    const auto e = ParseEnum<E>(Text());
    if (!e) return Fail(), E{};
    return *e;
  }
  void Fail() {
    ok_ = false;
    pos_ = in_.size();
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

domain::Attachment ReadAttachment(Reader& r) {
  domain::Attachment a;
  a.id = r.Signed();
  a.iin = domain::Iin::FromNumberUnchecked(r.Unsigned());
  a.org = r.Text();
  a.district = r.Text();
  a.from = r.Day();
  a.to = r.Day();
  a.end = r.Enum<domain::PeriodEnd>();
  a.application_id = r.Text();
  a.recorded_at = r.Signed();
  return a;
}
PeriodChange ReadPeriodChange(Reader& r) {
  PeriodChange c;
  c.attachment_id = r.Signed();
  c.to = r.Day();
  c.end = r.Enum<domain::PeriodEnd>();
  c.recorded_at = r.Signed();
  return c;
}
DecidedApplication ReadDecided(Reader& r) {
  DecidedApplication d;
  auto& a = d.application;
  auto& dec = d.decision;
  a.id = r.Text();
  a.date = r.Day();
  a.iin = r.Text();
  a.applicant = r.Text();
  a.org = r.Text();
  if (r.Byte()) a.district = r.Text();
  a.channel = r.Enum<domain::Channel>();
  a.basis = r.Enum<domain::Basis>();
  a.consent = r.Byte() != 0;
  a.documents.bits = static_cast<std::uint32_t>(r.Unsigned());
  a.declared_birth = r.MaybeDay();
  if (auto sex = r.Text(); !sex.empty()) {
    a.declared_sex = ParseEnum<domain::Sex>(sex);
    if (!a.declared_sex) r.Fail();
  }
  dec.application_id = r.Text();
  dec.outcome = r.Enum<domain::Outcome>();
  const std::uint64_t reasons = r.Unsigned();
  for (std::uint64_t i = 0; i < reasons && r.ok(); ++i) {
    dec.reasons.push_back(r.Enum<domain::Reason>());
  }
  dec.org = r.Text();
  dec.district = r.Text();
  dec.effective = r.MaybeDay();
  dec.decide_by = r.Day();
  dec.alternatives = r.Texts();
  dec.policy_version = r.Text();
  dec.free_choice_change = r.Byte() != 0;
  d.recorded_at = r.Signed();
  return d;
}
AuditEntry ReadAudit(Reader& r) {
  AuditEntry e;
  e.at = r.Signed();
  e.actor = r.Text();
  e.channel = r.Text();
  e.action = r.Text();
  e.subject = r.Text();
  e.detail = r.Text();
  e.policy_version = r.Text();
  return e;
}

}  // namespace

bool Journalled(const Mutation& m) {
  return std::holds_alternative<domain::Attachment>(m) || std::holds_alternative<PeriodChange>(m) ||
         std::holds_alternative<DecidedApplication>(m) || std::holds_alternative<AuditEntry>(m) ||
         std::holds_alternative<IdempotencyKey>(m);
}

void EncodeJournal(const WriteBatch& batch, std::size_t from, std::size_t to, std::string& out) {
  Writer w(out);
  w.Byte(kVersion);
  for (std::size_t i = from; i < to && i < batch.mutations.size(); ++i) {
    std::visit([&w](const auto& v) { Encode(w, v); }, batch.mutations[i]);
  }
}

Result<WriteBatch> DecodeJournal(std::string_view body) {
  Reader r(body);
  if (r.Byte() != kVersion) {
    return Error::Internal("journal record of an unknown version");
  }
  WriteBatch batch;
  while (!r.done()) {
    switch (r.Byte()) {
      case kAttachment:
        batch.mutations.emplace_back(ReadAttachment(r));
        break;
      case kPeriodChange:
        batch.mutations.emplace_back(ReadPeriodChange(r));
        break;
      case kDecided:
        batch.mutations.emplace_back(ReadDecided(r));
        break;
      case kAudit:
        batch.mutations.emplace_back(ReadAudit(r));
        break;
      case kIdempotencyKey: {
        IdempotencyKey k;
        k.key = r.Text();
        k.application_id = r.Text();
        k.fingerprint = r.Text();
        batch.mutations.emplace_back(std::move(k));
        break;
      }
      default:
        r.Fail();
    }
    if (!r.ok()) {
      return Error::Internal(
          fmt::format("damaged journal record (after {} mutations)", batch.mutations.size()));
    }
  }
  return batch;
}

}  // namespace emkhana::storage::sqlite
