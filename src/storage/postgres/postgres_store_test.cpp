// Tests of what is particular to the PostgreSQL store: connection failures as
// errors, URLs without passwords in messages, the append-only triggers and
// schema_migrations seen through libpq, a newer schema refused, a connection
// lost and re-established. The behaviour every backend shares is in
// storage/store_conformance_test.cpp. Tests that need a server take it from
// EMKHANA_TEST_PG_URL and are skipped without it.
#include "storage/postgres/postgres_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

#include "storage/audit_chain.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/store.hpp"
#include "storage/store_test_support.hpp"

namespace emkhana::storage {
namespace {

using namespace storage::testing;  // NOLINT: the sample data
using postgres::Connection;
using postgres::RedactUrl;

TEST(PostgresUrl, OpenStoreSelectsPostgresByScheme) {
  EXPECT_TRUE(postgres::IsPostgresUrl("postgresql://u@h/db"));
  EXPECT_TRUE(postgres::IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(postgres::IsPostgresUrl("registry.db"));
  EXPECT_FALSE(postgres::IsPostgresUrl(":memory:"));
  EXPECT_FALSE(postgres::IsPostgresUrl("postgresql.db"));
}

TEST(PostgresUrl, PasswordsAreRedacted) {
  EXPECT_EQ(RedactUrl("postgresql://emkhana:s3cret@db.example:5432/reg"),
            "postgresql://emkhana:***@db.example:5432/reg");
  EXPECT_EQ(RedactUrl("postgresql://emkhana@db/reg?password=s3cret&sslmode=require"),
            "postgresql://emkhana@db/reg?password=***&sslmode=require");
  EXPECT_EQ(RedactUrl("postgresql://emkhana@db/reg"), "postgresql://emkhana@db/reg");
  EXPECT_EQ(RedactUrl("host=db password=s3cret dbname=reg"), "host=db password=*** dbname=reg");
}

TEST(PostgresUrl, WithDatabaseReplacesThePath) {
  EXPECT_EQ(WithDatabase("postgresql://u@h:5/postgres", "t_1"), "postgresql://u@h:5/t_1");
  EXPECT_EQ(WithDatabase("postgresql://u@h:5", "t_1"), "postgresql://u@h:5/t_1");
  EXPECT_EQ(WithDatabase("postgresql://u@h:5/x?sslmode=disable", "t_1"),
            "postgresql://u@h:5/t_1?sslmode=disable");
  EXPECT_EQ(WithDatabase("postgresql://u@h:5?sslmode=disable", "t_1"),
            "postgresql://u@h:5/t_1?sslmode=disable");
}

TEST(PostgresConnection, ARefusedConnectionIsAnUnavailableErrorWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, the refusal is immediate.
  auto store = OpenStore("postgresql://emkhana:s3cret@127.0.0.1:1/registry?connect_timeout=2");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("cannot connect"), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos) << store.error().message;
}

TEST(PostgresConnection, AMalformedUrlIsAnError) {
  for (const char* url :
       {"postgresql://[::1", "postgresql://h/db?nosuchoption=1", "postgres://h:notaport/db"}) {
    auto store = OpenStore(url);
    ASSERT_FALSE(store.has_value()) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kUnavailable) << url;
    EXPECT_FALSE(store.error().message.empty());
  }
}

class PostgresStoreTest : public BackendTest<PostgresBackend> {
 protected:
  // A separate connection to the test's database, as a DBA would use.
  Connection Raw() {
    auto c = Connection::Open(backend_.location());
    if (!c) ADD_FAILURE() << c.error().message;
    return std::move(c).value();
  }
  // The error message of `sql`, or "" when it succeeded.
  std::string RawExec(const std::string& sql) {
    auto r = Raw().Exec(sql);
    return r ? "" : r.error().message;
  }
  std::int64_t RawInt(const std::string& sql) {
    auto r = Raw().Query(sql);
    if (!r) {
      ADD_FAILURE() << r.error().message;
      return -1;
    }
    return postgres::Int(r->get(), 0, 0);
  }
};

// A bulk load is one transaction: abandoned before FinishBulkLoad (a failed generate), it leaves
// the database as it was, foreign keys and indexes included; finished, it restores them.
TEST_F(PostgresStoreTest, AnAbandonedBulkLoadLeavesNothing) {
  const std::string schema_objects =
      "SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'f') * 1000 + "
      "(SELECT count(*) FROM pg_indexes WHERE schemaname = 'public')";
  ASSERT_NE(Open(), nullptr);  // migrated, empty
  const auto before = RawInt(schema_objects);
  {
    auto bulk = OpenStoreForBulkLoad(backend_.location());
    ASSERT_TRUE(bulk.has_value()) << bulk.error().message;
    ASSERT_TRUE((*bulk)->Commit(FullBatch()).has_value());
  }  // closed without FinishBulkLoad
  EXPECT_EQ(RawInt("SELECT count(*) FROM person"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM organisation"), 0);
  EXPECT_EQ(RawInt(schema_objects), before);
  {
    auto bulk = OpenStoreForBulkLoad(backend_.location());
    ASSERT_TRUE(bulk.has_value()) << bulk.error().message;
    ASSERT_TRUE((*bulk)->Commit(FullBatch()).has_value());
    ASSERT_TRUE((*bulk)->FinishBulkLoad().has_value());
  }
  EXPECT_EQ(RawInt("SELECT count(*) FROM person"), 2);
  EXPECT_EQ(RawInt(schema_objects), before);
  // The foreign keys hold again: a district of no organisation is refused.
  EXPECT_NE(RawExec("INSERT INTO district(id, org, kind, doctors) VALUES ('X', 'NONE', 'gp', 1)"),
            "");
}

TEST_F(PostgresStoreTest, AuditLogAndDecisionsAreAppendOnly) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  for (const char* sql :
       {"UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log",
        "TRUNCATE audit_log", "DELETE FROM application",
        "UPDATE application SET outcome = 'refused' WHERE id = 'APP-1'",
        "DELETE FROM attachment_history", "UPDATE attachment_history SET end_reason = 'open'"}) {
    const std::string err = RawExec(sql);
    EXPECT_NE(err.find("append-only"), std::string::npos) << sql << ": '" << err << "'";
  }
  EXPECT_NE(RawExec("DELETE FROM attachment").find("never deleted"), std::string::npos);
  EXPECT_NE(RawExec("UPDATE attachment SET district = 'ORG-A-1' WHERE id = 2").find("keep"),
            std::string::npos);
  EXPECT_EQ(RawExec("UPDATE attachment SET end_reason = 'cancelled' WHERE id = 2"), "");

  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM audit_log WHERE actor = 'someone else'"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM application"), 2);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment_history"), 3);
  EXPECT_EQ(RawInt("SELECT count(*) FROM attachment"), 2);
}

// The triggers stop an application; the owner of the database can still lift them. What it
// then changes, the hash chain shows: `audit verify` names the first entry that is not as sealed.
TEST_F(PostgresStoreTest, TheChainShowsWhatTheOwnerChangedBehindTheTriggers) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  auto verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  ASSERT_TRUE(verdict->intact) << verdict->problem;
  const std::int64_t second = RawInt("SELECT seq FROM audit_log ORDER BY seq OFFSET 1 LIMIT 1");
  EXPECT_EQ(RawExec("ALTER TABLE audit_log DISABLE TRIGGER USER"), "");
  EXPECT_EQ(
      RawExec("UPDATE audit_log SET detail = 'refused' WHERE seq = " + std::to_string(second)), "");
  verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  EXPECT_FALSE(verdict->intact);
  EXPECT_EQ(verdict->problem_seq, second) << verdict->problem;
  EXPECT_NE(verdict->problem.find("edited"), std::string::npos) << verdict->problem;

  // A decision edited behind its trigger: its entry's digest no longer matches.
  EXPECT_EQ(
      RawExec("UPDATE audit_log SET detail = 'approved' WHERE seq = " + std::to_string(second)),
      "");
  EXPECT_EQ(RawExec("ALTER TABLE application DISABLE TRIGGER USER"), "");
  EXPECT_EQ(RawExec("UPDATE application SET district = 'ORG-A-2' WHERE id = 'APP-2'"), "");
  verdict = VerifyAuditChain(*store);
  ASSERT_TRUE(verdict.has_value()) << verdict.error().message;
  EXPECT_FALSE(verdict->intact);
  EXPECT_NE(verdict->problem.find("APP-2"), std::string::npos) << verdict->problem;
}

TEST_F(PostgresStoreTest, MigrationsAreRecordedOnce) {
  for (int i = 0; i < 3; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
  }
  EXPECT_EQ(RawInt("SELECT count(*) FROM schema_migrations"), postgres::LatestSchemaVersion());
  EXPECT_EQ(RawInt("SELECT max(version) FROM schema_migrations"), postgres::LatestSchemaVersion());
  EXPECT_GE(postgres::LatestSchemaVersion(), 1);
  // Types a DBA expects.
  EXPECT_EQ(RawInt("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                   "'attachment' AND column_name = 'valid_from' AND data_type = 'date'"),
            1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                   "'audit_log' AND column_name = 'at' AND data_type = 'timestamp with "
                   "time zone'"),
            1);
  EXPECT_EQ(RawInt("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                   "'stats_snapshot' AND column_name = 'entries' AND data_type = "
                   "'bytea'"),
            1);
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefused) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(RawExec("INSERT INTO schema_migrations(version, name) VALUES (999, "
                    "'0999_future.sql')"),
            "");
  auto store = OpenStore(backend_.location());
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition) << store.error().message;
}

TEST_F(PostgresStoreTest, AMissingDatabaseIsAnError) {
  auto store = OpenStore(WithDatabase(backend_.location(), "no_such_database_here"));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("no_such_database_here"), std::string::npos)
      << store.error().message;
}

// The server ends the store's session (a restart, a failover, an idle timeout):
// the call that finds out fails with an error, the next one reconnects.
TEST_F(PostgresStoreTest, ALostConnectionIsAnErrorThenReestablished) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  ASSERT_EQ(RawExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = '" +
                    backend_.database() + "' AND pid <> pg_backend_pid()"),
            "");
  WriteBatch b;
  b.mutations.push_back(Audit("ORG-A", 1));
  auto lost = store->Commit(b);
  if (!lost) {
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
  }
  auto again = store->Commit(b);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(CountsOf(*store).audit, lost ? 5 : 4);
  RecordingSink sink;
  ASSERT_TRUE(store->Load(sink).has_value());
  EXPECT_EQ(sink.persons.size(), 2u);
}

// Tables live in the connection's search_path: one database can hold registries
// per schema.
TEST_F(PostgresStoreTest, ASchemaInTheUrlKeepsRegistriesApart) {
  ASSERT_EQ(RawExec("CREATE SCHEMA east; CREATE SCHEMA west"), "");
  const std::string east = backend_.location() + "?options=-csearch_path%3Deast";
  const std::string west = backend_.location() + "?options=-csearch_path%3Dwest";
  {
    auto store = OpenStore(east);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    ASSERT_TRUE((*store)->Commit(FullBatch()).has_value());
  }
  auto store = OpenStore(west);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(CountsOf(**store).persons, 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM east.person"), 2);
}

// --- several writers (ADR 0006) ---

WriteBatch OrgRenamed(const std::string& name) {
  WriteBatch b;
  auto org = OrgA();
  org.name = name;
  b.mutations.push_back(org);
  return b;
}

TEST_F(PostgresStoreTest, TheChangeLogHoldsEachBatchThatChangesTheRegistryInCommitOrder) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(writer->change_log(), nullptr);
  EXPECT_EQ(writer->journal(), nullptr);
  ASSERT_TRUE(writer->Commit(FullBatch()).has_value());
  const auto first = writer->change_log()->last_logged();
  EXPECT_GT(first, 0);
  WriteBatch audit_only;
  audit_only.mutations.push_back(Audit("APP-1", 20));
  ASSERT_TRUE(writer->Commit(audit_only).has_value());
  EXPECT_EQ(writer->change_log()->last_logged(), 0) << "the audit alone changes nothing to follow";
  ASSERT_TRUE(writer->Commit(OrgRenamed("Renamed")).has_value());
  const auto second = writer->change_log()->last_logged();
  EXPECT_GT(second, first);

  auto reader = Open();
  ASSERT_NE(reader, nullptr);
  auto all = reader->change_log()->ChangesAfter(0, 100);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].seq, first);
  EXPECT_EQ((*all)[0].batch.size(), FullBatch().size() - 3) << "without the audit entries";
  ExpectSameDecided(std::get<DecidedApplication>((*all)[0].batch.mutations[10]), Approved());
  EXPECT_EQ(std::get<domain::Organisation>((*all)[1].batch.mutations[0]).name, "Renamed");
  auto later = reader->change_log()->ChangesAfter(first, 100);
  ASSERT_TRUE(later.has_value());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].seq, second);
  auto limited = reader->change_log()->ChangesAfter(0, 1);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->size(), 1u);
  auto position = reader->change_log()->LogPosition();
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(*position, second);
  // A load knows the position of its picture: later batches are applied on top of it.
  RecordingSink sink;
  ASSERT_TRUE(reader->Load(sink).has_value());
  EXPECT_EQ(reader->change_log()->loaded_through(), second);
}

// Writers take turns: the second waits until the first commits, then reads its batch.
TEST_F(PostgresStoreTest, ATurnMakesTheOtherWritersWait) {
  auto first = Open();
  auto second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  auto mine = first->change_log()->BeginTurn(0);
  ASSERT_TRUE(mine.has_value()) << mine.error().message;
  EXPECT_TRUE(mine->empty());
  auto theirs = std::async(std::launch::async, [&] { return second->change_log()->BeginTurn(0); });
  EXPECT_EQ(theirs.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the second writer must wait for the first one's turn";
  ASSERT_TRUE(first->Commit(FullBatch()).has_value());
  const auto logged = first->change_log()->last_logged();
  ASSERT_EQ(theirs.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto seen = theirs.get();
  ASSERT_TRUE(seen.has_value()) << seen.error().message;
  ASSERT_EQ(seen->size(), 1u) << "the turn begins with what was committed before it";
  EXPECT_EQ((*seen)[0].seq, logged);
  ASSERT_TRUE(second->Commit(OrgRenamed("Second")).has_value());
  EXPECT_GT(second->change_log()->last_logged(), logged);
  // A commit outside a turn (a command-line tool) takes the lock as well.
  ASSERT_TRUE(first->Commit(OrgRenamed("Third")).has_value());
  EXPECT_GT(first->change_log()->last_logged(), second->change_log()->last_logged());
  EXPECT_EQ(RawInt("SELECT count(*) FROM change_log"), 3);
}

TEST_F(PostgresStoreTest, ATurnEndedWithoutWritingLogsNothingAndFreesTheLock) {
  auto first = Open();
  auto second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->change_log()->BeginTurn(0).has_value());
  first->change_log()->EndTurn();
  ASSERT_TRUE(second->change_log()->BeginTurn(0).has_value()) << "not kept waiting";
  ASSERT_TRUE(second->Commit(WriteBatch{}).has_value()) << "an empty commit ends the turn";
  ASSERT_TRUE(first->change_log()->BeginTurn(0).has_value());
  ASSERT_TRUE(first->Commit(WriteBatch{}).has_value());
  EXPECT_EQ(RawInt("SELECT count(*) FROM change_log"), 0);
  EXPECT_EQ(first->commits(), 0);
}

// The connection dies in the turn (a failover): what was decided in it is not written.
TEST_F(PostgresStoreTest, ALostTurnWritesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->change_log()->BeginTurn(0).has_value());
  ASSERT_EQ(RawExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                    backend_.database() + "' AND pid <> pg_backend_pid()"),
            "");
  auto lost = store->Commit(FullBatch());
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
  EXPECT_EQ(RawInt("SELECT count(*) FROM person"), 0);
  EXPECT_EQ(RawInt("SELECT count(*) FROM change_log"), 0);
  ASSERT_TRUE(store->Commit(FullBatch()).has_value()) << "the next commit reconnects";
  EXPECT_EQ(RawInt("SELECT count(*) FROM person"), 2);
}

TEST_F(PostgresStoreTest, IdempotencyKeysAreUniqueAndLoaded) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  WriteBatch b = FullBatch();
  b.mutations.push_back(IdempotencyKey{"k-1", "APP-1", "{\"a\":1}"});
  ASSERT_TRUE(store->Commit(b).has_value());
  RecordingSink sink;
  ASSERT_TRUE(Open()->Load(sink).has_value());
  ASSERT_EQ(sink.keys.size(), 1u);
  EXPECT_EQ(sink.keys[0].key, "k-1");
  EXPECT_EQ(sink.keys[0].application_id, "APP-1");
  EXPECT_EQ(sink.keys[0].fingerprint, "{\"a\":1}");
  WriteBatch again;
  again.mutations.push_back(IdempotencyKey{"k-1", "APP-2", "{}"});
  auto refused = store->Commit(again);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << refused.error().message;
}

TEST_F(PostgresStoreTest, AReadStoreOnlyReadsAMigratedDatabase) {
  auto unmigrated = OpenReadStore(backend_.location());
  ASSERT_FALSE(unmigrated.has_value());
  EXPECT_EQ(unmigrated.error().code, ErrorCode::kFailedPrecondition);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(FullBatch()).has_value());
  }
  auto reader = OpenReadStore(backend_.location());
  ASSERT_TRUE(reader.has_value()) << reader.error().message;
  RecordingSink sink;
  ASSERT_TRUE((*reader)->Load(sink).has_value());
  EXPECT_EQ(sink.persons.size(), 2u);
  auto changes = (*reader)->change_log()->ChangesAfter(0, 10);
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(changes->size(), 1u);
  EXPECT_EQ((*reader)->Commit(FullBatch()).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE((*reader)->change_log()->BeginTurn(0).has_value());
  EXPECT_EQ(RawInt("SELECT count(*) FROM change_log"), 1);
  EXPECT_EQ(OpenReadStore("registry.db").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace emkhana::storage
