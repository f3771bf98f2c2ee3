#!/usr/bin/env bash
# National scale (issue 4): generate a synthetic country, run a campaign on it, time `stats`,
# `funding` and in-process lookups by IIN, and a raw SQLite reference in the same run.
#   bench/national.sh [POPULATION] [APPLICATIONS]     (defaults: 20000000 2000000)
# Figures go to out/bench/national-<population>.txt. Needs: scripts/setup with
# EMKHANA_SETUP_EXTRA=bench (hyperfine, GNU time), a release build (cmake --preset release).
set -euo pipefail
cd "$(dirname "$0")/.."
POPULATION=${1:-20000000}
APPLICATIONS=${2:-2000000}
BIN=build/release/emkhana
OUT=out/bench
mkdir -p "$OUT"
REPORT=$OUT/national-$POPULATION.txt
DB=$OUT/national-$POPULATION.db
cmake --preset release >/dev/null
cmake --build build/release -j2 >/dev/null
: > "$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }

say "# Emkhana national-scale benchmark, $(date -u +%FT%TZ), $(nproc) cores"
say "population $POPULATION, applications $APPLICATIONS"

rm -f "$DB" "$DB"-wal "$DB"-shm
/usr/bin/time -v "$BIN" generate --db "$DB" --population "$POPULATION" --seed 1 --as-of 2026-11-22 \
  > "$OUT/generate.out" 2> "$OUT/generate.time"
cat "$OUT/generate.out" | tee -a "$REPORT"
say "generate: wall $(grep 'Elapsed (wall' "$OUT/generate.time" | awk '{print $NF}'), peak RSS $(grep 'Maximum resident' "$OUT/generate.time" | awk '{print $NF}') KB, database $(du -h "$DB" | cut -f1)"

# stats and funding on the generated registry (the maintained snapshot).
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 --export-json "$OUT/queries.json" \
    "$BIN stats --db $DB --date 2026-12-01 --json" \
    "$BIN funding --db $DB --month 2026-12 --json" > "$OUT/queries.out" 2>&1
  python3 - "$OUT/queries.json" <<'PY' | tee -a "$REPORT"
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command'].split()[1]}: mean {r['mean']*1000:.1f} ms, median {r['median']*1000:.1f} ms (process start to answer, hyperfine, 10 runs)")
PY
fi

# Lookups by IIN, in process, one core.
if [ -x build/release/emkhana_lookup_bench ]; then
  build/release/emkhana_lookup_bench --db "$DB" --benchmark_min_time=2 2>/dev/null | tee "$OUT/lookup.out" | grep BM_ | tee -a "$REPORT"
fi

# Campaign through the decision pipeline, then raw SQLite inserts of as many rows into a
# table of the application table's width, side by side. APPLICATIONS=0 skips it.
if [ "$APPLICATIONS" = 0 ]; then say "report: $REPORT"; exit 0; fi
cp "$DB" "$DB.campaign"
/usr/bin/time -v "$BIN" campaign --db "$DB.campaign" --applications "$APPLICATIONS" --seed 1 \
  > "$OUT/campaign.out" 2> "$OUT/campaign.time" &
CAMPAIGN=$!
# The WAL's largest size, sampled every second: writing the journal into the tables afterwards
# must let it start over (ADR 0010).
WAL_MAX=0
while kill -0 "$CAMPAIGN" 2> /dev/null; do
  WAL=$(stat -c %s "$DB.campaign-wal" 2> /dev/null || echo 0)
  [ "$WAL" -gt "$WAL_MAX" ] && WAL_MAX=$WAL
  sleep 1
done
wait "$CAMPAIGN"
cat "$OUT/campaign.out" | tee -a "$REPORT"
say "campaign: largest WAL $((WAL_MAX / 1048576)) MiB (sampled every second)"
grep -E "loaded|made" "$OUT/campaign.time" | tee -a "$REPORT" || true
say "campaign: peak RSS $(grep 'Maximum resident' "$OUT/campaign.time" | awk '{print $NF}') KB"
RAW=$OUT/raw.db
rm -f "$RAW"*
START=$(date +%s.%N)
sqlite3 "$RAW" > /dev/null <<SQL
PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
CREATE TABLE t (id TEXT PRIMARY KEY, seq INTEGER, app_date TEXT, iin TEXT, applicant TEXT, org TEXT,
  district TEXT, channel TEXT, basis TEXT, consent INTEGER, documents INTEGER, declared_birth TEXT,
  declared_sex TEXT, outcome TEXT, reasons TEXT, decided_org TEXT, decided_district TEXT,
  effective TEXT, decide_by TEXT, alternatives TEXT, policy_version TEXT, free_choice_change INTEGER,
  recorded_at INTEGER);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $APPLICATIONS)
INSERT INTO t SELECT printf('C2027-%08d', i), i, '2027-09-15', printf('%012d', 850305301578 + i), '',
  'ALA-01-P01', NULL, 'egov', 'free_choice', 1, 0, NULL, NULL, 'approved', '', 'ALA-01-P02',
  'ALA-01-P02-T01', '2028-01-01', '2027-09-16', '', 'kz-2025.1', 1, 1800000000000000 + i FROM n;
COMMIT;
SQL
END=$(date +%s.%N)
python3 - "$START" "$END" "$APPLICATIONS" "$OUT/campaign.out" <<'PY' | tee -a "$REPORT"
import re, sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
raw = n / (end - start)
m = re.search(r"= (\d+) durable decisions/s", open(sys.argv[4]).read())
print(f"raw SQLite: {n} rows of the application table's width in {end-start:.2f} s = {raw:.0f} rows/s")
if m:
    d = int(m.group(1))
    print(f"campaign / raw = {d} / {raw:.0f} = {d/raw:.3f}")
PY
rm -f "$RAW"* "$DB.campaign"*
say "report: $REPORT"
