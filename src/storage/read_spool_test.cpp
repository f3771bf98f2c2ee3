#include "storage/read_spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace emkhana::storage {
namespace {

AuditEntry Read(std::int64_t at, std::string subject) {
  AuditEntry e;
  e.at = at;
  e.actor = "registrar:ORG-1";
  e.channel = "http 127.0.0.1";
  e.action = "read /api/v1/persons/{iin}";
  e.subject = std::move(subject);
  e.detail = "profile — профиль";
  return e;
}

class ReadSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/emkhana-spool-XXXXXX";
    dir_ = mkdtemp(tmpl);
    base_ = dir_ + "/r.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, base_;
};

TEST(ReadSpoolCodec, RoundTripsAndDropsARecordCutShort) {
  std::string bytes;
  ReadSpool::Encode(Read(1, "900115301001"), bytes);
  ReadSpool::Encode(Read(-2, ""), bytes);
  auto back = ReadSpool::Decode(bytes);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].at, 1);
  EXPECT_EQ(back[0].detail, "profile — профиль");
  EXPECT_EQ(back[1].at, -2);
  EXPECT_EQ(back[1].subject, "");
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto some = ReadSpool::Decode(std::string_view(bytes).substr(0, cut));
    EXPECT_LE(some.size(), 1u) << cut;  // never a record made of a part
  }
  EXPECT_TRUE(ReadSpool::Decode("garbage").empty());
}

TEST_F(ReadSpoolTest, FilesArePrivateAndWhatAProcessLeftIsHandedOverOnce) {
  {
    auto spool = ReadSpool::Open(base_);
    ASSERT_TRUE(spool.has_value()) << spool.error().message;
    EXPECT_TRUE((*spool)->TakeLeftovers().empty());
    struct stat st {};
    ASSERT_EQ(stat((*spool)->path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_TRUE((*spool)->Append({Read(5, "A"), Read(6, "B")}).has_value());
    ASSERT_TRUE((*spool)->Rotate().has_value());
    ASSERT_TRUE((*spool)->Append({Read(7, "C")}).has_value());
    // The process dies: nothing of it was committed.
  }
  {
    auto spool = ReadSpool::Open(base_);
    ASSERT_TRUE(spool.has_value()) << spool.error().message;
    auto left = (*spool)->TakeLeftovers();
    ASSERT_EQ(left.size(), 3u);
    EXPECT_EQ(left[0].subject, "A");
    EXPECT_EQ(left[2].subject, "C");
    EXPECT_TRUE((*spool)->TakeLeftovers().empty());
  }
  // Still there, once (the hand-over moved them into file 0, the others are empty).
  auto spool = ReadSpool::Open(base_);
  ASSERT_TRUE(spool.has_value());
  EXPECT_EQ((*spool)->TakeLeftovers().size(), 3u);
}

TEST_F(ReadSpoolTest, AFileIsEmptiedTwoRotationsAfterItsRecordsWereTaken) {
  {
    auto spool = ReadSpool::Open(base_);
    ASSERT_TRUE(spool.has_value());
    ASSERT_TRUE((*spool)->Append({Read(1, "first")}).has_value());
    ASSERT_TRUE((*spool)->Rotate().has_value());  // "first" taken: its commit is in flight
    ASSERT_TRUE((*spool)->Append({Read(2, "second")}).has_value());
    ASSERT_TRUE((*spool)->Rotate().has_value());  // "first" committed by now, "second" taken
    ASSERT_TRUE((*spool)->Append({Read(3, "third")}).has_value());
    ASSERT_TRUE((*spool)->Rotate().has_value());  // empties "first"'s file
  }
  auto spool = ReadSpool::Open(base_);
  ASSERT_TRUE(spool.has_value());
  auto left = (*spool)->TakeLeftovers();
  ASSERT_EQ(left.size(), 2u);  // those whose commits may not have finished
  EXPECT_EQ(left[0].subject, "second");
  EXPECT_EQ(left[1].subject, "third");
}

TEST_F(ReadSpoolTest, AfterAClearNothingIsHandedOver) {
  {
    auto spool = ReadSpool::Open(base_);
    ASSERT_TRUE(spool.has_value());
    ASSERT_TRUE((*spool)->Append({Read(1, "a")}).has_value());
    ASSERT_TRUE((*spool)->Rotate().has_value());
    ASSERT_TRUE((*spool)->Append({Read(2, "b")}).has_value());
    ASSERT_TRUE((*spool)->Clear().has_value());
  }
  auto spool = ReadSpool::Open(base_);
  ASSERT_TRUE(spool.has_value());
  EXPECT_TRUE((*spool)->TakeLeftovers().empty());
}

TEST_F(ReadSpoolTest, TwoProcessesTakeTwoSlots) {
  auto one = ReadSpool::Open(base_);
  auto two = ReadSpool::Open(base_);
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(two.has_value());
  EXPECT_NE((*one)->path(), (*two)->path());
  // flock locks belong to open files: a second open in this process is refused like another's.
}

}  // namespace
}  // namespace emkhana::storage
