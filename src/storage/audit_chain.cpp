#include "storage/audit_chain.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>
#include <algorithm>
#include <charconv>

#include "domain/enum_names.hpp"

namespace emkhana::storage {
namespace {

// Fields are written as "<length>:<bytes>", so that no two different entries give one text.
class Canonical {
 public:
  explicit Canonical(std::string_view tag) { text_.append(tag).push_back('\n'); }
  Canonical& Add(std::string_view s) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, s.size());
    (void)ec;
    text_.append(digits, end).push_back(':');
    text_.append(s);
    return *this;
  }
  Canonical& Add(std::int64_t v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    (void)ec;
    return Add(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  Canonical& Add(domain::Date d) { return Add(std::int64_t{d.days()}); }
  Canonical& Add(const std::optional<domain::Date>& d) { return d ? Add(*d) : Add("-"); }
  std::string Sha256Hex() const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text_.data(), text_.size(), md, &n, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (unsigned int i = 0; i < n; ++i) {
      out[2 * i] = kHex[md[i] >> 4];
      out[2 * i + 1] = kHex[md[i] & 15];
    }
    return out;
  }

 private:
  std::string text_;
};

}  // namespace

std::string AuditEntryHash(const AuditEntry& e, const std::string& prev_hash) {
  return Canonical("emkhana-audit-1")
      .Add(prev_hash)
      .Add(e.at)
      .Add(e.actor)
      .Add(e.channel)
      .Add(e.action)
      .Add(e.subject)
      .Add(e.detail)
      .Add(e.policy_version)
      .Add(e.ref)
      .Sha256Hex();
}

std::string DecisionDigest(const DecidedApplication& d) {
  const auto& a = d.application;
  const auto& dec = d.decision;
  Canonical c("emkhana-decision-1");
  c.Add(a.id).Add(a.date).Add(a.iin).Add(a.applicant).Add(a.org);
  c.Add(a.district ? std::string_view(*a.district) : std::string_view("-"));
  c.Add(domain::NameOf(a.channel)).Add(domain::NameOf(a.basis)).Add(std::int64_t{a.consent});
  c.Add(std::int64_t{a.documents.bits}).Add(a.declared_birth);
  c.Add(a.declared_sex ? domain::NameOf(*a.declared_sex) : std::string_view("-"));
  c.Add(dec.application_id).Add(domain::NameOf(dec.outcome));
  c.Add(std::int64_t(dec.reasons.size()));
  for (auto r : dec.reasons) c.Add(domain::NameOf(r));
  c.Add(dec.org).Add(dec.district).Add(dec.effective).Add(dec.decide_by);
  c.Add(std::int64_t(dec.alternatives.size()));
  for (const auto& alt : dec.alternatives) c.Add(alt);
  c.Add(dec.policy_version).Add(std::int64_t{dec.free_choice_change}).Add(d.recorded_at);
  return "sha256:" + c.Sha256Hex();
}

void AuditSealer::NoteDecided(const DecidedApplication& d) {
  // A batch holds thousands of decisions, each followed by its entry: the list stays short.
  if (decided_.size() >= 4096) decided_.erase(decided_.begin());
  decided_.emplace_back(d.application.id, DecisionDigest(d));
}

bool AuditSealer::Noted(const std::string& id) const {
  return std::any_of(decided_.rbegin(), decided_.rend(),
                     [&](const auto& d) { return d.first == id; });
}

void AuditSealer::Seal(AuditEntry& e) {
  if (e.action == kDecidedAction) {
    // Newest first: the decision just written is the usual one.
    for (auto it = decided_.rbegin(); it != decided_.rend(); ++it) {
      if (it->first == e.subject) {
        e.ref = std::move(it->second);
        decided_.erase(std::next(it).base());
        break;
      }
    }
  }
  e.prev_hash = tail_;
  e.hash = AuditEntryHash(e, e.prev_hash);
  tail_ = e.hash;
}

Result<AuditVerdict> VerifyAuditChain(Queries& store, const AuditVerifyOptions& options) {
  AuditVerdict v;
  auto fail = [&](std::int64_t seq, std::string problem) {
    v.intact = false;
    v.problem_seq = seq;
    v.problem = std::move(problem);
    return v;
  };
  constexpr int kPage = 20'000;
  std::int64_t after = 0, legacy_decisions = 0;
  bool chained = false;  // a sealed entry has been read
  bool anchored = options.anchor_seq == 0;
  std::string expected_prev;  // the hash the next sealed entry must point to
  for (;;) {
    auto page = store.AuditPage(after, kPage);
    if (!page) return page.error();
    for (auto& [seq, e] : *page) {
      ++v.entries;
      after = seq;
      if (e.hash.empty()) {
        if (chained) {
          return fail(seq, fmt::format("entry {}: its hash is gone (the entry was edited)", seq));
        }
        ++v.legacy;
        if (e.action == kDecidedAction) ++legacy_decisions;
        continue;
      }
      if (e.prev_hash != expected_prev) {
        return fail(seq, fmt::format("entry {}: does not follow the entry before it (entries were "
                                     "deleted, inserted or reordered before it)",
                                     seq));
      }
      if (AuditEntryHash(e, e.prev_hash) != e.hash) {
        return fail(seq, fmt::format("entry {}: its contents do not match its hash (the entry was "
                                     "edited)",
                                     seq));
      }
      chained = true;
      expected_prev = e.hash;
      if (seq == options.anchor_seq) {
        if (e.hash != options.anchor_hash) {
          return fail(seq, fmt::format("entry {}: not the anchored entry (hash {} expected)", seq,
                                       options.anchor_hash));
        }
        anchored = true;
      }
      if (!e.ref.empty()) {
        auto found = store.FindApplication(e.subject);
        if (!found) return found.error();
        if (!*found) {
          return fail(seq, fmt::format("entry {}: decision {} is gone (deleted)", seq, e.subject));
        }
        if (DecisionDigest(**found) != e.ref) {
          return fail(seq, fmt::format("entry {}: decision {} differs from what was decided (the "
                                       "decision was edited)",
                                       seq, e.subject));
        }
        ++v.decisions;
      }
      v.head_seq = seq;
      v.head_hash = e.hash;
    }
    if (options.progress) options.progress(v.entries);
    if (static_cast<int>(page->size()) < kPage) break;
  }
  if (!anchored) {
    return fail(options.anchor_seq,
                fmt::format("entry {}: the anchored entry is gone (the trail was cut short)",
                            options.anchor_seq));
  }
  auto counts = store.Counts();
  if (!counts) return counts.error();
  const std::int64_t outside = counts->applications - v.decisions - legacy_decisions;
  if (outside != 0) {
    return fail(0, fmt::format("{} decision(s) stand outside the chain: {} stored, {} vouched for "
                               "by entries ({} before the chain)",
                               outside, counts->applications, v.decisions + legacy_decisions,
                               legacy_decisions));
  }
  return v;
}

}  // namespace emkhana::storage
