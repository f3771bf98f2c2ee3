#!/usr/bin/env bash
# with_replica.sh CMD [ARG...]: runs CMD with a streaming replica (hot standby) of the throwaway
# server at $EMKHANA_TEST_PG_URL (run under tests/pg/with_postgres.sh, whose initdb allows
# replication connections from 127.0.0.1 with trust).
#
# Copies the server with `pg_basebackup -R` (streaming, a standby.signal and the primary's
# conninfo) into a new temporary directory, starts it on a free port of 127.0.0.1 (its socket
# in the same directory), exports
#   EMKHANA_TEST_PG_REPLICA_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# runs CMD and exits with CMD's status. The replica is stopped and its directory removed however
# CMD ends. As root the files belong to `postgres`, as with_postgres.sh does. Exits 77 (a skip)
# when the PostgreSQL 15 tools are not installed.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi
if [ -z "${EMKHANA_TEST_PG_URL:-}" ]; then
  echo "with_replica.sh: EMKHANA_TEST_PG_URL is not set (run under tests/pg/with_postgres.sh)" >&2
  exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# shellcheck source=tests/pg/pg_lib.sh
source "$(dirname "$0")/pg_lib.sh"
require_pg_tools with_replica.sh pg_basebackup pg_ctl postgres

make_cluster_dir emkhana-replica

# Streaming the WAL while copying, so that the copy is consistent without archiving.
if ! as_owner "$PG_BIN/pg_basebackup" -d "$EMKHANA_TEST_PG_URL" -D "$dir/data" -R -X stream \
  -c fast >"$dir/basebackup.log" 2>&1; then
  cat "$dir/basebackup.log" >&2
  echo "with_replica.sh: pg_basebackup failed" >&2
  exit 1
fi

# Throwaway data: no fsync; small shared memory so that it starts anywhere.
start_cluster with_replica.sh "-c hot_standby=on -c fsync=off"

export EMKHANA_TEST_PG_REPLICA_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with_replica.sh: streaming replica at $EMKHANA_TEST_PG_REPLICA_URL" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
