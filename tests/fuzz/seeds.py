#!/usr/bin/python3
"""Build the fuzz seed corpora at run time (nothing is stored in the repository).

usage: seeds.py ROOT SHARED OUTDIR

Writes OUTDIR/{json,http,url,b64}/ from
- the C string literals of the unit tests (ROOT/tests/test_*.c), sorted by shape;
- SHARED/testdata/jsontestsuite/test_parsing/* (JSON documents, <= 8 KiB);
- SHARED/testdata/http-responses/response/*.md (```http blocks, decoded as
  described in that directory's README.md);
- SHARED/testdata/vectors/{base64,url_percent_decode,form_urlencoded_whatwg}.json.
Missing shared data only shrinks the corpora (a note goes to stderr).
"""
import hashlib
import json
import os
import re
import sys

ROOT, SHARED, OUT = sys.argv[1:4]
TD = os.path.join(SHARED, "testdata")
corp = {k: set() for k in ("json", "http", "url", "b64")}
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

for kind, items in corp.items():
    d = os.path.join(OUT, kind)
    os.makedirs(d, exist_ok=True)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("seeds: %-4s %4d files" % (kind, len(items)))
