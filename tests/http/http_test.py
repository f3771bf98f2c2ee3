#!/usr/bin/env python3
"""HTTP integration tests against a real `emkhana serve` on port 0 (standard library only).

    http_test.py path/to/emkhana [THREADS]    (the server's I/O threads, default 1)

On SQLite by default (a file in a temporary directory). With EMKHANA_TEST_PG_URL set (a URL of
a PostgreSQL server's `postgres` database, as tests/pg/with_postgres.sh exports), on a new
database of that server instead (made with psql, dropped at the end), the token secret in a
temporary file given by --secret.

Generates a small registry, starts the server, and checks:
  - every route answers, and the OpenAPI document lists exactly the routes that answer;
  - every JSON reply of the whole test matches its schema in src/http/openapi.json (strictly: no
    field the document does not name; tests/http/openapi_check.py), which the server serves as
    it is and from which the web front end's types are generated;
  - the role x route matrix (a citizen never reads another adult; a registrar never another
    organisation's panel; statistics and funding only for their roles);
  - applications: a decision with the replay fields, refusals as 200, Idempotency-Key;
  - a hostile suite of at least 200 requests: each answered 4xx problem+json (or closed on a
    timeout), never 5xx, and the server keeps serving;
  - SIGTERM: the server finishes and exits 0.
Exit 0 when everything holds; the first failure is printed and exits 1.
"""
import atexit
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openapi_check import OpenApi  # noqa: E402

BIN = sys.argv[1]
OPENAPI_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "http",
                            "openapi.json")
OPENAPI = OpenApi(OPENAPI_JSON)
replies_checked = 0
THREADS = sys.argv[2] if len(sys.argv) > 2 else "1"
TMP = tempfile.mkdtemp(prefix="emkhana-http-")
PG_URL = os.environ.get("EMKHANA_TEST_PG_URL", "")
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
checks = 0
if PG_URL:
    # postgresql://user@host:port/postgres -> .../http_<pid>: a database of our own.
    PG_DATABASE = f"http_{os.getpid()}_{int(time.time())}"
    DB = PG_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE
    subprocess.run([PSQL, PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    f"CREATE DATABASE {PG_DATABASE}"], check=True)
    # Registered first, so run last at exit (atexit is LIFO): after the server is killed.
    atexit.register(lambda: subprocess.run(
        [PSQL, PG_URL, "-q", "-c", f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"],
        capture_output=True))
    SECRET = ["--secret", os.path.join(TMP, "token.secret")]
else:
    DB = os.path.join(TMP, "r.db")
    SECRET = []


def sql_rows(query, *params):
    """Rows of a query on the registry database (the test's only direct read of it)."""
    if PG_URL:
        for p in params:  # IINs and ids only: digits, letters and dashes
            check(all(c.isalnum() or c == "-" for c in p), f"a plain SQL parameter: {p!r}")
        text = query.replace("?", "'{}'").format(*params)
        out = subprocess.run([PSQL, DB, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", text],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    import sqlite3
    with sqlite3.connect(DB) as db:
        return db.execute(query, params).fetchall()


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        fail(message)


def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


run("generate", "--db", DB, "--population", "60000", "--seed", "5", "--as-of", "2026-09-20")


# ---------------------------------------------------------------- a test CA (openssl), signing
def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


def make_ca(name):
    key, pem = os.path.join(TMP, name + ".key"), os.path.join(TMP, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", pem, "-days", "30", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return key, pem


TEST_CA = make_ca("test-ca")
ROGUE_CA = make_ca("rogue-ca")  # not trusted by the server
certs = {}


def person_cert(iin, ca=TEST_CA, rsa=False):
    """A key and a certificate naming `iin` (serialNumber IIN...), issued by `ca`."""
    tag = (iin, ca, rsa)
    if tag not in certs:
        base = os.path.join(TMP, f"p-{iin}-{len(certs)}")
        newkey = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt",
                                                      "ec_paramgen_curve:P-256"]
        openssl("req", "-new", *newkey, "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
                "-subj", f"/C=KZ/CN=Test {iin}/serialNumber=IIN{iin}")
        openssl("x509", "-req", "-in", base + ".csr", "-CA", ca[1], "-CAkey", ca[0],
                "-CAcreateserial", "-days", "5", "-out", base + ".pem")
        certs[tag] = (base + ".key", open(base + ".pem").read())
    return certs[tag]


def canonical(body):
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed(body, signer=None, ca=TEST_CA, rsa=False):
    """The body with the applicant's (or `signer`'s) signature over its canonical JSON."""
    signer = signer or body.get("applicant") or body["iin"]
    key, pem = person_cert(signer, ca, rsa)
    sig = openssl("dgst", "-sha256", "-sign", key, data=canonical(body))
    return dict(body, signature={"certificate": pem, "value": base64.b64encode(sig).decode()})


WEB = os.path.join(TMP, "web")
os.makedirs(os.path.join(WEB, "assets"))
open(os.path.join(WEB, "index.html"), "w").write("<!doctype html><title>Emkhana</title>")
open(os.path.join(WEB, "assets", "app-1a2b.js"), "w").write("console.log(1)")
server = subprocess.Popen([BIN, "serve", "--db", DB, *SECRET, "--port", "0", "--read-timeout", "2",
                           "--idle-timeout", "3", "--access-log", "--threads", THREADS,
                           # The registry's day (a campaign day): the server dates applications.
                           "--as-of", "2026-09-20",
                           "--ca-file", TEST_CA[1], "--demo", "--web", WEB],
                          stdout=subprocess.PIPE,
                          stderr=open(os.path.join(TMP, "serve.log"), "w"), text=True)
atexit.register(lambda: server.poll() is None and server.kill())  # also when a check fails
line = server.stdout.readline()
if "listening on" not in line:
    fail("the server did not start: " + line + open(os.path.join(TMP, "serve.log")).read())
PORT = int(line.rsplit(":", 1)[1].strip().strip("/"))


def token(role, subject):
    return run("token", "--db", DB, *SECRET, "--role", role, "--subject", subject).strip()


def request(method, path, body=None, tok=None, headers=None, lang=None, sign=True):
    """One request; an egov/mobile application given as a dict is signed by its applicant."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    h = dict(headers or {})
    if (sign and method == "POST" and path == "/api/v1/applications" and isinstance(body, dict)
            and body.get("channel") in ("egov", "mobile") and "signature" not in body):
        body = signed(body)
    if tok:
        h["Authorization"] = "Bearer " + tok
    if lang:
        h["Accept-Language"] = lang
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    ctype = r.getheader("Content-Type", "")
    parsed = None
    if ctype.startswith("application/json") or ctype.startswith("application/problem+json"):
        parsed = json.loads(data)
        global replies_checked
        replies_checked += 1
        wrong = OPENAPI.check_reply(method, path, r.status, ctype, parsed)
        check(not wrong, f"{method} {path} {r.status}: the reply is not as openapi.json says: "
              + "; ".join(wrong[:5]))
    return r.status, ctype, parsed, data


def expect_problem(status, ctype, body, want_status, want_code, what):
    check(status == want_status, f"{what}: status {status}, expected {want_status}: {body}")
    check(ctype.startswith("application/problem+json"), f"{what}: content type {ctype}")
    check(body["code"] == want_code, f"{what}: code {body.get('code')}, expected {want_code}")
    for lang in ("kk", "ru", "en"):
        check(body["titles"][lang], f"{what}: no {lang} title")


# ---------------------------------------------------------------- the people of the test
iins = run("sample", "--db", DB, "--persons", "400", "--seed", "9").split()
admin = token("admin", "ops")
people = {}
for iin in dict.fromkeys(iins):
    s, _, body, _ = request("GET", f"/api/v1/persons/{iin}/attachment", tok=admin)
    check(s == 200, f"admin reads {iin}: {s}")
    people[iin] = body
attached = [i for i, b in people.items() if b["org"]]
adults = [i for i in attached if int(i[:2]) < 7 or int(i[:2]) > 30]  # born before 2007
check(len(adults) >= 3, "the sample has adults")
a, b = adults[0], adults[1]
org_a = people[a]["org"]
org_b = next(people[i]["org"] for i in attached if people[i]["org"] != org_a)

# ---------------------------------------------------------------- every route, the OpenAPI doc
s, _, doc, _ = request("GET", "/api/v1/openapi.json")
check(s == 200 and doc["openapi"].startswith("3."), "the OpenAPI document is served")
check(doc == OPENAPI.doc, "the served OpenAPI document is src/http/openapi.json")
documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
answered = set()
for method, path in sorted(documented):
    concrete = (path.replace("{iin}", a).replace("{id}", "x").replace(
        "/districts/x", "/districts/" + people[a]["district"]))
    if path == "/api/v1/organisations":
        concrete += "?region=" + org_a.split("-")[0]
    if path == "/api/v1/funding":
        concrete += "?month=2026-12"
    if path == "/api/v1/audit":
        concrete += "?subject=" + a
    body = {"iin": a, "org": org_a, "channel": "egov", "basis": "free_choice"} \
        if method == "POST" else None
    st, _, reply, _ = request(method, concrete, body=body, tok=admin)
    if st != 404 or reply["code"] != "route_not_found":  # "no such x" is an answer too
        answered.add((method, path))
    check(st < 500, f"{method} {concrete}: {st}")
check(answered == documented, f"routes that answer differ from the document: {documented ^ answered}")
s, ctype, _, data = request("GET", "/metrics", tok=admin)  # metrics need a token
check(s == 200 and ctype.startswith("text/plain") and b"emkhana_http_requests_total" in data,
      "metrics in the Prometheus text format")
check(b"emkhana_http_request_seconds_bucket" in data and b"emkhana_pipeline_queue_depth" in data,
      "metrics carry latency histograms and the pipeline queue")

# ---------------------------------------------------------------- roles x routes
cit_a, cit_b = token("citizen", a), token("citizen", b)
operator = token("operator", "OP-1@CON-1")  # a service-centre operator
reg_a = token("registrar", org_a)
region = token("region", org_a.split("-")[0])
fund = token("fund", "fund")
matrix = [
    # (who, token, method, path, expected status)
    ("anonymous", None, "GET", f"/api/v1/persons/{a}/attachment", 401),
    ("citizen self", cit_a, "GET", f"/api/v1/persons/{a}/attachment", 200),
    # Another adult's record is answered as nobody's (ADR 0016).
    ("citizen other adult", cit_b, "GET", f"/api/v1/persons/{a}/attachment", 404),
    ("registrar", reg_a, "GET", f"/api/v1/persons/{a}/attachment", 200),
    ("region", region, "GET", f"/api/v1/persons/{a}/attachment", 403),
    ("fund", fund, "GET", f"/api/v1/persons/{a}/attachment", 403),
    ("admin", admin, "GET", f"/api/v1/persons/{a}/attachment", 200),
    ("registrar own panel", reg_a, "GET", f"/api/v1/districts/{people[a]['district']}/panel", 200),
    ("registrar other panel", reg_a, "GET",
     f"/api/v1/districts/{next(people[i]['district'] for i in attached if people[i]['org'] == org_b)}/panel", 403),
    ("citizen panel", cit_a, "GET", f"/api/v1/districts/{people[a]['district']}/panel", 403),
    ("anonymous panel", None, "GET", f"/api/v1/districts/{people[a]['district']}/panel", 401),
    ("citizen stats", cit_a, "GET", "/api/v1/stats", 403),
    ("registrar stats", reg_a, "GET", "/api/v1/stats", 403),
    ("region stats", region, "GET", "/api/v1/stats", 200),
    ("fund stats", fund, "GET", "/api/v1/stats", 200),
    ("admin stats", admin, "GET", "/api/v1/stats", 200),
    ("anonymous stats", None, "GET", "/api/v1/stats", 401),
    ("citizen funding", cit_a, "GET", "/api/v1/funding?month=2026-12", 403),
    ("region funding", region, "GET", "/api/v1/funding?month=2026-12", 403),
    ("fund funding", fund, "GET", "/api/v1/funding?month=2026-12", 200),
    ("citizen own history", cit_a, "GET", f"/api/v1/persons/{a}/history", 200),
    ("citizen other history", cit_b, "GET", f"/api/v1/persons/{a}/history", 404),
    ("region history", region, "GET", f"/api/v1/persons/{a}/history", 403),
    ("citizen audit", cit_a, "GET", f"/api/v1/audit?subject={a}", 403),
    ("registrar audit", reg_a, "GET", f"/api/v1/audit?subject={a}", 403),
    ("fund audit", fund, "GET", f"/api/v1/audit?subject={a}", 403),
    ("admin audit", admin, "GET", f"/api/v1/audit?subject={a}", 200),
    ("anyone organisations", None, "GET", f"/api/v1/organisations?region={org_a.split('-')[0]}", 200),
    ("anyone policy", None, "GET", "/api/v1/policy", 200),
    ("anyone health", None, "GET", "/healthz", 200),
    ("anyone ready", None, "GET", "/readyz", 200),
]
for who, tok, method, path, want in matrix:
    st, ctype, body, _ = request(method, path, tok=tok)
    check(st == want, f"{who}: {method} {path} gave {st}, expected {want}: {body}")
    if st >= 400:
        check(ctype.startswith("application/problem+json"), f"{who}: problem+json")

# A parent reads their minor child's attachment (a registered representative), and submits for
# the child; not another family's child.
child, parent = sql_rows("SELECT iin, representative FROM representative ORDER BY iin LIMIT 1")[0]
other_child = sql_rows(
    "SELECT iin FROM representative WHERE iin NOT IN (SELECT iin FROM representative "
    "WHERE representative = ?) ORDER BY iin LIMIT 1", parent)[0][0]
cit_parent = token("citizen", parent)
st, _, body, _ = request("GET", f"/api/v1/persons/{child}/attachment", tok=cit_parent)
check(st == 200 and body["iin"] == child, f"a parent reads their child: {st}")
st, _, body, _ = request("GET", f"/api/v1/persons/{other_child}/attachment", tok=cit_parent)
check(st == 404, f"a parent reads another family's child: {st}")
child_app = {"iin": child, "applicant": parent, "org": org_a, "channel": "egov",
             "basis": "free_choice", "consent": True}
st, _, body, _ = request("POST", "/api/v1/applications", child_app, tok=cit_parent)
check(st == 200 and body["decision"] in ("approved", "refused"), f"a parent applies: {st} {body}")
check("not_representative" not in body.get("reasons", []), f"the parent represents: {body}")
child_app_id = body["id"]
# Submitting: a citizen for another adult, a registrar on a non-paper channel: forbidden.
app_b = {"iin": b, "org": org_a, "channel": "egov", "basis": "free_choice"}
st, _, body, _ = request("POST", "/api/v1/applications", app_b, tok=cit_a)
check(st == 403, f"a citizen submits for another adult as themself: {st}")
st, _, body, _ = request("POST", "/api/v1/applications", app_b, tok=reg_a)
check(st == 403, f"a registrar submits an eGov application: {st}")
st, _, body, _ = request("POST", "/api/v1/applications", app_b, tok=fund)
check(st == 403, f"the Fund submits an application: {st}")

# ---------------------------------------------------------------- applications
app = {"iin": a, "org": org_b, "channel": "egov", "basis": "free_choice", "consent": True}
st, _, d1, _ = request("POST", "/api/v1/applications", app, tok=cit_a,
                       headers={"Idempotency-Key": "k-1"})
check(st == 200 and d1["id"].startswith("W-") and d1["decision"] in ("approved", "refused"),
      f"a decision with the replay fields: {st} {d1}")
check("decide_by" in d1 and isinstance(d1["reasons"], list), "decision fields")
st, _, d2, _ = request("POST", "/api/v1/applications", app, tok=cit_a,
                       headers={"Idempotency-Key": "k-1"})
check(st == 200 and d2 == d1, "the same Idempotency-Key and body give the same decision")
h1 = d1
H1 = d1["id"]
other = dict(app, org=org_a)
st, _, p, _ = request("POST", "/api/v1/applications", other, tok=cit_a,
                      headers={"Idempotency-Key": "k-1"})
expect_problem(st, "application/problem+json", p, 422, "idempotency_conflict", "key reuse")
st, _, got, _ = request("GET", f"/api/v1/applications/{H1}", tok=cit_a)
check(st == 200 and got["decision"] == d1["decision"], f"read back the application: {st} {got}")
st, _, got, _ = request("GET", f"/api/v1/applications/{H1}", tok=cit_b)
check(st == 404, f"another citizen reads the application: {st}")
st, _, got, _ = request("GET", "/api/v1/applications/nope", tok=admin)
check(st == 404, "an unknown application is 404")
# A refusal is a 200: applying to one's own organisation is already_attached.
own = {"iin": b, "org": people[b]["org"], "channel": "egov", "basis": "free_choice"}
st, _, d3, _ = request("POST", "/api/v1/applications", own, tok=cit_b)
check(st == 200 and d3["decision"] == "refused" and "already_attached" in d3["reasons"],
      f"a refusal is a 200 with reasons: {st} {d3}")
H3 = d3["id"]
# A region sees its own region only; the Fund the country, or a region it asks for.
own_region = org_a.split("-")[0]
st, _, mine, _ = request("GET", "/api/v1/stats", tok=region)
st2, _, national, _ = request("GET", "/api/v1/stats", tok=fund)
st3, _, asked, _ = request("GET", f"/api/v1/stats?region={own_region}", tok=fund)
check(st == st2 == st3 == 200, "stats for region and Fund")
check(mine["scope"] == own_region and national["scope"] == "national", "the scope is named")
check([g["region"] for g in mine["regions"]] == [own_region], f"a region sees its own: {mine['regions']}")
check(mine["organisations"] and all(o["region"] == own_region for o in mine["organisations"]),
      "its own organisations")
check(mine["attached"]["total"] < national["attached"]["total"], "less than the country")
check(asked["attached"] == mine["attached"], "the Fund asking for the region sees the same")
st, _, other, _ = request("GET", "/api/v1/stats?region=ZZZ", tok=region)
check(other["scope"] == own_region, "a region cannot ask for another region")

# The audit: reads of a person's data are recorded (who, role, what, from where) and admins see
# them; the pipeline writes them within a fraction of a second.
request("GET", f"/api/v1/persons/{b}/attachment", tok=cit_b)
time.sleep(0.6)
st, _, trail, _ = request("GET", f"/api/v1/audit?subject={b}", tok=admin)
check(st == 200 and any(e["actor"] == "citizen:" + b and e["action"].startswith("read ")
                        and e["channel"].startswith("http 127.0.0.1") for e in trail["entries"]),
      f"a citizen's read is in the audit: {trail}")
st, _, trail, _ = request("GET", f"/api/v1/audit?subject={H1}", tok=admin)
check(st == 200 and any(e["action"] == "application.decided" for e in trail["entries"]),
      f"the decision is in the audit: {trail}")
st, _, hist, _ = request("GET", f"/api/v1/persons/{a}/history", tok=cit_a)
check(st == 200 and hist["periods"] and all("from" in p for p in hist["periods"]),
      f"history: {hist}")
for q in ["", "?subject=", "?subject=x&limit=0", "?subject=x&limit=abc", "?subject=x&limit=5000"]:
    st, ctype, body, _ = request("GET", "/api/v1/audit" + q, tok=admin)
    expect_problem(st, ctype, body, 400, "invalid_query", "audit " + q)
# Languages of problems.
for lang, word in (("kk", "Жүйеге"), ("ru", "Требуется"), ("en", "Authentication"),
                   ("fr, en;q=0.5", "Authentication"), (None, "Требуется")):
    st, _, body, _ = request("GET", "/api/v1/stats", lang=lang)
    check(body["title"].startswith(word), f"Accept-Language {lang}: {body['title']}")

# ---------------------------------------------------------------- digital signatures (egov, mobile)
sig_app = {"iin": a, "org": org_b, "channel": "mobile", "basis": "free_choice", "consent": True}
cases = [
    ("unsigned", dict(sig_app), 422, "signature_required"),
    ("signature not an object", dict(sig_app, signature="yes"), 422, "signature_invalid"),
    ("signature missing its value", dict(sig_app, signature={"certificate": "x"}), 422,
     "signature_invalid"),
    ("signature with an extra member",
     dict(signed(sig_app), signature=dict(signed(sig_app)["signature"], alg="none")), 422,
     "signature_invalid"),
    ("certificate not PEM", dict(sig_app, signature={"certificate": "MIIB", "value": "AAAA"}), 422,
     "signature_invalid"),
    ("value not base64", dict(sig_app, signature={"certificate": person_cert(a)[1],
                                                   "value": "***"}), 422, "signature_invalid"),
    ("a tampered body", dict(signed(sig_app), org=org_a), 422, "signature_invalid"),
    ("signed for another channel", dict(signed(dict(sig_app, channel="egov")), channel="mobile"),
     422, "signature_invalid"),
    ("an untrusted CA", signed(sig_app, ca=ROGUE_CA), 422, "signature_untrusted"),
    ("another person's certificate", signed(sig_app, signer=b), 403, "signature_not_applicant"),
]
for what, body, want, code in cases:
    st, ctype, p, _ = request("POST", "/api/v1/applications", body, tok=cit_a, sign=False)
    expect_problem(st, ctype, p, want, code, what)
st, _, listed, _ = request("GET", f"/api/v1/applications?iin={a}", tok=admin)
check(st == 200 and not any(x["channel"] == "mobile" for x in listed["applications"]),
      f"no refused signature leaves a decision behind: {listed}")
st, _, d, _ = request("POST", "/api/v1/applications", signed(sig_app, rsa=True), tok=cit_a,
                      sign=False)
check(st == 200 and d["decision"], f"an RSA signature is accepted: {st} {d}")
S1 = d["id"]
st, _, d, _ = request("POST", "/api/v1/applications", dict(sig_app, reference="S-2"), tok=cit_a)
check(st == 200 and d["decision"], f"an ECDSA signature is accepted: {st} {d}")
S2 = d["id"]
# A signature in WebCrypto's raw r||s form (what the web front end sends) is accepted too.
raw_body = dict(sig_app, reference="S-3")
key, pem = person_cert(a)
der = openssl("dgst", "-sha256", "-sign", key, data=canonical(raw_body))
parsed = openssl("asn1parse", "-inform", "DER", data=der).decode().split("\n")
ints = [line.rsplit(":", 1)[1] for line in parsed if "INTEGER" in line]
raw = b"".join(bytes.fromhex(i.rjust(64, "0")) for i in ints)
st, _, d, _ = request("POST", "/api/v1/applications",
                      dict(raw_body, signature={"certificate": pem,
                                                "value": base64.b64encode(raw).decode()}),
                      tok=cit_a, sign=False)
check(st == 200 and d["decision"], f"a raw r||s signature is accepted: {st} {d}")
# One application through two channels with one Idempotency-Key is one decision.
two = {"iin": b, "org": org_a, "channel": "egov", "basis": "free_choice", "consent": True}
st, _, d1, _ = request("POST", "/api/v1/applications", two, tok=cit_b,
                       headers={"Idempotency-Key": "two-channels"})
st2, _, d2, _ = request("POST", "/api/v1/applications", dict(two, channel="mobile"),
                        tok=cit_b, headers={"Idempotency-Key": "two-channels"})
check(st == st2 == 200 and d1 == d2, f"two channels, one key, one decision: {d1} {d2}")

# ---------------------------------------------------------------- profiles, lists, talon, moves
st, _, prof, _ = request("GET", f"/api/v1/persons/{parent}", tok=cit_parent)
check(st == 200 and child in [c["iin"] for c in prof["represents"]],
      f"a parent's profile lists the child: {prof}")
check(prof["osms"]["package"] in ("gobmp", "gobmp_osms") and
      prof["osms"]["package"] == ("gobmp_osms" if prof["osms"]["insured"] else "gobmp"),
      f"the package follows the OSMS standing: {prof['osms']}")
st, _, kid, _ = request("GET", f"/api/v1/persons/{child}", tok=cit_parent)
check(st == 200 and parent in kid["representatives"] and kid["represents"] == [],
      f"the child's profile, read by the parent: {st} {kid}")
for who, tok, want in (("other adult", cit_b, 404), ("region", region, 403),
                       ("anonymous", None, 401), ("registrar", reg_a, 200)):
    st, _, _, _ = request("GET", f"/api/v1/persons/{a}", tok=tok)
    check(st == want, f"profile read by {who}: {st}, expected {want}")
st, _, att, _ = request("GET", f"/api/v1/persons/{a}/attachment", tok=cit_a)
check(att["org_name"] and att["district_kind"] in ("gp", "therapist", "pediatrician") and
      "pending" in att, f"the attachment names the organisation and the doctor: {att}")
# Lists: a registrar sees their organisation's applications, filtered; a citizen their own.
st, _, mine, _ = request("GET", "/api/v1/applications?limit=2", tok=reg_a)
check(st == 200 and all(x["applied_to"] == org_a for x in mine["applications"]),
      f"a registrar lists their organisation's: {mine}")
check(len(mine["applications"]) <= 2, "limit")
if mine["next_offset"] is not None:
    st, _, page2, _ = request("GET", f"/api/v1/applications?limit=2&offset={mine['next_offset']}",
                              tok=reg_a)
    check(st == 200 and not {x["id"] for x in page2["applications"]} &
          {x["id"] for x in mine["applications"]}, "the next page holds other applications")
st, _, refused, _ = request("GET", "/api/v1/applications?status=refused&from=2026-09-20&to=2026-09-20",
                            tok=reg_a)
check(st == 200 and all(x["decision"] == "refused" and x["date"] == "2026-09-20"
                        for x in refused["applications"]), f"filters: {refused}")
st, _, own_list, _ = request("GET", "/api/v1/applications", tok=cit_a)
check(st == 200 and {H1, S1, S2} <= {x["id"] for x in own_list["applications"]},
      f"a citizen lists their own: {own_list}")
st, _, kid_list, _ = request("GET", f"/api/v1/applications?iin={child}", tok=cit_parent)
check(st == 200 and child_app_id in {x["id"] for x in kid_list["applications"]},
      f"a parent lists the child's: {kid_list}")
for who, tok, q, want in (("registrar, other org", reg_a, f"?org={org_b}", 403),
                          ("citizen, other adult", cit_b, f"?iin={a}", 404),
                          ("citizen, an org", cit_a, f"?org={org_a}", 403),
                          ("fund", fund, f"?org={org_a}", 403), ("anonymous", None, "", 401),
                          ("admin, nothing asked", admin, "", 400),
                          ("bad status", reg_a, "?status=maybe", 400),
                          ("bad limit", reg_a, "?limit=0", 400),
                          ("bad date", reg_a, "?from=2026-02-30", 400)):
    st, ctype, body, _ = request("GET", "/api/v1/applications" + q, tok=tok)
    check(st == want and ctype.startswith("application/problem+json"),
          f"list by {who}: {st}, expected {want}")
# The talon of an approved application: a first attachment of someone unattached.
unattached = [i for i, b_ in people.items() if not b_["org"]]
check(unattached, "the sample has unattached people")
approved = None
for who in unattached[:10]:
    st, _, prof_u, _ = request("GET", f"/api/v1/persons/{who}", tok=admin)
    ate = prof_u["ates"].get("residence") or prof_u["ates"].get("registration")
    st, _, orgs, _ = request("GET", f"/api/v1/organisations?ate={ate}")
    for org in orgs["organisations"]:
        st, _, d, _ = request("POST", "/api/v1/applications",
                              {"iin": who, "org": org["id"], "channel": "service_centre",
                               "basis": "first_attachment", "consent": True}, tok=operator)
        if st == 200 and d["decision"] == "approved":
            approved = d
            break
    if approved:
        break
check(approved is not None, "a first attachment is approved")
tid = approved["id"]
st, ctype, _, html = request("GET", f"/api/v1/applications/{tid}/talon", tok=admin, lang="kk")
check(st == 200 and ctype.startswith("text/html") and tid.encode() in html and
      "бекіту".encode() in html and b"<svg" in html, f"the talon as HTML in Kazakh: {st}")
st, ctype, _, pdf = request("GET", f"/api/v1/applications/{tid}/talon.pdf", tok=admin)
check(st == 200 and ctype == "application/pdf" and pdf.startswith(b"%PDF-"), f"the talon PDF: {st}")
pdf_path = os.path.join(TMP, "talon.pdf")
open(pdf_path, "wb").write(pdf)
text = subprocess.run(["pdftotext", pdf_path, "-"], check=True, capture_output=True,
                      text=True).stdout
check("Талон прикрепления" in text and tid in text and approved["org"] in text,
      f"the PDF's text: {text[:200]}")
subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", pdf_path,
                os.path.join(TMP, "talon")], check=True)
qr = subprocess.run(["zbarimg", "--quiet", "--raw", os.path.join(TMP, "talon.png")],
                    capture_output=True, text=True).stdout.strip()
check(qr == tid, f"the PDF's QR code reads the talon number: {qr!r}")
st, ctype, body, _ = request("GET", f"/api/v1/applications/{H3}/talon", tok=admin)
expect_problem(st, ctype, body, 404, "not_found", "a refused application has no talon")
st, _, _, _ = request("GET", f"/api/v1/applications/{tid}/talon.pdf", tok=cit_b)
check(st == 404, f"another citizen's talon: {st}")
# Organisation detail and the moves pending for 1 January.
st, _, org_detail, _ = request("GET", f"/api/v1/organisations/{org_a}")
check(st == 200 and org_detail["id"] == org_a and org_detail["districts"],
      f"an organisation: {org_detail}")
st, _, moves, _ = request("GET", f"/api/v1/organisations/{org_a}/moves", tok=reg_a)
check(st == 200 and {"in", "out", "within"} <= set(moves) and moves["date"].endswith("-01-01"),
      f"moves for 1 January: {moves}")
for who, tok, q, want in (("other registrar", token("registrar", org_b), "", 403),
                          ("citizen", cit_a, "", 403), ("a past date", reg_a, "?date=2020-01-01", 400),
                          ("bad date", reg_a, "?date=x", 400)):
    st, _, _, _ = request("GET", f"/api/v1/organisations/{org_a}/moves{q}", tok=tok)
    check(st == want, f"moves by {who}: {st}, expected {want}")
# A campaign approval for 1 January shows as a move in to one organisation and out of the other.
mover = None
for who in adults[2:]:
    # Any other open organisation in one of the person's units (registration, residence, work...).
    st, _, prof_w, _ = request("GET", f"/api/v1/persons/{who}", tok=admin)
    if prof_w["age"] < 18 or prof_w["categories"]:
        continue
    here = {"id": people[who]["org"]}
    candidates = []
    for unit in sorted(set(prof_w["ates"].values())):
        st, _, there, _ = request("GET", f"/api/v1/organisations?ate={unit}")
        candidates += there["organisations"]
    for org in candidates:
        if org["id"] == here["id"] or not org["open"]:
            continue
        st, _, d, _ = request("POST", "/api/v1/applications",
                              {"iin": who, "org": org["id"], "consent": True,
                               "channel": "service_centre", "basis": "free_choice"}, tok=operator)
        if d["decision"] == "approved":
            mover = (who, here["id"], org["id"], d)
            break
    if mover:
        break
check(mover is not None, "a campaign move between two organisations of one unit is approved")
who, from_org, to_org, d = mover
check(d["effective"].endswith("-01-01"), f"effective on 1 January: {d}")
st, _, moves_to, _ = request("GET", f"/api/v1/organisations/{to_org}/moves",
                             tok=token("registrar", to_org))
check(any(m["iin"] == who and m["from_org"] == from_org for m in moves_to["in"]),
      f"a move in to {to_org}: {moves_to['in'][:3]}")
st, _, moves_from, _ = request("GET", f"/api/v1/organisations/{from_org}/moves", tok=admin)
check(any(m["iin"] == who and m["to_org"] == to_org for m in moves_from["out"]),
      f"a move out of {from_org}: {moves_from['out'][:3]}")
st, _, att, _ = request("GET", f"/api/v1/persons/{who}/attachment", tok=admin)
check(att["org"] == from_org and att["pending"] and att["pending"]["org"] == to_org and
      att["pending"]["date"].endswith("-01-01"), f"the attachment shows the move pending: {att}")
st, _, _, _ = request("GET", "/api/v1/organisations/NOPE-01")
check(st == 404, "an unknown organisation is 404")

# ---------------------------------------------------------------- demo sign-in, the web's files
st, _, accounts, _ = request("GET", "/api/v1/demo/accounts")
check(st == 200 and accounts["citizens"] and accounts["registrars"] and accounts["regions"],
      f"demo accounts: {st}")
someone = next(c for c in accounts["citizens"] if c["children"])
st, _, session, _ = request("POST", "/api/v1/demo/sign-in",
                            {"role": "citizen", "subject": someone["iin"]})
check(st == 200 and session["token"] and session["signing"]["certificate"].startswith("-----BEGIN"),
      f"a demo citizen signs in with a signing key: {st}")
st, _, prof, _ = request("GET", f"/api/v1/persons/{someone['iin']}", tok=session["token"])
check(st == 200 and set(someone["children"]) == {c["iin"] for c in prof["represents"]},
      "the demo token reads its own profile")
# The demo key signs (PKCS#8 DER in base64, as WebCrypto imports it).
key_path = os.path.join(TMP, "demo.key")
open(key_path, "w").write("-----BEGIN PRIVATE KEY-----\n" + session["signing"]["key_pkcs8"] +
                          "\n-----END PRIVATE KEY-----\n")
demo_app = {"iin": someone["iin"], "org": org_a, "channel": "egov", "basis": "free_choice",
            "consent": True}
sig = openssl("dgst", "-sha256", "-sign", key_path, data=canonical(demo_app))
st, _, d, _ = request("POST", "/api/v1/applications",
                      dict(demo_app, signature={"certificate": session["signing"]["certificate"],
                                                "value": base64.b64encode(sig).decode()}),
                      tok=session["token"], sign=False)
check(st == 200 and d["decision"], f"an application signed with the demo key: {st} {d}")
for what, body, want in (("unknown role", {"role": "king", "subject": "x"}, 422),
                         ("unknown person", {"role": "citizen", "subject": "000000000000"}, 404),
                         ("unknown org", {"role": "registrar", "subject": "NOPE"}, 404),
                         ("extra field", {"role": "fund", "subject": "f", "x": 1}, 422),
                         ("not JSON", "role=fund", 400)):
    st, ctype, p, _ = request("POST", "/api/v1/demo/sign-in", body,
                              headers={"Content-Type": "application/json"})
    check(st == want and ctype.startswith("application/problem+json"),
          f"demo sign-in, {what}: {st}, expected {want}")
st, ctype, _, page = request("GET", "/")
check(st == 200 and ctype.startswith("text/html") and b"Emkhana" in page, "the front end's page")
st, ctype, _, page = request("GET", "/citizen/apply")
check(st == 200 and b"Emkhana" in page, "a page of the single-page application")
conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
conn.request("GET", "/assets/app-1a2b.js")
r = conn.getresponse()
r.read()
check(r.status == 200 and "immutable" in r.getheader("Cache-Control", "") and
      r.getheader("Content-Type", "").startswith("text/javascript"), "assets are cached for good")
conn.close()
for path in ("/assets/missing.js", "/api/v1/nothing", "/%2e%2e/etc/passwd", "/assets/../../x.db"):
    st, ctype, _, _ = request("GET", path)
    check(st == 404 and ctype.startswith("application/problem+json"), f"GET {path}: {st}")

# ---------------------------------------------------------------- hostile input
hostile = []


def add(name, method, path, body=None, headers=None, tok="default", want=None):
    if tok == "default":  # applications are the applicant's to submit, everything else admin's
        tok = cit_a if method == "POST" and path == "/api/v1/applications" else admin
    hostile.append((name, method, path, body, headers, tok, want))


def sub(b, **kw):
    x = dict({"iin": a, "org": org_a, "channel": "egov", "basis": "free_choice", "consent": True})
    x.update(kw)
    return json.dumps(x)


post = "/api/v1/applications"
json_h = {"Content-Type": "application/json"}
for i, body in enumerate(["", "{", "}", "[]", "null", "1", '"x"', "{\"iin\":", "{'a':1}",
                          "{\"a\":1,}", "\x00", "{\"iin\":\"" + "9" * 10000 + "\"}", "[{}]",
                          "{\"iin\":nul}", "tru", "{\"a\" 1}", "{{}}", "\ufeff{}"]):
    add(f"malformed json {i}", "POST", post, body.encode("utf-8", "surrogatepass"), json_h)
for field, value in [("iin", 12), ("iin", None), ("iin", []), ("org", 5), ("channel", "fax"),
                     ("channel", 1), ("basis", "because"), ("basis", None), ("date", "2026-13-01"),
                     ("date", "yesterday"), ("date", 20260101), ("consent", "yes"),
                     ("documents", "passport"), ("documents", ["teleport"]), ("district", 7),
                     ("sex", "X"), ("birth", "01.01.1990"), ("id", ""), ("id", {"a": 1}),
                     ("applicant", 123)]:
    add(f"wrong {field}={value!r}", "POST", post, sub(None, **{field: value}), json_h,
        want=(400, 422, 403))
add("an org id over 64 characters", "POST", post, sub(None, org="x" * 300), json_h, want=(422,))
for extra in ["op", "extra", "decision", "__proto__", "IIN", "Iin", "iin ", "admin"]:
    add(f"unknown field {extra}", "POST", post, sub(None, **{extra: 1}), json_h, want=(422,))
for bad in ["12345", "1234567890123", "abcdefghijkl", "900101300001", "000000000001", "-1",
            "%00", "9001013000%2F", "..", "%2e%2e", "1e10", "%20900101300000"]:
    add(f"bad iin {bad}", "GET", f"/api/v1/persons/{bad}/attachment", want=(400, 404))
for date in ["2026-02-30", "26-01-01", "2026/01/01", "today", "", "2026-1-1", "9999-99-99",
             "0000-00-00", "2026-01-01T00:00", "%FF"]:
    add(f"bad date {date}", "GET", f"/api/v1/persons/{a}/attachment?date={date}", want=(400,))
for month in ["2026-13", "2026", "26-01", "", "2026-00", "abcd-ef", "2026-1", "2026-01-01"]:
    add(f"bad month {month}", "GET", f"/api/v1/funding?month={month}", want=(400,))
for q in ["", "?lat=1", "?region=X&lat=abc&lon=1", "?ate=A&lat=91&lon=0", "?ate=A&lat=1&lon=181",
          "?ate=A&lat=nan&lon=1", "?ate=A&lat=inf&lon=1", "?region=%FF%FE"]:
    add(f"organisations {q}", "GET", f"/api/v1/organisations{q}", tok=None, want=(400,))
for path in ["/api", "/api/v1", "/api/v2/stats", "/api/v1/persons", "/api/v1/persons/",
             "/../etc/passwd", "/api/v1/../../etc/passwd", "/api/v1/%2e%2e/%2e%2e/etc/passwd",
             "/api/v1/persons/../../../etc/passwd/attachment", "/static/../../secret",
             "/api/v1/stats/../../x", "/%00", "/api/v1/applications/x/y", "//api/v1/stats",
             "/api/v1/STATS", "/healthz/", "/metrics/x", "/api/v1/districts//panel",
             "/api/v1/persons/%ff%fe/attachment", "/api/v1/openapi.json/x", "/favicon.ico",
             "/api/v1/persons/900101300000/attachment/x", "/.env", "/api/v1/applications/",
             "/api/v1/districts/x/panel/y", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/~root",
             "/api/v1/persons/" + "9" * 5000 + "/attachment", "/api/v1/organisations/x"]:
    add(f"path {path}", "GET", path, want=(400, 404))
for i, body in enumerate(["", "{", "[]", "{\"role\":1,\"subject\":2}", "{\"role\":\"admin\"}",
                          "{\"role\":\"citizen\",\"subject\":\"" + "1" * 5000 + "\"}"]):
    add(f"demo sign-in {i}", "POST", "/api/v1/demo/sign-in", body, json_h, tok=None,
        want=(400, 404, 422))
for i, signature in enumerate(["", [], {"certificate": "-----BEGIN CERTIFICATE-----\n" + "A" * 20000
                                        + "\n-----END CERTIFICATE-----", "value": "AAAA"},
                               {"certificate": 1, "value": 2}, {"value": "=" * 64}]):
    add(f"signature {i}", "POST", post, json.dumps({"iin": a, "org": org_a, "channel": "mobile",
                                                    "basis": "free_choice", "signature": signature}),
        json_h, want=(413, 422))
for path in ["/Citizen", "/assets/../index.html", "/assets/", "/citizen//apply", "/index.html/x"]:
    add(f"web path {path}", "GET", path, tok=None, want=(404,))
for method in ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "PROPFIND"]:
    add(f"method {method} stats", method, "/api/v1/stats", want=(400, 405))
    add(f"method {method} applications", method, post, want=(400, 405))
for tok in ["", "x", "a.b", "Bearer", "...", "eyJ.eyJ", token("admin", "x") + "x",
            token("admin", "x")[:-2], "é.é"]:
    add(f"token {tok[:12]!r}", "GET", "/api/v1/stats", headers={"Authorization": "Bearer " + tok},
        tok=None, want=(401,))
for auth in ["Basic YWRtaW46YWRtaW4=", "bearer abc", "Token x", "Bearer  x", "Bearer\tx"]:
    add(f"authorization {auth}", "GET", "/api/v1/stats", headers={"Authorization": auth},
        tok=None, want=(401,))
for ctype in ["text/plain", "application/xml", "", "multipart/form-data", "application/jsonx"]:
    add(f"content type {ctype!r}", "POST", post, sub(None), {"Content-Type": ctype},
        want=(415,))
add("body too large", "POST", post, b"{" + b" " * 200_000 + b"}", json_h, want=(413,))
add("idempotency key too long", "POST", post, sub(None), dict(json_h, **{"Idempotency-Key": "k" * 300}),
    want=(422,))
for i, raw in enumerate([b"\xff\xfe", b"{\"iin\":\"\xc3\x28\"}", b"{\"org\":\"\xed\xa0\x80\"}",
                         b"{\"iin\":\"9001013\xe2\x82\"}", b"\x80", b"{\"a\":\"\xf8\x88\x80\x80\x80\"}"]):
    add(f"invalid utf-8 {i}", "POST", post, raw, json_h, want=(400, 422))
# Well-formed applications the rules refuse are not hostile: a 200 with the reasons.
for field, value, reason in [("iin", "12345678901", "invalid_iin"),
                             ("iin", "900101300001", "invalid_iin"),
                             ("iin", "abcdefghijkl", "invalid_iin"),
                             ("org", "x" * 60, "org_not_eligible")]:
    st, _, d, _ = request("POST", post, sub(None, **{field: value, "channel": "service_centre"}),
                          tok=operator, headers=json_h)
    check(st == 200 and d["decision"] == "refused" and reason in d["reasons"],
          f"{field}={value[:20]!r}: refused {reason}: {st} {d}")
for i, body in enumerate(["[" * 10000, "{\"a\":" * 5000, "1" * 100000, "-" * 1000,
                          "{\"iin\":\"x\",\"iin\":\"y\"}", "{\"consent\":tru}",
                          "{\"a\":1e999999}", "\"\\ud800\"", "{\"a\":\"\\x41\"}",
                          "{\"a\":01}"]):
    add(f"awkward json {i}", "POST", post, body, json_h, want=(400, 413, 422))
for i, path in enumerate([f"/api/v1/persons/{a}/attachment?date=" + "9" * 5000,
                          "/api/v1/stats?date=2026-01-01&date=x", "/api/v1/funding",
                          "/api/v1/funding?month=" + "%" * 10, "/api/v1/stats?date=%",
                          "/api/v1/organisations?region=" + "%zz", "/api/v1/persons/" + a
                          + "/attachment?date=2026-02-29"]):
    add(f"awkward query {i}", "GET", path, want=(400,))
for who in ["citizen", "registrar", "region", "fund"]:
    add(f"{who} without a token submits", "POST", post, sub(None), json_h, tok=None, want=(401,))
    add(f"{who} with a forged token", "GET", "/api/v1/stats",
        headers={"Authorization": "Bearer " + token(who, "x").split(".")[0] + ".AAAA"}, tok=None,
        want=(401,))
check(len(hostile) >= 150, f"{len(hostile)} structured hostile requests")

for name, method, path, body, headers, tok, want in hostile:
    try:
        st, ctype, parsed, raw = request(method, path, body=body, tok=tok, headers=headers)
    except (http.client.HTTPException, OSError) as e:
        fail(f"hostile {name}: connection failed: {e!r}")
    check(400 <= st < 500, f"hostile {name}: status {st}: {raw[:200]!r}")
    check(ctype.startswith("application/problem+json"), f"hostile {name}: content type {ctype}")
    check(isinstance(parsed, dict) and parsed.get("code") and parsed.get("status") == st,
          f"hostile {name}: problem body {raw[:200]!r}")
    if want:
        check(st in want, f"hostile {name}: status {st}, expected one of {want}: {parsed}")


# Raw-socket requests: broken HTTP, oversized headers, truncated and slow requests.
def raw_exchange(data, wait=5.0, pause=None):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=wait)
    try:
        try:
            if pause is None:
                s.sendall(data)
            else:
                for chunk in data:
                    s.sendall(chunk)
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed first: read what it said
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, "timeout"
            except ConnectionResetError:
                return out, "reset"
            if not chunk:
                return out, "closed"
            out += chunk
    finally:
        s.close()


raw_cases = [
    ("garbage line", b"HELLO\r\n\r\n"),
    ("no version", b"GET /healthz\r\n\r\n"),
    ("bad version", b"GET /healthz HTTP/9.9\r\n\r\n"),
    ("binary", bytes(range(256)) * 4),
    ("header too large", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"),
    ("many headers", b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 3000 + b"\r\n"),
    ("bad content-length", b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    ("negative content-length", b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
    ("huge content-length", b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"),
    ("two content-lengths", b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
    ("bad chunk", b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    ("nul in target", b"GET /health\x00z HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("space in target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("absolute target", b"GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("asterisk target", b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("header without colon", b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"),
    ("obs-fold", b"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"),
    ("lone LF", b"GET /healthz HTTP/1.1\nHost: x\n\n"),
]
for name, data in raw_cases:
    out, how = raw_exchange(data)
    if out:
        status = int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/1.") else 0
        check(400 <= status < 500 or status == 200,
              f"raw {name}: answered {out[:80]!r}")
        # RFC 9112 lets a server accept a lone LF and unfold obs-fold (Beast does).
        check(status != 200 or name in ("lone LF", "obs-fold"), f"raw {name}: accepted: {out[:80]!r}")
    checks += 1
# Truncated: a body shorter than announced, then silence: closed on the read timeout.
t0 = time.time()
out, how = raw_exchange(b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        b"application/json\r\nContent-Length: 100\r\n\r\n{\"iin\":", wait=8)
check(how in ("closed", "reset") and time.time() - t0 < 7, f"truncated body: {how} {out[:80]!r}")
# Slow: a header dribbled a byte at a time, slower than the read timeout allows.
t0 = time.time()
out, how = raw_exchange([bytes([c]) for c in b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"],
                        wait=8, pause=0.15)
check(b" 200 " not in out[:20], "a request slower than the read timeout was served")
# Pipelined: ten requests in one write, ten answers in order.
out, how = raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 10, wait=4)
check(out.count(b"HTTP/1.1 200") == 10, f"pipelined requests: {out.count(b'HTTP/1.1 200')} answers")
total = len(hostile) + len(raw_cases) + 3
check(total >= 200, f"{total} hostile requests")

# Still serving, never a 5xx.
st, _, _, _ = request("GET", "/healthz")
check(st == 200, "the server still serves after the hostile suite")
s, _, _, data = request("GET", "/metrics", tok=admin)
for line in data.decode().splitlines():
    if line.startswith("emkhana_http_requests_total"):
        check('status="5' not in line, f"a 5xx was answered: {line}")

# ---------------------------------------------------------------- graceful stop
server.send_signal(signal.SIGTERM)
try:
    rc = server.wait(timeout=15)
except subprocess.TimeoutExpired:
    server.kill()
    fail("the server did not stop on SIGTERM")
err = open(os.path.join(TMP, "serve.log")).read()
check(rc == 0, f"exit code after SIGTERM: {rc}: {err[-500:]}")
check('"event":"stopped"' in err, "the stop is logged as JSON")
access = [json.loads(l) for l in err.splitlines() if l.startswith("{") and '"route"' in l]
check(len(access) >= 500 and all({"ts", "method", "route", "status", "ms"} <= set(e) for e in access),
      f"a JSON access log line per request: {len(access)}")
for iin in people:
    check(iin not in err, "an IIN appears unmasked in the log")
print(f"http_test: {checks} checks passed ({total} hostile requests, {replies_checked} JSON replies "
      f"matched openapi.json, {len(OPENAPI.seen)} routes' successful replies among them)")
