#!/usr/bin/env python3
"""Two `emkhana serve` processes writing one PostgreSQL database (ADR 0006), one of them reading
through a streaming replica (standard library only).

    two_servers_test.py path/to/emkhana

Needs EMKHANA_TEST_PG_URL (tests/pg/with_postgres.sh) and EMKHANA_TEST_PG_REPLICA_URL, a hot
standby of that server (tests/pg/with_replica.sh). Generates a small registry into a new
database of the primary, adds an empty GP district with exactly 20 places, and starts server A
on the primary and server B on the primary with --read-db on the replica. Then:
  - 200 concurrent applications to that district (a change of doctor within the people's own
    organisation, effective at once), spread over both servers: exactly 20 approved, the others
    refused `capacity_exceeded`, every request answered with a decision, every approval stored,
    nobody with two attachments on one day (SQL on the primary);
  - each server reads the approvals the other one made (GET .../attachment) within a bounded
    wait, B through the replica and its change log; and since one server may win the whole
    rush, one more approval through each (into a second district) is read through the other;
  - one Idempotency-Key sent to both servers at once, and again one after the other: one
    application, one decision;
  - SIGTERM: both servers stop cleanly.
Exit 0 when everything holds; the first failure is printed and exits 1.
"""
import atexit
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

BIN = sys.argv[1]
PRIMARY = os.environ.get("EMKHANA_TEST_PG_URL", "")
REPLICA = os.environ.get("EMKHANA_TEST_PG_REPLICA_URL", "")
if not PRIMARY or not REPLICA:
    print("two_servers_test.py: EMKHANA_TEST_PG_URL and EMKHANA_TEST_PG_REPLICA_URL are needed "
          "(tests/pg/with_postgres.sh tests/pg/with_replica.sh ...)", file=sys.stderr)
    sys.exit(2)
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
TMP = tempfile.mkdtemp(prefix="emkhana-two-")
atexit.register(lambda: shutil.rmtree(TMP, ignore_errors=True))
DATABASE = f"two_{os.getpid()}_{int(time.time())}"
DB = PRIMARY.rsplit("/", 1)[0] + "/" + DATABASE
READ_DB = REPLICA.rsplit("/", 1)[0] + "/" + DATABASE
SECRET = ["--secret", os.path.join(TMP, "token.secret")]
DAY = "2026-11-23"  # a Monday, after the generated registry's story
DISTRICT = "TWO-G1"
SPARE = "TWO-G2"  # room for one approval through each server after the rush
PLACES = 20
APPLICATIONS = 200
WAIT = 15  # seconds at most for a server to see another's decision
checks = 0


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        fail(message)


def psql(url, query):
    """Rows of a query (tab-separated text)."""
    out = subprocess.run([PSQL, url, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


psql(PRIMARY, f"CREATE DATABASE {DATABASE}")
# Registered first, so run last (atexit is LIFO): after the servers are stopped.
atexit.register(lambda: subprocess.run(
    [PSQL, PRIMARY, "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"],
    capture_output=True))
run("generate", "--db", DB, "--population", "20000", "--seed", "5", "--as-of", "2026-11-20")

# The organisation with most adults who may change doctor on DAY: attached to it now, with no
# move planned, alive, eligible without a policy. A new GP district of it holds 20 people.
ADULTS = (f"FROM attachment a JOIN person p ON p.iin = a.iin WHERE a.valid_to IS NULL "
          f"AND a.end_reason = 'open' AND a.valid_from <= '{DAY}' AND p.deceased IS NULL "
          f"AND p.status IN ('citizen', 'kandas', 'refugee', 'resident') "
          f"AND p.birth <= date '{DAY}' - interval '18 years' "
          f"AND NOT EXISTS (SELECT 1 FROM attachment f WHERE f.iin = a.iin "
          f"AND f.valid_from > '{DAY}' AND f.end_reason <> 'cancelled')")
org = psql(DB, f"SELECT a.org {ADULTS} GROUP BY a.org ORDER BY count(*) DESC, a.org LIMIT 1")[0][0]
people = [r[0] for r in psql(DB, f"SELECT a.iin {ADULTS} AND a.org = '{org}' ORDER BY a.iin")]
check(len(people) >= APPLICATIONS + 4, f"{org} has enough adults: {len(people)}")
psql(DB, f"INSERT INTO district(id, org, kind, doctors, capacity) "
         f"VALUES ('{DISTRICT}', '{org}', 'gp', 1, {PLACES}), ('{SPARE}', '{org}', 'gp', 1, 10)")

# The replica must hold all of it before server B loads from it.
target = psql(PRIMARY, "SELECT pg_current_wal_lsn()")[0][0]
deadline = time.time() + 60
while psql(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0] != "t":
    check(time.time() < deadline, "the replica catches up with the primary")
    time.sleep(0.1)


def start(name, *extra):
    log = open(os.path.join(TMP, name + ".log"), "w")
    proc = subprocess.Popen([BIN, "serve", "--db", DB, *SECRET, "--port", "0", "--threads", "2",
                             "--as-of", DAY, *extra], stdout=subprocess.PIPE, stderr=log, text=True)
    atexit.register(lambda: proc.poll() is None and proc.kill())  # also when a check fails
    line = proc.stdout.readline()
    if "listening on" not in line:
        fail(f"server {name} did not start: {line}" + open(log.name).read())
    return proc, int(line.rsplit(":", 1)[1].strip().strip("/"))


server_a, PORT_A = start("a")
server_b, PORT_B = start("b", "--read-db", READ_DB)
admin = run("token", "--db", DB, *SECRET, "--role", "admin", "--subject", "ops").strip()
# Service-centre applications are an operator's to enter (ADR 0016).
operator = run("token", "--db", DB, *SECRET, "--role", "operator", "--subject",
               "OP-1@CON-1").strip()


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = dict(headers or {}, Authorization="Bearer " + (operator if method == "POST" else admin))
    if body is not None:
        body = json.dumps(body)
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, json.loads(data) if data else None


def application(iin, reference=None, district=DISTRICT):
    # The server dates (--as-of DAY) and numbers it; the test knows it by its reference.
    body = {"iin": iin, "org": org, "district": district, "channel": "service_centre",
            "basis": "free_choice", "consent": True}
    if reference:
        body["reference"] = reference
    return body


# ---------------------------------------------------------------- 200 applications, 20 places
port_of = {}
jobs = []
for i in range(APPLICATIONS):
    app_id = f"TWO-{i:03}"
    port_of[app_id] = PORT_A if i % 2 == 0 else PORT_B
    jobs.append((app_id, people[i]))
start_line = threading.Barrier(50)


def submit(job):
    app_id, iin = job
    try:
        start_line.wait(timeout=5)  # the first fifty leave together
    except threading.BrokenBarrierError:
        pass
    return app_id, iin, request(port_of[app_id], "POST", "/api/v1/applications",
                                application(iin, app_id))


with ThreadPoolExecutor(max_workers=50) as pool:
    answers = list(pool.map(submit, jobs))
approved, refused = {}, []
server_id = {}  # reference -> the id the server gave
for app_id, iin, (status, body) in answers:
    check(status == 200 and body and body.get("id", "").startswith("W-"),
          f"{app_id}: a decision for every request: {status} {body}")
    server_id[app_id] = body["id"]
    if body["decision"] == "approved":
        check(body["district"] == DISTRICT, f"{app_id}: approved into {body['district']}")
        approved[app_id] = iin
    else:
        check(body["reasons"] == ["capacity_exceeded"], f"{app_id}: refused for {body['reasons']}")
        refused.append(app_id)
check(len(approved) == PLACES, f"exactly {PLACES} approved, got {len(approved)}")
check(len(refused) == APPLICATIONS - PLACES, f"the rest refused, got {len(refused)}")
by_a = [i for i in approved if port_of[i] == PORT_A]
by_b = [i for i in approved if port_of[i] == PORT_B]
print(f"approvals through server A: {len(by_a)}, through server B: {len(by_b)}")

# What the primary holds: every decision, every approval, nobody attached twice on a day.
ids = ", ".join(f"'{i}'" for i in server_id.values())
stored = dict(psql(DB, f"SELECT id, outcome FROM application WHERE id IN ({ids})"))
check(len(stored) == APPLICATIONS, f"every decision stored: {len(stored)}")
check({i for i, o in stored.items() if o == "approved"} == {server_id[a] for a in approved},
      "the approvals stored are those answered")
live = psql(DB, f"SELECT iin, application FROM attachment WHERE district = '{DISTRICT}' "
                f"AND end_reason <> 'cancelled'")
check(sorted(a for _, a in live) == sorted(server_id[a] for a in approved),
      f"the district holds the approved: {live}")
overlaps = psql(DB, "SELECT x.iin FROM attachment x JOIN attachment y ON x.iin = y.iin "
                    "AND x.id < y.id WHERE x.end_reason <> 'cancelled' "
                    "AND y.end_reason <> 'cancelled' "
                    "AND x.valid_from < coalesce(y.valid_to, 'infinity') "
                    "AND y.valid_from < coalesce(x.valid_to, 'infinity') LIMIT 5")
check(not overlaps, f"nobody has two attachments on one day: {overlaps}")


# ---------------------------------------------------------------- each reads the other's
def sees(port, iin, district=DISTRICT):
    status, body = request(port, "GET", f"/api/v1/persons/{iin}/attachment")
    return status == 200 and body["district"] == district


def eventually(port, iins, what, district=DISTRICT):
    deadline = time.time() + WAIT
    pending = list(iins)
    while pending and time.time() < deadline:
        pending = [iin for iin in pending if not sees(port, iin, district)]
        if pending:
            time.sleep(0.05)
    check(not pending, f"{what}: {len(pending)} approvals still unseen after {WAIT} s")


eventually(PORT_B, [approved[i] for i in by_a], "server B (replica) reads A's approvals")
eventually(PORT_A, [approved[i] for i in by_b], "server A reads B's approvals")
for app_id in refused[:5]:
    check(not sees(PORT_B, people[int(app_id[4:])]), f"{app_id}: a refusal moves nobody")
# Whoever won the rush, one approval through each server, read through the other.
for app_id, port, other, what in (("TWO-SPARE-A", PORT_A, PORT_B, "server B (replica) reads A's"),
                                  ("TWO-SPARE-B", PORT_B, PORT_A, "server A reads B's")):
    iin = people[int(refused.pop()[4:])]
    status, body = request(port, "POST", "/api/v1/applications", application(iin, app_id, SPARE))
    check(status == 200 and body["decision"] == "approved", f"{app_id}: {status} {body}")
    eventually(other, [iin], what + " approval into " + SPARE, SPARE)

# ---------------------------------------------------------------- one key, two servers
def keyed(port, iin, key):
    return request(port, "POST", "/api/v1/applications", application(iin),  # no id: the key's
                   headers={"Idempotency-Key": key})


for key, iin, together in (("two-at-once", people[APPLICATIONS], True),
                           ("two-in-turn", people[APPLICATIONS + 1], False)):
    if together:
        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(lambda port: keyed(port, iin, key), (PORT_A, PORT_B)))
    else:
        replies = [keyed(PORT_A, iin, key), keyed(PORT_B, iin, key)]
    (sa, da), (sb, db) = replies
    check(sa == 200 and sb == 200, f"{key}: both answered: {sa} {da} / {sb} {db}")
    check(da == db, f"{key}: one decision: {da} / {db}")
    rows = psql(DB, f"SELECT id FROM application WHERE iin = '{iin}' AND app_date = '{DAY}'")
    check(rows == [(da["id"],)], f"{key}: one application stored: {rows}")
    # Stored scoped to the caller and hashed: one row names the application.
    keys = psql(DB, f"SELECT application FROM idempotency_key WHERE application = '{da['id']}'")
    check(keys == [(da["id"],)], f"{key}: the key names it: {keys}")
status, body = keyed(PORT_B, people[APPLICATIONS + 2], "two-at-once")
check(status == 422 and body["code"] == "idempotency_conflict",
      f"the key with another application, on the other server: {status} {body}")

# ---------------------------------------------------------------- stop
for name, proc in (("A", server_a), ("B", server_b)):
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        fail(f"server {name} did not stop")
    check(code == 0, f"server {name} exits 0 on SIGTERM, got {code}")
print(f"two servers on one PostgreSQL with a replica: {checks} checks passed")
