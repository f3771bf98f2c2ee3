#!/usr/bin/env python3
"""Issue 23, point 11: a full disk. Against a real server whose registry sits on a small tmpfs.

    faults_test.py path/to/emkhana      (as root: it mounts a tmpfs)

- writes refused while the disk is full are 503 problems, never a false acknowledgement;
- /healthz and /readyz fail once the store has failed (for two seconds, for balancers to see);
- the server then stops by itself with a clear message and exit code 75 (EX_TEMPFAIL), for a
  supervisor to restart it;
- once space is freed, a restart serves again: every acknowledged decision is there, and the
  database passes SQLite's integrity check.
"""
import os
import subprocess
import time

from harness import BIN, Server, check, done, fail

if os.geteuid() != 0:
    fail("this test mounts a tmpfs: run it as root (CI does)")
DAY = "2026-09-20"
base = Server(generate=False)
disk = os.path.join(base.tmp, "disk")
os.makedirs(disk)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk], check=True)
try:
    srv = Server(as_of=DAY, population=8000, db=os.path.join(disk, "r.db"))
    srv.args += ["--as-of", DAY]
    srv.start()
    operator = srv.token("operator", "OP-1@CON-1")
    people = srv.sample(300, seed=2)
    orgs = [r[0] for r in srv.sql("SELECT id FROM organisation ORDER BY id")]

    def apply(i):
        return srv.request("POST", "/api/v1/applications",
                           {"iin": people[i % len(people)], "org": orgs[i % len(orgs)],
                            "channel": "service_centre", "basis": "free_choice",
                            "consent": True}, tok=operator)

    acked = []
    for i in range(20):
        st, _, d, _, _ = apply(i)
        check(st == 200, f"before the disk fills: {st} {d}")
        acked.append(d)
    # Fill the disk to the last block.
    filler = os.path.join(disk, "filler")
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    subprocess.run(["fallocate", "-l", str(free), filler], check=True)
    refused = None
    for i in range(20, 2000):
        try:
            st, _, d, _, _ = apply(i)
        except OSError:
            break  # the server stopped meanwhile
        if st == 200:
            acked.append(d)
            continue
        check(st == 503 and d["code"] == "unavailable", f"a write on a full disk: {st} {d}")
        refused = d
        break
    check(refused is not None, "a write was refused once the disk was full")
    # The server answers 503 to its health checks for two seconds, then stops.
    for path in ("/healthz", "/readyz"):
        st, _, p, _, _ = srv.request("GET", path)
        check(st == 503 and p["code"] == "unavailable", f"{path} once the store failed: {st}")
    try:
        srv.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        fail("the server kept running with a failed store")
    log = open(srv.log).read()
    check(srv.proc.returncode == 75, f"exit code 75 (EX_TEMPFAIL): {srv.proc.returncode}")
    check("store failed" in log, f"a clear message: {log[-600:]}")
    # Space freed: the registry opens, serves, and kept every acknowledged decision.
    os.remove(filler)
    srv.start()
    admin = srv.token("admin", "ops")
    for d in acked:
        st, _, got, _, _ = srv.request("GET", f"/api/v1/applications/{d['id']}", tok=admin)
        check(st == 200 and got["decision"] == d["decision"], f"{d['id']} kept: {st}")
    st, _, d, _, _ = apply(5000)
    check(st == 200, f"writes again after a restart: {st} {d}")
    check(srv.stop() == 0, "the server stops")
    p = subprocess.run(["sqlite3", srv.db, "PRAGMA integrity_check"], capture_output=True,
                       text=True)
    ok = p.stdout.strip()
    check(ok == "ok", f"integrity check: {ok[:200]} {p.stderr[:300]}")
finally:
    subprocess.run(["umount", "-l", disk])
done("faults_test")
