#!/usr/bin/env python3
"""Issue 23, points 1-5, 8 and 11: what only the register decides, against a real server.

    trust_test.py path/to/emkhana

- the server's clock dates every application; a `date` in the body is refused;
- channels are bound to actors: a citizen signs through egov/mobile for themself or someone
  they represent; a service-centre operator enters `service_centre`, a registrar `clinic_paper`
  to their own organisation; representation documents are seen at a desk, and recorded so;
- no disclosure: a person or an application the caller may not see is answered exactly as one
  that does not exist;
- application ids are the server's; a caller's `reference` is theirs alone, a reused one with
  another body is a 409;
- Idempotency-Key is scoped to the caller, another body is a 422, and it survives a restart;
- files the server makes are its owner's alone (0600);
- an application without `consent` has none.
"""
import os
import stat

from harness import Server, TestCa, check, done, expect_problem

DAY = "2026-09-20"  # the server's day (--as-of): inside the 2026 campaign
srv = Server(as_of=DAY, population=20000)
ca = TestCa(srv.tmp)
srv.args += ["--as-of", DAY, "--ca-file", ca.pem]
srv.start()

admin = srv.token("admin", "ops")
people = {}
for iin in srv.sample(300):
    st, _, body, _, _ = srv.request("GET", f"/api/v1/persons/{iin}/attachment", tok=admin)
    check(st == 200, f"admin reads {iin}: {st}")
    people[iin] = body
adults = [i for i, b in people.items() if b["org"] and (int(i[:2]) < 7 or int(i[:2]) > 30)]
check(len(adults) >= 4, "the sample has attached adults")
a, b, c = adults[0], adults[1], adults[2]
org_a, org_b = people[a]["org"], next(people[i]["org"] for i in adults if people[i]["org"] !=
                                      people[a]["org"])
child, parent = srv.sql("SELECT iin, representative FROM representative ORDER BY iin LIMIT 1")[0]
strangers_child = srv.sql("SELECT iin FROM representative WHERE iin NOT IN (SELECT iin FROM "
                          "representative WHERE representative = ?) ORDER BY iin LIMIT 1",
                          parent)[0][0]


def valid_iin_nobody_has(like):
    """An IIN with a right check digit that the register does not hold."""
    w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
    for serial in range(9999, 0, -1):
        head = like[:7] + f"{serial:04d}"
        d = [int(x) for x in head]
        r = sum(d[i] * (i + 1) for i in range(11)) % 11
        if r == 10:
            r = sum(d[i] * w2[i] for i in range(11)) % 11
        if r == 10:
            continue
        iin = head + str(r)
        if not srv.sql("SELECT 1 FROM person WHERE iin = ?", iin):
            return iin
    raise AssertionError("no free IIN")


nobody = valid_iin_nobody_has(a)
cit = {i: srv.token("citizen", i) for i in (a, b, c, parent)}
operator = srv.token("operator", "OP-7@CON-ALA-1")
reg_a = srv.token("registrar", org_a)
region = srv.token("region", org_a.split("-")[0])
post = "/api/v1/applications"


def apply(body, tok, sign=True, headers=None):
    if sign and body.get("channel") in ("egov", "mobile"):
        body = ca.signed(body)
    return srv.request("POST", post, body, tok=tok, headers=headers)


def egov(iin, org, **more):
    return dict({"iin": iin, "org": org, "channel": "egov", "basis": "free_choice",
                 "consent": True}, **more)


# ---------------------------------------------------------------- 1. the server's clock
for date in ("2026-10-01", "2019-05-05", "2099-12-31", DAY):
    expect_problem(apply(egov(a, org_b, date=date), cit[a]), 422, "field_not_accepted",
                   f"a body dated {date}")
st, _, d, _, _ = apply(egov(a, org_b), cit[a])
check(st == 200 and d["decision"] in ("approved", "refused"), f"an undated application: {d}")
first_id = d["id"]
st, _, got, _, _ = srv.request("GET", f"{post}/{first_id}", tok=cit[a])
check(st == 200 and got["date"] == DAY, f"dated by the server's day: {got.get('date')}")
for path in ("/api/v1/stats", "/api/v1/funding?month=2026-09"):
    st, _, _, _, _ = srv.request("GET", path, tok=admin)
    check(st == 200, f"{path} answers: {st}")

# ---------------------------------------------------------------- 2. channels bound to actors
for channel in ("service_centre", "clinic_paper"):
    expect_problem(srv.request("POST", post, egov(a, org_a, channel=channel), tok=cit[a]), 403,
                   "channel_forbidden", f"a citizen through {channel}")
# A citizen naming themself the applicant for a stranger, or for a stranger's child, or with
# documents only a desk may see: refused before the rules, the same for nobody at all.
stranger = apply(egov(b, org_a, applicant=a), cit[a])
expect_problem(stranger, 403, "in_person_only", "a citizen for a stranger")
expect_problem(apply(egov(strangers_child, org_a, applicant=parent), cit[parent]), 403,
               "in_person_only", "a parent for another family's child")
expect_problem(apply(egov(nobody, org_a, applicant=a), cit[a]), 403, "in_person_only",
               "a citizen for nobody")
check(apply(egov(nobody, org_a, applicant=a), cit[a])[3] == stranger[3],
      "a stranger and nobody get the same reply")
expect_problem(apply(egov(a, org_b, documents=["consent_of_family_member"]), cit[a]), 403,
               "in_person_only", "consent declared through eGov")
expect_problem(apply(egov(b, org_a), cit[a]), 403, "forbidden", "a citizen for another, as them")
st, _, listed, _, _ = srv.request("GET", f"{post}?iin={b}", tok=admin)
check(st == 200 and not listed["applications"], f"nothing stored for the stranger: {listed}")
# A parent for their own child is fine.
st, _, d, _, _ = apply(egov(child, org_a, applicant=parent), cit[parent])
check(st == 200 and d["decision"], f"a parent for their child: {st} {d}")
# An operator enters a service-centre application for a person present, with another adult's
# written consent, and is recorded as having seen it.
st, _, d, _, _ = srv.request("POST", post, {"iin": b, "applicant": c, "org": org_a,
                                            "channel": "service_centre", "basis": "free_choice",
                                            "consent": True,
                                            "documents": ["consent_of_family_member"]},
                             tok=operator)
check(st == 200 and "no_representation" not in d.get("reasons", []), f"an operator: {st} {d}")
import time
time.sleep(0.5)  # the pipeline writes the audit with the decision's batch
st, _, trail, _, _ = srv.request("GET", f"/api/v1/audit?subject={d['id']}", tok=admin)
decided = [e for e in trail["entries"] if e["action"] == "application.decided"]
check(decided and decided[0]["actor"] == "operator:OP-7@CON-ALA-1" and
      "documents seen: consent_of_family_member" in decided[0]["channel"],
      f"the operator and what they saw are recorded: {trail}")
for who, tok, body, code in (
        ("an operator through egov", operator, egov(b, org_a), "channel_forbidden"),
        ("a registrar to another organisation", reg_a, egov(b, org_b, channel="clinic_paper"),
         "channel_forbidden"),
        ("a registrar through service_centre", reg_a, egov(b, org_a, channel="service_centre"),
         "channel_forbidden"),
        ("an admin", admin, egov(b, org_a, channel="service_centre"), "forbidden"),
        ("a region", region, egov(b, org_a, channel="service_centre"), "forbidden")):
    expect_problem(srv.request("POST", post, body, tok=tok), 403, code, who)
st, _, d, _, _ = srv.request("POST", post, egov(b, org_a, channel="clinic_paper"), tok=reg_a)
check(st == 200 and d["decision"], f"a registrar's paper application to their own: {st} {d}")

# ---------------------------------------------------------------- 3. no disclosure
for path in ("/api/v1/persons/{}/attachment", "/api/v1/persons/{}", "/api/v1/persons/{}/history",
             "/api/v1/applications?iin={}"):
    theirs = srv.request("GET", path.format(a), tok=cit[b])
    none = srv.request("GET", path.format(nobody), tok=cit[b])
    expect_problem(theirs, 404, "not_found", f"a citizen reads another's {path}")
    check(theirs[3] == none[3], f"{path}: another's and nobody's replies are the same")
    forbidden = srv.request("GET", path.format(a), tok=region)
    check(forbidden[0] == 403 and forbidden[3] == srv.request("GET", path.format(nobody),
                                                              tok=region)[3],
          f"{path}: a region is refused alike for somebody and nobody")
theirs = srv.request("GET", f"{post}/{first_id}", tok=cit[b])
none = srv.request("GET", f"{post}/W-000000000000000000000000", tok=cit[b])
expect_problem(theirs, 404, "not_found", "another's application")
check(theirs[3] == none[3], "another's application and none are answered alike")
for suffix in ("/talon", "/talon.pdf"):
    check(srv.request("GET", f"{post}/{first_id}{suffix}", tok=cit[b])[0] == 404,
          f"another's {suffix}")

# ---------------------------------------------------------------- 4. ids are the server's
expect_problem(apply(egov(a, org_b, id="A1"), cit[a]), 422, "field_not_accepted", "a client id")
expect_problem(apply(egov(a, org_b, id=first_id), cit[a]), 422, "field_not_accepted",
               "another's id")
check(first_id.startswith("W-") and len(first_id) == 26, f"a server id: {first_id}")
st, _, r1, _, _ = apply(egov(c, org_b, reference="my-ref.1"), cit[c])
st2, _, r2, _, _ = apply(egov(c, org_b, reference="my-ref.1"), cit[c])
check(st == st2 == 200 and r1 == r2, f"a reference sent again: the same decision {r1} {r2}")
expect_problem(apply(egov(c, org_a, reference="my-ref.1"), cit[c]), 409, "reference_conflict",
               "a reference reused for another application")
st, _, rb, _, _ = apply(egov(b, org_b, reference="my-ref.1"), cit[b])
check(st == 200 and rb["id"] != r1["id"], f"another caller's same reference: their own {rb}")
for bad in ("", "x" * 65, "a b", "é"):
    expect_problem(apply(egov(c, org_b, reference=bad), cit[c]), 422, "invalid_field",
                   f"reference {bad!r}")

# ---------------------------------------------------------------- 5. idempotency keys
key = {"Idempotency-Key": "retry-1"}
st, _, k1, _, _ = apply(egov(a, org_b, basis="free_choice"), cit[a], headers=key)
st2, _, k2, _, _ = apply(egov(c, org_a), cit[c], headers=key)
check(st == st2 == 200 and k1["id"] != k2["id"], f"one key, two callers, two decisions: {k1} {k2}")
expect_problem(apply(egov(a, org_a), cit[a], headers=key), 422, "idempotency_conflict",
               "a key with another body")

# ---------------------------------------------------------------- 11. consent
st, _, d, _, _ = apply({"iin": a, "org": org_b, "channel": "egov", "basis": "free_choice"},
                       cit[a])
check(st == 200 and d["decision"] == "refused" and "no_consent" in d["reasons"],
      f"no consent said: none given: {d}")

# ---------------------------------------------------------------- 8. files, and a restart
check(srv.stop() == 0, "the server stops")
for name in os.listdir(srv.tmp):
    path = os.path.join(srv.tmp, name)
    if name.startswith("r.db"):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode & 0o077 == 0, f"{name} is the owner's alone: {oct(mode)}")
srv.start()
st, _, again, _, _ = apply(egov(a, org_b, basis="free_choice"), cit[a], headers=key)
check(st == 200 and again["id"] == k1["id"], f"the key survives a restart: {again} {k1}")
expect_problem(apply(egov(a, org_a), cit[a], headers=key), 422, "idempotency_conflict",
               "after a restart, a key with another body")
st, _, r3, _, _ = apply(egov(c, org_b, reference="my-ref.1"), cit[c])
check(st == 200 and r3["id"] == r1["id"], f"a reference survives a restart: {r3}")
check(srv.stop() == 0, "the server stops again")
done("trust_test")
