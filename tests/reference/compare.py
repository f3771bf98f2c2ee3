#!/usr/bin/env python3
"""Compare two replay outputs line by line, semantically (JSON objects, key order ignored).

    python3 compare.py SCENARIO BINARY_OUT MODEL_OUT

Exit 0 when equal; else prints the first differing line of both (with the scenario step that
produced it) and exits 1.
"""
import json
import sys


def load(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                out.append((json.loads(line), line))
            except json.JSONDecodeError:
                out.append((None, line))
    return out


def output_steps(scenario):
    steps = []
    with open(scenario, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            try:
                step = json.loads(s)
            except json.JSONDecodeError:
                continue
            if step.get("op") in ("apply", "query"):
                steps.append((lineno, s))
    return steps


def main():
    scenario, bin_out, model_out = sys.argv[1:4]
    a, b = load(bin_out), load(model_out)
    steps = output_steps(scenario)
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else (None, "<missing>")
        y = b[i] if i < len(b) else (None, "<missing>")
        if x[0] is None or y[0] is None or x[0] != y[0]:
            where = f"line {steps[i][0]}: {steps[i][1]}" if i < len(steps) else "?"
            print(f"  step   {where}")
            print(f"  binary {x[1]}")
            print(f"  model  {y[1]}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
