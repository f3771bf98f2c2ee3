# Shared by the scripts that start a throwaway PostgreSQL (tests/pg/with_postgres.sh,
# tests/pg/with_replica.sh, bench/postgres.sh); sourced, not run.

# initdb refuses root: as root, run the server tools as `postgres`; otherwise as ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    local cmd
    printf -v cmd '%q ' "$@"
    su postgres -s /bin/sh -c "$cmd"
  else
    "$@"
  fi
}

# Exits 77 (a skip for CTest's SKIP_RETURN_CODE) unless each named PostgreSQL 15 tool is in
# $PG_BIN. $1 names the calling script in the message.
require_pg_tools() {
  local who=$1 tool
  shift
  for tool in "$@"; do
    if [ ! -x "$PG_BIN/$tool" ]; then
      echo "$who: $PG_BIN/$tool not found: install postgresql-15 (EMKHANA_SETUP_EXTRA=pg scripts/setup)" >&2
      exit 77
    fi
  done
}

# Makes $dir, a temporary directory for one server's cluster, owned by the user the server runs
# as. However the script ends, a server started in it (the caller sets started=1) is stopped
# and the directory removed. $1: the directory's name prefix.
make_cluster_dir() {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  started=0
  trap cleanup_cluster_dir EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
}

# shellcheck disable=SC2317  # called by the trap
cleanup_cluster_dir() {
  local status=$?
  if [ "$started" -eq 1 ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$status"
}

# Starts the cluster in $dir/data on a free loopback port (sets $port and started=1), trying
# five ports: another process could take a free port before the server binds it.
# $1 names the calling script; $2 adds server options.
start_cluster() {
  local who=$1 options=$2 attempt
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=32MB -c max_connections=50 $options" \
      >/dev/null 2>&1; then
      started=1
      return
    fi
    echo "$who: start on port $port failed (attempt $attempt)" >&2
  done
  cat "$dir/log" >&2 || true
  echo "$who: the server did not start" >&2
  exit 1
}
