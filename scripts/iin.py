#!/usr/bin/env python3
"""Makes synthetic valid IINs for hand-written scenarios: iin.py YYMMDD CENTURY_SEX SERIAL."""
import sys


def check_digit(first11):
    d = [int(c) for c in first11]
    r = sum(x * (i + 1) for i, x in enumerate(d)) % 11
    if r == 10:
        w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        r = sum(x * wi for x, wi in zip(d, w)) % 11
    return None if r == 10 else r


def make(yymmdd, cs, serial):
    for s in range(int(serial), int(serial) + 100):
        prefix = f"{yymmdd}{cs}{s:04d}"
        c = check_digit(prefix)
        if c is not None:
            return prefix + str(c)
    raise SystemExit("no IIN")


if __name__ == "__main__":
    print(make(sys.argv[1], sys.argv[2], sys.argv[3]))
