#!/usr/bin/python3
"""
lwip_net.py: the namespace side of the lwIP firmware test (test-only code, run by
tests/firmware/run_lwip.sh inside a private network namespace, by /usr/bin/python3).

  lwip_net.py --addr 10.77.0.1 --name sf.test --sf-port P [--tls-port 443]
              [--cut-port 8443] [--silent-port 8081]

- DNS server on ADDR:53/udp: NAME (and nothing else) resolves to ADDR (A record);
  any other name is NXDOMAIN.
- TCP relay ADDR:TLS_PORT -> 127.0.0.1:P (the token server only listens on loopback):
  one upstream connection per client connection; a FIN is passed on as a FIN,
  a reset as a reset.
- Cutting relay ADDR:CUT_PORT -> 127.0.0.1:P: like the relay, except that on its
  first connection it resets both sides in the middle of the response: once the
  client has sent its third burst (TLS 1.2: ClientHello; key exchange + Finished;
  the HTTP request), the first 16 bytes of the server's answer are passed on,
  then both connections are reset.
- Silent server on ADDR:SILENT_PORT: accepts and never sends a byte.
Prints "READY" on stdout once everything listens.

  lwip_net.py --refresh-token OUT --sf-port P --ca CA --client-id ID --secret FILE
Runs the authorization code flow against the token server on 127.0.0.1:P (started
with --auto-approve) and writes the refresh token to OUT (mode 0600).
"""
import argparse
import json
import os
import select
import socket
import ssl
import struct
import sys
import threading
import urllib.parse
import http.client

REDIRECT = "http://localhost:1717/OauthRedirect"


def dns_answer(q, addr, name):
    """Answer a DNS query q (bytes) for A records of name; None if malformed."""
    if len(q) < 12:
        return None
    tid, flags, qd = struct.unpack("!HHH", q[:6])
    if qd != 1 or flags & 0x8000:
        return None
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 5 > len(q):
        return None
    qtype, _qclass = struct.unpack("!HH", q[i + 1:i + 5])
    question = q[12:i + 5]
    hit = ".".join(labels).lower() == name and qtype == 1
    rflags = 0x8180 if hit else 0x8183  # response, RD, RA; NXDOMAIN when no hit
    head = struct.pack("!HHHHHH", tid, rflags, 1, 1 if hit else 0, 0, 0)
    ans = b""
    if hit:
        ans = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(addr)
    return head + question + ans


def serve_dns(addr, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(1500)
        a = dns_answer(q, addr, name)
        if a is not None:
            s.sendto(a, peer)


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def pipe(a, b, cut=False):
    """Copy both ways until both sides closed; a reset on one side resets the other.
    cut: reset both mid-response (see the module text). a is the client side."""
    open_ = {a: b, b: a}
    bursts, last = 0, None
    while open_:
        r, _, _ = select.select(list(open_), [], [], 60)
        if not r:
            break
        for s in r:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                reset(a)
                reset(b)
                return
            if data and cut:
                if s is a and last is not a:
                    bursts += 1
                last = s
                if s is b and bursts >= 3:
                    a.sendall(data[:16])
                    reset(a)
                    reset(b)
                    return
            if data:
                open_[s].sendall(data)
            else:
                try:
                    open_[s].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                del open_[s]
    a.close()
    b.close()


def serve_relay(addr, port, up_port, cut_first=False):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(8)
    cut = cut_first
    while True:
        c, _ = ls.accept()
        try:
            u = socket.create_connection(("127.0.0.1", up_port))
        except OSError:
            reset(c)
            continue
        threading.Thread(target=pipe, args=(c, u, cut), daemon=True).start()
        cut = False


def serve_silent(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(8)
    held = []
    while True:
        c, _ = ls.accept()
        held.append(c)  # never answered; closed when the process ends


def refresh_token(a):
    ctx = ssl.create_default_context(cafile=a.ca)
    secret = open(a.secret).read().strip()
    q = urllib.parse.urlencode({"response_type": "code", "client_id": a.client_id,
                                "redirect_uri": REDIRECT, "scope": "api refresh_token"})
    h = http.client.HTTPSConnection("127.0.0.1", a.sf_port, context=ctx, timeout=20)
    h.request("GET", "/services/oauth2/authorize?" + q)
    r = h.getresponse()
    r.read()
    loc = r.getheader("Location") or ""
    code = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query).get("code", [""])[0]
    if r.status != 302 or not code:
        sys.exit("lwip_net: no code from authorize (%d)" % r.status)
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code,
                                   "client_id": a.client_id, "client_secret": secret,
                                   "redirect_uri": REDIRECT})
    h.request("POST", "/services/oauth2/token", body,
              {"Content-Type": "application/x-www-form-urlencoded"})
    r = h.getresponse()
    tok = json.loads(r.read())
    if "refresh_token" not in tok:
        sys.exit("lwip_net: no refresh token (%d)" % r.status)
    fd = os.open(a.refresh_token, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, tok["refresh_token"].encode())
    os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="10.77.0.1")
    ap.add_argument("--name", default="sf.test")
    ap.add_argument("--sf-port", type=int, required=True)
    ap.add_argument("--tls-port", type=int, default=443)
    ap.add_argument("--silent-port", type=int, default=8081)
    ap.add_argument("--cut-port", type=int, default=8443)
    ap.add_argument("--refresh-token")
    ap.add_argument("--ca")
    ap.add_argument("--client-id")
    ap.add_argument("--secret")
    a = ap.parse_args()
    if a.refresh_token:
        refresh_token(a)
        return
    for fn, args in ((serve_dns, (a.addr, a.name.lower())),
                     (serve_relay, (a.addr, a.tls_port, a.sf_port)),
                     (serve_relay, (a.addr, a.cut_port, a.sf_port, True)),
                     (serve_silent, (a.addr, a.silent_port))):
        threading.Thread(target=fn, args=args, daemon=True).start()
    # the threads bind at once; give them a moment before announcing
    threading.Event().wait(0.3)
    print("READY", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
