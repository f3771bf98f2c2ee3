#!/usr/bin/env python3
"""Issue 23, point 7: audit entries and decisions form a hash chain that anyone can check.

    audit_chain_test.py path/to/emkhana

A server decides applications and answers reads; then `emkhana audit verify --db DB` finds the
trail intact (exit 0, with its head). On copies of the database, the owner lifts the append-only
triggers and edits an entry, deletes one, swaps two, edits a decision, slips in a decision, or
cuts entries off the end: verify exits 1 and names the first entry (or decision) that is wrong;
a cut end is found against the head an earlier verify printed (--anchor).
"""
import os
import re
import shutil
import sqlite3
import time

from harness import Server, check, done, run

srv = Server(population=20000).start()
admin = srv.token("admin", "ops")
operator = srv.token("operator", "OP-1@CON-ALA-1")
iins = srv.sample(60)
orgs = [o for (o,) in srv.sql("SELECT id FROM organisation ORDER BY id LIMIT 3")]
for i, iin in enumerate(iins[:40]):
    st = srv.request("POST", "/api/v1/applications",
                     {"iin": iin, "org": orgs[i % len(orgs)], "channel": "service_centre",
                      "basis": "free_choice", "consent": True}, tok=operator)[0]
    check(st == 200, f"an application is decided: {st}")
for iin in iins[40:]:
    srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=admin)
time.sleep(0.6)  # reads reach the trail with the pipeline's next batch
check(srv.stop() == 0, "the server stops")

ok = run("audit", "verify", "--db", srv.db, check_rc=False)
check(ok.returncode == 0 and "intact" in ok.stdout, f"the trail is intact: {ok.stdout}{ok.stderr}")
head = re.search(r"head: (\d+):([0-9a-f]{64})", ok.stdout)
check(head is not None, f"verify prints the head to anchor: {ok.stdout}")
decisions = int(re.search(r"(\d+) decisions", ok.stdout).group(1))
check(decisions >= 40, f"every decision is vouched for: {ok.stdout}")
rows = srv.sql("SELECT seq, action FROM audit_log ORDER BY seq")
check(all(h for (h,) in srv.sql("SELECT hash FROM audit_log")), "every entry has its hash")
check(any(a.startswith("read ") for _, a in rows), "reads are in the chain too")
mid = rows[len(rows) // 2][0]
nxt = rows[len(rows) // 2 + 1][0]
app_id = srv.sql("SELECT id FROM application ORDER BY rowid DESC LIMIT 1")[0][0]


def tampered(name, *statements):
    """A copy of the database with `statements` run by its owner, triggers lifted."""
    path = f"{srv.tmp}/{name}.db"
    shutil.copy(srv.db, path)
    for suffix in ("-wal", "-shm"):  # what is not checkpointed into the file yet
        if os.path.exists(srv.db + suffix):
            shutil.copy(srv.db + suffix, path + suffix)
    with sqlite3.connect(path) as db:
        for trigger in ("audit_log_no_update", "audit_log_no_delete", "application_no_update",
                        "application_no_delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for sql in statements:
            db.execute(sql)
    return path


def broken(path, want, *more):
    p = run("audit", "verify", "--db", path, *more, check_rc=False)
    check(p.returncode == 1, f"{path}: verify exits 1: {p.returncode} {p.stdout}{p.stderr}")
    check(want in p.stdout, f"{path}: the report names {want!r}: {p.stdout}")
    return p.stdout


broken(tampered("edited", f"UPDATE audit_log SET detail = 'nothing' WHERE seq = {mid}"),
       f"entry {mid}: its contents do not match")
broken(tampered("actor", f"UPDATE audit_log SET actor = 'admin:x' WHERE seq = {mid}"),
       f"entry {mid}:")
broken(tampered("deleted", f"DELETE FROM audit_log WHERE seq = {mid}"),
       f"entry {nxt}: does not follow")
# Two entries swapped, hashes and all: each still matches itself, not its place.
cols = "at, actor, channel, action, subject, detail, policy_version, ref, prev_hash, hash"
broken(tampered("reordered",
                f"CREATE TEMP TABLE a AS SELECT {cols} FROM audit_log WHERE seq = {mid}",
                f"CREATE TEMP TABLE b AS SELECT {cols} FROM audit_log WHERE seq = {nxt}",
                f"UPDATE audit_log SET ({cols}) = (SELECT {cols} FROM b) WHERE seq = {mid}",
                f"UPDATE audit_log SET ({cols}) = (SELECT {cols} FROM a) WHERE seq = {nxt}"),
       f"entry {mid}: does not follow")
broken(tampered("decision", f"UPDATE application SET decide_by = '2031-01-01' WHERE id = '{app_id}'"),
       f"decision {app_id} differs")
broken(tampered("decision_gone", f"DELETE FROM application WHERE id = '{app_id}'"),
       f"decision {app_id} is gone")
cut = tampered("cut", f"DELETE FROM audit_log WHERE seq > {rows[-3][0]}")
p = run("audit", "verify", "--db", cut, check_rc=False)
check(p.returncode == 0, "entries cut off the end leave no break in the chain by themselves")
broken(cut, f"entry {head.group(1)}: the anchored entry is gone", "--anchor",
       f"{head.group(1)}:{head.group(2)}")
p = run("audit", "verify", "--db", srv.db, "--anchor", f"{head.group(1)}:{head.group(2)}",
        check_rc=False)
check(p.returncode == 0, f"the untouched trail holds its anchor: {p.stdout}")
p = run("audit", "verify", "--db", srv.db, "--anchor", "nonsense", check_rc=False)
check(p.returncode == 2, "a malformed anchor is a usage error")
done("audit_chain_test")
