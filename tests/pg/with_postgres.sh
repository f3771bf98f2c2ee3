#!/usr/bin/env bash
# with_postgres.sh CMD [ARG...]: runs CMD against a throwaway PostgreSQL 15 server.
#
# Makes a cluster in a new temporary directory (trust authentication, superuser `postgres`),
# starts it on a free port of 127.0.0.1 (its socket in the same directory), exports
#   EMKHANA_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# runs CMD and exits with CMD's status. The server is stopped and the directory removed however
# CMD ends (trap). initdb refuses to run as root, so as root the cluster belongs to the
# `postgres` user. Exits 77 (a skip for CTest's SKIP_RETURN_CODE) when PostgreSQL 15 is not
# installed.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# shellcheck source=tests/pg/pg_lib.sh
source "$(dirname "$0")/pg_lib.sh"
require_pg_tools with_postgres.sh initdb pg_ctl postgres

make_cluster_dir emkhana-pg

if ! as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale \
  >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  echo "with_postgres.sh: initdb failed" >&2
  exit 1
fi

# Throwaway data: no fsync; small shared memory so that it starts anywhere.
start_cluster with_postgres.sh "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

export EMKHANA_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with_postgres.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $EMKHANA_TEST_PG_URL" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
