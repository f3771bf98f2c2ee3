#!/usr/bin/env python3
"""The web front end's generated files equal their sources, and the front end copies neither.

    python3 tests/web/generated_test.py BIN [REPO_ROOT]

- web/src/generated/texts.json is byte for byte what `BIN texts --json` prints: the words of
  each refusal reason (src/rules/reasons.cpp) and problem (src/http/problem.cpp) in kk, ru and
  en. A text changed on one side alone fails here, with the command that makes them equal.
- Its codes are the OpenAPI document's: the reasons are `ReasonCode`'s enum, in order; the
  problems are `Problem.code`'s enum. Every text is there in the three languages.
- No hand-written copy in the front end: no dictionary of web/src/i18n has a `reason.<code>` key
  of a known code, and no reason's text (in any language) is written in a web/src file other
  than the generated ones.
- web/src/generated/api.ts is what openapi-typescript makes of src/http/openapi.json
  (`npm run check:types`; `npm run build` checks it too). Skipped, and said so, where
  web/node_modules is not installed.

Exit 0 when all holds, 1 otherwise (every problem is listed).
"""
import json
import os
import re
import subprocess
import sys

BIN = sys.argv[1]
ROOT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
WEB = os.path.join(ROOT, "web")
GENERATED = os.path.join(WEB, "src", "generated")
TEXTS_JSON = os.path.join(GENERATED, "texts.json")
LANGUAGES = ("kk", "ru", "en")
problems = []


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- texts.json is the binary's
printed = subprocess.run([BIN, "texts", "--json"], check=True, capture_output=True).stdout.decode()
committed = read(TEXTS_JSON)
if printed != committed:
    ours, theirs = printed.splitlines(), committed.splitlines()
    first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    problems.append(
        "web/src/generated/texts.json differs from `emkhana texts --json` at line "
        f"{first + 1}: {theirs[first] if first < len(theirs) else '(end)'!r} in the file, "
        f"{ours[first] if first < len(ours) else '(end)'!r} from the binary. Change the texts "
        "in src/rules/reasons.cpp or src/http/problem.cpp, build, and run "
        "`build/release/emkhana texts --json > web/src/generated/texts.json`")
texts = json.loads(printed)

# ---------------------------------------------------------------- the codes are the API's
openapi = json.loads(read(os.path.join(ROOT, "src", "http", "openapi.json")))
schemas = openapi["components"]["schemas"]
if list(texts["reasons"]) != schemas["ReasonCode"]["enum"]:
    problems.append(f"reason codes of `texts --json` {list(texts['reasons'])} are not openapi.json's "
                    f"ReasonCode {schemas['ReasonCode']['enum']}")
if set(texts["problems"]) != set(schemas["Problem"]["properties"]["code"]["enum"]):
    problems.append("problem codes of `texts --json` and openapi.json's Problem.code differ: "
                    f"{sorted(set(texts['problems']) ^ set(schemas['Problem']['properties']['code']['enum']))}")
for group in ("reasons", "problems"):
    for code, words in texts[group].items():
        for language in LANGUAGES:
            if not words.get(language, "").strip():
                problems.append(f"{group[:-1]} {code}: no {language} text")

# ---------------------------------------------------------------- no copy in the front end
sources = []
for folder, dirs, files in os.walk(os.path.join(WEB, "src")):
    dirs[:] = [d for d in dirs if os.path.join(folder, d) != GENERATED]
    sources += [os.path.join(folder, f) for f in files if f.endswith((".ts", ".js", ".json", ".html"))]
sources.append(os.path.join(WEB, "index.html"))
for path in sources:
    text = read(path)
    where = os.path.relpath(path, ROOT)
    for code in re.findall(r"""['"]reason\.([a-z_]+)['"]""", text):
        if code in texts["reasons"]:
            problems.append(f"{where}: a dictionary key reason.{code} (the texts are the server's)")
    for code, words in texts["reasons"].items():
        for language in LANGUAGES:
            if words[language] in text:
                problems.append(f"{where}: the {language} text of {code} is copied: {words[language]!r}")

# ---------------------------------------------------------------- api.ts is openapi.json's
if os.path.exists(os.path.join(WEB, "node_modules", ".bin", "openapi-typescript")):
    check = subprocess.run(["npm", "run", "--silent", "check:types"], cwd=WEB,
                           capture_output=True, text=True)
    if check.returncode != 0:
        problems.append("web/src/generated/api.ts is not what openapi-typescript makes of "
                        "src/http/openapi.json: run `npm run gen:types` in web/ "
                        f"({(check.stdout + check.stderr).strip()[-300:]})")
    else:
        print("generated_test: web/src/generated/api.ts matches src/http/openapi.json")
else:
    print("generated_test: web/node_modules is not installed: api.ts not checked here "
          "(`npm run build` checks it)")

for problem in problems:
    print("FAIL:", problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"generated_test: texts.json is `texts --json` ({len(texts['reasons'])} reasons, "
      f"{len(texts['problems'])} problems, kk/ru/en), codes as in openapi.json, "
      f"no copy in {len(sources)} web sources")
