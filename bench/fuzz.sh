#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, in build/fuzz) and runs each
# over its seed corpus (fuzz/corpus/TARGET), one after another, then prints a table.
#   bench/fuzz.sh                  1 000 000 executions per target
#   bench/fuzz.sh --short          20 000 per target (the CTest test fuzz_short)
#   bench/fuzz.sh --runs N [T...]  N executions of the targets named (all by default)
#   bench/fuzz.sh --build-only
#   bench/fuzz.sh --lock FILE      the build and each target's run under flock FILE, one at a time
# New inputs found go to build/fuzz/corpus/TARGET (not the repository's seeds); a crash leaves
# build/fuzz/artifacts/TARGET-crash-* and its log in build/fuzz/logs/TARGET.log. Exit 1 on any.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=1000000
build_only=0
locked=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) runs=20000 ;;
    --runs) runs="$2"; shift ;;
    --build-only) build_only=1 ;;
    --lock) locked=(flock "$2"); shift ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=(application_json request_target token signature scenario_line)

build=build/fuzz
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is missing (scripts/setup)" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
    -DEMKHANA_FUZZ=ON "${launcher[@]}" >/dev/null
fi
"${locked[@]}" cmake --build "$build" --target "${targets[@]/#/fuzz_}" -j2 -- -k 0 >"$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log" >&2; echo "fuzz.sh: build failed ($build/build.log)" >&2; exit 2; }
[ "$build_only" -eq 0 ] || exit 0

mkdir -p "$build/corpus" "$build/artifacts" "$build/logs"
# fontconfig keeps its caches for the process's life (the talon PDF): not a leak of ours.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
failed=0
rows=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  log="$build/logs/$t.log"
  result=ok
  # Timed inside the lock: waiting for it is not the target's time.
  "${locked[@]}" bash -c 'start=$(date +%s.%N); "$@"; rc=$?
    echo "fuzz.sh: seconds $(awk -v a="$start" -v b="$(date +%s.%N)" "BEGIN { print b - a }")"
    exit $rc' _ "$build/fuzz/fuzz_$t" -runs="$runs" -max_len=4096 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "${dict[@]}" \
    "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || result=FAILED
  seconds=$(sed -n 's/^fuzz.sh: seconds //p' "$log")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -z "$execs" ]; then
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  fi
  if [ "$result" != ok ]; then
    failed=1
    artifact=$(grep -o "$build/artifacts/$t-[a-z-]*[0-9a-f]*" "$log" | tail -1 || true)
    result="FAILED ${artifact:-see $log}"
  fi
  rows+=("$(printf '%-18s %12s %9.1f  %s' "$t" "${execs:-?}" "$seconds" "$result")")
done
printf '%-18s %12s %9s  %s\n' target executions seconds result
printf '%s\n' "${rows[@]}"
exit "$failed"
