#!/usr/bin/python3
"""Loopback TLS test server for tests/test_tls.c.

Usage: tls_server.py CERT_CHAIN_PEM KEY_PEM
Listens on 127.0.0.1 (kernel-chosen port), prints "PORT n", then serves one
connection at a time. After the handshake it reads lines and answers:
  "BYE"    -> close_notify, then close (client sees a clean end of stream)
  "FIN"    -> close the TCP connection without close_notify
  "RST"    -> reset the TCP connection (SO_LINGER 0)
  other    -> echoed back
Handshake failures (the client rejecting the certificate) are ignored.
"""
import socket
import ssl
import struct
import sys


def serve(conn, ctx):
    try:
        s = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return
    f = b""
    try:
        while True:
            data = s.recv(4096)
            if not data:
                break
            f += data
            while b"\n" in f:
                line, f = f.split(b"\n", 1)
                if line == b"BYE":
                    raw = s.unwrap()
                    raw.close()
                    return
                if line == b"FIN":
                    raw = socket.socket(fileno=s.detach())
                    raw.shutdown(socket.SHUT_RDWR)
                    raw.close()
                    return
                if line == b"RST":
                    raw = socket.socket(fileno=s.detach())
                    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    raw.close()
                    return
                s.sendall(line + b"\n")
    except (ssl.SSLError, OSError):
        pass
    try:
        s.close()
    except OSError:
        pass


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # security level 0: the server must be able to present the weak certificates
    # (RSA-1024, SHA-1, MD5) that the client is tested to refuse
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        conn.settimeout(10)
        serve(conn, ctx)


if __name__ == "__main__":
    main()
