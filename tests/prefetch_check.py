#!/usr/bin/env python3
"""The decision pipeline's loading ahead must reach the machine code.

g++ 12 deleted the calls of functions whose only work was `__builtin_prefetch` (ADR 0015), and
nothing else shows it: the answers stay the same, only slower. This disassembles the built binary
and checks that each function the pipeline calls to load ahead issues a prefetch, in its own body
or in a `Prefetch*` helper it calls (an unoptimised build inlines nothing, so the instruction sits
a few calls down, in `PrefetchLine`). Other callees are not followed: a hash map's lookup may
prefetch for itself, which is not loading ahead.

Usage: prefetch_check.py path/to/emkhana
"""
import platform
import re
import shutil
import subprocess
import sys

STAGES = ["PrefetchIndexFor", "PrefetchPerson", "PrefetchPeriods", "PrefetchDistrictsOf",
          "PrefetchPanelsOf"]
DEPTH = 6  # calls followed from a stage: stage -> Population -> PrefetchWhole -> PrefetchLine

HEADER = re.compile(r"^([0-9a-f]+) <(.*)>:$")
CALL = re.compile(r"\s(?:call|jmp)\s+([0-9a-f]+) <")


def read_functions(binary):
    """Address -> (name, has a prefetch instruction, addresses it calls or jumps to)."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", binary],
                         check=True, capture_output=True, text=True).stdout
    functions, current = {}, None
    for line in out.splitlines():
        header = HEADER.match(line)
        if header:
            current = [header.group(2), False, set()]
            functions[int(header.group(1), 16)] = current
        elif current is not None:
            if "prefetch" in line:
                current[1] = True
            call = CALL.search(line)
            if call:
                current[2].add(int(call.group(1), 16))
    return functions


def is_helper(name):
    return re.search(r"(^|::)Prefetch\w*[(<]", name) is not None


def prefetches(functions, address, depth, seen):
    if address not in functions or address in seen:
        return False
    seen.add(address)
    _, has_prefetch, callees = functions[address]
    if has_prefetch:
        return True
    helpers = [c for c in callees if c in functions and is_helper(functions[c][0])]
    return depth > 0 and any(prefetches(functions, c, depth - 1, seen) for c in helpers)


def main():
    if platform.machine() != "x86_64":
        print("skipped: prefetch instructions are checked on x86-64")
        return 0
    if not shutil.which("objdump"):
        print("FAIL: objdump (binutils) is needed", file=sys.stderr)
        return 1
    functions = read_functions(sys.argv[1])
    failed = False
    for stage in STAGES:
        prefix = f"emkhana::registry::Registry::{stage}("
        found = [a for a, f in functions.items() if f[0].startswith(prefix)]
        if not found:
            print(f"FAIL: Registry::{stage} is not in the binary (inlined? then check its caller)",
                  file=sys.stderr)
            failed = True
        elif not all(prefetches(functions, a, DEPTH, set()) for a in found):
            print(f"FAIL: Registry::{stage} issues no prefetch: the compiler removed the loading "
                  "ahead", file=sys.stderr)
            failed = True
        else:
            print(f"ok: Registry::{stage} issues a prefetch")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
