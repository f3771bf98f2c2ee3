#!/usr/bin/env bash
# Browser tests of the web front end against a real server.
#   tests/web/run.sh BIN
# Builds web/ if needed, checks the gzipped JS budget, generates a registry (with a campaign, so
# that flows, refusals and pending moves exist), serves it with --web and --demo on port 0, runs
# every tests/web/*.test.mjs in headless Chromium, saves a screenshot per test in
# out/web-screens/, and exits non-zero on any failure (console errors included).
# Needs: node and npm, python3, /usr/bin/chromium (Debian package `chromium`).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: tests/web/run.sh BIN" >&2
  exit 2
fi
BIN=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WEB="$ROOT/web"
# Population and seed chosen so that a district is over capacity while another clinic of the
# same unit has room (smaller registries have no such unit; see tests/web/fixtures.py).
POPULATION=${EMKHANA_WEB_POPULATION:-500000}
SEED=${EMKHANA_WEB_SEED:-1}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  { echo "web tests: Node.js $(node --version) is too old; Vite 7 needs 20.19 or newer" >&2; exit 2; }
[[ -x "$CHROMIUM" ]] || { echo "web tests: $CHROMIUM is missing (apt-get install chromium)" >&2; exit 2; }

# Build when the sources are newer than the build.
cd "$WEB"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # `npm install` with the lock, not `npm ci`: the registry reachable here lacks the other
  # platforms' optional packages (rollup), which `npm ci` insists the lock lists; the versions
  # come from the lock all the same.
  npm install --no-audit --no-fund
fi
# The build checks src/generated/api.ts against the OpenAPI document: a changed document builds too.
if [[ ! -f dist/index.html ]] || [[ -n $(find src index.html package.json vite.config.ts ../src/http/openapi.json -newer dist/index.html -print -quit) ]]; then
  npm run build
fi
node scripts/check-size.mjs

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DB="$WORK/web.db"
"$BIN" generate --db "$DB" --population "$POPULATION" --seed "$SEED" > "$WORK/generate.log"
"$BIN" campaign --db "$DB" --applications 5000 --seed "$SEED" --year "$(date +%Y)" > "$WORK/campaign.log"

"$BIN" serve --db "$DB" --port 0 --web "$WEB/dist" --demo > "$WORK/serve.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 240); do
  PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" | grep -o '[0-9]*$' || true)
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.25
done
[[ -n "$PORT" ]] || { echo "web tests: the server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
export EMKHANA_URL="http://127.0.0.1:$PORT"

python3 "$ROOT/tests/web/fixtures.py" --db "$DB" --url "$EMKHANA_URL" > "$WORK/fixtures.json"
export EMKHANA_FIXTURES="$WORK/fixtures.json"
export EMKHANA_SCREENS="$ROOT/out/web-screens"
mkdir -p "$EMKHANA_SCREENS"

cd "$ROOT"
status=0
node --test --test-concurrency=1 --test-reporter=spec tests/web/*.test.mjs || status=$?
echo "web tests: screenshots in out/web-screens/"
exit $status
