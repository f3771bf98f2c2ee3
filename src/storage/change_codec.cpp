#include "storage/change_codec.hpp"

#include <boost/json.hpp>

#include <optional>

namespace emkhana::storage {

namespace json = boost::json;
using domain::Date;
using domain::NameOf;
using domain::ParseEnum;

namespace {

// --- encoding ---

json::value DateValue(std::optional<Date> d) {
  return d ? json::value(d->days()) : json::value(nullptr);
}

template <class T>
json::value Optional(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::object Encode(const domain::Organisation& o) {
  return {{"k", "org"},
          {"id", o.id},
          {"ate", o.ate},
          {"name", o.name},
          {"license", o.license},
          {"contract", o.contract},
          {"private", o.is_private},
          {"rural", o.rural},
          {"lat", Optional(o.latitude)},
          {"lon", Optional(o.longitude)},
          {"closed_on", DateValue(o.closed_on)},
          {"successor", o.successor}};
}
json::object Encode(const domain::District& d) {
  return {{"k", "district"},        {"id", d.id},           {"org", d.org},
          {"kind", NameOf(d.kind)}, {"doctors", d.doctors}, {"capacity", Optional(d.capacity)}};
}
json::object Encode(const domain::Person& p) {
  json::array ates, reps;
  for (const auto& ate : p.ate) ates.emplace_back(ate);
  for (const auto& r : p.representatives) reps.emplace_back(r.ToString());
  json::value insurance = nullptr;
  if (p.insurance) {
    insurance = json::object{{"kind", NameOf(p.insurance->kind)},
                             {"from", p.insurance->from.days()},
                             {"until", p.insurance->until.days()}};
  }
  return {{"k", "person"},
          {"iin", p.iin.ToString()},
          {"birth", p.birth.days()},
          {"sex", NameOf(p.sex)},
          {"status", NameOf(p.status)},
          {"name", p.name},
          {"ate", std::move(ates)},
          {"categories", p.categories.bits},
          {"insurance", std::move(insurance)},
          {"representatives", std::move(reps)},
          {"deceased", DateValue(p.deceased)},
          {"osms_category", NameOf(p.osms.category)},
          {"osms_payer", NameOf(p.osms.payer)},
          {"osms_insured", p.osms.insured}};
}
json::object Encode(const domain::Attachment& a) {
  return {{"k", "attachment"},
          {"id", a.id},
          {"iin", a.iin.ToString()},
          {"org", a.org},
          {"district", a.district},
          {"from", a.from.days()},
          {"to", a.to.days()},
          {"end", NameOf(a.end)},
          {"application", a.application_id},
          {"recorded_at", a.recorded_at}};
}
json::object Encode(const PeriodChange& c) {
  return {{"k", "period_change"},
          {"id", c.attachment_id},
          {"to", c.to.days()},
          {"end", NameOf(c.end)},
          {"recorded_at", c.recorded_at}};
}
json::object Encode(const DecidedApplication& d) {
  const auto& a = d.application;
  const auto& dec = d.decision;
  json::array reasons;
  for (auto r : dec.reasons) reasons.emplace_back(NameOf(r));
  return {{"k", "decided"},
          {"id", a.id},
          {"date", a.date.days()},
          {"iin", a.iin},
          {"applicant", a.applicant},
          {"org", a.org},
          {"district", Optional(a.district)},
          {"channel", NameOf(a.channel)},
          {"basis", NameOf(a.basis)},
          {"consent", a.consent},
          {"documents", a.documents.bits},
          {"declared_birth", DateValue(a.declared_birth)},
          {"declared_sex",
           a.declared_sex ? json::value(NameOf(*a.declared_sex)) : json::value(nullptr)},
          {"outcome", NameOf(dec.outcome)},
          {"reasons", std::move(reasons)},
          {"decided_org", dec.org},
          {"decided_district", dec.district},
          {"effective", DateValue(dec.effective)},
          {"decide_by", dec.decide_by.days()},
          {"alternatives", Strings(dec.alternatives)},
          {"policy_version", dec.policy_version},
          {"free_choice_change", dec.free_choice_change},
          {"recorded_at", d.recorded_at}};
}
json::object Encode(const PolicyVersion& v) {
  return {{"k", "policy"}, {"version", v.version}, {"body", v.body}};
}
json::object Encode(const PersonDeath& d) {
  return {{"k", "death"}, {"iin", d.iin.ToString()}, {"date", d.date.days()}};
}
json::object Encode(const OrgClosure& c) {
  return {
      {"k", "org_closure"}, {"org", c.org}, {"date", c.date.days()}, {"successor", c.successor}};
}
json::object Encode(const IdempotencyKey& k) {
  return {{"k", "idempotency_key"},
          {"key", k.key},
          {"application", k.application_id},
          {"fingerprint", k.fingerprint}};
}
json::object Encode(const AuditEntry&) { return {}; }  // never called: not a registry change

// --- decoding: a reader of one object that remembers the first field it could not read ---

class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}
  std::string Text(std::string_view name) {
    const auto* v = o_.if_contains(name);
    if (v && v->is_string()) return std::string(v->get_string());
    Missing(name);
    return {};
  }
  std::int64_t Int(std::string_view name) {
    const auto* v = o_.if_contains(name);
    if (v && v->is_int64()) return v->get_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    Missing(name);
    return 0;
  }
  bool Bool(std::string_view name) {
    const auto* v = o_.if_contains(name);
    if (v && v->is_bool()) return v->get_bool();
    Missing(name);
    return false;
  }
  bool IsNull(std::string_view name) {
    const auto* v = o_.if_contains(name);
    if (!v) Missing(name);
    return !v || v->is_null();
  }
  Date Day(std::string_view name) { return Date::FromDays(static_cast<std::int32_t>(Int(name))); }
  std::optional<Date> MaybeDay(std::string_view name) {
    if (IsNull(name)) return std::nullopt;
    return Day(name);
  }
  std::optional<double> MaybeReal(std::string_view name) {
    if (IsNull(name)) return std::nullopt;
    const auto* v = o_.if_contains(name);
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    Missing(name);
    return std::nullopt;
  }
  template <class E>
  E Enum(std::string_view name) {
    if (auto e = ParseEnum<E>(Text(name))) return *e;
    Missing(name);
    return E{};
  }
  domain::Iin Iin(std::string_view name) {
    if (auto iin = domain::Iin::Parse(Text(name))) return *iin;
    Missing(name);
    return {};
  }
  const json::array& Array(std::string_view name) {
    static const json::array kEmpty;
    const auto* v = o_.if_contains(name);
    if (v && v->is_array()) return v->get_array();
    Missing(name);
    return kEmpty;
  }
  std::vector<std::string> StringList(std::string_view name) {
    std::vector<std::string> out;
    for (const auto& v : Array(name)) {
      if (v.is_string()) {
        out.emplace_back(v.get_string());
      } else {
        Missing(name);
      }
    }
    return out;
  }
  const json::object& object() const { return o_; }
  const std::optional<std::string>& bad() const { return bad_; }
  void Missing(std::string_view name) {
    if (!bad_) bad_ = std::string(name);
  }

 private:
  const json::object& o_;
  std::optional<std::string> bad_;
};

domain::Organisation DecodeOrg(Fields& f) {
  domain::Organisation o;
  o.id = f.Text("id");
  o.ate = f.Text("ate");
  o.name = f.Text("name");
  o.license = f.Bool("license");
  o.contract = f.Bool("contract");
  o.is_private = f.Bool("private");
  o.rural = f.Bool("rural");
  o.latitude = f.MaybeReal("lat");
  o.longitude = f.MaybeReal("lon");
  o.closed_on = f.MaybeDay("closed_on");
  o.successor = f.Text("successor");
  return o;
}
domain::District DecodeDistrict(Fields& f) {
  domain::District d;
  d.id = f.Text("id");
  d.org = f.Text("org");
  d.kind = f.Enum<domain::DistrictKind>("kind");
  d.doctors = static_cast<int>(f.Int("doctors"));
  if (!f.IsNull("capacity")) d.capacity = static_cast<int>(f.Int("capacity"));
  return d;
}
domain::Person DecodePerson(Fields& f) {
  domain::Person p;
  p.iin = f.Iin("iin");
  p.birth = f.Day("birth");
  p.sex = f.Enum<domain::Sex>("sex");
  p.status = f.Enum<domain::LegalStatus>("status");
  p.name = f.Text("name");
  const auto ates = f.StringList("ate");
  if (ates.size() != domain::kAteRoleCount) f.Missing("ate");
  for (std::size_t i = 0; i < ates.size() && i < domain::kAteRoleCount; ++i) p.ate[i] = ates[i];
  p.categories.bits = static_cast<std::uint32_t>(f.Int("categories"));
  if (!f.IsNull("insurance")) {
    const auto* o = f.object().at("insurance").if_object();
    if (!o) {
      f.Missing("insurance");
    } else {
      Fields i(*o);
      p.insurance =
          domain::Insurance{i.Enum<domain::InsuranceKind>("kind"), i.Day("from"), i.Day("until")};
      if (i.bad()) f.Missing("insurance");
    }
  }
  for (const auto& r : f.StringList("representatives")) {
    if (auto iin = domain::Iin::Parse(r)) {
      p.representatives.push_back(*iin);
    } else {
      f.Missing("representatives");
    }
  }
  p.deceased = f.MaybeDay("deceased");
  p.osms.category = f.Enum<domain::OsmsCategory>("osms_category");
  p.osms.payer = f.Enum<domain::OsmsPayer>("osms_payer");
  p.osms.insured = f.Bool("osms_insured");
  return p;
}
domain::Attachment DecodeAttachment(Fields& f) {
  domain::Attachment a;
  a.id = f.Int("id");
  a.iin = f.Iin("iin");
  a.org = f.Text("org");
  a.district = f.Text("district");
  a.from = f.Day("from");
  a.to = f.Day("to");
  a.end = f.Enum<domain::PeriodEnd>("end");
  a.application_id = f.Text("application");
  a.recorded_at = f.Int("recorded_at");
  return a;
}
PeriodChange DecodeChange(Fields& f) {
  return PeriodChange{f.Int("id"), f.Day("to"), f.Enum<domain::PeriodEnd>("end"),
                      f.Int("recorded_at")};
}
DecidedApplication DecodeDecided(Fields& f) {
  DecidedApplication d;
  auto& a = d.application;
  a.id = f.Text("id");
  a.date = f.Day("date");
  a.iin = f.Text("iin");
  a.applicant = f.Text("applicant");
  a.org = f.Text("org");
  if (!f.IsNull("district")) a.district = f.Text("district");
  a.channel = f.Enum<domain::Channel>("channel");
  a.basis = f.Enum<domain::Basis>("basis");
  a.consent = f.Bool("consent");
  a.documents.bits = static_cast<std::uint32_t>(f.Int("documents"));
  a.declared_birth = f.MaybeDay("declared_birth");
  if (!f.IsNull("declared_sex")) a.declared_sex = f.Enum<domain::Sex>("declared_sex");
  auto& dec = d.decision;
  dec.application_id = a.id;
  dec.outcome = f.Enum<domain::Outcome>("outcome");
  for (const auto& r : f.StringList("reasons")) {
    if (auto reason = ParseEnum<domain::Reason>(r)) {
      dec.reasons.push_back(*reason);
    } else {
      f.Missing("reasons");
    }
  }
  dec.org = f.Text("decided_org");
  dec.district = f.Text("decided_district");
  dec.effective = f.MaybeDay("effective");
  dec.decide_by = f.Day("decide_by");
  dec.alternatives = f.StringList("alternatives");
  dec.policy_version = f.Text("policy_version");
  dec.free_choice_change = f.Bool("free_choice_change");
  d.recorded_at = f.Int("recorded_at");
  return d;
}

std::optional<Mutation> Decode(Fields& f) {
  const auto kind = f.Text("k");
  if (kind == "org") return DecodeOrg(f);
  if (kind == "district") return DecodeDistrict(f);
  if (kind == "person") return DecodePerson(f);
  if (kind == "attachment") return DecodeAttachment(f);
  if (kind == "period_change") return DecodeChange(f);
  if (kind == "decided") return DecodeDecided(f);
  if (kind == "policy") return PolicyVersion{f.Text("version"), f.Text("body")};
  if (kind == "death") return PersonDeath{f.Iin("iin"), f.Day("date")};
  if (kind == "org_closure") return OrgClosure{f.Text("org"), f.Day("date"), f.Text("successor")};
  if (kind == "idempotency_key") {
    return IdempotencyKey{f.Text("key"), f.Text("application"), f.Text("fingerprint")};
  }
  return std::nullopt;
}

}  // namespace

std::string EncodeChanges(const WriteBatch& batch) {
  json::array out;
  for (const auto& m : batch.mutations) {
    if (!ChangesRegistry(m)) continue;
    out.emplace_back(std::visit([](const auto& v) { return Encode(v); }, m));
  }
  return json::serialize(out);
}

Result<WriteBatch> DecodeChanges(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec || !value.is_array()) return Error::Internal("change log: a row is not a JSON array");
  WriteBatch batch;
  batch.mutations.reserve(value.get_array().size());
  for (const auto& item : value.get_array()) {
    const auto* o = item.if_object();
    if (!o) return Error::Internal("change log: an entry is not an object");
    Fields f(*o);
    auto m = Decode(f);
    if (!m) return Error::Internal("change log: unknown entry kind '" + f.Text("k") + "'");
    if (f.bad()) {
      return Error::Internal("change log: entry '" + f.Text("k") + "' has a bad field '" +
                             *f.bad() + "'");
    }
    batch.mutations.push_back(std::move(*m));
  }
  return batch;
}

}  // namespace emkhana::storage
