"""Issue 23, point 9: HTTP strictness at the socket. A Transfer-Encoding other than exactly
`chunked`, one with a Content-Length, a missing or repeated Host, a repeated Content-Length and
obsolete line folding are refused with a 400 problem+json, and the connection is closed: bytes
after such a header (a body that hides a second request) are never read as a request.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, check, done  # noqa: E402

srv = Server().start()
tok = srv.token("admin", "strict")


def replies(out):
    """The status codes of the HTTP replies in `out`, in order."""
    return [int(code) for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", out)]


def problem(out):
    head, _, body = out.partition(b"\r\n\r\n")
    return head, json.loads(body) if body else None


# The hidden request: complete, and answered with a 200 if it were ever read as one.
hidden = (b"GET /api/v1/policy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok.encode() +
          b"\r\n\r\n")
smuggling = {
    "identity": [b"Transfer-Encoding: identity"],
    "gzip, chunked": [b"Transfer-Encoding: gzip, chunked"],
    "chunked, identity": [b"Transfer-Encoding: chunked, identity"],
    "two TE fields": [b"Transfer-Encoding: chunked", b"Transfer-Encoding: identity"],
    "TE identity then chunked": [b"Transfer-Encoding: identity", b"Transfer-Encoding: chunked"],
    "TE with Content-Length": [b"Transfer-Encoding: identity", b"Content-Length: 0"],
    "Content-Length with TE": [b"Content-Length: 0", b"Transfer-Encoding: identity"],
    "two equal Content-Lengths": [b"Content-Length: 0", b"Content-Length: 0"],
    "TE with a space": [b"Transfer-Encoding:  identity "],
    "folded TE": [b"Transfer-Encoding: identity", b" , chunked"],
}
for name, fields in smuggling.items():
    data = (b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\n" + b"\r\n".join(fields) +
            b"\r\nContent-Type: application/json\r\n\r\n" + hidden)
    out = srv.raw(data, timeout=4)
    codes = replies(out)
    check(codes == [400], f"{name}: one 400 reply expected, got {codes}: {out[:300]!r}")
    head, body = problem(out)
    check(b"application/problem+json" in head and body and body["code"] == "bad_request",
          f"{name}: not a bad_request problem: {out[:300]!r}")
    check(b"Connection: close" in head, f"{name}: the connection is not announced closed")
    check(b" 200 " not in out, f"{name}: the hidden request was answered")

# Host: missing (HTTP/1.1), repeated, or with a different value; pipelined after it, a request
# that must not be answered.
host_cases = {
    "no Host": b"GET /healthz HTTP/1.1\r\n\r\n",
    "two Hosts": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "two equal Hosts": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
    "folded header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n folded\r\n\r\n",
    "folded with a tab": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tfolded\r\n\r\n",
    "space before the first field": b"GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n",
    "folded, lone LF": b"GET /healthz HTTP/1.1\nHost: x\nX-A: b\n folded\n\n",
}
for name, data in host_cases.items():
    out = srv.raw(data + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=4)
    codes = replies(out)
    check(codes == [400], f"{name}: one 400 reply expected, got {codes}: {out[:300]!r}")
    head, body = problem(out)
    check(body and body["code"] == "bad_request" and all(body["titles"][l] for l in
                                                          ("kk", "ru", "en")),
          f"{name}: not a bad_request problem: {out[:300]!r}")

# What stays allowed: chunked alone (any case), HTTP/1.0 without Host, one Host, keep-alive.
ok = {
    "chunked": b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
               b"Content-Type: application/json\r\nAuthorization: Bearer " + tok.encode() +
               b"\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "Chunked": b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n"
               b"Content-Type: application/json\r\nAuthorization: Bearer " + tok.encode() +
               b"\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "HTTP/1.0 without Host": b"GET /healthz HTTP/1.0\r\n\r\n",
}
for name, data in ok.items():
    out = srv.raw(data, timeout=4)
    codes = replies(out)
    # An empty application is refused by the API (422), not by the socket layer (400).
    check(len(codes) == 1 and codes[0] in (200, 422), f"{name}: {codes}: {out[:300]!r}")
out = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3 +
              b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=4)
check(replies(out) == [200] * 4, f"pipelined requests: {replies(out)}")



# A header that arrives in pieces (a slow client, TLS records, a read that ends mid-header) is
# read as one: the start line may be taken before the fields arrive. Folding is still seen when a
# piece ends a line and the next begins with a space.
auth = b"Authorization: Bearer " + tok.encode() + b"\r\n"
close = b"Connection: close\r\n\r\n"
whole_pieces = {
    "after the start line": [b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", close],
    "inside a field": [b"GET /api/v1/policy HTTP/1.1\r\nHo", b"st: x\r\n" + auth[:30],
                       auth[30:] + close],
    "between CR and LF": [b"GET /healthz HTTP/1.1\r", b"\nHost: x\r", b"\n" + close[:-1],
                          b"\n"],
    "pipelined, the second in pieces": [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                        b"GET /api/v1/policy HTTP/1.1\r\n", b"Host: x\r\n" + auth,
                                        close],
}
for name, pieces in whole_pieces.items():
    out = srv.raw(pieces, timeout=4)
    want = [200] * (2 if "pipelined" in name else 1)
    check(replies(out) == want, f"header in pieces, {name}: {replies(out)}: {out[:300]!r}")
folded_pieces = {
    "a fold in the next piece": [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n",
                                 b" folded\r\n\r\n"],
    "a space before the first field, in the next piece": [b"GET /healthz HTTP/1.1\r\n",
                                                          b" Host: x\r\n\r\n"],
}
for name, pieces in folded_pieces.items():
    out = srv.raw(pieces, timeout=4)
    check(replies(out) == [400], f"{name}: one 400 reply expected, got {replies(out)}")

st, _, _, _, _ = srv.request("GET", "/healthz")
check(st == 200, "the server still serves")
check(srv.stop() == 0, "clean stop")
done("http_strict_test")
