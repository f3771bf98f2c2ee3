#!/usr/bin/env python3
"""Issue 23, point 11: a restart needs no more free space than the decision journal itself.

    journal_space_test.py path/to/emkhana      (as root: it mounts a tmpfs)

On SQLite a decision is durable in a journal and written into the tables later (ADR 0007). The
tables take several times the journal's bytes, so a restart that first wrote the journal into
them could not open a registry on a nearly full disk (ADR 0021). Here a server, then a campaign,
are killed with their decisions in the journal only; the registry is copied to a tmpfs whose free
space is the journal's size and a little more; and:
- the server starts there, answers every decision it acknowledged (GET, as an admin), and a
  client's retry with the same Idempotency-Key gets the same application, though the journal
  cannot be written into the tables there;
- it stops cleanly, and the database passes SQLite's integrity check;
- on a larger disk the journal reaches the tables: every decision, acknowledged or counted by
  the campaign, is there.
"""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
from contextlib import closing

from harness import BIN, Server, check, done, fail, run

if os.geteuid() != 0:
    fail("this test mounts a tmpfs: run it as root (CI does)")
DAY = "2026-09-20"
# Free space beyond the journal's size: SQLite's WAL index (-shm: 32 KiB per 4 096 frames of the
# WAL, made again on opening) and the audit entries that the reads below commit.
MARGIN = 256 * 1024


def read_only(db):
    """A connection that writes nothing, not even a checkpoint when it closes."""
    return closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True))


# 1. A server acknowledges decisions, then is killed: they are in the journal only.
srv = Server(as_of=DAY, population=20000)
srv.args += ["--as-of", DAY]
generated = srv.sql("SELECT count(*) FROM application")[0][0]
srv.start()
operator = srv.token("operator", "OP-1@CON-1")
admin = srv.token("admin", "ops")
people = srv.sample(300, seed=4)
orgs = [r[0] for r in srv.sql("SELECT id FROM organisation ORDER BY id")]


def apply(i, key=None):
    return srv.request("POST", "/api/v1/applications",
                       {"iin": people[i % len(people)], "org": orgs[i % len(orgs)],
                        "channel": "service_centre", "basis": "free_choice", "consent": True},
                       tok=operator, headers={"Idempotency-Key": key} if key else None)


acked = []
for i in range(200):
    st, _, d, _, _ = apply(i, key=f"k-{i}" if i < 20 else None)
    check(st == 200, f"decided: {st} {d}")
    acked.append(d)
srv.stop(signal.SIGKILL)

# 2. A campaign decides many more, and is killed as soon as they are durable (before it writes
# the journal into the tables).
camp = subprocess.Popen([BIN, "campaign", "--db", srv.db, "--applications", "30000"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
line = camp.stdout.readline()
camp.kill()
camp.wait()
m = re.match(r"campaign \d+: (\d+) decisions in", line)
if not m:
    fail(f"the campaign did not decide: {line!r}")
campaign_decided = int(m.group(1))

with read_only(srv.db) as db:
    journal, records = db.execute(
        "SELECT coalesce(sum(length(body)), 0), count(*) FROM decision_journal").fetchone()
    in_tables = db.execute("SELECT count(*) FROM application").fetchone()[0]
check(journal > 4 << 20, f"a sizeable journal: {journal} bytes in {records} records")
print(f"journal: {journal} bytes in {records} records; {in_tables} applications in the tables")

# 3. The registry on a disk with the journal's size free, and a little more.
disk = os.path.join(srv.tmp, "disk")
os.makedirs(disk)
files = [f for f in (srv.db, srv.db + "-wal", srv.db + ".secret") if os.path.exists(f)]
used = sum(-(-os.path.getsize(f) // 4096) * 4096 for f in files)
room = (journal + MARGIN) // 4096 * 4096  # tmpfs counts whole pages
subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={used + room}", "tmpfs", disk], check=True)
try:
    for f in files:
        shutil.copy2(f, disk)
    fs = os.statvfs(disk)
    free = fs.f_bavail * fs.f_frsize
    check(free <= journal + MARGIN, f"free space {free} > journal {journal} + {MARGIN}")
    print(f"restart with {free} bytes free")
    tight = Server(generate=False, db=os.path.join(disk, os.path.basename(srv.db)))
    tight.args += ["--as-of", DAY]
    tight.start()  # fails the test unless it listens
    for d in acked:
        st, _, got, _, _ = tight.request("GET", f"/api/v1/applications/{d['id']}", tok=admin)
        check(st == 200 and got["decision"] == d["decision"], f"{d['id']} kept: {st} {got}")
    # A retry finds its decision (from the journal), rather than deciding again.
    for i in range(0, 20, 5):
        st, _, again, _, _ = tight.request(
            "POST", "/api/v1/applications",
            {"iin": people[i % len(people)], "org": orgs[i % len(orgs)],
             "channel": "service_centre", "basis": "free_choice", "consent": True},
            tok=operator, headers={"Idempotency-Key": f"k-{i}"})
        check(st == 200 and again["id"] == acked[i]["id"] and
              again["decision"] == acked[i]["decision"], f"retry k-{i}: {st} {again}")
    check(tight.stop() == 0, "the server stops")
    ok = subprocess.run(["sqlite3", tight.db, "PRAGMA integrity_check"], capture_output=True,
                        text=True).stdout.strip()
    check(ok == "ok", f"integrity check: {ok[:200]}")
    # 4. On a larger disk the journal reaches the tables: nothing was lost.
    big = os.path.join(srv.tmp, "big")
    os.makedirs(big)
    for f in os.listdir(disk):
        if f.startswith(os.path.basename(srv.db)) and not f.endswith("-shm"):
            shutil.copy2(os.path.join(disk, f), big)
finally:
    subprocess.run(["umount", "-l", disk])
moved = os.path.join(big, os.path.basename(srv.db))
run("init", "--db", moved)  # opens the registry, and counts: a read of the tables
with read_only(moved) as db:
    left = db.execute("SELECT count(*) FROM decision_journal").fetchone()[0]
    stored = db.execute("SELECT count(*) FROM application").fetchone()[0]
    ids = {r[0] for r in db.execute("SELECT id FROM application")}
check(left == 0, f"the journal reached the tables: {left} records left")
check(all(d["id"] in ids for d in acked), "every acknowledged decision is in the tables")
check(stored == generated + len(acked) + campaign_decided,
      f"{stored} applications stored: {generated} generated, {len(acked)} acknowledged, "
      f"{campaign_decided} by the campaign")
done("journal_space_test")
