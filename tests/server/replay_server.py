#!/usr/bin/python3
"""Replay server for the HTTP client tests (loopback only).

Listens on 127.0.0.1:0, prints "PORT n", and answers each request with a
scripted raw response chosen by the request path. TLS with --cert/--key
(default), plain HTTP with --plain. Connections are kept alive unless the
script closes them; GET /stats answers {"connections": n} (accepted
connections so far) so keep-alive reuse can be checked server-side.
--proxy-403 turns it into a fake proxy that refuses every CONNECT.

TLS runs over memory BIOs so that the script controls every byte on the wire:
a connection can end with close_notify (a clean end of stream), with a bare
TCP FIN (no close_notify: a truncation the client must detect), with a TCP
reset, or with a genuine encrypted fatal TLS alert record. The alert is
forged from the TLS 1.2 key block: the server pins TLS 1.2 with AES-GCM
suites and logs the master secrets (SSLContext.keylog_filename) into a
private temporary file; the server random and the record sequence number
are read off the records the server sends.

Paths (anything else: 404 with an empty body):
  /cl /cl-then-close (keep-alive answer, then closed idle after 100 ms)
  /chunked /chunked-ext /one-byte-chunks /big /mib /close /continue
  /echo (POST: the request body back, Content-Length framed)
  /close-no-notify /truncated /truncated-chunk /bad-chunk /chunk-overflow
  /chunk-overflow64 /cl-te /dup-cl /huge-header /huge-body /slow-drip
  /silent (reads the request, answers nothing) /reset /reset-mid-body /garbage /alert /stats
"""
import argparse
import hashlib
import hmac
import os
import signal
import socket
import socketserver
import ssl
import struct
import sys
import tempfile
import threading
import time

CONNECTIONS = 0
LOCK = threading.Lock()


def resp(status, headers, body=b""):
    head = "HTTP/1.1 %s\r\n" % status + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


def chunked(parts, trailer=b""):
    out = b""
    for p in parts:
        out += b"%x\r\n" % len(p) + p + b"\r\n"
    return out + b"0\r\n" + trailer + b"\r\n"


BIG = bytes((i * 7) % 251 for i in range(60000))
# 1 MiB, the same pattern the test computes: byte i = (i * 13 + i // 4096) % 256
MIB = bytes((i * 13 + i // 4096) % 256 for i in range(1 << 20))


def mib_parts():
    """1 MiB in chunks of varying size: 1-byte ones, odd ones, 16 KiB ones."""
    sizes = [1, 1, 1, 7, 4093, 16384, 511, 1, 8191]
    parts, at, k = [], 0, 0
    while at < len(MIB):
        n = min(sizes[k % len(sizes)], len(MIB) - at)
        parts.append(MIB[at:at + n])
        at += n
        k += 1
    return parts


ONE_BYTE = bytes(b"abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(1000))

# path -> (bytes to send, then: "keep" | "close" | special)
SCRIPTS = {
    "/cl": (resp("200 OK", [("Content-Type", "application/json"), ("Content-Length", "13")], b'{"ok":"yes"}\n'), "keep"),
    "/chunked": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + chunked([b"hel", b"lo ", b"world"]), "keep"),
    # extensions (token, token=token, token="quoted \" string"), then trailers
    "/chunked-ext": (resp("200 OK", [("Transfer-Encoding", "chunked"), ("Content-Type", "text/plain")]) +
                     b"5;ext\r\nhello\r\n1; a=b ;c=\"q\\\"uoted;x\"\r\n,\r\n"
                     b"6;name=value\r\n world\r\n0;last\r\n"
                     b"X-Trailer: one\r\nX-Other: two\r\n\r\n", "keep"),
    "/one-byte-chunks": (resp("200 OK", [("Transfer-Encoding", "chunked")]) +
                         chunked([ONE_BYTE[i:i + 1] for i in range(len(ONE_BYTE))]), "keep"),
    "/close": (resp("200 OK", [("Connection", "close")], b"until the end"), "close"),
    "/cl-then-close": (resp("200 OK", [("Content-Length", "2")], b"ok"), "idle-close"),
    "/close-no-notify": (resp("200 OK", [("Connection", "close")], b"until the end"), "fin"),
    "/continue": (b"HTTP/1.1 100 Continue\r\n\r\n" + resp("200 OK", [("Content-Length", "2")], b"ok"), "keep"),
    "/big": (resp("200 OK", [("Transfer-Encoding", "chunked")]) +
             chunked([BIG[a:a + 2999] for a in range(0, len(BIG), 2999)]), "keep"),
    "/mib": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + chunked(mib_parts()), "keep"),
    "/truncated": (resp("200 OK", [("Content-Length", "100")], b"0123456789"), "close"),
    "/truncated-chunk": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"a\r\nabc", "close"),
    "/bad-chunk": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"zz\r\nabc\r\n0\r\n\r\n", "close"),
    "/chunk-overflow": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"FFFFFFFFFFFFFFFFFFFF\r\n", "close"),
    # exactly 2^64: wraps to 0 in a naive 64-bit accumulator
    "/chunk-overflow64": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"10000000000000000\r\nabc\r\n0\r\n\r\n", "close"),
    "/cl-te": (resp("200 OK", [("Content-Length", "3"), ("Transfer-Encoding", "chunked")]) + b"3\r\nabc\r\n0\r\n\r\n", "close"),
    "/dup-cl": (resp("200 OK", [("Content-Length", "3"), ("Content-Length", "4")], b"abcd"), "close"),
    "/huge-header": (resp("200 OK", [("X-Filler", "a" * 20000), ("Content-Length", "0")]), "close"),
    "/huge-body": (resp("200 OK", [("Content-Length", "100000000")]) + b"x" * 1000, "close"),
    "/garbage": (b"<html>this is not HTTP</html>\r\n\r\n", "close"),
    "/slow-drip": (resp("200 OK", [("Content-Length", "50000")]), "drip"),
    "/silent": (b"", "silent"),
    "/reset": (b"", "reset"),
    "/reset-mid-body": (resp("200 OK", [("Content-Length", "1000")], b"y" * 100), "reset"),
    "/alert": (resp("200 OK", [("Content-Length", "1000")], b"z" * 100), "alert"),
}


# ---- TLS 1.2 record forging (for the fatal alert) ------------------------------------
def prf(secret, label, seed, n, hname):
    """TLS 1.2 PRF (RFC 5246 section 5)."""
    seed = label + seed
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, hname).digest()
        out += hmac.new(secret, a + seed, hname).digest()
    return out[:n]


def gcm_record(ctype, plain, cipher_name, master, server_random, client_random, seq):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    klen, hname = (32, "sha384") if "AES256" in cipher_name else (16, "sha256")
    kb = prf(master, b"key expansion", server_random + client_random, 2 * klen + 8, hname)
    key, iv = kb[klen:2 * klen], kb[2 * klen + 4:2 * klen + 8]
    explicit = struct.pack(">Q", seq)
    aad = explicit + bytes([ctype]) + b"\x03\x03" + struct.pack(">H", len(plain))
    body = explicit + AESGCM(key).encrypt(iv + explicit, plain, aad)
    return bytes([ctype]) + b"\x03\x03" + struct.pack(">H", len(body)) + body


class Conn:
    """One accepted connection, plain or TLS over memory BIOs."""

    def __init__(self, raw, ctx, keylog):
        self.raw = raw
        self.buf = b""
        self.obj = None
        self.keylog = keylog
        self.out_rec = b""          # partial record sent by the server
        self.in_rec = b""           # partial record received from the client
        self.server_random = None
        self.client_random = None
        self.after_ccs = False
        self.seq = 0                # records sent after our ChangeCipherSpec
        if ctx is not None:
            self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)
            while True:
                try:
                    self.obj.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    self._flush()
                    self._pull()
            self._flush()

    def _track(self, data, out):
        """Follow record boundaries: randoms from the hellos, our sequence number."""
        buf = (self.out_rec if out else self.in_rec) + data
        while len(buf) >= 5:
            n = struct.unpack(">H", buf[3:5])[0]
            if len(buf) < 5 + n:
                break
            typ, payload, buf = buf[0], buf[5:5 + n], buf[5 + n:]
            if out:
                if self.after_ccs:
                    self.seq += 1
                elif typ == 20:
                    self.after_ccs = True
                elif typ == 22 and payload[:1] == b"\x02" and self.server_random is None:
                    self.server_random = payload[6:38]
            elif typ == 22 and payload[:1] == b"\x01" and self.client_random is None:
                self.client_random = payload[6:38]
        if out:
            self.out_rec = buf
        else:
            self.in_rec = buf

    def _flush(self):
        data = self.out.read()
        if data:
            self._track(data, True)
            self.raw.sendall(data)

    def _pull(self):
        d = self.raw.recv(65536)
        if not d:
            self.inc.write_eof()
        else:
            self._track(d, False)
            self.inc.write(d)
        return d

    def recv(self, n):
        if self.obj is None:
            return self.raw.recv(n)
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                self._flush()
                if not self._pull():
                    try:
                        return self.obj.read(n)
                    except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ssl.SSLWantReadError):
                        return b""
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    def readline(self, limit=65536):
        while b"\n" not in self.buf and len(self.buf) < limit:
            d = self.recv(65536)
            if not d:
                break
            self.buf += d
        i = self.buf.find(b"\n")
        i = len(self.buf) if i < 0 else i + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def read(self, n):
        while len(self.buf) < n:
            d = self.recv(65536)
            if not d:
                break
            self.buf += d
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def sendall(self, data):
        if self.obj is None:
            self.raw.sendall(data)
            return
        self.obj.write(data)
        self._flush()

    def close_notify(self):
        if self.obj is not None:
            try:
                self.obj.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
            self._flush()

    def reset(self):
        self.raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.raw.close()

    def fatal_alert(self, description=80):
        """A fatal alert record (default internal_error), encrypted as the session's next record."""
        master = None
        with open(self.keylog) as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[0] == "CLIENT_RANDOM" and bytes.fromhex(p[1]) == self.client_random:
                    master = bytes.fromhex(p[2])
        if master is None or self.server_random is None:
            raise RuntimeError("no key material for the alert")
        rec = gcm_record(21, bytes([2, description]), self.obj.cipher()[0], master,
                         self.server_random, self.client_random, self.seq)
        self.raw.sendall(rec)


def read_request(f):
    """Request head and body; None at end of stream."""
    line = f.readline(65536)
    if not line:
        return None
    headers = {}
    while True:
        h = f.readline(65536)
        if not h or h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    body = f.read(n) if n else b""
    parts = line.decode("latin-1").split()
    return parts[0], parts[1] if len(parts) > 1 else "/", headers, body


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        global CONNECTIONS
        with LOCK:
            CONNECTIONS += 1
        raw = self.request
        conn = None
        try:
            conn = Conn(raw, self.server.ctx, self.server.keylog)
            while True:
                req = read_request(conn)
                if req is None:
                    conn.close_notify()
                    return
                method, path, _, body = req
                if self.server.proxy403:
                    conn.sendall(resp("403 Forbidden", [("Content-Length", "0"), ("Connection", "close")]))
                    return
                path = path.split("?")[0]
                if path == "/stats":
                    with LOCK:
                        data = b'{"connections": %d}' % CONNECTIONS
                    conn.sendall(resp("200 OK", [("Content-Type", "application/json"),
                                                 ("Content-Length", str(len(data)))], data))
                    continue
                if path == "/echo":
                    conn.sendall(resp("200 OK", [("Content-Type", "text/plain"),
                                                 ("Content-Length", str(len(body)))], body))
                    continue
                data, then = SCRIPTS.get(path, (resp("404 Not Found", [("Content-Length", "0")]), "keep"))
                if method == "HEAD" and then == "keep":
                    data = data.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                if data:
                    conn.sendall(data)
                if then == "keep":
                    continue
                if then == "close":
                    conn.close_notify()
                elif then == "idle-close":
                    time.sleep(0.1)
                    conn.close_notify()
                elif then == "drip":
                    for _ in range(600):
                        conn.sendall(b"x")
                        time.sleep(0.2)
                elif then == "silent":
                    conn.raw.settimeout(30)
                    conn.raw.recv(1)   # until the client gives up
                elif then == "reset":
                    time.sleep(0.2)   # let the client read what was sent first
                    conn.reset()
                elif then == "alert":
                    time.sleep(0.2)
                    conn.fatal_alert()
                    time.sleep(0.2)
                # "fin": plain TCP close, no close_notify
                return
        except (OSError, ssl.SSLError, ValueError, RuntimeError) as e:
            print("connection ended: %r" % (e,), file=sys.stderr, flush=True)
            return
        finally:
            try:
                raw.close()
            except OSError:
                pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--proxy-403", action="store_true")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.ctx = None
    srv.keylog = None
    srv.proxy403 = a.proxy_403
    tmp = None
    if not a.plain and not a.proxy_403:
        tmp = tempfile.TemporaryDirectory(prefix="replay-")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        # TLS 1.2 with AES-GCM only: the alert forging above knows this record format
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
        srv.keylog = os.path.join(tmp.name, "keylog")
        ctx.keylog_filename = srv.keylog
        srv.ctx = ctx
    def on_term(*_):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)   # the group may be signalled too
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
