#!/usr/bin/env bash
# PostgreSQL backend benchmark (issue 7): a throwaway PostgreSQL 15 tuned for this machine,
# `generate` into it (and into SQLite, for comparison), a campaign decided on it, and pgbench
# writing what the campaign writes, in the same run.
#   bench/postgres.sh [PEOPLE] [APPLICATIONS]     (defaults: 1000000 200000)
#   bench/postgres.sh 20000000 2000000             (the issue's national figure)
#   bench/postgres.sh 20000000 0                   (generate only)
# SKIP_SQLITE=1 leaves out the SQLite generate kept for comparison (3 minutes at 20 M).
# Report in out/bench/postgres.txt (the last run). Needs postgresql-15 (initdb, pg_ctl, pgbench:
# EMKHANA_SETUP_EXTRA=pg scripts/setup) and a release build. Run it under the build lock
# (flock /tmp/emkhana-build.lock bench/postgres.sh) so that nothing else uses the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
APPLICATIONS=${2:-200000}
BIN=$PWD/build/release/emkhana
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
OUT=$PWD/out/bench
mkdir -p "$OUT"
REPORT=$OUT/postgres.txt
WORK=$(mktemp -d "${PGBENCH_DIR:-$OUT}/pg.XXXXXX")
: > "$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }

cmake --preset release >/dev/null
cmake --build build/release -j2 >/dev/null

# shellcheck source=tests/pg/pg_lib.sh
source tests/pg/pg_lib.sh  # as_owner
started=0
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [ "$started" -eq 1 ]; then as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
chmod 700 "$WORK"
as_owner "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null

# Settings for a benchmark on this box (2 cores, 23 GB of RAM, one virtual disk), durable like
# production: fsync, full_page_writes and synchronous_commit stay on.
# - shared_buffers 4GB: holds the 1 M registry whole and the hot part of a 20 M one (8.6 GB of
#   tables and indexes); the rest of the RAM is the OS page cache and the emkhana process itself
#   (≈ 5 GB at 20 M people).
# - max_wal_size 16GB, checkpoint_timeout 30min, checkpoint_completion_target 0.9: a bulk load
#   writes gigabytes of WAL; with the defaults (1 GB) it would checkpoint every few seconds and
#   write every page twice (full-page images after each checkpoint). Crash recovery may replay
#   more WAL; that is the price.
# - wal_buffers 64MB: a group commit of 4 096 decisions writes ≈ 10 MB of WAL at once.
# - wal_compression lz4: full-page images are most of the WAL of random-page updates
#   (attachments, indexes keyed by person); lz4 costs little CPU.
# - maintenance_work_mem 1GB: CREATE INDEX and foreign-key checks at the end of the bulk load sort
#   in memory. work_mem 64MB. random_page_cost 1.1 (SSD), effective_cache_size 16GB.
# - max_connections 20: one writer, pgbench and psql; wal_level replica as a production primary
#   with streaming replicas would have it (minimal would make the bulk load skip WAL: not
#   representative).
# - max_parallel_maintenance_workers 1, max_worker_processes 4: two cores.
# - autovacuum stays on: the campaign's updates and inserts are vacuumed as in production.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w -t 120 start -o "-p $PORT -k $WORK \
  -c listen_addresses=127.0.0.1 -c shared_buffers=4GB -c wal_buffers=64MB \
  -c max_wal_size=16GB -c min_wal_size=1GB -c checkpoint_timeout=30min \
  -c checkpoint_completion_target=0.9 -c wal_compression=lz4 -c wal_level=replica \
  -c maintenance_work_mem=1GB -c work_mem=64MB -c random_page_cost=1.1 \
  -c effective_cache_size=16GB -c max_connections=20 -c max_worker_processes=4 \
  -c max_parallel_maintenance_workers=1 -c max_parallel_workers_per_gather=1 \
  -c fsync=on -c synchronous_commit=on -c full_page_writes=on" >/dev/null
started=1
SERVER=postgresql://postgres@127.0.0.1:$PORT
URL=$SERVER/registry
psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql "$SERVER/postgres" -c "CREATE DATABASE registry"

say "# Emkhana on PostgreSQL, $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM"
say "$("$PG_BIN/postgres" --version); people $PEOPLE, applications $APPLICATIONS"
say "server: shared_buffers 4GB, max_wal_size 16GB, wal_compression lz4, fsync/synchronous_commit/full_page_writes on"

# --- generate: SQLite (bulk path) and PostgreSQL (COPY), same seed -----------------------------
SQLITE_DB=$WORK/registry.db
if [ "${SKIP_SQLITE:-0}" = 1 ]; then
  say "generate SQLite:     skipped (SKIP_SQLITE=1)"
else
/usr/bin/time -f "%e s wall, peak RSS %M KB" "$BIN" generate --db "$SQLITE_DB" \
  --population "$PEOPLE" --seed 1 --as-of 2026-11-22 > "$WORK/gen-sqlite.out" 2> "$WORK/gen-sqlite.time"
say "generate SQLite:     $(tail -1 "$WORK/gen-sqlite.time"), file $(du -h "$SQLITE_DB" | cut -f1)"
rm -f "$SQLITE_DB"*
fi
/usr/bin/time -f "%e s wall, peak RSS %M KB" "$BIN" generate --db "$URL" \
  --population "$PEOPLE" --seed 1 --as-of 2026-11-22 > "$WORK/gen-pg.out" 2> "$WORK/gen-pg.time"
head -1 "$WORK/gen-pg.out" | tee -a "$REPORT"
say "generate PostgreSQL: $(tail -1 "$WORK/gen-pg.time"), database $(psql -At "$URL" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
psql -At "$URL" -F ' ' -c "SELECT '  table', relname, pg_size_pretty(pg_total_relation_size(oid)), 'with indexes' FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND pg_total_relation_size(oid) > 1000000 ORDER BY pg_total_relation_size(oid) DESC" | tee -a "$REPORT"

# APPLICATIONS=0: generate only (sizes and load times at scale).
if [ "$APPLICATIONS" = 0 ]; then say "report: $REPORT"; exit 0; fi

# The raw reference's tables, made before the campaign so that they start from the same
# attachments: same columns, types, CHECKs, indexes and identities (LIKE ... INCLUDING ALL), no
# foreign keys or triggers (the store's append-only triggers fire on UPDATE/DELETE only).
psql "$URL" >/dev/null <<'SQL'
CREATE SCHEMA raw;
CREATE TABLE raw.application (LIKE public.application INCLUDING ALL);
CREATE TABLE raw.attachment (LIKE public.attachment INCLUDING ALL);
CREATE TABLE raw.attachment_history (LIKE public.attachment_history INCLUDING ALL);
CREATE TABLE raw.audit_log (LIKE public.audit_log INCLUDING ALL);
CREATE TABLE raw.stats_snapshot (LIKE public.stats_snapshot INCLUDING ALL);
INSERT INTO raw.attachment SELECT * FROM public.attachment;
INSERT INTO raw.stats_snapshot SELECT * FROM public.stats_snapshot;
CREATE TABLE raw.change_log (LIKE public.change_log INCLUDING ALL);
CREATE SEQUENCE raw.app_id;
CREATE SEQUENCE raw.new_iin;
CREATE SEQUENCE raw.att_id;
SELECT setval('raw.att_id', (SELECT max(id) + 1000000 FROM raw.attachment));
VACUUM ANALYZE raw.attachment;
SQL
DB_BYTES_RAW=$(psql -At "$URL" -c "SELECT pg_database_size(current_database())")

# --- the campaign through the decision pipeline (group commit) ---------------------------------
/usr/bin/time -f "%e s wall, peak RSS %M KB" "$BIN" campaign --db "$URL" \
  --applications "$APPLICATIONS" --seed 1 > "$WORK/campaign.out" 2> "$WORK/campaign.time"
head -2 "$WORK/campaign.out" | tee -a "$REPORT"
grep -E "loaded|made" "$WORK/campaign.time" | tee -a "$REPORT" || true
say "campaign process: $(tail -1 "$WORK/campaign.time")"
read -r DECISIONS COMMITS APPROVED DECIDE_SECONDS < <(python3 - "$WORK/campaign.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r": (\d+) decisions in ([0-9.]+) s.*\((\d+) commits", t)
a = re.search(r"approved (\d+)", t)
print(m.group(1), m.group(3), a.group(1), m.group(2))
PY
)
DB_BYTES_CAMPAIGN=$(psql -At "$URL" -c "SELECT pg_database_size(current_database())")
say "database growth by the campaign: $(( (DB_BYTES_CAMPAIGN - DB_BYTES_RAW) / 1048576 )) MB, $(( (DB_BYTES_CAMPAIGN - DB_BYTES_RAW) / DECISIONS )) bytes a decision"

# --- pgbench: the same writes, by the same protocol, in batches of the campaign's mean size ----
# One pgbench transaction = one group commit of the campaign: BATCH decisions (the campaign's
# decisions / commits), of which the campaign's share of approvals. Each decision writes what
# the store's Commit writes for it (queries.hpp), with the same statements, prepared (-M
# prepared) and pipelined in one transaction (\startpipeline), as the store sends them:
#   every decision: an application row, an audit row;
#   an approval: the new attachment and its history row (one statement), and the person's
#     previous period cut short (UPDATE of a random existing attachment and its history row);
#   every batch: the statistics snapshot marked stale.
# Batching like the campaign is the fair comparison: the campaign's cost per decision is
# dominated by what a commit costs (one WAL flush per batch); pgbench with one decision per
# transaction would measure fsyncs, not the database's capacity to take these rows. The values
# are of the same widths (12-digit IINs, ids and codes as the campaign makes them); the
# application and its new attachment go to random IINs (drawn separately: one random() more), so that the person-keyed indexes take random pages, as in the
# campaign. One client, like the single writer.
BATCH=$(( (DECISIONS + COMMITS - 1) / COMMITS ))
APPROVED_PER_BATCH=$(( (APPROVED * BATCH + DECISIONS / 2) / DECISIONS ))
MAX_ATTACHMENT=$(psql -At "$URL" -c "SELECT max(id) FROM raw.attachment")
SCRIPT=$WORK/batch.sql
python3 - "$BATCH" "$APPROVED_PER_BATCH" "$MAX_ATTACHMENT" > "$SCRIPT" <<'PY'
import sys
batch, approved, max_att = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
APP_ID = "'C2027-' || lpad(currval('raw.app_id')::text, 8, '0')"
# Random values drawn by the server: pgbench's own variables (\\set) cost the client time that
# grows with the square of their number (it sorts them at each new one), which a script of
# thousands of decisions cannot afford.
IIN = "lpad((random() * 899999999999 + 100000000000)::bigint::text, 12, '0')"
# A new attachment's IIN must not be anyone's open one (a unique index): month 13 is no birth
# date, so the generated registry has none of these.
NEW_IIN = "'9913' || lpad(nextval('raw.new_iin')::text, 8, '0')"
# A scalar subquery: evaluated once, so that the UPDATE finds its row by the primary key
# (random() in the WHERE clause itself would be evaluated per row: a scan of the table).
ATTACHMENT = f"(SELECT (1 + random() * {max_att - 1})::bigint)"
# The writers' turn and the change log row of ADR 0006, as the store writes them: the advisory
# lock, and one row a batch holding a batch the campaign logged (the same bytes to write).
out = ["\\startpipeline", "BEGIN;", "SELECT pg_advisory_xact_lock(7280431903);",
       "INSERT INTO raw.change_log(batch) SELECT batch FROM public.change_log WHERE seq >= "
       "(SELECT min(seq) + floor(random() * (max(seq) - min(seq)))::bigint FROM public.change_log) "
       "ORDER BY seq LIMIT 1;"]
for i in range(batch):
    ok = i < approved
    outcome, reasons = ("'approved'", "''") if ok else ("'refused'", "'no_free_choice_left'")
    district, effective = ("'ALA-01-P02-T01'", "'2028-01-01'") if ok else ("NULL", "NULL")
    detail = "'approved ALA-01-P02-T01 '" if ok else "'refused  no_free_choice_left '"
    out.append(
        "INSERT INTO raw.application(id, app_date, iin, applicant, org, district, channel, basis, "
        "consent, documents, declared_birth, declared_sex, outcome, reasons, decided_org, "
        "decided_district, effective, decide_by, alternatives, policy_version, free_choice_change, "
        "recorded_at) VALUES ('C2027-' || lpad(nextval('raw.app_id')::text, 8, '0'), "
        f"'2027-09-15', {IIN}, '', 'ALA-01-P01', NULL, 'egov', 'free_choice', true, 0, "
        f"NULL, NULL, {outcome}, {reasons}, 'ALA-01-P02', {district}, {effective}, "
        "'2027-09-16', '', 'kz-2025.1', true, now());")
    if ok:
        out.append(
            "WITH c AS (UPDATE raw.attachment SET valid_to = '2027-12-31', end_reason = 'superseded' "
            f"WHERE id = {ATTACHMENT} RETURNING id, valid_from, valid_to, end_reason) "
            "INSERT INTO raw.attachment_history(attachment, valid_from, valid_to, end_reason, "
            "recorded_at) SELECT id, valid_from, valid_to, end_reason, now() FROM c;")
        out.append(
            "WITH a AS (INSERT INTO raw.attachment(id, iin, org, district, valid_from, valid_to, "
            f"end_reason, application, recorded_at) VALUES (nextval('raw.att_id'), {NEW_IIN}, "
            f"'ALA-01-P02', 'ALA-01-P02-T01', '2028-01-01', NULL, 'open', {APP_ID}, now()) "
            "RETURNING id, valid_from, valid_to, end_reason, recorded_at) "
            "INSERT INTO raw.attachment_history(attachment, valid_from, valid_to, end_reason, "
            "recorded_at) SELECT id, valid_from, valid_to, end_reason, recorded_at FROM a;")
    out.append(
        "INSERT INTO raw.audit_log(at, actor, channel, action, subject, detail, policy_version) "
        f"VALUES (now(), 'campaign', 'egov', 'application.decided', {APP_ID}, {detail}, "
        "'kz-2025.1');")
out.append("UPDATE raw.stats_snapshot SET stale = true WHERE NOT stale;")
out += ["COMMIT;", "\\endpipeline"]
print("\n".join(out))
PY
# Time-based rather than the campaign's count of transactions: pgbench prepares the script's
# thousands of statements in its first transaction (about a second), which a run of a few
# transactions would count as writing time. At least 60 s, or as long as the campaign decided.
SECONDS_PGBENCH=$(python3 -c "import sys; print(max(60, round($DECIDE_SECONDS)))")
/usr/bin/time -f "%e s wall, pgbench client CPU %U s user" "$PG_BIN/pgbench" -n -M prepared -c 1 -j 1 \
  -T "$SECONDS_PGBENCH" -f "$SCRIPT" "$URL" > "$WORK/pgbench.out" 2>&1 || {
  cat "$WORK/pgbench.out" >&2
  exit 1
}
TPS=$(grep -E '^tps' "$WORK/pgbench.out" | head -1 | awk '{print $3}')
say "pgbench: transactions of $BATCH decisions ($APPROVED_PER_BATCH approved), one client, prepared, pipelined, $SECONDS_PGBENCH s: $(grep -E '^number of transactions actually processed' "$WORK/pgbench.out" | awk '{print $NF}') transactions, $TPS tps; $(tail -1 "$WORK/pgbench.out")"
python3 - "$WORK/campaign.out" "$TPS" "$BATCH" <<'PY' | tee -a "$REPORT"
import re, sys
t = open(sys.argv[1]).read()
d = float(re.search(r"= (\d+) durable decisions/s", t).group(1))
raw = float(sys.argv[2]) * int(sys.argv[3])
print(f"pgbench as decisions: {raw:.0f} /s; campaign / pgbench = {d:.0f} / {raw:.0f} = {d/raw:.2f} (target >= 0.5)")
PY
say "change log: campaign $(psql -At "$URL" -c "SELECT count(*) || ' rows of ' || round(avg(octet_length(batch))) || ' bytes' FROM public.change_log"); pgbench $(psql -At "$URL" -c "SELECT count(*) || ' rows of ' || round(avg(octet_length(batch))) || ' bytes' FROM raw.change_log")"
say "database after the campaign and pgbench: $(psql -At "$URL" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
say "report: $REPORT"
