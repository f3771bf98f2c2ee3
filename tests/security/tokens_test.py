#!/usr/bin/env python3
"""Tokens (issue 23, point 12): a key id and a token id in every token; a key ring that rotates
without breaking the tokens out there and retires keys; revocation seen by a running server;
a demo key of its own; /metrics behind a token; a key file open to others refused.

    tokens_test.py path/to/emkhana
"""
import base64
import hashlib
import hmac
import json
import os
import stat
import subprocess
import time

from harness import BIN, Server, check, done, expect_problem, fail, run


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims_of(tok):
    return json.loads(b64url_decode(tok.split(".")[-2]))


def ring(path):
    """[(kid, secret, retire_at)] of the key file."""
    out = []
    for line in open(path).read().splitlines():
        f = line.split()
        if f and not f[0].startswith("#"):
            out.append(tuple(f) if len(f) > 1 else ("(bare secret)", f[0]))
    return out


def signed_by(tok, secret):
    signed, mac = tok.rsplit(".", 1)
    want = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(want, b64url_decode(mac))


def status_until(srv, tok, want_status, seconds=3.0):
    """Asks with `tok` until the answer is `want_status` (a change made by another process is
    seen within a second or two), then returns the reply."""
    deadline = time.time() + seconds
    while True:
        reply = srv.request("GET", "/api/v1/stats", tok=tok)
        if reply[0] == want_status or time.time() > deadline:
            return reply
        time.sleep(0.1)


srv = None
secret = None


def accepted(tok):
    return srv.request("GET", "/api/v1/stats", tok=tok)[0] == 200


def case_key_file_private():
    check(stat.S_IMODE(os.stat(secret).st_mode) == 0o600, "the key file is made 0600")
    help_text = run("token", "--help").stdout
    for word in ("rotate", "retire", "revoke", "keys"):
        check(word in help_text, f"`token --help` tells of {word}")


def case_kid_and_jti():
    tok = srv.token("admin", "ops")
    parts = tok.split(".")
    check(len(parts) == 3, f"a token is kid.claims.signature: {tok[:40]}")
    kids = [k[0] for k in ring(secret)]
    check(parts[0] in kids, f"the token names a key of the ring: {parts[0]} in {kids}")
    jti = claims_of(tok).get("jti", "")
    check(len(jti) >= 16, f"a random token id: {jti!r}")
    check(claims_of(srv.token("admin", "ops")).get("jti") != jti, "every token its own id")
    check(accepted(tok), "the token is accepted")


def rotate():
    """Rotates; returns (a token of the old key, its kid, a token of the new key, new kid)."""
    old = srv.token("admin", "ops")
    new_kid = run("token", "rotate", "--db", srv.db).stdout.strip()
    check(new_kid and new_kid != old.split(".")[0], f"rotate prints a new kid: {new_kid!r}")
    new = srv.token("admin", "ops")
    check(new.split(".")[0] == new_kid, "the new key signs")
    return old, old.split(".")[0], new, new_kid


def case_rotate():
    old, old_kid, new, new_kid = rotate()
    check(stat.S_IMODE(os.stat(secret).st_mode) == 0o600, "the key file stays 0600 after rotate")
    check(status_until(srv, new, 200)[0] == 200, "a token of the new key is accepted at once")
    check(accepted(old), "the old key's token still is")
    listed = run("token", "keys", "--db", srv.db).stdout
    check(old_kid in listed and new_kid in listed and "signs" in listed, f"keys listed: {listed}")
    check(not any(k[1] in listed for k in ring(secret)), "`token keys` never prints a secret")


def case_retire():
    old, old_kid, new, new_kid = rotate()
    check(status_until(srv, new, 200)[0] == 200 and accepted(old), "both keys before retiring")
    p = run("token", "retire", "--db", srv.db, "--kid", "k-nosuch", check_rc=False)
    check(p.returncode == 2, "retiring an unknown key fails")
    run("token", "retire", "--db", srv.db, "--kid", old_kid)
    check(old_kid not in [k[0] for k in ring(secret)], "a retired key is gone from the file")
    reply = status_until(srv, old, 401)
    expect_problem(reply, 401, "unauthenticated", "a token of a retired key")
    check("retired" in reply[2]["detail"], f"the detail says why: {reply[2]['detail']}")
    check(accepted(new), "the new key's token still works")
    # --retire-after: the older keys verify until then.
    before = srv.token("admin", "ops")
    run("token", "rotate", "--db", srv.db, "--retire-after", "1")
    check("until" in run("token", "keys", "--db", srv.db).stdout, "keys show the retirement")
    expect_problem(status_until(srv, before, 401, seconds=5), 401, "unauthenticated",
                   "a token of a key past --retire-after")
    # The signing key may go while an older one verifies; the only one may not.
    rotate()
    p = run("token", "retire", "--db", srv.db, "--kid", srv.token("admin", "x").split(".")[0],
            check_rc=False)
    check(p.returncode == 0, f"the signing key may go when an older one is left: {p.stderr}")
    signer = srv.token("admin", "x").split(".")[0]
    p = run("token", "retire", "--db", srv.db, "--kid", signer, check_rc=False)
    check(p.returncode == 2 and "rotate" in p.stderr, "the only signing key cannot be retired")


def case_revoke():
    victim, other = srv.token("admin", "victim"), srv.token("admin", "other")
    check(accepted(victim) and accepted(other), "accepted (and cached) before revocation")
    run("token", "revoke", "--db", srv.db, "--token", victim)
    reply = status_until(srv, victim, 401)
    expect_problem(reply, 401, "unauthenticated", "a revoked token (cached before)")
    check(reply[2]["detail"] == "token revoked", f"detail: {reply[2]['detail']}")
    run("token", "revoke", "--db", srv.db, "--jti", claims_of(other).get("jti", "none"))
    reply = status_until(srv, other, 401)
    expect_problem(reply, 401, "unauthenticated", "a token revoked by its jti")
    check(reply[2]["detail"] == "token revoked", f"detail: {reply[2]['detail']}")
    check(accepted(srv.token("admin", "victim")), "other tokens of the same subject still work")
    check(stat.S_IMODE(os.stat(secret + ".revoked").st_mode) == 0o600, "revocations file 0600")
    p = run("token", "revoke", "--db", srv.db, check_rc=False)
    check(p.returncode == 2, "revoke without --jti or --token fails")


def case_metrics():
    expect_problem(srv.request("GET", "/metrics"), 401, "unauthenticated", "anonymous /metrics")
    expect_problem(srv.request("GET", "/metrics", tok=srv.token("citizen", "900101300001")), 403,
                   "forbidden", "/metrics for a citizen")
    for role in ("monitor", "admin"):
        s, _, _, data, _ = srv.request("GET", "/metrics", tok=srv.token(role, "prometheus"))
        check(s == 200 and b"emkhana_http_requests_total" in data, f"/metrics, {role} token")
    expect_problem(srv.request("GET", "/api/v1/stats", tok=srv.token("monitor", "prometheus")),
                   403, "forbidden", "a monitor token reads nothing else")
    iin = srv.sample(n=5)[0]
    s, _, body, _, _ = srv.request("GET", f"/api/v1/persons/{iin}/attachment",
                                   tok=srv.token("monitor", iin))
    check(s in (403, 404), f"nor a person's record, even one named as its subject: {s} {body}")


def case_demo_key():
    srv.stop()
    srv.args = ["--demo"]
    srv.start()
    s, _, body, _, _ = srv.request("POST", "/api/v1/demo/sign-in",
                                   {"role": "admin", "subject": "ops"})
    check(s == 200 and body.get("token"), f"demo sign-in: {s} {body}")
    demo = body["token"]
    check(accepted(demo), "the demo token works under --demo")
    check(demo.split(".")[0] not in [k[0] for k in ring(secret)], "the demo key is not the ring's")
    check(not any(signed_by(demo, k[1]) for k in ring(secret)),
          "the demo token is not signed by a production key")
    check(accepted(srv.token("admin", "ops")), "production tokens work under --demo too")
    srv.stop()
    srv.args = []
    srv.start()
    expect_problem(srv.request("GET", "/api/v1/stats", tok=demo), 401, "unauthenticated",
                   "a demo token on a server without --demo")


def case_open_key_file_refused():
    srv.stop()
    os.chmod(secret, 0o640)
    try:
        proc = subprocess.Popen([BIN, "serve", "--db", srv.db, "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("serve started with a group-readable key file")
        check(proc.returncode == 2, f"serve exits 2 on a group-readable key file: {proc.returncode}")
        check("group or others" in err and "chmod 600" in err, f"and says so: {err.strip()}")
        check("listening" not in out, "and does not listen")
        p = run("token", "--db", srv.db, "--role", "admin", "--subject", "ops", check_rc=False)
        check(p.returncode == 2, "nor are tokens issued from it")
    finally:
        os.chmod(secret, 0o600)
    srv.start()


CASES = [case_key_file_private, case_kid_and_jti, case_rotate, case_retire, case_revoke,
         case_metrics, case_demo_key, case_open_key_file_refused]


def setup():
    global srv, secret
    srv = Server().start()
    secret = srv.db + ".secret"


if __name__ == "__main__":
    setup()
    for case in CASES:
        case()
    done("tokens_test")
