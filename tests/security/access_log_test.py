#!/usr/bin/env python3
"""Issue 23, point 7 (in part): a citizen reads who looked at their record.

    access_log_test.py path/to/emkhana

GET /api/v1/persons/{iin}/access-log: the person and their registered representatives (and
admins) see every read of the person's records, refused attempts included, with the reader's
role and who they are (a citizen's IIN masked). Anyone else is answered as about nobody.
"""
import time

from harness import Server, check, done, expect_problem

srv = Server(population=20000).start()
admin = srv.token("admin", "ops")
people = {}
for iin in srv.sample(200):
    people[iin] = srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=admin)[2]
adults = [i for i, b in people.items() if b["org"] and (int(i[:2]) < 7 or int(i[:2]) > 30)]
a, b = adults[0], adults[1]
org = people[a]["org"]
child, parent = srv.sql("SELECT iin, representative FROM representative ORDER BY iin LIMIT 1")[0]
cit_a, cit_b, cit_parent = (srv.token("citizen", i) for i in (a, b, parent))
registrar = srv.token("registrar", org)

# Reads of a's record: a themself, a registrar, and a stranger's refused attempt.
check(srv.request("GET", f"/api/v1/persons/{a}/attachment", tok=cit_a)[0] == 200, "own read")
check(srv.request("GET", f"/api/v1/persons/{a}", tok=registrar)[0] == 200, "a registrar reads")
check(srv.request("GET", f"/api/v1/persons/{a}/history", tok=cit_b)[0] == 404, "refused")
srv.request("GET", f"/api/v1/persons/{child}/attachment", tok=cit_parent)
time.sleep(0.6)  # reads reach the audit with the pipeline's next batch

st, _, log, raw, _ = srv.request("GET", f"/api/v1/persons/{a}/access-log", tok=cit_a)
check(st == 200 and log["iin"] == a, f"the person reads their access log: {st} {log}")
entries = log["entries"]
check(any(e["role"] == "registrar" and e["who"] == org and not e["refused"] for e in entries),
      f"the registrar's read is there, with the organisation: {entries}")
check(any(e["role"] == "citizen" and e["refused"] and e["what"].endswith("/history")
          for e in entries), f"the stranger's refused attempt is there: {entries}")
check(any(e["role"] == "citizen" and not e["refused"] for e in entries), "their own read")
check(b.encode() not in raw, "another citizen's IIN is shown masked")
check(all(isinstance(e["at"], int) and e["at"] > 0 for e in entries), "each entry has its time")

st, _, kid_log, _, _ = srv.request("GET", f"/api/v1/persons/{child}/access-log", tok=cit_parent)
check(st == 200 and kid_log["entries"], f"a parent reads the child's access log: {st}")

theirs = srv.request("GET", f"/api/v1/persons/{a}/access-log", tok=cit_b)
expect_problem(theirs, 404, "not_found", "another's access log")
for who, tok, want in (("registrar", registrar, 403), ("region", srv.token("region", "ALA"), 403),
                       ("anonymous", None, 401), ("admin", admin, 200)):
    st = srv.request("GET", f"/api/v1/persons/{a}/access-log", tok=tok)[0]
    check(st == want, f"the access log read by {who}: {st}, expected {want}")
expect_problem(srv.request("GET", f"/api/v1/persons/{a}/access-log?limit=0", tok=cit_a), 400,
               "invalid_query", "limit 0")
check(srv.stop() == 0, "the server stops")
done("access_log_test")
