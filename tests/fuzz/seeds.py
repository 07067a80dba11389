#!/usr/bin/python3
"""Build the fuzz seed corpora at run time (nothing is stored in the repository).

usage: seeds.py ROOT SHARED OUTDIR

Writes OUTDIR/{json,http,url,b64,key,token}/ from
- the C string literals of the unit tests (ROOT/tests/test_*.c), sorted by shape;
- SHARED/testdata/jsontestsuite/test_parsing/* (JSON documents, <= 8 KiB);
- SHARED/testdata/http-responses/response/*.md (```http blocks, decoded as
  described in that directory's README.md);
- SHARED/testdata/vectors/{base64,url_percent_decode,form_urlencoded_whatwg}.json;
- key: the test PKI's keys, made now by ROOT/tests/support/pki.sh into
  OUTDIR/../pki (PKCS#1/PKCS#8 PEM and DER, 4096, 1024, EC, encrypted), the
  RFC 7515 A.2 PEMs of SHARED/testdata/vectors/jws-rfc7515-a2/, and truncated
  and bit-flipped copies;
- token: Salesforce-shaped token, introspection, device and userinfo answers and
  OAuth / 401-array / HTML / empty errors, Content-Length and chunked framing
  (the 'signature' of some matches fuzz_token.c's client secret).
Missing shared data only shrinks the corpora (a note goes to stderr).
"""
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys

ROOT, SHARED, OUT = sys.argv[1:4]
TD = os.path.join(SHARED, "testdata")
corp = {k: set() for k in ("json", "http", "url", "b64", "key", "token")}
MAXLEN = 8192


def add(kind, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if 0 < len(data) <= MAXLEN:
        corp[kind].add(data)


# ---- C string literals of the tests (adjacent literals joined) ----------------------
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ESC = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, '"': 34, "'": 39, "a": 7, "b": 8,
       "f": 12, "v": 11, "?": 63}


def c_unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            m = re.match(r"[0-9a-fA-F]+", s[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out.append(ESC.get(e, ord(e)))
            i += 2
    return bytes(out)


def literals(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    pos, cur, last_end = 0, None, -1
    for m in LIT.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "'":
            continue
        piece = c_unescape(m.group(1))
        if cur is not None and text[last_end:m.start()].strip() == "":
            cur += piece
        else:
            if cur is not None:
                yield cur
            cur = piece
        last_end = m.end()
    if cur is not None:
        yield cur


tests = os.path.join(ROOT, "tests")
for name in sorted(os.listdir(tests)):
    if not (name.startswith("test_") and name.endswith(".c")):
        continue
    for lit in literals(os.path.join(tests, name)):
        s = lit.lstrip()
        if s.startswith(b"HTTP/"):
            add("http", lit)
        elif s[:1] in (b"{", b"[") or (name.startswith("test_json") and len(s) > 0):
            add("json", lit)
        elif name in ("test_url.c", "test_form.c") or b"://" in lit or b"=" in lit:
            add("url", lit)
        if name == "test_b64.c" or re.fullmatch(rb"[A-Za-z0-9+/_=-]{2,}", lit):
            add("b64", lit)

# ---- JSONTestSuite -------------------------------------------------------------------
jts = os.path.join(TD, "jsontestsuite", "test_parsing")
if os.path.isdir(jts):
    for name in sorted(os.listdir(jts)):
        with open(os.path.join(jts, name), "rb") as f:
            add("json", f.read())
else:
    print("seeds: no %s" % jts, file=sys.stderr)

# ---- llhttp response corpus ------------------------------------------------------------


def http_block(text):
    if text.endswith("\n"):
        text = text[:-1]
    text = re.sub(r"\\\r?\n", "", text)
    text = re.sub(r"\r\n|\r|\n", "\r\n", text)
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            e = text[i + 1]
            if e in "rntf":
                out.append({"r": 13, "n": 10, "t": 9, "f": 12}[e])
                i += 2
                continue
            m = re.match(r"x([0-9a-fA-F]+)", text[i + 1:])
            if m:
                out.append(int(m.group(1), 16) & 0xFF)
                i += 1 + len(m.group(0))
                continue
            m = re.match(r"[0-7]{1,3}", text[i + 1:])
            if m:
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
                continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


resp = os.path.join(TD, "http-responses", "response")
if os.path.isdir(resp):
    for name in sorted(os.listdir(resp)):
        text = open(os.path.join(resp, name), encoding="utf-8").read()
        for m in re.finditer(r"```http\n(.*?)\n```", text, flags=re.S):
            add("http", http_block(m.group(1) + "\n"))
else:
    print("seeds: no %s" % resp, file=sys.stderr)

# ---- vectors -------------------------------------------------------------------------
vec = os.path.join(TD, "vectors")


def load(name):
    p = os.path.join(vec, name)
    if not os.path.exists(p):
        print("seeds: no %s" % p, file=sys.stderr)
        return None
    with open(p, encoding="utf-8") as f:
        return json.load(f)


b = load("base64.json")
if b:
    for e in b.get("encode", []):
        for k in ("base64", "base64url", "base64url_nopad"):
            if e.get(k):
                add("b64", e[k])
        if e.get("input_hex"):
            add("b64", bytes.fromhex(e["input_hex"]))
    for e in b.get("decode", []):
        if isinstance(e.get("input"), str):
            add("b64", e["input"])
u = load("url_percent_decode.json")
if u:
    for e in u.get("cases", []):
        if isinstance(e.get("input"), str):
            add("url", e["input"])
            add("url", "http://127.0.0.1:8080/cb?code=" + e["input"] + "&state=x")
w = load("form_urlencoded_whatwg.json")
if w:
    def walk(o):
        if isinstance(o, str):
            add("url", o)
        elif isinstance(o, list):
            for x in o:
                walk(x)
        elif isinstance(o, dict):
            for x in o.values():
                walk(x)
    walk(w.get("strings", w))

# a few hand-made shapes the literals may lack
add("http", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;ext=\"v\"\r\nhello\r\n0\r\nTrailer: x\r\n\r\n")
add("http", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
            b"Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
add("url", b"http://localhost:1717/callback?code=aPrx%2Bq&state=s%20t#frag")
add("url", b"https://[::1]:8443/cb?error=access_denied&error_description=no+way")

# ---- key: test PKI keys (made at run time) and the RFC 7515 A.2 PEMs -----------------
pki = os.path.join(os.path.dirname(os.path.abspath(OUT)), "pki")
try:
    subprocess.run(["sh", os.path.join(ROOT, "tests", "support", "pki.sh"), pki], check=True)
except (OSError, subprocess.CalledProcessError) as ex:
    print("seeds: pki.sh failed: %s" % ex, file=sys.stderr)
keys = []
for name in ("client.key", "client-pkcs8.pem", "client-pkcs8.der", "client-pkcs1.der",
             "rsa4096.key", "rsa1024.key", "ec.key", "client-enc.pem", "ca.pem"):
    p = os.path.join(pki, name)
    if os.path.exists(p):
        keys.append(open(p, "rb").read())
    else:
        print("seeds: no %s" % p, file=sys.stderr)
a2 = os.path.join(vec, "jws-rfc7515-a2")
for name in ("private_key_pkcs1.pem", "private_key_pkcs8.pem", "public_key_pkcs1.pem"):
    p = os.path.join(a2, name)
    if os.path.exists(p):
        keys.append(open(p, "rb").read())
    else:
        print("seeds: no %s" % p, file=sys.stderr)
for k in keys:
    add("key", k)
    add("key", k[: len(k) // 2])
    add("key", k[:-3])
    add("key", k.replace(b"\n", b"\r\n"))
    flip = bytearray(k)
    flip[len(flip) // 3] ^= 0x01
    add("key", bytes(flip))
    if b"-----BEGIN" in k:   # the DER inside the PEM, and a PEM with junk around it
        body = b"".join(l for l in k.splitlines() if not l.startswith(b"-----"))
        try:
            der = base64.b64decode(body)
            add("key", der)
            add("key", der[:-1])
        except ValueError:
            pass
        add("key", b"junk before\n" + k + b"trailing junk\n")

# ---- token: Salesforce-shaped answers -------------------------------------------------
SECRET = b"fuzz-client-secret"   # fuzz_token.c
ID = "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6A"
ISSUED = "1700000000000"
SIG = base64.b64encode(hmac.new(SECRET, (ID + ISSUED).encode(), hashlib.sha256).digest()).decode()


def resp_cl(status, body, ctype="application/json;charset=UTF-8", extra=""):
    body = body.encode() if isinstance(body, str) else body
    return (("HTTP/1.1 %s\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: %s\r\n%s"
             "Cache-Control: no-cache,must-revalidate,max-age=0,no-store,private\r\n"
             "Content-Length: %d\r\n\r\n") % (status, ctype, extra, len(body))).encode() + body


def resp_chunked(status, body, ctype="application/json;charset=UTF-8"):
    body = body.encode() if isinstance(body, str) else body
    out = ("HTTP/1.1 %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n"
           "Connection: close\r\n\r\n" % (status, ctype)).encode()
    for i in range(0, len(body), 37):
        piece = body[i:i + 37]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


tok_ok = json.dumps({
    "access_token": "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu",
    "refresh_token": "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrBUeelcU2fQypOe9Bp6LqcUVUoLDmh.j7RHERpE1SUZEVPLdD",
    "signature": SIG, "scope": "refresh_token api id", "id_token": "eyJraWQiOiIyMzAiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln",
    "instance_url": "https://acme.my.salesforce.com", "id": ID, "token_type": "Bearer",
    "issued_at": ISSUED}, separators=(",", ":"))
tok_badsig = tok_ok.replace(SIG, "c2ln" * 11)
tok_rfc = '{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt2","scope":"api"}'
bodies_ok = [tok_ok, tok_badsig, tok_rfc, '{"access_token":"x"}', '{}', '[]', '{"access_token":1}',
             '{"access_token":"a","access_token":"b"}', '{"access_token":"a","expires_in":1e3}',
             '{"active":true,"scope":"api","client_id":"3MVG9","username":"u@example.com",'
             '"sub":"' + ID + '","token_type":"access_token","exp":1700003600,"iat":1700000000,'
             '"nbf":1700000000}', '{"active":false}',
             '{"sub":"' + ID + '","user_id":"005xx","organization_id":"00Dxx",'
             '"preferred_username":"u@example.com","email_verified":true,'
             '"address":{"country":"US"},"zoneinfo":"America/Los_Angeles","photos":{"picture":"https://c"}}']
for b in bodies_ok:
    add("token", resp_cl("200 OK", b))
    add("token", resp_chunked("200 OK", b))
errs = [
    ("400 Bad Request", '{"error":"invalid_grant","error_description":"expired access/refresh token"}'),
    ("400 Bad Request", '{"error":"authorization_pending","error_description":"pending"}'),
    ("400 Bad Request", '{"error":"slow_down"}'),
    ("400 Bad Request", '{"error":"invalid_client_id","error_description":"client identifier invalid"}'),
    ("401 Unauthorized", '{"error":"invalid_client","error_description":"invalid client credentials"}'),
    ("401 Unauthorized", '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'),
    ("403 Forbidden", '[{"message":"Bad_OAuth_Token","errorCode":"FORBIDDEN"}]'),
    ("500 Server Error", '{"error":"unknown_error","error_description":"retry your request"}'),
    ("503 Service Unavailable", ''),
    ("429 Too Many Requests", '{"error":"rate_limited"}'),
    ("400 Bad Request", ''),
]
for st, b in errs:
    add("token", resp_cl(st, b))
    add("token", resp_chunked(st, b))
add("token", resp_cl("429 Too Many Requests", "", extra="Retry-After: 2\r\n"))
add("token", resp_cl("400 Bad Request", "<html><head><title>Bad</title></head><body>Bad Request</body></html>",
                     ctype="text/html"))
add("token", resp_cl("200 OK", "<html><body>Maintenance</body></html>", ctype="text/html"))
add("token", resp_cl("302 Found", "", extra="Location: https://login.salesforce.com/\r\n"))
add("token", b"HTTP/1.1 100 Continue\r\n\r\n" + resp_cl("200 OK", tok_rfc))
add("token", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + tok_ok.encode())
add("token", resp_cl("200 OK", tok_ok)[:-20])

for kind, items in corp.items():
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("seeds: %-5s %4d files" % (kind, len(items)))
