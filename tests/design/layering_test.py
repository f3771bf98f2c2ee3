#!/usr/bin/env python3
"""The pure layers stay pure (DESIGN.md; issue 24, point 8).

    layering_test.py REPO

`src/domain` and `src/rules` decide; they do no I/O and speak no wire format. And `src/http`
does not include `src/scenario` (the test replayer): the JSON both speak lives in `src/wire`. Their non-test
files may include:
- the C++ standard library, except its I/O, file-system, thread and C stdio headers;
- `fmt/format.h` (text formatting, no I/O);
- project headers of their own layer or below: domain -> core, domain; rules -> core, domain, rules.
Anything else (Boost, SQLite, libpq, OpenSSL, spdlog, POSIX, storage/, http/, registry/, ...)
fails the test with the file, the line and the include.
"""
import pathlib
import re
import sys

repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
ALLOWED_PROJECT = {"domain": ("core/", "domain/"), "rules": ("core/", "domain/", "rules/")}
FORBIDDEN_STD = {"iostream", "fstream", "istream", "ostream", "sstream", "cstdio", "stdio.h",
                 "filesystem", "thread", "future", "syncstream", "print", "spanstream"}
ALLOWED_THIRD_PARTY = {"fmt/format.h"}
include = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

problems, checked = [], 0
for layer, allowed in ALLOWED_PROJECT.items():
    for path in sorted((repo / "src" / layer).glob("*.[ch]pp")):
        name = path.name
        if name.endswith("_test.cpp") or name == "test_fixture.hpp":
            continue  # tests may use anything
        checked += 1
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = include.match(line)
            if not m:
                continue
            kind, header = m.groups()
            where = f"{path.relative_to(repo)}:{number}: {line.strip()}"
            if kind == '"':
                if not header.startswith(allowed):
                    problems.append(f"{where}: {layer}/ may include only {', '.join(allowed)}")
            elif "/" in header or header.endswith(".h"):
                if header not in ALLOWED_THIRD_PARTY:
                    problems.append(f"{where}: a library outside the standard one")
            elif header in FORBIDDEN_STD:
                problems.append(f"{where}: I/O or threads in a pure layer")

# The HTTP service speaks the wire shapes of src/wire, never the test replayer's (issue 24, point 4).
for path in sorted((repo / "src" / "http").glob("*.[ch]pp")):
    if path.name.endswith("_test.cpp"):
        continue
    for number, line in enumerate(path.read_text().splitlines(), 1):
        m = include.match(line)
        if m and m.group(2).startswith("scenario/"):
            problems.append(f"{path.relative_to(repo)}:{number}: {line.strip()}: http/ may not "
                            "include scenario/ (the wire JSON lives in wire/)")

if checked == 0:
    print("FAIL: no source files found under src/domain and src/rules", file=sys.stderr)
    sys.exit(1)
for p in problems:
    print("FAIL:", p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"layering: {checked} files of src/domain and src/rules include nothing impure")
