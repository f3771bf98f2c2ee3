#!/usr/bin/env python3
"""Picks the people and places the browser tests need from a generated registry.

Districts and free places come from the API (the source of truth for "free"); people who are
attached nowhere are found in the SQLite file (read only), then checked through the API.
Prints one JSON object:
  full:      an adult district at or over capacity, its organisation, unit and the open
             organisations of that unit with adult places (the expected alternatives);
  newcomer:  an unattached adult citizen living in that unit (applies first to the full district);
  parent:    a demo citizen with a child (applies for the child);
  registrar: a demo registrar's organisation and an unattached pensioner of its unit.
"""
import argparse
import datetime
import json
import sqlite3
import sys
import urllib.request

ADULT_KINDS = ("gp", "therapist")


def api(base, path, body=None, token=None):
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET")
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, data, timeout=30) as reply:
        return json.load(reply)


def adult_room(org):
    return sum(max(0, d["free"] or 0) for d in org["districts"] if d["kind"] in ADULT_KINDS)


def unattached(db, ate, today, min_age, max_age, limit=40):
    young = (today.replace(year=today.year - min_age)).isoformat()
    old = (today.replace(year=today.year - max_age)).isoformat()
    return [row[0] for row in db.execute(
        """SELECT p.iin FROM person p
           WHERE p.ate_residence = ?1 AND p.ate_registration = ?1 AND p.status = 'citizen'
             AND p.deceased IS NULL AND p.birth <= ?2 AND p.birth >= ?3
             AND NOT EXISTS (SELECT 1 FROM attachment a WHERE a.iin = p.iin
                             AND (a.valid_to IS NULL OR a.valid_to >= ?4))
           ORDER BY p.iin LIMIT ?5""",
        (ate, young, old, today.isoformat(), limit))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    today = datetime.date.today()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    accounts = api(args.url, "/api/v1/demo/accounts")
    admin = api(args.url, "/api/v1/demo/sign-in", {"role": "admin", "subject": "web-tests"})["token"]

    result = {}
    for region in accounts["regions"]:
        orgs = api(args.url, f"/api/v1/organisations?region={region['code']}")["organisations"]
        for org in orgs:
            if not org["open"]:
                continue
            full = [d for d in org["districts"] if d["kind"] in ADULT_KINDS and (d["free"] or 0) <= 0]
            alternatives = [o["id"] for o in orgs
                            if o["id"] != org["id"] and o["ate"] == org["ate"] and o["open"] and adult_room(o) > 0]
            if not full or not alternatives:
                continue
            for iin in unattached(db, org["ate"], today, 25, 55):
                where = api(args.url, f"/api/v1/persons/{iin}/attachment", token=admin)
                if where.get("org") is None and not where.get("pending"):
                    result["full"] = {"org": org["id"], "district": full[0]["id"], "ate": org["ate"],
                                      "alternatives": alternatives}
                    result["newcomer"] = iin
                    break
            if "full" in result:
                break
        if "full" in result:
            break

    parents = [c for c in accounts["citizens"] if c["children"]]
    if parents:
        result["parent"] = {"iin": parents[0]["iin"], "child": parents[0]["children"][0]}

    for registrar in accounts["registrars"]:
        for iin in unattached(db, registrar["ate"], today, 66, 85):
            person = api(args.url, f"/api/v1/persons/{iin}", token=admin)
            if "pensioner" in (person.get("categories") or []):
                result["registrar"] = {"org": registrar["org"], "pensioner": iin}
                break
        if "registrar" in result:
            break

    missing = [key for key in ("full", "newcomer", "parent", "registrar") if key not in result]
    if missing:
        print(f"fixtures: the registry lacks {', '.join(missing)}", file=sys.stderr)
        print(json.dumps(result), file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
