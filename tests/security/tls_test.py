"""Issue 23, point 13: TLS. `serve --tls-cert FILE --tls-key FILE` speaks HTTPS only, TLS 1.2
and 1.3: curl trusting the test CA is served; a TLS 1.1 (or older) client and a plain-HTTP client
are not. The socket layer's checks hold over TLS too. Certificates are made for the test.
"""
import os
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, check, done, run  # noqa: E402

srv = Server()
tmp = srv.tmp


def openssl(*args):
    p = subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=tmp)
    check(p.returncode == 0, f"openssl {' '.join(args)}: {p.stderr}")


# A test CA and a server certificate for localhost and 127.0.0.1 (P-256: quick to make).
openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Emkhana test CA")
openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
with open(os.path.join(tmp, "ext.cnf"), "w") as f:
    f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
ca, cert, key = (os.path.join(tmp, n) for n in ("ca.pem", "server.pem", "server.key"))

# Start-up refuses what it cannot use: one flag without the other, an unreadable key.
p = run("serve", "--db", srv.db, "--port", "0", "--tls-cert", cert, check_rc=False)
check(p.returncode == 2 and "--tls-key" in p.stderr, f"--tls-cert alone: {p.returncode} {p.stderr}")
p = run("serve", "--db", srv.db, "--port", "0", "--tls-cert", cert, "--tls-key", ca,
        check_rc=False)
check(p.returncode == 2 and "tls" in p.stderr.lower(), f"a key that does not match: {p.stderr}")

srv.start("--tls-cert", cert, "--tls-key", key)
url = f"https://127.0.0.1:{srv.port}"
tok = srv.token("admin", "tls")


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True,
                          text=True)


r = curl("--cacert", ca, "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}",
         url + "/healthz")
check(r.returncode == 0 and r.stdout == "200 0", f"curl --cacert: {r.returncode} {r.stdout} "
      f"{r.stderr}")
r = curl("--cacert", ca, "-H", "Authorization: Bearer " + tok, url + "/api/v1/policy")
check(r.returncode == 0 and '"version"' in r.stdout, f"an API call over TLS: {r.stdout[:200]}")
r = curl("--cacert", ca, "--tlsv1.2", "--tls-max", "1.2", "-o", "/dev/null", "-w",
         "%{http_code}", url + "/healthz")
check(r.returncode == 0 and r.stdout == "200", f"TLS 1.2: {r.returncode} {r.stderr}")
r = curl("--cacert", ca, "--tlsv1.1", "--tls-max", "1.1", url + "/healthz")
check(r.returncode != 0, f"curl with TLS 1.1 at most was served: {r.stdout[:200]}")
r = curl(url + "/healthz")
check(r.returncode != 0, "curl without the CA trusted the server")

# A client that really offers TLS 1.0 and 1.1 (its own defaults would refuse them first).
for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    try:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        ctx.minimum_version = version
        ctx.maximum_version = version
    except (ValueError, ssl.SSLError):
        continue
    try:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                check(False, f"a {version.name} handshake succeeded: {t.version()}")
    except (ssl.SSLError, ConnectionError):
        pass

# Plain HTTP to the TLS port is not served.
out = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
check(b"HTTP/1.1 200" not in out, f"plain HTTP on the TLS port: {out[:100]!r}")


def tls_raw(data):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            check(t.version() in ("TLSv1.2", "TLSv1.3"), f"negotiated {t.version()}")
            t.sendall(data)
            out = b""
            try:
                while True:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except (socket.timeout, ssl.SSLError, ConnectionError):
                pass
            return out


# Pipelining and the strictness checks over TLS.
out = tls_raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3 +
              b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check(out.count(b"HTTP/1.1 200") == 4, f"pipelined over TLS: {out[:200]!r}")
out = tls_raw(b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n"
              b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
check(out.count(b"HTTP/1.1 ") == 1 and out.startswith(b"HTTP/1.1 400"),
      f"smuggling over TLS: {out[:200]!r}")
check(srv.stop() == 0, "clean stop")
done("tls_test")
