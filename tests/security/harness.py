"""What the security tests share: a real `emkhana serve` on a small generated registry, tokens,
requests (parsed, or raw bytes on a socket), and problem+json checks. Standard library only.

Each test file is one CTest test: `python3 tests/security/<topic>_test.py path/to/emkhana`.
A failed check prints FAIL and exits 1; a file that ends normally passed.
"""
import atexit
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/ci/emkhana"
checks = 0


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        fail(message)


def run(*args, check_rc=True):
    """The CLI's standard output; a non-zero exit fails the test unless check_rc is False."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if check_rc and p.returncode != 0:
        fail(f"emkhana {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


class Server:
    """`emkhana serve` on port 0 over a registry generated into a temporary directory."""

    def __init__(self, *serve_args, population=20000, seed=5, as_of="2026-11-20", db=None,
                 generate=True):
        self.tmp = tempfile.mkdtemp(prefix="emkhana-sec-")
        atexit.register(shutil.rmtree, self.tmp, True)
        self.db = db or os.path.join(self.tmp, "r.db")
        if generate and not os.path.exists(self.db):
            run("generate", "--db", self.db, "--population", str(population), "--seed", str(seed),
                "--as-of", as_of)
        self.args = list(serve_args)
        self.proc = None
        self.port = None

    def start(self, *extra):
        self.log = os.path.join(self.tmp, "serve.log")
        self.proc = subprocess.Popen([BIN, "serve", "--db", self.db, "--port", "0", *self.args,
                                      *extra], stdout=subprocess.PIPE,
                                     stderr=open(self.log, "a"), text=True)
        atexit.register(lambda p=self.proc: p.poll() is None and p.kill())
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            fail("the server did not start: " + line + open(self.log).read())
        self.port = int(line.rsplit(":", 1)[1].strip().strip("/"))
        return self

    def stop(self, sig=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
        return self.proc.returncode

    def token(self, role, subject, *more):
        return run("token", "--db", self.db, "--role", role, "--subject", subject,
                   *more).stdout.strip()

    def sample(self, n=200, seed=9):
        return list(dict.fromkeys(run("sample", "--db", self.db, "--persons", str(n), "--seed",
                                      str(seed)).stdout.split()))

    def sql(self, query, *params):
        import sqlite3
        with sqlite3.connect(self.db) as db:
            return db.execute(query, params).fetchall()

    def request(self, method, path, body=None, tok=None, headers=None, lang=None):
        """(status, content type, parsed JSON or None, raw bytes, headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        h = dict(headers or {})
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
        if ctype.startswith(("application/json", "application/problem+json")) and data:
            parsed = json.loads(data)
        return r.status, ctype, parsed, data, dict(r.getheaders())

    def raw(self, data, timeout=5.0, pause=0.05):
        """Sends bytes as they are (a list: piece by piece, `pause` seconds apart, each in its own
        segment); returns everything the server wrote until it closed (or the timeout)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        if isinstance(data, list):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for piece in data:
                s.sendall(piece)
                time.sleep(pause)
        else:
            s.sendall(data)
        out = b""
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
        s.close()
        return out


def expect_problem(reply, want_status, want_code, what):
    status, ctype, body = reply[0], reply[1], reply[2]
    check(status == want_status, f"{what}: status {status}, expected {want_status}: {body}")
    check(ctype.startswith("application/problem+json"), f"{what}: content type {ctype}")
    check(body["code"] == want_code, f"{what}: code {body.get('code')}, expected {want_code}")
    for lang in ("kk", "ru", "en"):
        check(body["titles"][lang], f"{what}: no {lang} title")


def done(name):
    print(f"{name}: {checks} checks passed")


# ---------------------------------------------------------------- signatures (a test CA)
def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


class TestCa:
    """A CA made with openssl in `tmp`, and certificates naming IINs (serialNumber IIN...), as
    the national CA writes them. Give its `pem` to `serve --ca-file`."""

    def __init__(self, tmp, name="test-ca"):
        self.tmp = tmp
        self.key, self.pem = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.key, "-out", self.pem, "-days", "30", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.certs = {}

    def person(self, iin):
        if iin not in self.certs:
            base = os.path.join(self.tmp, f"p-{iin}")
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
                    "-subj", f"/C=KZ/CN=Test {iin}/serialNumber=IIN{iin}")
            openssl("x509", "-req", "-in", base + ".csr", "-CA", self.pem, "-CAkey", self.key,
                    "-CAcreateserial", "-days", "5", "-out", base + ".pem")
            self.certs[iin] = (base + ".key", open(base + ".pem").read())
        return self.certs[iin]

    def signed(self, body, signer=None):
        """The body with the signer's (default: the applicant's) signature over its canonical
        JSON, as eGov sends it."""
        import base64
        signer = signer or body.get("applicant") or body["iin"]
        key, pem = self.person(signer)
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        sig = openssl("dgst", "-sha256", "-sign", key, data=text)
        return dict(body, signature={"certificate": pem, "value": base64.b64encode(sig).decode()})
