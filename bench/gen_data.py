#!/usr/bin/python3
"""Writes the parser benchmark inputs into DIR (argument): deterministic, no network.

  token.json      a Salesforce JWT bearer token response (Salesforce escapes "/" as "\\/")
  api.json        ~1 MiB API-style response (SOQL query result: records with nested
                  attributes, escaped strings, non-ASCII text, numbers, null, booleans)
  deep.json       deeply nested document: 200 values each nested 400 levels
                  (arrays and objects alternating)
  http_token.txt  HTTP/1.1 200 response with Salesforce's headers + token.json
  http_chunked.txt HTTP/1.1 200 response with api.json in 4 KiB..16 KiB chunks
"""
import json, os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rnd = random.Random(7)

def sf_dumps(o):
    return json.dumps(o, separators=(",", ":")).replace("/", "\\/")

token = {
    "access_token": "00D5e000000sfoA!AQ0AQ" + "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._") for _ in range(90)),
    "signature": "q1Yx0kXr2nDmE9Zk5Wl8u3Vb7cTa6sPj4oHf1gLe0iM=",
    "scope": "api refresh_token openid",
    "instance_url": "https://example.my.salesforce.com",
    "id": "https://login.salesforce.com/id/00D5e000000sfoAEAQ/0055e000001AbCdAAK",
    "token_type": "Bearer",
    "issued_at": "1718000000000",
}
tok = sf_dumps(token).encode()
open(os.path.join(out, "token.json"), "wb").write(tok)

words = ["Acme", "Global", "Média", "Ünited", "Systems", "Nordic", "東京", "Data", "Labs",
         "O'Brien", "\"Quoted\"", "Tab\there", "Line\nbreak", "Ω", "Café"]
recs = []
i = 0
body = b""
while True:
    i += 1
    rid = "001%015d" % i
    recs.append({
        "attributes": {"type": "Account", "url": "/services/data/v60.0/sobjects/Account/" + rid},
        "Id": rid,
        "Name": " ".join(rnd.choice(words) for _ in range(3)),
        "AnnualRevenue": rnd.choice([None, rnd.randint(0, 10**9), rnd.random() * 1e7]),
        "NumberOfEmployees": rnd.randint(1, 100000),
        "IsDeleted": False,
        "Active__c": rnd.choice([True, False]),
        "Description": "".join(rnd.choice(words) + " " for _ in range(rnd.randint(2, 12))),
        "CreatedDate": "2024-0%d-1%dT12:34:56.000+0000" % (rnd.randint(1, 9), rnd.randint(0, 9)),
        "Owner": {"attributes": {"type": "User", "url": "/services/data/v60.0/sobjects/User/005x"},
                  "Name": rnd.choice(words), "Email": "user%d@example.com" % i},
    })
    if i % 200 == 0:
        doc = {"totalSize": len(recs), "done": True, "records": recs}
        body = sf_dumps(doc).encode()
        if len(body) >= 1 << 20:
            break
open(os.path.join(out, "api.json"), "wb").write(body)

def nest(d):
    s = "1"
    for k in range(d):
        s = ("[%s]" % s) if k % 2 == 0 else ('{"k":%s}' % s)
    return s
deep = ("[" + ",".join(nest(400) for _ in range(200)) + "]").encode()
open(os.path.join(out, "deep.json"), "wb").write(deep)

hdr = ("HTTP/1.1 200 OK\r\n"
       "Date: Mon, 10 Jun 2024 06:13:20 GMT\r\n"
       "Set-Cookie: BrowserId=Qx1b2C3dEe-4fG5hI6jK7l; domain=.salesforce.com; path=/; expires=Tue, 10-Jun-2025 06:13:20 GMT; Max-Age=31536000; secure; SameSite=None\r\n"
       "Set-Cookie: CookieConsentPolicy=0:0; path=/; expires=Tue, 10-Jun-2025 06:13:20 GMT; Max-Age=31536000; secure\r\n"
       "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n"
       "X-Content-Type-Options: nosniff\r\n"
       "X-XSS-Protection: 1; mode=block\r\n"
       "X-Robots-Tag: none\r\n"
       "Cache-Control: no-cache,must-revalidate,max-age=0,no-store,private\r\n"
       "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
       "X-ReadOnlyMode: false\r\n"
       "Content-Type: application/json;charset=UTF-8\r\n"
       "Vary: Accept-Encoding\r\n"
       "Server: sfdcedge\r\n"
       "X-SFDC-Request-Id: 4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\r\n"
       "X-SFDC-Edge-Cache: MISS\r\n")
open(os.path.join(out, "http_token.txt"), "wb").write(
    (hdr + "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(tok)).encode() + tok)
parts = [(hdr + "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n").encode()]
pos = 0
while pos < len(body):
    n = min(rnd.randint(4096, 16384), len(body) - pos)
    parts.append(b"%x\r\n" % n + body[pos:pos + n] + b"\r\n")
    pos += n
parts.append(b"0\r\n\r\n")
open(os.path.join(out, "http_chunked.txt"), "wb").write(b"".join(parts))
