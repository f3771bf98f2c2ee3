#!/usr/bin/env bash
# The decision pipeline's loading ahead must reach the machine code: g++ 12 deleted the calls of
# functions whose only work was `__builtin_prefetch` (ADR 0015), and nothing else shows it: the
# answers stay the same, only slower. Checks that each function that the pipeline calls to load
# ahead still issues a prefetch in the built binary. Usage: prefetch_check.sh path/to/emkhana
set -euo pipefail
BIN=$1
if [ "$(uname -m)" != x86_64 ]; then echo "skipped: prefetch instructions are checked on x86-64"; exit 0; fi
command -v objdump > /dev/null || { echo "FAIL: objdump (binutils) is needed" >&2; exit 1; }
ASM=$(mktemp)
trap 'rm -f "$ASM"' EXIT
objdump -d --no-show-raw-insn -C "$BIN" > "$ASM"
failed=0
for fn in PrefetchIndexFor PrefetchPerson PrefetchPeriods PrefetchDistrictsOf PrefetchPanelsOf; do
  # The function's body: from its label to the next blank line.
  n=$(awk -v name="<emkhana::registry::Registry::$fn(" '
        /^[0-9a-f]+ </ { inside = index($0, name) > 0 }
        inside && /prefetch/ { n++ }
        END { print n + 0 }' "$ASM")
  found=$(grep -c "<emkhana::registry::Registry::$fn(" "$ASM" || true)
  if [ "$found" = 0 ]; then
    echo "FAIL: Registry::$fn is not in the binary (inlined? then check its caller here)" >&2
    failed=1
  elif [ "$n" = 0 ]; then
    echo "FAIL: Registry::$fn issues no prefetch: the compiler removed the loading ahead" >&2
    failed=1
  else
    echo "ok: Registry::$fn issues $n prefetch instruction(s)"
  fi
done
exit $failed
