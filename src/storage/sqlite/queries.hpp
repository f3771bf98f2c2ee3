// Every SQL statement of the SQLite store, by name. Parameterised only; nothing else in the code
// base writes SQL for SQLite.
#pragma once

namespace emkhana::storage::sqlite::queries {

inline constexpr const char* kUpsertPolicy =
    "INSERT INTO policy_version(version, body, seq) VALUES (?1, ?2, "
    "(SELECT coalesce(max(seq), 0) + 1 FROM policy_version)) "
    "ON CONFLICT(version) DO UPDATE SET seq = excluded.seq";
inline constexpr const char* kUpsertOrganisation =
    "INSERT INTO organisation(id, ate, name, license, contract, is_private, rural, latitude, "
    "longitude, closed_on, successor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT(id) DO UPDATE SET ate = excluded.ate, name = excluded.name, "
    "license = excluded.license, contract = excluded.contract, is_private = excluded.is_private, "
    "rural = excluded.rural, latitude = excluded.latitude, longitude = excluded.longitude, "
    "closed_on = excluded.closed_on, successor = excluded.successor";
inline constexpr const char* kCloseOrganisation =
    "UPDATE organisation SET closed_on = ?2, successor = ?3 WHERE id = ?1";
inline constexpr const char* kUpsertDistrict =
    "INSERT INTO district(id, org, kind, doctors, capacity) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(id) DO UPDATE SET org = excluded.org, kind = excluded.kind, "
    "doctors = excluded.doctors, capacity = excluded.capacity";
inline constexpr const char* kUpsertPerson =
    "INSERT INTO person(iin, birth, sex, status, name, ate_registration, ate_residence, "
    "ate_temporary, ate_work, ate_study, ate_deployment, ate_custody, categories, insurance_kind, "
    "insurance_from, insurance_until, deceased, osms_category, osms_payer, osms_insured) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20) "
    "ON CONFLICT(iin) DO UPDATE SET birth = excluded.birth, sex = excluded.sex, "
    "status = excluded.status, name = excluded.name, ate_registration = excluded.ate_registration, "
    "ate_residence = excluded.ate_residence, ate_temporary = excluded.ate_temporary, "
    "ate_work = excluded.ate_work, ate_study = excluded.ate_study, "
    "ate_deployment = excluded.ate_deployment, ate_custody = excluded.ate_custody, "
    "categories = excluded.categories, insurance_kind = excluded.insurance_kind, "
    "insurance_from = excluded.insurance_from, insurance_until = excluded.insurance_until, "
    "deceased = excluded.deceased, osms_category = excluded.osms_category, "
    "osms_payer = excluded.osms_payer, osms_insured = excluded.osms_insured";
inline constexpr const char* kDeleteRepresentatives = "DELETE FROM representative WHERE iin = ?1";
inline constexpr const char* kInsertRepresentative =
    "INSERT OR IGNORE INTO representative(iin, representative) VALUES (?1, ?2)";
inline constexpr const char* kMarkDeceased = "UPDATE person SET deceased = ?2 WHERE iin = ?1";
inline constexpr const char* kInsertAttachment =
    "INSERT INTO attachment(id, iin, org, district, valid_from, valid_to, end_reason, application, "
    "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
inline constexpr const char* kChangeAttachment =
    "UPDATE attachment SET valid_to = ?2, end_reason = ?3 WHERE id = ?1";
inline constexpr const char* kInsertAttachmentHistory =
    "INSERT INTO attachment_history(attachment, valid_from, valid_to, end_reason, recorded_at) "
    "SELECT id, valid_from, valid_to, end_reason, ?2 FROM attachment WHERE id = ?1";
inline constexpr const char* kInsertApplication =
    "INSERT INTO application(id, seq, app_date, iin, applicant, org, district, channel, basis, "
    "consent, documents, declared_birth, declared_sex, outcome, reasons, decided_org, "
    "decided_district, effective, decide_by, alternatives, policy_version, free_choice_change, "
    "recorded_at) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM application), ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
inline constexpr const char* kInsertAudit =
    "INSERT INTO audit_log(at, actor, channel, action, subject, detail, policy_version, ref, "
    "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// The hash of the trail's last entry (NULL for one older than the chain): where the chain goes on.
inline constexpr const char* kAuditTail = "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1";
// Whether an entry vouches for the decision with this id already.
inline constexpr const char* kAuditVouched =
    "SELECT 1 FROM audit_log WHERE subject = ?1 AND ref != '' LIMIT 1";
inline constexpr const char* kAuditPage =
    "SELECT seq, at, actor, channel, action, subject, detail, policy_version, ref, "
    "coalesce(prev_hash, ''), coalesce(hash, '') FROM audit_log WHERE seq > ?1 ORDER BY seq "
    "LIMIT ?2";

inline constexpr const char* kInsertIdempotencyKey =
    "INSERT INTO idempotency_key(key, application, fingerprint) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(key) DO NOTHING";
inline constexpr const char* kLoadIdempotencyKeys =
    "SELECT key, application, fingerprint FROM idempotency_key";

inline constexpr const char* kMarkStatsStale =
    "UPDATE stats_snapshot SET stale = 1 WHERE stale = 0";
inline constexpr const char* kSaveStats =
    "INSERT INTO stats_snapshot(id, header, entries, stale) VALUES (1, ?1, ?2, 0) "
    "ON CONFLICT(id) DO UPDATE SET header = excluded.header, entries = excluded.entries, stale = 0";
// length() of a blob is read from the record's header: the entries are not loaded here.
inline constexpr const char* kLoadStats =
    "SELECT header, length(entries), stale, id FROM stats_snapshot";

inline constexpr const char* kLoadPolicies =
    "SELECT version, body FROM policy_version ORDER BY seq";
inline constexpr const char* kLoadOrganisations =
    "SELECT id, ate, name, license, contract, is_private, rural, latitude, longitude, closed_on, "
    "successor FROM organisation ORDER BY id";
inline constexpr const char* kLoadDistricts =
    "SELECT id, org, kind, doctors, capacity FROM district ORDER BY id";
inline constexpr const char* kLoadPersons =
    "SELECT iin, birth, sex, status, name, ate_registration, ate_residence, ate_temporary, "
    "ate_work, ate_study, ate_deployment, ate_custody, categories, insurance_kind, insurance_from, "
    "insurance_until, deceased, osms_category, osms_payer, osms_insured FROM person ORDER BY iin";
inline constexpr const char* kLoadRepresentatives =
    "SELECT iin, representative FROM representative ORDER BY iin, representative";
inline constexpr const char* kLoadAttachments =
    "SELECT id, iin, org, district, valid_from, valid_to, end_reason, application, recorded_at "
    "FROM attachment ORDER BY id";
// The columns ReadApplication (table_writer.cpp) reads, in its order.
#define EMKHANA_APPLICATION_COLUMNS                                                            \
  "SELECT id, app_date, iin, applicant, org, district, channel, basis, consent, documents, "   \
  "declared_birth, declared_sex, outcome, reasons, decided_org, decided_district, effective, " \
  "decide_by, alternatives, policy_version, free_choice_change, recorded_at "
inline constexpr const char* kLoadApplications =
    EMKHANA_APPLICATION_COLUMNS "FROM application ORDER BY seq";
inline constexpr const char* kFindApplication =
    EMKHANA_APPLICATION_COLUMNS "FROM application WHERE id = ?1";
inline constexpr const char* kApplicationsByOrg = EMKHANA_APPLICATION_COLUMNS
    "FROM application WHERE org = ?1 AND (?2 = '' OR outcome = ?2) AND app_date BETWEEN ?3 AND ?4 "
    "ORDER BY seq DESC LIMIT ?5 OFFSET ?6";
inline constexpr const char* kApplicationsByPerson = EMKHANA_APPLICATION_COLUMNS
    "FROM application WHERE iin = ?1 AND (?2 = '' OR outcome = ?2) AND app_date BETWEEN ?3 AND ?4 "
    "ORDER BY seq DESC LIMIT ?5 OFFSET ?6";
inline constexpr const char* kPersonName = "SELECT name FROM person WHERE iin = ?1";
inline constexpr const char* kAuditBySubject =
    "SELECT at, actor, channel, action, subject, detail, policy_version FROM audit_log "
    "WHERE subject = ?1 ORDER BY seq DESC LIMIT ?2";
inline constexpr const char* kCounts =
    "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM district), "
    "(SELECT count(*) FROM person), (SELECT count(*) FROM attachment), "
    "(SELECT count(*) FROM attachment_history), (SELECT count(*) FROM application), "
    "(SELECT count(*) FROM audit_log)";

// The decision journal (journal_codec.hpp), oldest record first.
inline constexpr const char* kAppendJournal =
    "INSERT INTO decision_journal(mutations, body) VALUES (?1, ?2)";
inline constexpr const char* kReadJournal =
    "SELECT seq, body FROM decision_journal ORDER BY seq LIMIT ?1";
inline constexpr const char* kDeleteJournal = "DELETE FROM decision_journal WHERE seq <= ?1";
inline constexpr const char* kJournalPending = "SELECT 1 FROM decision_journal LIMIT 1";
inline constexpr const char* kJournalSize =
    "SELECT coalesce(sum(length(body)), 0) FROM decision_journal";
inline constexpr const char* kReadJournalNewestFirst =
    "SELECT seq, body FROM decision_journal ORDER BY seq DESC";
inline constexpr const char* kApplicationExists = "SELECT 1 FROM application WHERE id = ?1";
inline constexpr const char* kAttachmentExists = "SELECT 1 FROM attachment WHERE id = ?1";

}  // namespace emkhana::storage::sqlite::queries
