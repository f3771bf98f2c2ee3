// Tests of what is particular to the PostgreSQL store: connection failures as
// errors, URLs without passwords in messages, the append-only triggers and
// schema_migrations seen through libpq, a newer schema refused, a connection
// lost and re-established. The behaviour every backend shares is in
// storage/store_conformance_test.cpp. Tests that need a server take it from
// EMKHANA_TEST_PG_URL and are skipped without it.
#include "storage/postgres/postgres_store.hpp"

#include <gtest/gtest.h>

#include <string>

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
  EXPECT_EQ(RawInt("SELECT count(*) FROM organization"), 0);
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

}  // namespace
}  // namespace emkhana::storage
