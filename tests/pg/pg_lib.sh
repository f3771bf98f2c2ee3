# Shared by the scripts that start a throwaway PostgreSQL (tests/pg/with_postgres.sh,
# bench/postgres.sh); sourced, not run.

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
