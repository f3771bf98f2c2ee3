#!/usr/bin/env bash
# replay_same_as_sqlite.sh EMKHANA CASE...: runs `EMKHANA replay --check --db DB CASE...` (the
# files in order against one persistent registry) twice: on a new PostgreSQL database of the
# server at $EMKHANA_TEST_PG_URL (see with_postgres.sh) and on a new SQLite file. Both runs must
# print the same results and mismatches, the same "N passed, N failed" line, and exit with the
# same code. The PostgreSQL database is dropped at the end.
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 EMKHANA CASE..." >&2
  exit 2
fi
bin=$1
shift
if [ -z "${EMKHANA_TEST_PG_URL:-}" ]; then
  echo "replay_same_as_sqlite.sh: EMKHANA_TEST_PG_URL is not set (run under tests/pg/with_postgres.sh)" >&2
  exit 2
fi
psql=$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)

dir=$(mktemp -d "${TMPDIR:-/tmp}/emkhana-replay.XXXXXX")
database="replay_$$_${RANDOM}"
# The server URL with its database replaced (postgresql://user@host:port/db, no query string).
pg_url="${EMKHANA_TEST_PG_URL%/*}/$database"
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  "$psql" "$EMKHANA_TEST_PG_URL" -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"$psql" "$EMKHANA_TEST_PG_URL" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $database"

set +e
"$bin" replay --check --db "$pg_url" "$@" >"$dir/pg.out" 2>"$dir/pg.err"
pg_status=$?
"$bin" replay --check --db "$dir/registry.db" "$@" >"$dir/sqlite.out" 2>"$dir/sqlite.err"
sqlite_status=$?
set -e

summary() { tail -n 1 "$1"; }
echo "postgresql: $(summary "$dir/pg.out") (exit $pg_status)"
echo "sqlite:     $(summary "$dir/sqlite.out") (exit $sqlite_status)"

failed=0
if [ "$pg_status" -gt 1 ]; then
  echo "replay on PostgreSQL could not run (exit $pg_status):" >&2
  cat "$dir/pg.err" >&2
  failed=1
fi
if ! grep -Eq '^[0-9]+ passed, [0-9]+ failed$' <(summary "$dir/pg.out"); then
  echo "replay on PostgreSQL printed no summary" >&2
  failed=1
fi
if [ "$pg_status" -ne "$sqlite_status" ]; then
  echo "exit codes differ: PostgreSQL $pg_status, SQLite $sqlite_status" >&2
  failed=1
fi
if ! diff -u "$dir/sqlite.out" "$dir/pg.out" >&2; then
  echo "the results differ (- SQLite, + PostgreSQL)" >&2
  failed=1
fi
# Messages name the database; compare them without it.
if ! diff -u <(sed "s|$dir/registry.db|DB|g" "$dir/sqlite.err") <(sed "s|$pg_url|DB|g" "$dir/pg.err") >&2; then
  echo "the mismatches reported differ (- SQLite, + PostgreSQL)" >&2
  failed=1
fi
if [ "$failed" -eq 0 ]; then
  echo "same results on PostgreSQL and SQLite"
fi
exit "$failed"
