// The decision journal's record format: every journalled field comes back as written, and a
// damaged record is an error, never a crash or a half-read batch.
#include "storage/sqlite/journal_codec.hpp"

#include <gtest/gtest.h>

#include "storage/store_test_support.hpp"

namespace emkhana::storage::sqlite {
namespace {

using namespace storage::testing;  // NOLINT: the sample data

WriteBatch Decisions() {
  WriteBatch b;
  b.mutations.push_back(AttachmentOne());
  b.mutations.push_back(ChangeOne());
  b.mutations.push_back(AttachmentTwo());  // open end (Date::Max), no application
  b.mutations.push_back(IdempotencyKey{"key-1", "APP-1", "fp"});
  b.mutations.push_back(Approved());  // every optional field set
  b.mutations.push_back(Refused());   // none set, reasons and alternatives
  b.mutations.push_back(Audit("APP-1", -5));
  return b;
}

TEST(JournalCodec, EveryFieldComesBack) {
  const WriteBatch batch = Decisions();
  std::string body;
  EncodeJournal(batch, 0, batch.size(), body);
  auto back = DecodeJournal(body);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->size(), 7u);
  ExpectSameAttachment(std::get<domain::Attachment>(back->mutations[0]), AttachmentOne());
  const auto& change = std::get<PeriodChange>(back->mutations[1]);
  EXPECT_EQ(change.attachment_id, ChangeOne().attachment_id);
  EXPECT_EQ(change.to, ChangeOne().to);
  EXPECT_EQ(change.end, ChangeOne().end);
  EXPECT_EQ(change.recorded_at, ChangeOne().recorded_at);
  ExpectSameAttachment(std::get<domain::Attachment>(back->mutations[2]), AttachmentTwo());
  EXPECT_TRUE(std::get<domain::Attachment>(back->mutations[2]).to.IsMax());
  // Idempotency keys are journalled with the decisions (a retry after a restart finds them).
  const auto& key = std::get<IdempotencyKey>(back->mutations[3]);
  EXPECT_EQ(key.key, "key-1");
  EXPECT_EQ(key.application_id, "APP-1");
  EXPECT_EQ(key.fingerprint, "fp");
  ExpectSameDecided(std::get<DecidedApplication>(back->mutations[4]), Approved());
  ExpectSameDecided(std::get<DecidedApplication>(back->mutations[5]), Refused());
  const auto& audit = std::get<AuditEntry>(back->mutations[6]);
  const auto expected = Audit("APP-1", -5);
  EXPECT_EQ(audit.at, -5);
  EXPECT_EQ(audit.actor, expected.actor);
  EXPECT_EQ(audit.channel, expected.channel);
  EXPECT_EQ(audit.action, expected.action);
  EXPECT_EQ(audit.subject, expected.subject);
  EXPECT_EQ(audit.detail, expected.detail);
  EXPECT_EQ(audit.policy_version, expected.policy_version);
}

TEST(JournalCodec, EncodesARangeOfTheBatch) {
  const WriteBatch batch = Decisions();
  std::string body;
  EncodeJournal(batch, 4, 6, body);
  auto back = DecodeJournal(body);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  ExpectSameDecided(std::get<DecidedApplication>(back->mutations[0]), Approved());
}

TEST(JournalCodec, OnlyDecisionsAreJournalled) {
  EXPECT_TRUE(Journalled(AttachmentOne()));
  EXPECT_TRUE(Journalled(ChangeOne()));
  EXPECT_TRUE(Journalled(Approved()));
  EXPECT_TRUE(Journalled(Audit("x", 1)));
  EXPECT_FALSE(Journalled(PersonP()));
  EXPECT_FALSE(Journalled(OrgA()));
  EXPECT_FALSE(Journalled(DistrictA1()));
  EXPECT_FALSE(Journalled(PolicyVersion{"v", "{}"}));
  EXPECT_FALSE(Journalled(PersonDeath{PersonP().iin, Date::Ymd(2026, 1, 1)}));
}

TEST(JournalCodec, EveryCutOrDamagedRecordIsRefused) {
  const WriteBatch batch = Decisions();
  std::string body;
  EncodeJournal(batch, 0, batch.size(), body);
  int refused = 0;
  for (std::size_t n = 0; n < body.size(); ++n) {
    // A cut between two mutations decodes to fewer of them; any other cut is an error.
    auto back = DecodeJournal(std::string_view(body).substr(0, n));
    if (!back) {
      EXPECT_EQ(back.error().code, ErrorCode::kInternal);
      ++refused;
    } else {
      EXPECT_LT(back->size(), batch.size());
    }
  }
  EXPECT_GT(refused, static_cast<int>(body.size()) - 10);
  std::string wrong_version = body;
  wrong_version[0] = 9;
  EXPECT_FALSE(DecodeJournal(wrong_version).has_value());
  std::string wrong_kind = body;
  wrong_kind[1] = 77;
  EXPECT_FALSE(DecodeJournal(wrong_kind).has_value());
  std::string huge_length = body;
  huge_length.push_back(4);                        // an audit entry...
  huge_length.append("\x02\xff\xff\xff\xff\x0f");  // ...whose actor claims 4 GB
  EXPECT_FALSE(DecodeJournal(huge_length).has_value());
}

}  // namespace
}  // namespace emkhana::storage::sqlite
