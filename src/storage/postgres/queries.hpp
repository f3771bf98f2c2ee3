// Every SQL statement of the PostgreSQL store, by name. Parameterised only; nothing else in the
// code base writes SQL for PostgreSQL. A `Query` is prepared once per connection under its
// `name` (kPrepared lists them); the Load queries run through a cursor instead.
//
// Moments cross the boundary as microseconds since the Unix epoch (bigint) and are stored as
// timestamptz: `timestamptz 'epoch' + $n * interval '1 microsecond'` in, and
// `(extract(epoch FROM col) * 1000000)::bigint` out, both exact.
#pragma once

namespace emkhana::storage::postgres::queries {

struct Query {
  const char* name;
  const char* sql;
};

#define EMKHANA_PG_TS(param) "(timestamptz 'epoch' + " param "::bigint * interval '1 microsecond')"
#define EMKHANA_PG_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

// --- Writes (Commit) ---

inline constexpr Query kUpsertPolicy{"upsert_policy",
                                     "INSERT INTO policy_version(version, body) VALUES ($1, $2) "
                                     "ON CONFLICT (version) DO UPDATE SET seq = excluded.seq"};
inline constexpr Query kUpsertOrganisation{
    "upsert_organisation",
    "INSERT INTO organisation(id, ate, name, license, contract, is_private, rural, latitude, "
    "longitude, closed_on, successor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (id) DO UPDATE SET ate = excluded.ate, name = excluded.name, "
    "license = excluded.license, contract = excluded.contract, is_private = excluded.is_private, "
    "rural = excluded.rural, latitude = excluded.latitude, longitude = excluded.longitude, "
    "closed_on = excluded.closed_on, successor = excluded.successor"};
inline constexpr Query kCloseOrganisation{
    "close_organisation", "UPDATE organisation SET closed_on = $2, successor = $3 WHERE id = $1"};
inline constexpr Query kUpsertDistrict{
    "upsert_district",
    "INSERT INTO district(id, org, kind, doctors, capacity) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (id) DO UPDATE SET org = excluded.org, kind = excluded.kind, "
    "doctors = excluded.doctors, capacity = excluded.capacity"};
inline constexpr Query kUpsertPerson{
    "upsert_person",
    "INSERT INTO person(iin, birth, sex, status, name, ate_registration, ate_residence, "
    "ate_temporary, ate_work, ate_study, ate_deployment, ate_custody, categories, insurance_kind, "
    "insurance_from, insurance_until, deceased, osms_category, osms_payer, osms_insured) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
    "$20) "
    "ON CONFLICT (iin) DO UPDATE SET birth = excluded.birth, sex = excluded.sex, "
    "status = excluded.status, name = excluded.name, ate_registration = excluded.ate_registration, "
    "ate_residence = excluded.ate_residence, ate_temporary = excluded.ate_temporary, "
    "ate_work = excluded.ate_work, ate_study = excluded.ate_study, "
    "ate_deployment = excluded.ate_deployment, ate_custody = excluded.ate_custody, "
    "categories = excluded.categories, insurance_kind = excluded.insurance_kind, "
    "insurance_from = excluded.insurance_from, insurance_until = excluded.insurance_until, "
    "deceased = excluded.deceased, osms_category = excluded.osms_category, "
    "osms_payer = excluded.osms_payer, osms_insured = excluded.osms_insured"};
inline constexpr Query kDeleteRepresentatives{"delete_representatives",
                                              "DELETE FROM representative WHERE iin = $1"};
// $2: the representatives' IINs as a text array literal ('{a,b}').
inline constexpr Query kInsertRepresentatives{
    "insert_representatives",
    "INSERT INTO representative(iin, representative) SELECT $1, unnest($2::text[]) "
    "ON CONFLICT DO NOTHING"};
inline constexpr Query kMarkDeceased{"mark_deceased",
                                     "UPDATE person SET deceased = $2 WHERE iin = $1"};
// The period and its first history row in one statement (foreign keys are checked at its end).
inline constexpr Query kInsertAttachment{
    "insert_attachment",
    "WITH a AS (INSERT INTO attachment(id, iin, org, district, valid_from, valid_to, end_reason, "
    "application, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, " EMKHANA_PG_TS("$9") ") "
    "RETURNING id, valid_from, valid_to, end_reason, recorded_at) "
    "INSERT INTO attachment_history(attachment, valid_from, valid_to, end_reason, recorded_at) "
    "SELECT id, valid_from, valid_to, end_reason, recorded_at FROM a"};
// The change and its history row; inserts one row when the period exists, none otherwise (the
// store checks the count).
inline constexpr Query kChangeAttachment{
    "change_attachment",
    "WITH c AS (UPDATE attachment SET valid_to = $2, end_reason = $3 WHERE id = $1 "
    "RETURNING id, valid_from, valid_to, end_reason) "
    "INSERT INTO attachment_history(attachment, valid_from, valid_to, end_reason, recorded_at) "
    "SELECT id, valid_from, valid_to, end_reason, " EMKHANA_PG_TS("$4") " FROM c"};
inline constexpr Query kInsertApplication{
    "insert_application",
    "INSERT INTO application(id, app_date, iin, applicant, org, district, channel, basis, "
    "consent, documents, declared_birth, declared_sex, outcome, reasons, decided_org, "
    "decided_district, effective, decide_by, alternatives, policy_version, free_choice_change, "
    "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, $19, $20, $21, " EMKHANA_PG_TS("$22") ")"};
inline constexpr Query kInsertAudit{
    "insert_audit",
    "INSERT INTO audit_log(at, actor, channel, action, subject, detail, policy_version, ref, "
    "prev_hash, hash) VALUES (" EMKHANA_PG_TS("$1") ", $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
// The hash of the trail's last entry (NULL for one older than the chain), read under the
// writers' lock: where the chain goes on.
inline constexpr Query kAuditTail{"audit_tail",
                                  "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1"};
inline constexpr Query kAuditPage{
    "audit_page",
    "SELECT seq, " EMKHANA_PG_MICROS("at") ", actor, channel, action, subject, detail, "
    "policy_version, ref, coalesce(prev_hash, ''), coalesce(hash, '') FROM audit_log "
    "WHERE seq > $1 ORDER BY seq LIMIT $2"};
inline constexpr Query kMarkStatsStale{"mark_stats_stale",
                                       "UPDATE stats_snapshot SET stale = true WHERE NOT stale"};
inline constexpr Query kInsertIdempotencyKey{
    "insert_idempotency_key",
    "INSERT INTO idempotency_key(key, application, fingerprint) VALUES ($1, $2, $3)"};

// --- Several writers (ADR 0006) ---

// One writer at a time across processes, until its transaction ends (also if it dies).
inline constexpr Query kLockWriters{"lock_writers", "SELECT pg_advisory_xact_lock(7280431903)"};
// $1: the batch as storage/change_codec.hpp encodes it.
inline constexpr Query kInsertChange{"insert_change",
                                     "INSERT INTO change_log(batch) VALUES ($1) RETURNING seq"};
// $1: the last position applied; $2: at most this many.
inline constexpr Query kChangesAfter{
    "changes_after", "SELECT seq, batch FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2"};
inline constexpr Query kLogPosition{"log_position", "SELECT coalesce(max(seq), 0) FROM change_log"};

// --- Statistics snapshot ---

// $2 is sent in binary (bytea).
inline constexpr Query kSaveStats{
    "save_stats",
    "INSERT INTO stats_snapshot(id, header, entries, stale) VALUES (1, $1, $2, false) "
    "ON CONFLICT (id) DO UPDATE SET header = excluded.header, entries = excluded.entries, "
    "stale = false"};
// Read in binary: header and entries as raw bytes, stale as one byte.
inline constexpr Query kLoadStats{"load_stats",
                                  "SELECT header, entries, stale FROM stats_snapshot WHERE id = 1"};

// --- Reads ---

// The columns ReadApplication (store_queries.cpp) reads, in its order.
#define EMKHANA_PG_APPLICATION_COLUMNS                                                         \
  "SELECT id, app_date, iin, applicant, org, district, channel, basis, consent, documents, "   \
  "declared_birth, declared_sex, outcome, reasons, decided_org, decided_district, effective, " \
  "decide_by, alternatives, policy_version, free_choice_change, " EMKHANA_PG_MICROS(           \
      "recorded_at") " "
inline constexpr Query kFindApplication{
    "find_application", EMKHANA_PG_APPLICATION_COLUMNS "FROM application WHERE id = $1"};
// Newest first; $2 an outcome or '' for both; $3..$4 the dates of application (inclusive,
// '-infinity'/'infinity' for open ends); $5 limit, $6 offset.
inline constexpr Query kApplicationsByOrg{
    "applications_by_org", EMKHANA_PG_APPLICATION_COLUMNS
    "FROM application WHERE org = $1 AND ($2 = '' OR outcome = $2) "
    "AND app_date BETWEEN $3 AND $4 ORDER BY seq DESC LIMIT $5 OFFSET $6"};
inline constexpr Query kApplicationsByPerson{
    "applications_by_person", EMKHANA_PG_APPLICATION_COLUMNS
    "FROM application WHERE iin = $1 AND ($2 = '' OR outcome = $2) "
    "AND app_date BETWEEN $3 AND $4 ORDER BY seq DESC LIMIT $5 OFFSET $6"};
inline constexpr Query kPersonName{"person_name", "SELECT name FROM person WHERE iin = $1"};
inline constexpr Query kAuditBySubject{
    "audit_by_subject",
    "SELECT " EMKHANA_PG_MICROS("at") ", actor, channel, action, subject, detail, policy_version "
    "FROM audit_log WHERE subject = $1 ORDER BY seq DESC LIMIT $2"};
inline constexpr Query kCounts{
    "counts",
    "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM district), "
    "(SELECT count(*) FROM person), (SELECT count(*) FROM attachment), "
    "(SELECT count(*) FROM attachment_history), (SELECT count(*) FROM application), "
    "(SELECT count(*) FROM audit_log)"};
inline constexpr Query kPersonSeqRange{"person_seq_range", "SELECT min(seq), max(seq) FROM person"};
// For each target number (a bigint array literal), the first person at or after it, in order.
inline constexpr Query kPickPersons{
    "pick_persons",
    "SELECT (SELECT p.iin FROM person p WHERE p.seq >= t.n ORDER BY p.seq LIMIT 1) "
    "FROM unnest($1::bigint[]) WITH ORDINALITY AS t(n, i) ORDER BY t.i"};

inline constexpr Query kPrepared[] = {
    kUpsertPolicy,          kUpsertOrganisation, kCloseOrganisation,
    kUpsertDistrict,        kUpsertPerson,       kDeleteRepresentatives,
    kInsertRepresentatives, kMarkDeceased,       kInsertAttachment,
    kChangeAttachment,      kInsertApplication,  kInsertAudit,
    kMarkStatsStale,        kSaveStats,          kLoadStats,
    kFindApplication,       kAuditBySubject,     kCounts,
    kPersonSeqRange,        kPickPersons,        kApplicationsByOrg,
    kApplicationsByPerson,  kPersonName,         kInsertIdempotencyKey,
    kLockWriters,           kInsertChange,       kChangesAfter,
    kLogPosition,           kAuditTail,          kAuditPage,
};

// --- Load: streamed through a cursor, in the order LoadSink documents. No parameters. ---

inline constexpr const char* kLoadPolicies =
    "SELECT version, body FROM policy_version ORDER BY seq";
inline constexpr const char* kLoadOrganisations =
    "SELECT id, ate, name, license, contract, is_private, rural, latitude, longitude, closed_on, "
    "successor FROM organisation ORDER BY id";
inline constexpr const char* kLoadDistricts =
    "SELECT id, org, kind, doctors, capacity FROM district ORDER BY id";
// Each person with their representatives (sorted, comma-separated), so that no map of them is
// kept in memory.
inline constexpr const char* kLoadPersons =
    "SELECT p.iin, birth, sex, status, name, ate_registration, ate_residence, ate_temporary, "
    "ate_work, ate_study, ate_deployment, ate_custody, categories, insurance_kind, "
    "insurance_from, insurance_until, deceased, osms_category, osms_payer, osms_insured, "
    "r.representatives FROM person p LEFT JOIN (SELECT iin, string_agg(representative, ',' "
    "ORDER BY representative) AS representatives FROM representative GROUP BY iin) r "
    "ON r.iin = p.iin ORDER BY p.iin";
inline constexpr const char* kLoadAttachments =
    "SELECT id, iin, org, district, valid_from, valid_to, end_reason, "
    "application, " EMKHANA_PG_MICROS("recorded_at") " FROM attachment ORDER BY id";
inline constexpr const char* kLoadApplications =
    EMKHANA_PG_APPLICATION_COLUMNS "FROM application ORDER BY seq";
inline constexpr const char* kLoadIdempotencyKeys =
    "SELECT key, application, fingerprint FROM idempotency_key ORDER BY key";

#undef EMKHANA_PG_TS
#undef EMKHANA_PG_MICROS
#undef EMKHANA_PG_APPLICATION_COLUMNS

// --- Bulk load (OpenPostgresStoreForBulkLoad): one transaction from open to FinishBulkLoad ---

// The tables a bulk load fills, locked for its whole transaction.
inline constexpr const char* kBulkLock =
    "LOCK TABLE organisation, district, person, representative, attachment, attachment_history, "
    "application, audit_log IN ACCESS EXCLUSIVE MODE";
// Every foreign key of the registry's schema: dropped for the load, added back (and so checked,
// one join each) at its end. Columns: table, constraint name, definition.
inline constexpr const char* kBulkForeignKeys =
    "SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid) "
    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY c.conrelid, c.conname";
// The secondary indexes (not backing a constraint) of the tables loaded in volume: built once
// at the end, one sort each. Columns: index name, definition.
inline constexpr const char* kBulkSecondaryIndexes =
    "SELECT quote_ident(i.indexname), i.indexdef FROM pg_indexes i "
    "WHERE i.schemaname = current_schema() "
    "AND i.tablename IN ('person', 'representative', 'attachment') "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE n.nspname = i.schemaname AND c.conname = i.indexname) "
    "ORDER BY i.indexname";
// Emptied in the load's transaction (they are empty: checked before), so that COPY ... FREEZE
// may write their rows already frozen and visible: no later pass of VACUUM rewrites them.
inline constexpr const char* kBulkTruncate =
    "TRUNCATE organisation, district, person, representative, attachment";
// COPY in text format; FREEZE where the table was emptied above.
inline constexpr const char* kCopyOrganisations =
    "COPY organisation(id, ate, name, license, contract, is_private, rural, latitude, longitude, "
    "closed_on, successor) FROM STDIN WITH (FREEZE)";
inline constexpr const char* kCopyDistricts =
    "COPY district(id, org, kind, doctors, capacity) FROM STDIN WITH (FREEZE)";
inline constexpr const char* kCopyPersons =
    "COPY person(iin, birth, sex, status, name, ate_registration, ate_residence, ate_temporary, "
    "ate_work, ate_study, ate_deployment, ate_custody, categories, insurance_kind, "
    "insurance_from, insurance_until, deceased, osms_category, osms_payer, osms_insured) "
    "FROM STDIN WITH (FREEZE)";
inline constexpr const char* kCopyRepresentatives =
    "COPY representative(iin, representative) FROM STDIN WITH (FREEZE)";
// A bulk-loaded period's first version is its own row, as in SQLite's bulk load:
// attachment_history records later changes only.
inline constexpr const char* kCopyAttachments =
    "COPY attachment(id, iin, org, district, valid_from, valid_to, end_reason, application, "
    "recorded_at) FROM STDIN WITH (FREEZE)";
inline constexpr const char* kCopyAudit =
    "COPY audit_log(at, actor, channel, action, subject, detail, policy_version, ref, prev_hash, "
    "hash) FROM STDIN";
// Enough memory for CREATE INDEX to sort 20 million keys in few runs.
inline constexpr const char* kBulkIndexMemory = "SET LOCAL maintenance_work_mem = '512MB'";

// --- Migrations (schema_migrations and its lock) ---

inline constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version integer PRIMARY KEY, name text NOT NULL, "
    "applied_at timestamptz NOT NULL DEFAULT now())";
// Serialises migrations of one database across processes (released at the transaction's end).
inline constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(7280431902)";
inline constexpr const char* kSchemaVersion =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";
// Whether the database was ever migrated (a read-only replica is checked, never migrated).
inline constexpr const char* kHasMigrationsTable =
    "SELECT to_regclass('schema_migrations') IS NOT NULL";
inline constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations(version, name) VALUES ($1, $2)";

}  // namespace emkhana::storage::postgres::queries
