#!/usr/bin/env bash
# Differential test: the emkhana binary against the independent Python model.
#   tests/reference/differential.sh [BINARY] [COUNT] [SEED]
# Builds nothing. Generates COUNT (default 200) random scenarios, replays each with
# `$BIN replay FILE` and `python3 model.py FILE`, compares the outputs semantically line by
# line, prints every differing file with the first differing line of both, and ends with
# `N passed, N failed` (N = scenario files). Exit 1 if any differ. KEEP=1 keeps the temp dir.
# PROFILE=wide uses the wide scenario profile (random_scenarios.py --profile wide).
# MODEL_FLAGS=--frozen-ageout runs the model in its diagnostic emulation of the binary's
# age-out design (see model.py J15), to find the differences that remain besides it.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${1:-/work/main/build/release/emkhana}"
COUNT="${2:-200}"
SEED="${3:-1}"
if [ ! -x "$BIN" ]; then
  echo "binary not found: $BIN" >&2
  exit 2
fi
TMP="$(mktemp -d)"
if [ "${KEEP:-0}" = 1 ]; then echo "scenarios in $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi
# Test a snapshot: the binary may be rebuilt by someone else while this runs.
cp "$BIN" "$TMP/emkhana" || exit 2
BIN="$TMP/emkhana"
PROFILE="${PROFILE:-default}"
python3 "$HERE/random_scenarios.py" --seed "$SEED" --out "$TMP/cases" --count "$COUNT" --profile "$PROFILE" || exit 2
passed=0
failed=0
for f in "$TMP"/cases/*.jsonl; do
  name="$(basename "$f" .jsonl)"
  "$BIN" replay "$f" >"$TMP/$name.bin" 2>"$TMP/$name.binerr"
  brc=$?
  python3 "$HERE/model.py" ${MODEL_FLAGS:-} "$f" >"$TMP/$name.model" 2>"$TMP/$name.modelerr"
  mrc=$?
  if [ $brc -ne $mrc ]; then
    echo "DIFF $f: exit codes binary=$brc model=$mrc"
    head -c 300 "$TMP/$name.binerr" "$TMP/$name.modelerr"
    failed=$((failed + 1))
    continue
  fi
  if out="$(python3 "$HERE/compare.py" "$f" "$TMP/$name.bin" "$TMP/$name.model")"; then
    passed=$((passed + 1))
  else
    echo "DIFF $f"
    echo "$out"
    # Say whether the model's emulation of the binary's age-out design (decided when the
    # pediatric attachment is created) accounts for the whole difference.
    if [ -z "${MODEL_FLAGS:-}" ]; then
      python3 "$HERE/model.py" --frozen-ageout "$f" >"$TMP/$name.frozen" 2>/dev/null
      if python3 "$HERE/compare.py" "$f" "$TMP/$name.bin" "$TMP/$name.frozen" >/dev/null; then
        echo "  note   explained by when the age-out district is decided (matches model.py --frozen-ageout)"
      else
        echo "  note   NOT explained by the age-out design (differs from model.py --frozen-ageout too)"
      fi
    fi
    failed=$((failed + 1))
  fi
done
if [ "$failed" -ne 0 ] && [ "${KEEP:-0}" != 1 ]; then
  echo "(regenerate the files: python3 $HERE/random_scenarios.py --seed $SEED --count $COUNT --profile $PROFILE --out DIR)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
