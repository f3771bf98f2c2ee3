#!/usr/bin/env bash
# The national-scale commands end to end on a small generated country: generate, sample, stats
# (maintained snapshot against a recount), funding, campaign, and --emit replayed elsewhere giving
# the same statistics as the campaign itself. Usage: national_cli_test.sh path/to/emkhana
set -euo pipefail
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" generate --db "$T/a.db" --population 4000 --seed 3 --as-of 2026-11-22 > "$T/gen.out"
grep -q "persons" "$T/gen.out" || fail "generate prints no summary"
if "$BIN" generate --db "$T/a.db" --population 10 2> "$T/err"; then fail "generate overwrote a file"; fi
grep -q "exists" "$T/err" || fail "no reason given for refusing an existing file"
if "$BIN" generate --db "$T/z.db" --population 0 2>/dev/null; then fail "population 0 accepted"; fi

# sample: N valid IINs, the same for the same seed.
"$BIN" sample --db "$T/a.db" --persons 50 --seed 4 > "$T/s1"
"$BIN" sample --db "$T/a.db" --persons 50 --seed 4 > "$T/s2"
[ "$(wc -l < "$T/s1")" = 50 ] || fail "sample gave $(wc -l < "$T/s1") lines"
cmp -s "$T/s1" "$T/s2" || fail "sample is not reproducible"
grep -qvE '^[0-9]{12}$' "$T/s1" && fail "sample printed something that is not an IIN"

# stats from the snapshot equal a recount.
"$BIN" stats --db "$T/a.db" --date 2026-12-01 --json > "$T/st1" 2>/dev/null
"$BIN" stats --db "$T/a.db" --date 2026-12-01 --json --recount > "$T/st2" 2>/dev/null
python3 - "$T/st1" "$T/st2" <<'PY' || fail "stats differ from a recount"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("since"); d.pop("as_of")
assert a == b, "snapshot and recount differ"
assert a["attached"]["total"] > 0.9 * a["population"]["total"]
PY
"$BIN" stats --db "$T/a.db" > "$T/text" 2>/dev/null
grep -q "Прикреплённое население" "$T/text" || fail "stats text has no Russian heading"
if "$BIN" stats --db "$T/a.db" --date 2026-13-45 2>/dev/null; then fail "bad date accepted"; fi

# stats --region: one region's view, whose regions add up to the country.
python3 - "$BIN" "$T/a.db" <<'PY' || fail "regional statistics do not add up to the country"
import json, subprocess, sys
run = lambda *a: json.loads(subprocess.run([sys.argv[1], "stats", "--db", sys.argv[2], "--date",
                                            "2026-12-01", "--json", *a], check=True,
                                           capture_output=True, text=True).stdout)
country = run()
total = 0
for g in country["regions"]:
    view = run("--region", g["region"])
    assert view["scope"] == g["region"] and [x["region"] for x in view["regions"]] == [g["region"]]
    assert all(o["region"] == g["region"] for o in view["organisations"])
    total += view["attached"]["total"]
assert total == country["attached"]["total"], (total, country["attached"]["total"])
PY

# funding: labelled illustrative, in JSON and in text.
"$BIN" funding --db "$T/a.db" --month 2026-12 --json > "$T/f.json" 2>/dev/null
python3 -c "import json,sys; d=json.load(open('$T/f.json')); assert d['table']['illustrative'] and d['total']['amount'] > 0" \
  || fail "funding JSON"
"$BIN" funding --db "$T/a.db" --month 2026-12 2>/dev/null | grep -q "ILLUSTRATIVE" || fail "funding text not labelled"
if "$BIN" funding --db "$T/a.db" --month 2026-13 2>/dev/null; then fail "month 13 accepted"; fi

# campaign, and the same campaign emitted and replayed on a copy: the same statistics.
cp "$T/a.db" "$T/b.db"
"$BIN" campaign --db "$T/a.db" --applications 300 --seed 2 --year 2027 > "$T/camp.out" 2>/dev/null
grep -q "durable decisions/s" "$T/camp.out" || fail "campaign prints no throughput"
"$BIN" campaign --db "$T/b.db" --applications 300 --seed 2 --year 2027 --emit "$T/c.jsonl" > /dev/null 2>&1
[ "$(wc -l < "$T/c.jsonl")" = 300 ] || fail "emit wrote $(wc -l < "$T/c.jsonl") steps"
"$BIN" replay --db "$T/b.db" "$T/c.jsonl" > /dev/null
"$BIN" stats --db "$T/a.db" --date 2028-01-01 --json > "$T/ca" 2>/dev/null
"$BIN" stats --db "$T/b.db" --date 2028-01-01 --json > "$T/cb" 2>/dev/null
cmp -s "$T/ca" "$T/cb" || fail "the emitted campaign replayed gives other statistics"
python3 -c "import json; d=json.load(open('$T/ca')); assert sum(o['inflow'] for o in d['organisations']) > 0" \
  || fail "no moves in the campaign"
if "$BIN" campaign --db "$T/a.db" --applications 0 2>/dev/null; then fail "0 applications accepted"; fi
echo "national CLI: all passed"
