#!/usr/bin/env python3
"""The repository's copies of the shared specification equal ../shared, byte for byte.

    python3 tests/docs/shared_copy_test.py [REPO_ROOT]

docs/domain.md is a copy of ../shared/DOMAIN.md, and tests/conformance/ of ../shared/conformance/
(FORMAT.md and cases/): the same files, no more, no fewer, the same bytes. ../shared is the source:
when it changes, copy it again (`cp -p ../shared/DOMAIN.md docs/domain.md`,
`cp -rp ../shared/conformance/. tests/conformance/`); a change made here on purpose belongs in
../shared too.

Exit 0 when the copies are equal, 1 when they differ (every difference is listed), 77 (CTest's
SKIP_RETURN_CODE) when there is no ../shared, as on a fresh clone of the repository alone.
Standard library only.
"""

import os
import sys

SKIP = 77


def files_under(top):
    out = set()
    for directory, subdirs, names in os.walk(top):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for name in names:
            out.add(os.path.relpath(os.path.join(directory, name), top))
    return out


def first_difference(a, b):
    """1-based line of the first difference between two byte strings."""
    for number, (x, y) in enumerate(zip(a.split(b"\n"), b.split(b"\n")), 1):
        if x != y:
            return number
    return min(a.count(b"\n"), b.count(b"\n")) + 1


def compare(source, copy, shown_source, shown_copy, problems):
    if not os.path.isfile(copy):
        problems.append(f"{shown_copy}: missing (copy of {shown_source})")
        return
    with open(source, "rb") as f:
        a = f.read()
    with open(copy, "rb") as f:
        b = f.read()
    if a != b:
        problems.append(f"{shown_copy}: differs from {shown_source} from line "
                        f"{first_difference(a, b)} ({len(b)} bytes against {len(a)})")


def main():
    root = os.path.realpath(sys.argv[1] if len(sys.argv) > 1
                            else os.path.join(os.path.dirname(__file__), "..", ".."))
    shared = os.path.realpath(os.path.join(root, "..", "shared"))
    if not os.path.isdir(shared):
        print(f"skipped: no {shared} beside the repository")
        return SKIP

    problems = []
    compare(os.path.join(shared, "DOMAIN.md"), os.path.join(root, "docs", "domain.md"),
            "../shared/DOMAIN.md", "docs/domain.md", problems)

    source_dir = os.path.join(shared, "conformance")
    copy_dir = os.path.join(root, "tests", "conformance")
    if not os.path.isdir(source_dir):
        problems.append("../shared/conformance: missing, though ../shared exists")
    else:
        sources = files_under(source_dir)
        copies = files_under(copy_dir) if os.path.isdir(copy_dir) else set()
        for rel in sorted(sources):
            compare(os.path.join(source_dir, rel), os.path.join(copy_dir, rel),
                    f"../shared/conformance/{rel}", f"tests/conformance/{rel}", problems)
        for rel in sorted(copies - sources):
            problems.append(f"tests/conformance/{rel}: not in ../shared/conformance")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"FAIL: {len(problems)} difference(s) from ../shared", file=sys.stderr)
        return 1
    print(f"ok: docs/domain.md and tests/conformance/ ({len(sources)} files) equal {shared}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
