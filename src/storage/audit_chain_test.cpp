#include "storage/audit_chain.hpp"

#include <gtest/gtest.h>

#include "storage/store_test_support.hpp"

namespace emkhana::storage {
namespace {

using testing::Approved;
using testing::Audit;

TEST(AuditChain, EveryFieldAndTheLinkChangeTheHash) {
  const AuditEntry base = Audit("APP-1", 10);
  const std::string h = AuditEntryHash(base, "");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, AuditEntryHash(base, ""));
  EXPECT_NE(h, AuditEntryHash(base, "x"));
  auto changed = [&](auto edit) {
    AuditEntry e = base;
    edit(e);
    return AuditEntryHash(e, "");
  };
  EXPECT_NE(h, changed([](AuditEntry& e) { e.at = 11; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.actor += "1"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.channel = "mobile"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.action = "read"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.subject = "APP-2"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.detail = "refused"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.policy_version = "x"; }));
  EXPECT_NE(h, changed([](AuditEntry& e) { e.ref = "sha256:0"; }));
  // Lengths keep fields apart: moving a byte from one field to the next is a change.
  AuditEntry a = base, b = base;
  a.actor = "ab", a.channel = "c";
  b.actor = "a", b.channel = "bc";
  EXPECT_NE(AuditEntryHash(a, ""), AuditEntryHash(b, ""));
  // The stored hashes are not what a field would give: they do not cover themselves.
  EXPECT_EQ(h, changed([](AuditEntry& e) { e.hash = "anything", e.prev_hash = "else"; }));
}

TEST(AuditChain, TheDecisionDigestCoversTheDecision) {
  const auto d = Approved();
  const auto digest = DecisionDigest(d);
  EXPECT_EQ(digest.rfind("sha256:", 0), 0u);
  auto edited = d;
  edited.decision.district += "X";
  EXPECT_NE(DecisionDigest(edited), digest);
  edited = d;
  edited.application.consent = !edited.application.consent;
  EXPECT_NE(DecisionDigest(edited), digest);
  edited = d;
  edited.recorded_at += 1;
  EXPECT_NE(DecisionDigest(edited), digest);
}

TEST(AuditChain, TheSealerLinksEntriesAndVouchesOncePerDecision) {
  AuditSealer sealer;
  sealer.Resume("");
  const auto d = Approved();
  sealer.NoteDecided(d);
  AuditEntry first = Audit(d.application.id, 1), second = Audit(d.application.id, 2);
  sealer.Seal(first);
  sealer.Seal(second);
  EXPECT_EQ(first.prev_hash, "");
  EXPECT_EQ(first.ref, DecisionDigest(d));
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_EQ(second.ref, "");
  EXPECT_EQ(sealer.tail(), second.hash);
}

}  // namespace
}  // namespace emkhana::storage
