#!/usr/bin/env bash
# The CLI's contract for bad input (FORMAT.md): a scenario error stops the replay with
# `FILE:LINE: message` on stderr and exit code 2; never a crash (exit codes >= 128 are signals).
set -u
bin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0

expect() {  # expect NAME CODE PATTERN -- command...
  local name="$1" code="$2" pattern="$3"
  shift 4
  "$@" >"$dir/out" 2>"$dir/err"
  local got=$?
  if [ "$got" -ne "$code" ] || ! grep -qE -- "$pattern" "$dir/err" "$dir/out"; then
    echo "FAIL $name: exit $got (want $code), output:"; cat "$dir/err" "$dir/out" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

printf '{"op": "org", "id": "A", "ate": "X"}\n{"op": "org", "id": \n' >"$dir/malformed.jsonl"
printf '{"op": "org", "id": "A", "ate": "X"}\n\n{"op": "levitate"}\n' >"$dir/unknown_op.jsonl"
printf '{"op": "district", "id": "D", "org": "A"}\n' >"$dir/missing.jsonl"
printf '{"op": "query", "iin": "900115401018", "date": "2025-02-30"}\n' >"$dir/bad_date.jsonl"
printf '{"op": "apply", "id": "A1", "date": "2025-01-01", "iin": "900115401018", "org": "A", "channel": "pigeon", "basis": "free_choice"}\n' >"$dir/bad_enum.jsonl"
printf '\xff\xfe{"op"\x00}\n' >"$dir/binary.jsonl"
printf '{"op": "org", "id": "A", "ate": "X"}\n' >"$dir/good.jsonl"

expect malformed_json 2 "malformed.jsonl:2: malformed JSON" -- "$bin" replay --check "$dir/malformed.jsonl"
expect unknown_op 2 "unknown_op.jsonl:3: unknown op 'levitate'" -- "$bin" replay "$dir/unknown_op.jsonl"
expect missing_field 2 "missing.jsonl:1: .*'kind': missing" -- "$bin" replay "$dir/missing.jsonl"
expect bad_date 2 "bad_date.jsonl:1: .*'date'" -- "$bin" replay "$dir/bad_date.jsonl"
expect bad_enum 2 "bad_enum.jsonl:1: .*'channel': unknown value 'pigeon'" -- "$bin" replay "$dir/bad_enum.jsonl"
expect binary 2 "binary.jsonl:1: " -- "$bin" replay "$dir/binary.jsonl"
expect stops_at_first_bad_file 2 "unknown_op.jsonl:3" -- "$bin" replay "$dir/good.jsonl" "$dir/unknown_op.jsonl" "$dir/good.jsonl"
expect missing_file 2 "does-not-exist" -- "$bin" replay "$dir/does-not-exist.jsonl"
expect no_command 2 "subcommand" -- "$bin"
expect init 0 "schema version 7" -- "$bin" init --db "$dir/registry.db"
expect init_again 0 "schema version 7" -- "$bin" init --db "$dir/registry.db"
expect not_a_database 2 "" -- "$bin" replay --db "$dir/malformed.jsonl" "$dir/good.jsonl"
expect good 0 "0 passed, 0 failed" -- "$bin" replay --check "$dir/good.jsonl"
# A replica to read from is a PostgreSQL notion: refused with a SQLite registry, before any work.
expect read_db_needs_postgres 2 "--read-db needs a PostgreSQL registry" -- \
  "$bin" serve --db "$dir/registry.db" --read-db "postgresql://h/db" --port 0

echo "$((14 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
