#!/usr/bin/env bash
# HTTP service (issue 5), with wrk on loopback (one wrk thread, 64 connections):
#  1. GET /api/v1/persons/{iin}/attachment by random IIN against `emkhana serve`, and nginx
#     (one worker, keepalive_requests raised) returning a static JSON reply of the same size,
#     interleaved over ROUNDS rounds; median and best of each, and the ratio of the medians;
#  2. durable POST /api/v1/applications (each reply comes after its commit).
#   bench/http.sh [DB] [ROUNDS] [DURATION]     (default out/bench/national-20000000.db 5 10s)
# SERVER_THREADS (default 1): the server's I/O threads; wrk takes the other core.
# The server runs on a copy of DB (out/bench/http-run.db, as large as DB, removed at the end).
# Needs: EMKHANA_SETUP_EXTRA=bench scripts/setup (wrk, nginx-light). Report: out/bench/http.txt
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-out/bench/national-20000000.db}
ROUNDS=${2:-5}
DURATION=${3:-10s}
THREADS=${SERVER_THREADS:-1}
BIN=${EMKHANA_BIN:-./build/release/emkhana}  # another build to compare (A B B A rounds)
OUT=out/bench
REPORT=${REPORT:-$OUT/http.txt}
T=$(mktemp -d)
EMKHANA_PID="" NGINX_PID=""
# The server runs under /usr/bin/time, which does not pass signals on: signal its child.
stop_server() { pkill -TERM -P "$EMKHANA_PID" 2>/dev/null || true; wait "$EMKHANA_PID" 2>/dev/null || true; }
cleanup() {
  [ -n "$EMKHANA_PID" ] && stop_server
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
  rm -rf "$T"
  rm -f "$OUT/http-run.db" "$OUT/http-run.db"-wal "$OUT/http-run.db"-shm "$OUT/http-run.db.secret"
  rm -f "$OUT/http-run.db".reads-*
}
trap cleanup EXIT
mkdir -p "$OUT"
[ -f "$DB" ] || { echo "no registry at $DB: run bench/national.sh first" >&2; exit 2; }
# Each run serves a copy, so that every run starts from the same registry: a run's reads and
# POSTs would otherwise leave the next one a longer history and a journal to write.
SOURCE_DB=$DB
DB=$OUT/http-run.db
rm -f "$DB" "$DB"-wal "$DB"-shm
sqlite3 "$SOURCE_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$SOURCE_DB" "$DB"
[ -f "$SOURCE_DB.secret" ] && cp "$SOURCE_DB.secret" "$DB.secret"
for tool in wrk nginx; do command -v $tool >/dev/null || PATH=$PATH:/usr/sbin; done
say() { echo "$*" | tee -a "$REPORT"; }
: > "$REPORT"
say "bench/http.sh $(date -u +%FT%TZ) db=$SOURCE_DB (a copy) rounds=$ROUNDS duration=$DURATION server threads=$THREADS"

# The server, with the time it takes to load the registry and its memory. Its day is a campaign
# day: applications are dated by its clock (ADR 0016). One token sends every request here, far
# over a client's rate: the limit is off (--rate-limit 0).
# A build from before ADR 0016 (no --as-of) is measured the way it was: admin POSTs that carry
# their date and id (EMKHANA_BIN=old-build, for before/after figures).
LEGACY=0
"$BIN" serve --help 2>/dev/null | grep -q -- --as-of || LEGACY=1
SERVE_ARGS=(--as-of 2026-09-21 --rate-limit 0)
[ "$LEGACY" -eq 1 ] && SERVE_ARGS=()
say "build: $BIN$([ "$LEGACY" -eq 1 ] && echo ' (before ADR 0016: legacy POSTs)')"
/usr/bin/time -v "$BIN" serve --db "$DB" --port 0 --threads "$THREADS" "${SERVE_ARGS[@]}" \
  >"$T/serve.out" 2>"$T/serve.err" &
EMKHANA_PID=$!
for _ in $(seq 1 3600); do
  grep -q listening "$T/serve.out" 2>/dev/null && break
  kill -0 "$EMKHANA_PID" 2>/dev/null || break  # it stopped: its error is below
  sleep 0.5
done
PORT=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$T/serve.out")
[ -n "$PORT" ] || { cat "$T/serve.err" >&2; exit 2; }
say "$(grep 'loaded' "$T/serve.err")"

# 100 000 random IINs and an admin token for the reads.
"$BIN" sample --db "$DB" --persons 100000 --seed 11 >"$T/iins"
TOKEN=$("$BIN" token --db "$DB" --role admin --subject bench --ttl 86400)
# Service-centre applications are entered by an operator (ADR 0016).
if [ "$LEGACY" -eq 1 ]; then
  OPERATOR=$TOKEN
else
  OPERATOR=$("$BIN" token --db "$DB" --role operator --subject bench@CON-1 --ttl 86400)
fi
cat >"$T/get.lua" <<LUA
local iins = {}
for line in io.lines("$T/iins") do iins[#iins + 1] = line end
math.randomseed(7)
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
  return wrk.format("GET", "/api/v1/persons/" .. iins[math.random(#iins)] .. "/attachment")
end
LUA
# nginx: one worker, a static reply as long as a typical answer of ours.
python3 - "$PORT" "$(head -1 "$T/iins")" "$TOKEN" >"$T/reply.json" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
c.request("GET", f"/api/v1/persons/{sys.argv[2]}/attachment", headers={"Authorization": "Bearer " + sys.argv[3]})
sys.stdout.write(c.getresponse().read().decode())
PY
NGINX_PORT=$((PORT + 1))
cat >"$T/nginx.conf" <<NGX
worker_processes 1;
pid $T/nginx.pid;
error_log $T/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T; uwsgi_temp_path $T; scgi_temp_path $T;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '$(cat "$T/reply.json")'; }
  }
}
NGX
nginx -c "$T/nginx.conf" -p "$T" &
NGINX_PID=$!
sleep 1
say "reply size: $(wc -c <"$T/reply.json") bytes (ours and nginx's)"

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
: >"$T/ours" ; : >"$T/nginx"
for r in $(seq 1 "$ROUNDS"); do
  wrk -t1 -c64 -d"$DURATION" --latency -s "$T/get.lua" "http://127.0.0.1:$PORT" >"$T/w.ours"
  wrk -t1 -c64 -d"$DURATION" --latency "http://127.0.0.1:$NGINX_PORT/api/v1/persons/x/attachment" >"$T/w.nginx"
  echo "$(rate "$T/w.ours") $(p99 "$T/w.ours")" >>"$T/ours"
  echo "$(rate "$T/w.nginx") $(p99 "$T/w.nginx")" >>"$T/nginx"
  say "round $r: emkhana $(rate "$T/w.ours") req/s (p99 $(p99 "$T/w.ours")), nginx $(rate "$T/w.nginx") req/s (p99 $(p99 "$T/w.nginx"))"
  grep -q "Non-2xx" "$T/w.ours" && say "  emkhana: $(grep Non-2xx "$T/w.ours")"
done
python3 - "$T/ours" "$T/nginx" <<'PY' | tee -a "$REPORT"
import statistics, sys
def load(p):
    rows = [l.split() for l in open(p) if l.strip()]
    return [float(r[0]) for r in rows], [r[1] for r in rows]
def ms(text):  # wrk prints 850.00us, 2.46ms or 1.02s
    for unit, scale in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float(text)
ours, ours_p99 = load(sys.argv[1]); ngx, ngx_p99 = load(sys.argv[2])
print(f"GET attachment: emkhana median {statistics.median(ours):.0f} best {max(ours):.0f} req/s; "
      f"nginx median {statistics.median(ngx):.0f} best {max(ngx):.0f} req/s; "
      f"ratio of medians {statistics.median(ours) / statistics.median(ngx):.2f}; "
      f"emkhana p99 {', '.join(ours_p99)} (median {statistics.median(ms(p) for p in ours_p99):.2f}ms)")
PY

# Durable POSTs: applications in the campaign window for random people and organisations.
# (the table is `organization` before schema 7, for an older build in an A/B run)
sqlite3 "$DB" "SELECT id FROM organisation" >"$T/orgs" 2>/dev/null || sqlite3 "$DB" "SELECT id FROM organization" >"$T/orgs"
cat >"$T/post.lua" <<LUA
local iins, orgs = {}, {}
for line in io.lines("$T/iins") do iins[#iins + 1] = line end
for line in io.lines("$T/orgs") do orgs[#orgs + 1] = line end
math.randomseed(8)
local legacy, n, run = $LEGACY == 1, 0, tostring(os.time())
local function legacy_fields()
  if not legacy then return "" end
  n = n + 1
  return string.format('"id":"B-%s-%d","date":"2026-09-21",', run, n)
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $OPERATOR"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = string.format(
    '{%s"iin":"%s","org":"%s","channel":"service_centre","basis":"free_choice","consent":true}',
    legacy_fields(), iins[math.random(#iins)], orgs[math.random(#orgs)])
  return wrk.format(nil, "/api/v1/applications", nil, body)
end
LUA
wrk -t1 -c64 -d"$DURATION" --latency -s "$T/post.lua" "http://127.0.0.1:$PORT" >"$T/w.post"
say "POST applications (durable): $(rate "$T/w.post") req/s, p99 $(p99 "$T/w.post")"
grep -q "Non-2xx" "$T/w.post" && say "  $(grep Non-2xx "$T/w.post")"
stop_server
EMKHANA_PID=""
say "server: peak RSS $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/serve.err") KB"
say "report: $REPORT"
