#!/usr/bin/env python3
"""docs/rules.md covers every refusal reason, and its links lead where they say.

    python3 tests/docs/rules_doc_test.py [REPO_ROOT]

The reason codes are read from src/domain/model.hpp (`enum class Reason` and the wire names in
`EnumNames<Reason>`). docs/rules.md must have, for each code, a row in its index table and a
`## \`code\`` section with the fields DOMAIN, Legal source, Decided by, Unit tests and Cases, each
holding at least one link; no row or section may name a code that does not exist.

Every relative link must point inside the repository to an existing file. An anchor `#Lnn` or
`#Lnn-Lmm` must be an existing line (range); when the link text is one code span (`Name`), that
text must be on the line (range), so that a line anchor left behind by an edit fails here and
the message says where the name is now. Any other anchor must be a heading of the Markdown file
it points to (GitHub's heading ids). In a code's section, a line anchor into a scenario
(`*.jsonl`) must land on a line that mentions the code.

Exit 0 when all holds, 1 otherwise (every problem is listed). Standard library only.
"""

import os
import re
import sys

FIELDS = ("DOMAIN", "Legal source", "Decided by", "Unit tests", "Cases")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
LINE_ANCHOR = re.compile(r"^L(\d+)(?:-L(\d+))?$")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def reason_codes(model_hpp):
    """Wire names of domain::Reason, checked against the enum's enumerators."""
    text = read(model_hpp)
    enum = re.search(r"enum class Reason\s*\{(.*?)\};", text, re.S)
    names = re.search(r"struct EnumNames<Reason>\s*\{(.*?)\};", text, re.S)
    if not enum or not names:
        raise SystemExit(f"{model_hpp}: enum class Reason or EnumNames<Reason> not found")
    enumerators = re.findall(r"\b(k\w+)\b", enum.group(1))
    pairs = dict(re.findall(r"\{Reason::(k\w+),\s*\"([a-z_]+)\"\}", names.group(1)))
    problems = [f"{model_hpp}: Reason::{e} has no wire name in EnumNames<Reason>"
                for e in enumerators if e not in pairs]
    problems += [f"{model_hpp}: EnumNames<Reason> names Reason::{e}, which is not in the enum"
                 for e in pairs if e not in enumerators]
    return [pairs[e] for e in enumerators if e in pairs], problems


def github_slugs(markdown):
    """The ids GitHub gives the headings of a Markdown text."""
    slugs, seen, fenced = set(), {}, False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fenced or not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        slugs.add(slug if n == 0 else f"{slug}-{n}")
    return slugs


def sections(markdown):
    """{code: (first line number, text)} for each `## \\`code\\`` section."""
    out, current, start, body = {}, None, 0, []
    for number, line in enumerate(markdown.split("\n"), 1):
        m = re.match(r"^## `([a-z_]+)`\s*$", line)
        if m or line.startswith("## ") or line.startswith("# "):
            if current:
                out[current] = (start, "\n".join(body))
            current, start, body = (m.group(1), number, []) if m else (None, 0, [])
        elif current:
            body.append(line)
    if current:
        out[current] = (start, "\n".join(body))
    return out


class Checker:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.doc = os.path.join(self.root, "docs", "rules.md")
        self.problems = []
        self.links = 0
        self._lines = {}

    def fail(self, message):
        self.problems.append(message)

    def lines(self, path):
        if path not in self._lines:
            self._lines[path] = read(path).split("\n")
        return self._lines[path]

    def check_link(self, where, text, target, code=None):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            return
        self.links += 1
        path_part, _, anchor = target.partition("#")
        path = self.doc if not path_part else os.path.realpath(
            os.path.join(os.path.dirname(self.doc), path_part))
        shown = os.path.relpath(path, self.root)
        if path != self.root and not path.startswith(self.root + os.sep):
            self.fail(f"{where}: {target} points outside the repository")
            return
        if not os.path.exists(path):
            self.fail(f"{where}: {target}: no file {shown}")
            return
        if not anchor:
            return
        m = LINE_ANCHOR.match(anchor)
        if m:
            lines = self.lines(path)
            first = int(m.group(1))
            last = int(m.group(2) or first)
            if not 1 <= first <= last <= len(lines):
                self.fail(f"{where}: {target}: {shown} has {len(lines)} lines")
                return
            span = "\n".join(lines[first - 1:last])
            name = re.fullmatch(r"`([^`]+)`", text)
            if name and name.group(1) not in span:
                now = [str(i) for i, l in enumerate(lines, 1) if name.group(1) in l]
                hint = f"now on line {', '.join(now)}" if now else "not in the file any more"
                self.fail(f"{where}: {target}: line {first} of {shown} does not hold "
                          f"{name.group(1)!r} ({hint})")
            if code and path.endswith(".jsonl") and f'"{code}"' not in span:
                self.fail(f"{where}: {target}: line {first} of {shown} does not expect {code}")
            return
        if not path.endswith(".md"):
            self.fail(f"{where}: {target}: anchor #{anchor} on a file that is not Markdown")
        elif anchor not in github_slugs(read(path)):
            self.fail(f"{where}: {target}: no heading #{anchor} in {shown}")

    def run(self):
        codes, problems = reason_codes(os.path.join(self.root, "src", "domain", "model.hpp"))
        self.problems += problems
        if not os.path.exists(self.doc):
            self.fail("docs/rules.md does not exist")
            return codes
        text = read(self.doc)
        lines = text.split("\n")

        rows = {}
        for number, line in enumerate(lines, 1):
            m = re.match(r"^\|\s*\[`([a-z_]+)`\]\(#([^)]*)\)\s*\|", line)
            if m:
                rows[m.group(1)] = (number, m.group(2))
        secs = sections(text)
        for code in codes:
            if code not in rows:
                self.fail(f"docs/rules.md: no row for {code} in the index table")
            elif rows[code][1] != code:
                self.fail(f"docs/rules.md:{rows[code][0]}: the row of {code} links to "
                          f"#{rows[code][1]}, not #{code}")
            if code not in secs:
                self.fail(f"docs/rules.md: no section \"## `{code}`\"")
                continue
            start, body = secs[code]
            for field in FIELDS:
                items = [l for l in body.split("\n") if l.startswith(f"- **{field}**")]
                if not items:
                    self.fail(f"docs/rules.md:{start}: {code} has no \"{field}\"")
                elif not any(LINK.search(l) for l in items):
                    self.fail(f"docs/rules.md:{start}: {code}: \"{field}\" has no link")
        for code in sorted(set(rows) - set(codes)):
            self.fail(f"docs/rules.md:{rows[code][0]}: {code} is not a reason code")
        for code in sorted(set(secs) - set(codes)):
            self.fail(f"docs/rules.md:{secs[code][0]}: section {code} is not a reason code")

        owner = {}  # line number -> the code whose section holds it
        for code, (start, body) in secs.items():
            for i in range(body.count("\n") + 1):
                owner[start + 1 + i] = code
        for number, line in enumerate(lines, 1):
            for m in LINK.finditer(line):
                self.check_link(f"docs/rules.md:{number}", m.group(1), m.group(2),
                                owner.get(number))
        return codes


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    checker = Checker(root)
    codes = checker.run()
    for problem in checker.problems:
        print(problem, file=sys.stderr)
    if checker.problems:
        print(f"FAIL: {len(checker.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(codes)} reason codes, {checker.links} links")
    return 0


if __name__ == "__main__":
    sys.exit(main())
