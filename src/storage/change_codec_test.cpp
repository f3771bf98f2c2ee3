#include "storage/change_codec.hpp"

#include <gtest/gtest.h>

#include "storage/store_test_support.hpp"

namespace emkhana::storage {
namespace {

using namespace storage::testing;  // NOLINT: the sample data

template <class T>
const T& Nth(const WriteBatch& b, std::size_t i) {
  EXPECT_LT(i, b.mutations.size());
  const auto* v = std::get_if<T>(&b.mutations.at(i));
  EXPECT_NE(v, nullptr) << "mutation " << i << " is of another kind";
  static const T kNone{};
  return v ? *v : kNone;
}

TEST(ChangeCodec, EveryRegistryChangeRoundTripsInOrderAndTheAuditIsLeftOut) {
  WriteBatch batch = FullBatch();  // ends with three audit entries
  batch.mutations.push_back(PersonDeath{I("900115301001"), Date::Ymd(2025, 7, 1)});
  batch.mutations.push_back(OrgClosure{"ORG-B", Date::Ymd(2025, 12, 1), "ORG-A"});
  batch.mutations.push_back(IdempotencyKey{"key-1", "APP-1", "{\"iin\":\"850305301578\"}"});
  auto decoded = DecodeChanges(EncodeChanges(batch));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  ASSERT_EQ(decoded->size(), batch.size() - 3);

  const auto& policy = Nth<PolicyVersion>(*decoded, 0);
  EXPECT_EQ(policy.version, "kz-2025.05.12");
  EXPECT_EQ(policy.body, "{\"version\":\"kz-2025.05.12\"}");
  ExpectSameOrg(Nth<domain::Organisation>(*decoded, 1), OrgA());
  ExpectSameOrg(Nth<domain::Organisation>(*decoded, 2), OrgB());
  ExpectSameDistrict(Nth<domain::District>(*decoded, 3), DistrictA1());
  ExpectSameDistrict(Nth<domain::District>(*decoded, 4), DistrictA2());
  ExpectSamePerson(Nth<domain::Person>(*decoded, 5), PersonP());
  ExpectSamePerson(Nth<domain::Person>(*decoded, 6), PersonQ());
  ExpectSameAttachment(Nth<domain::Attachment>(*decoded, 7), AttachmentOne());
  const auto& change = Nth<PeriodChange>(*decoded, 8);
  EXPECT_EQ(change.attachment_id, ChangeOne().attachment_id);
  EXPECT_EQ(change.to, ChangeOne().to);
  EXPECT_EQ(change.end, ChangeOne().end);
  EXPECT_EQ(change.recorded_at, ChangeOne().recorded_at);
  ExpectSameAttachment(Nth<domain::Attachment>(*decoded, 9), AttachmentTwo());  // open end
  ExpectSameDecided(Nth<DecidedApplication>(*decoded, 10), Approved());
  ExpectSameDecided(Nth<DecidedApplication>(*decoded, 11), Refused());
  const auto& death = Nth<PersonDeath>(*decoded, 12);
  EXPECT_EQ(death.iin, I("900115301001"));
  EXPECT_EQ(death.date, Date::Ymd(2025, 7, 1));
  const auto& closure = Nth<OrgClosure>(*decoded, 13);
  EXPECT_EQ(closure.org, "ORG-B");
  EXPECT_EQ(closure.date, Date::Ymd(2025, 12, 1));
  EXPECT_EQ(closure.successor, "ORG-A");
  const auto& key = Nth<IdempotencyKey>(*decoded, 14);
  EXPECT_EQ(key.key, "key-1");
  EXPECT_EQ(key.application_id, "APP-1");
  EXPECT_EQ(key.fingerprint, "{\"iin\":\"850305301578\"}");
}

TEST(ChangeCodec, AnAuditOnlyBatchIsEmpty) {
  WriteBatch batch;
  batch.mutations.push_back(Audit("APP-1", 1));
  EXPECT_EQ(EncodeChanges(batch), "[]");
  auto decoded = DecodeChanges("[]");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->empty());
}

TEST(ChangeCodec, ATextItDidNotMakeIsAnError) {
  EXPECT_FALSE(DecodeChanges("{}").has_value());
  EXPECT_FALSE(DecodeChanges("not json").has_value());
  EXPECT_FALSE(DecodeChanges(R"([{"k":"comet"}])").has_value());
  auto missing = DecodeChanges(R"([{"k":"death","iin":"900115301001"}])");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("'date'"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(DecodeChanges(R"([{"k":"death","iin":"900115301002","date":1}])").has_value())
      << "a bad IIN check digit";
}

}  // namespace
}  // namespace emkhana::storage
