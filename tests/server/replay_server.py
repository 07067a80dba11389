#!/usr/bin/python3
"""Replay server for the HTTP client tests (loopback only).

Listens on 127.0.0.1:0, prints "PORT n", and answers each request with a
scripted raw response chosen by the request path. TLS with --cert/--key
(default), plain HTTP with --plain. Connections are kept alive unless the
script closes them; GET /stats answers {"connections": n} (accepted
connections so far) so keep-alive reuse can be checked server-side.
--proxy-403 turns it into a fake proxy that refuses every CONNECT.
"""
import argparse
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

CONNECTIONS = 0
LOCK = threading.Lock()


def resp(status, headers, body=b""):
    head = "HTTP/1.1 %s\r\n" % status + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


def chunked(parts):
    out = b""
    for p in parts:
        out += b"%x\r\n" % len(p) + p + b"\r\n"
    return out + b"0\r\n\r\n"


BIG = bytes((i * 7) % 251 for i in range(60000))

# path -> (bytes to send, then: "keep" | "close" | special)
SCRIPTS = {
    "/cl": (resp("200 OK", [("Content-Type", "application/json"), ("Content-Length", "13")], b'{"ok":"yes"}\n'), "keep"),
    "/chunked": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + chunked([b"hel", b"lo ", b"world"]), "keep"),
    "/close": (resp("200 OK", [("Connection", "close")], b"until the end"), "close"),
    "/continue": (b"HTTP/1.1 100 Continue\r\n\r\n" + resp("200 OK", [("Content-Length", "2")], b"ok"), "keep"),
    "/big": (resp("200 OK", [("Transfer-Encoding", "chunked")]) +
             chunked([BIG[a:a + 2999] for a in range(0, len(BIG), 2999)]), "keep"),
    "/truncated": (resp("200 OK", [("Content-Length", "100")], b"0123456789"), "close"),
    "/truncated-chunk": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"a\r\nabc", "close"),
    "/bad-chunk": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"zz\r\nabc\r\n0\r\n\r\n", "close"),
    "/chunk-overflow": (resp("200 OK", [("Transfer-Encoding", "chunked")]) + b"FFFFFFFFFFFFFFFFFFFF\r\n", "close"),
    "/cl-te": (resp("200 OK", [("Content-Length", "3"), ("Transfer-Encoding", "chunked")]) + b"3\r\nabc\r\n0\r\n\r\n", "close"),
    "/dup-cl": (resp("200 OK", [("Content-Length", "3"), ("Content-Length", "4")], b"abcd"), "close"),
    "/huge-header": (resp("200 OK", [("X-Filler", "a" * 20000), ("Content-Length", "0")]), "close"),
    "/huge-body": (resp("200 OK", [("Content-Length", "100000000")]) + b"x" * 1000, "close"),
    "/garbage": (b"<html>this is not HTTP</html>\r\n\r\n", "close"),
    "/slow-drip": (resp("200 OK", [("Content-Length", "100000")]), "drip"),
    "/reset": (b"", "reset"),
    "/alert": (b"", "alert"),
}


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
        sock = raw
        try:
            if self.server.ctx is not None:
                sock = self.server.ctx.wrap_socket(raw, server_side=True)
            f = sock.makefile("rb")
            while True:
                req = read_request(f)
                if req is None:
                    return
                method, path, _, _ = req
                if self.server.proxy403:
                    sock.sendall(resp("403 Forbidden", [("Content-Length", "0"), ("Connection", "close")]))
                    return
                path = path.split("?")[0]
                if path == "/stats":
                    with LOCK:
                        body = b'{"connections": %d}' % CONNECTIONS
                    sock.sendall(resp("200 OK", [("Content-Type", "application/json"),
                                                 ("Content-Length", str(len(body)))], body))
                    continue
                data, then = SCRIPTS.get(path, (resp("404 Not Found", [("Content-Length", "0")]), "keep"))
                if method == "HEAD" and then == "keep":
                    data = data.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                sock.sendall(data)
                if then == "keep":
                    continue
                if then == "drip":
                    for _ in range(600):
                        sock.sendall(b"x")
                        time.sleep(0.2)
                elif then == "reset":
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    raw.close()
                elif then == "alert":
                    # a fatal alert record sent in clear over the TLS connection
                    raw.sendall(b"\x15\x03\x03\x00\x02\x02\x50")
                    time.sleep(0.2)
                    raw.close()
                return
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                if sock is not raw:
                    sock.close()
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
    srv.proxy403 = a.proxy_403
    if not a.plain and not a.proxy_403:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.ctx = ctx
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
