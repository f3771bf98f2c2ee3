#!/usr/bin/env python3
"""Issue 23, point 7: every read of personal data is recorded before the data leaves, or the
reply is not sent; a panel read is one record per person on it.

    read_audit_test.py path/to/emkhana      (as root: part 3 mounts a tmpfs)

1. strace kills the server as it enters the system call that would send a reply: after a
   restart, that read is in the audit trail (it was recorded before the reply was sent).
2. kill -9 right after a burst of reads: after a restart, every read answered 200 is in the
   audit trail, exactly once.
3. A spool on a full disk: reads are refused with 503 `audit_unavailable` (no data); once space
   is freed they are answered again.
4. A registrar's panel read is recorded once per person on it, and shows in that person's
   access log.
"""
import http.client
import os
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from harness import BIN, Server, check, done, expect_problem, fail

if not shutil.which("strace"):
    fail("strace is needed (scripts/setup installs it)")
if os.geteuid() != 0:
    fail("part 3 mounts a tmpfs: run it as root (CI does)")
srv = Server(population=20000)
people = srv.sample(300, seed=4)


def hexed(text):
    return "".join(f"\\x{b:02x}" for b in text.encode())


def read_all(tok, iins, workers=8):
    def one(iin):
        try:
            return iin, srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=tok)[0]
        except OSError:
            return iin, None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, iins))


# ---------------------------------------------------------------- 1. recorded, then replied
# strace kills the server as it enters the system call that would send the Nth reply (sendmsg):
# that reply never leaves. Its read must be in the trail after a restart all the same, which
# it can be only if it was recorded before the reply was being sent.
N = 25
srv.log = os.path.join(srv.tmp, "serve.log")
proc = subprocess.Popen(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=sendmsg",
                         "-e", f"inject=sendmsg:signal=KILL:when={N}",
                         BIN, "serve", "--db", srv.db, "--port", "0"],
                        stdout=subprocess.PIPE, stderr=open(srv.log, "a"), text=True)
line = proc.stdout.readline()
check("listening on" in line, "the server started under strace: " + line + open(srv.log).read())
srv.port = int(line.rsplit(":", 1)[1].strip().strip("/"))
admin = srv.token("admin", "ops-trace")
answered, unanswered = [], None
for iin in people[:N + 5]:
    try:
        st = srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=admin)[0]
        check(st == 200, f"a read is answered: {st}")
        answered.append(iin)
    except (OSError, http.client.HTTPException):
        unanswered = iin
        break
proc.wait(timeout=60)
check(len(answered) == N - 1 and unanswered == people[N - 1],
      f"the server died sending reply {N}: {len(answered)} answered")
srv.start()
time.sleep(0.6)
check(srv.stop() == 0, "the server stops")
check(subprocess.run([BIN, "audit", "verify", "--db", srv.db], capture_output=True).returncode == 0,
      "the trail verifies")
traced = {r[0] for r in srv.sql("SELECT subject FROM audit_log WHERE actor = 'admin:ops-trace'")}
check(unanswered in traced, "the read whose reply never left was recorded before it")
check(all(iin in traced for iin in answered), "every answered read is recorded")
print(f"part 1: the read whose reply was cut off, and the {len(answered)} before it, recorded")

# ---------------------------------------------------------------- 2. kill -9 after the replies
srv.start()
killer = srv.token("admin", "ops-kill")
replies = read_all(killer, people[100:300], workers=16)
srv.proc.send_signal(signal.SIGKILL)  # at once: the 20 ms commit of reads has had no chance
srv.proc.wait(timeout=30)
served = {iin for iin, st in replies if st == 200}
check(len(served) >= 150, f"most reads were answered before the kill: {len(served)}")
srv.start()  # hands the spool's records to the trail
time.sleep(0.6)
check(srv.stop() == 0, "the server stops")


def settled():
    """The trail as a whole in its table (a CLI that reads it applies the decision journal)."""
    p = subprocess.run([BIN, "audit", "verify", "--db", srv.db], capture_output=True, text=True)
    check(p.returncode == 0, f"the trail verifies: {p.stdout}{p.stderr}")


settled()
rows = srv.sql("SELECT subject, count(*) FROM audit_log WHERE actor = 'admin:ops-kill' "
               "GROUP BY subject")
counts = dict(rows)
missing = [iin for iin in served if counts.get(iin, 0) == 0]
check(not missing, f"{len(missing)} answered reads are not in the trail: {missing[:3]}")
check(all(n == 1 for n in counts.values()), f"each read once: {[r for r in rows if r[1] != 1][:3]}")
print(f"part 2: {len(served)} reads answered before kill -9, all in the trail once")

# ---------------------------------------------------------------- 3. a spool on a full disk
disk = os.path.join(srv.tmp, "spool")
os.makedirs(disk)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk], check=True)
try:
    srv.start("--read-spool", os.path.join(disk, "r"))
    full = srv.token("admin", "ops-full")
    st = srv.request("GET", f"/api/v1/persons/{people[0]}/attachment", tok=full)[0]
    check(st == 200, f"a read with room on the disk: {st}")
    filler = os.path.join(disk, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    os.close(fd)
    # The spool file's last page may still have room for a few records; then refusals.
    answered_full = {people[0]}
    refused = None
    for iin in people[1:150]:
        reply = srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=full)
        if reply[0] == 200:
            answered_full.add(iin)
            continue
        refused = reply
        break
    check(refused is not None, "reads are refused once the spool's disk is full")
    expect_problem(refused, 503, "audit_unavailable", "a read that cannot be recorded")
    check(b'"org"' not in refused[3], "no data of the person in the refusal")
    other = srv.request("GET", f"/api/v1/persons/{people[200]}", tok=full)
    check(other[0] == 503, f"every personal read is refused: {other[0]}")
    os.remove(filler)
    time.sleep(0.1)
    st = srv.request("GET", f"/api/v1/persons/{people[201]}/attachment", tok=full)[0]
    check(st == 200, f"reads are answered again once space is freed: {st}")
    answered_full.add(people[201])
    check(srv.request("GET", "/healthz")[0] == 200, "the server is healthy throughout")
    time.sleep(0.6)
    check(srv.stop() == 0, "the server stops")
finally:
    subprocess.run(["umount", "-l", disk])
settled()
full_rows = srv.sql("SELECT subject FROM audit_log WHERE actor = 'admin:ops-full'")
check(sorted(r[0] for r in full_rows) == sorted(answered_full),
      f"exactly the answered reads are in the trail: {len(full_rows)} rows for "
      f"{len(answered_full)} answered")

# ---------------------------------------------------------------- 4. a panel, person by person
srv.start()
district, org = srv.sql("SELECT d.id, d.org FROM district d JOIN attachment a "
                        "ON a.district = d.id GROUP BY d.id ORDER BY count(*) DESC LIMIT 1")[0]
registrar = srv.token("registrar", org)
st, _, panel, _, _ = srv.request("GET", f"/api/v1/districts/{district}/panel", tok=registrar)
check(st == 200 and len(panel["members"]) > 10, f"the panel is read: {st}")
time.sleep(0.6)
check(srv.stop() == 0, "the server stops")
settled()
members = panel["members"]
recorded = srv.sql("SELECT subject FROM audit_log WHERE actor = ? AND action LIKE '%/panel'",
                   f"registrar:{org}")
subjects = [r[0] for r in recorded]
check(sorted(subjects) == sorted(members + [district]),
      f"one record per person on the panel and one for the district: {len(subjects)} for "
      f"{len(members)} members")
member = members[0]
srv.start()
cit = srv.token("citizen", member)
st, _, log, _, _ = srv.request("GET", f"/api/v1/persons/{member}/access-log", tok=cit)
check(st == 200 and any(e["role"] == "registrar" and "panel" in e["what"] for e in log["entries"]),
      f"the panel read shows in the person's access log: {log}")
check(srv.stop() == 0, "the server stops")
done("read_audit_test")
