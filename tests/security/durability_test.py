#!/usr/bin/env python3
"""Issue 23, point 6: an acknowledged decision is on disk. Against a real server, on SQLite.

    durability_test.py path/to/emkhana

1. From the system calls (strace -f): every decision answered 200 was written to the WAL, and
   the WAL was synced (fsync/fdatasync) after that write and before the reply was written to
   the socket. With `synchronous=NORMAL` the WAL is synced only at checkpoints, and this fails.
2. kill -9 during a stream of applications: after a restart every acknowledged decision is
   there, with the same outcome, and every approval shows in the person's attachment.
"""
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness import BIN, Server, check, done, fail

DAY = "2026-09-20"
if not shutil.which("strace"):
    fail("strace is needed (scripts/setup installs it)")
srv = Server(as_of=DAY, population=20000)
srv.args += ["--as-of", DAY, "--threads", "2"]
people = srv.sample(400, seed=3)
trace = os.path.join(srv.tmp, "serve.strace")


def body(iin, org):
    return {"iin": iin, "org": org, "channel": "service_centre", "basis": "free_choice",
            "consent": True}


# Everyone applies to one organisation of their own unit's: approvals and refusals both count.
orgs = [r[0] for r in srv.sql("SELECT id FROM organisation ORDER BY id")]


def submit_all(tok, iins, workers=16):
    def one(i_iin):
        i, iin = i_iin
        try:
            st, _, d, _, _ = srv.request("POST", "/api/v1/applications",
                                         body(iin, orgs[i % len(orgs)]), tok=tok)
            return (st, d)
        except OSError:
            return (None, None)  # the server died under us (part 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, enumerate(iins)))


# ---------------------------------------------------------------- 1. synced before replied
srv.proc = None
strace_cmd = ["strace", "-f", "-qq", "-o", trace, "-s", "70000", "-xx",
              "-e", "trace=openat,close,pwrite64,write,writev,sendmsg,sendto,fsync,fdatasync"]
# Server.start runs BIN; run it under strace instead, the same way.
import subprocess as sp
srv.log = os.path.join(srv.tmp, "serve.log")
proc = sp.Popen(strace_cmd + [BIN, "serve", "--db", srv.db, "--port", "0", *srv.args],
                stdout=sp.PIPE, stderr=open(srv.log, "a"), text=True)
line = proc.stdout.readline()
check("listening on" in line, "the server started under strace: " + line + open(srv.log).read())
srv.port = int(line.rsplit(":", 1)[1].strip().strip("/"))
srv.proc = proc
operator = srv.token("operator", "OP-1@CON-1")
answers = submit_all(operator, people[:120])
acked = [d["id"] for st, d in answers if st == 200]
check(len(acked) == 120, f"every application answered: {[a for a in answers if a[0] != 200][:3]}")
# SIGTERM to the server itself (strace's child), then strace ends with it.
child = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()[0]
os.kill(int(child), signal.SIGTERM)
proc.wait(timeout=120)
srv.proc = None


def hexed(text):
    return "".join(f"\\x{b:02x}" for b in text.encode())


wal_fds = {}  # pid-independent: fds are per process, and the server is one process
events = []   # (index, kind, fd, text)
pending = {}  # pid -> (syscall, fd, start index) of an unfinished call
call = re.compile(r"^(\d+) +(\w+)\((\d+)?")
resumed = re.compile(r"^(\d+) +<\.\.\. (\w+) resumed>")
with open(trace, errors="replace") as f:
    for index, text in enumerate(f):
        m = resumed.match(text)
        if m:
            pid, name = m.group(1), m.group(2)
            start = pending.pop(pid, None)
            if start and name in ("fsync", "fdatasync"):
                events.append((index, "sync", start[1], ""))
            continue
        m = call.match(text)
        if not m:
            continue
        pid, name, fd = m.group(1), m.group(2), m.group(3)
        if name == "openat":
            fdm = re.search(r"= (\d+)$", text.strip())
            if hexed("-wal") + '"' in text and fdm:
                wal_fds[fdm.group(1)] = True
            continue
        if name == "close" and fd in wal_fds:
            wal_fds.pop(fd, None)
            continue
        unfinished = "<unfinished ...>" in text
        if name in ("fsync", "fdatasync"):
            if fd in wal_fds:
                if unfinished:
                    pending[pid] = (name, fd, index)
                else:
                    events.append((index, "sync", fd, ""))
        elif name == "pwrite64" and fd in wal_fds:
            events.append((index, "wal", fd, text))
        elif name in ("writev", "write", "sendmsg", "sendto") and fd not in wal_fds:
            events.append((index, "reply", fd, text))

check(any(k == "sync" for _, k, _, _ in events), "the WAL is synced at all")
unlocated = 0
for app_id in acked:
    h = hexed(app_id)
    wal = next((i for i, k, _, t in events if k == "wal" and h in t), None)
    reply = next((i for i, k, _, t in events if k == "reply" and h in t and
                  hexed("HTTP/1.1 200") in t), None)
    check(reply is not None, f"{app_id}: its reply is in the trace")
    if wal is None:
        unlocated += 1  # its bytes split over two pages: nothing to compare
        continue
    synced = any(k == "sync" and wal < i < reply for i, k, _, _ in events)
    check(synced, f"{app_id}: replied (line {reply}) before the WAL write of it (line {wal}) "
                  f"was synced")
check(unlocated <= len(acked) // 10, f"{unlocated} decisions not found in the WAL writes")
print(f"part 1: {len(acked) - unlocated} decisions synced before their reply "
      f"({unlocated} not located)")

# ---------------------------------------------------------------- 2. kill -9 under load
srv.args = [a for a in srv.args]
srv.start()
stream = people[120:400]
acked, lock = [], threading.Lock()


def keep_applying(worker):
    # Until the server dies: each worker goes round its share of the people.
    n = worker
    while True:
        iin = stream[n % len(stream)]
        try:
            st, _, d, _, _ = srv.request("POST", "/api/v1/applications",
                                         body(iin, orgs[n % len(orgs)]), tok=operator)
        except OSError:
            return
        if st == 200:
            with lock:
                acked.append((iin, d))
        n += 8


workers = [threading.Thread(target=keep_applying, args=(w,)) for w in range(8)]
for w in workers:
    w.start()
time.sleep(2.0)
srv.proc.send_signal(signal.SIGKILL)
for w in workers:
    w.join(timeout=60)
srv.proc.wait(timeout=30)
check(srv.proc.returncode == -signal.SIGKILL, f"killed: {srv.proc.returncode}")
check(len(acked) >= 10, f"some decisions were acknowledged before the kill: {len(acked)}")
srv.start()
admin = srv.token("admin", "ops")
for iin, d in acked:
    st, _, got, _, _ = srv.request("GET", f"/api/v1/applications/{d['id']}", tok=admin)
    check(st == 200 and got["decision"] == d["decision"], f"{d['id']} survives kill -9: {st}")
    newest = srv.request("GET", f"/api/v1/applications?iin={iin}&limit=1", tok=admin)[2]
    # Only the person's newest decision (one stored but not acknowledged may follow) shows.
    if d["decision"] == "approved" and newest["applications"][0]["id"] == d["id"]:
        st, _, att, _, _ = srv.request("GET", f"/api/v1/persons/{iin}/attachment"
                                       f"?date={d['effective']}", tok=admin)
        check(att["org"] == d["org"] and att["district"] == d["district"],
              f"{iin}: the approval is in the attachment: {att}")
print(f"part 2: {len(acked)} acknowledged decisions, all there after kill -9")
check(srv.stop() == 0, "the server stops")
done("durability_test")
