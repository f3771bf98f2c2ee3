#!/usr/bin/env bash
# The web front end on a national registry (issue 6): the analytics page ready (every chart
# painted) in headless Chromium, signed in as the Fund, against `emkhana serve`.
#   bench/web.sh [DB] [ROUNDS]      (default out/bench/national-20000000.db 7)
#   EMKHANA_BIN=path/to/emkhana bench/web.sh ...   (default ./build/release/emkhana)
# Needs the web front end built (npm in web/) and /usr/bin/chromium. Report: out/bench/web.txt
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-out/bench/national-20000000.db}
ROUNDS=${2:-7}
BIN=${EMKHANA_BIN:-./build/release/emkhana}
REPORT=out/bench/web.txt
[ -f "$DB" ] || { echo "no registry at $DB: run bench/national.sh first" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no server binary at $BIN (build it, or set EMKHANA_BIN)" >&2; exit 2; }
# Build when the sources are newer than the build (as tests/web/run.sh does): a stale build
# would measure old code.
(cd web && { [ -d node_modules ] || npm install --no-audit --no-fund; } &&
  { [ -f dist/index.html ] && [ -z "$(find src index.html package.json vite.config.ts -newer dist/index.html -print -quit)" ] || npm run build; })
T=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
# A copy of the secret's place: --demo writes its CA beside the database.
"$BIN" serve --db "$DB" --port 0 --web web/dist --demo >"$T/out" 2>"$T/err" &
PID=$!
for _ in $(seq 1 3600); do grep -q listening "$T/out" 2>/dev/null && break; sleep 0.5; done
PORT=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$T/out")
[ -n "$PORT" ] || { cat "$T/err" >&2; exit 2; }
mkdir -p out/bench
{
  echo "bench/web.sh $(date -u +%FT%TZ) db=$DB rounds=$ROUNDS bin=$BIN web=$(ls web/dist/assets | tr '\n' ' ')"
  grep loaded "$T/err"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
  node bench/web_analytics.mjs "http://127.0.0.1:$PORT" "$ROUNDS"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$REPORT"
