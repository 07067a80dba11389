#!/usr/bin/python3
"""
sf_server.py: a Salesforce-shaped HTTPS OAuth 2.0 server for sfoauth's integration tests
and demo. Test-only code. Runs on Debian's /usr/bin/python3 with the standard library and
python3-cryptography only. It really checks what it is sent (signatures, codes, PKCE,
secrets, expiry, revocation); it answers with Salesforce's bodies, error strings, content
type and JSON escaping (see /work/shared/salesforce-oauth.md).

Usage
-----
  /usr/bin/python3 tests/server/sf_server.py --cert server.pem --key server.key \
      [--host 127.0.0.1] [--port 0] [--config FILE] [--state-dir DIR]
      [--client-cert client.pem] [--auto-approve] [--framing cl|chunked|random]
      [--audience URL]... [--tls 1.2|1.3|any] [--seed N] [--print-config]

  First stdout line: "PORT <n>" once listening; nothing else goes to stdout. One log
  line per request goes to stderr (method, path without query, grant, client_id, status,
  error code); tokens, codes, secrets, passwords and assertions are never logged.
  --host must be a loopback address (127.0.0.0/8, ::1 or localhost).
  --cert/--key: the TLS server certificate (chain allowed) and key. Without them a
  throw-away self-signed certificate for localhost/127.0.0.1/::1 is made (written to
  --state-dir when given, so a client can trust it as server.pem there).
  --client-cert: X.509 PEM given to every client whose config has no "certificate".
  --state-dir DIR: codes/tokens/devices/approvals persist in DIR/state.json across
  restarts; DIR/config.json is used as the config when --config is not given.
  --print-config prints the effective configuration (JSON) and exits.

Configuration (JSON; every key optional, unknown keys are an error)
----------------------------------------------------------------------
  {
    "org_id": "00D5e000000sfoA",          15- or 18-char org id (18-char form is used)
    "id_host": "https://login.salesforce.com",   host of the identity URL "id"
    "instance_url": null,                 null = the server's own origin
    "audiences": ["https://login.salesforce.com", "https://test.salesforce.com"],
                                          JWT aud accepted; the own origin always is too
    "auto_approve": false,                GET authorize answers 302 with a code at once
    "auto_approve_user": null,            user for auto approval (default: login_hint,
                                          then the client's first approved user)
    "send_expires_in": false,             add "expires_in" (generic RFC profile)
    "jwt_signature": true,                JWT bearer success carries signature/issued_at
    "escape_slash": true,                 write "/" as "\\/" in JSON strings, as Salesforce
    "framing": "random",                  cl | chunked | random (per response)
    "access_token_lifetime": 7200,        seconds
    "refresh_token_lifetime": 0,          seconds, 0 = valid until revoked
    "code_lifetime": 900,                 authorization code, seconds
    "device_interval": 5,                 seconds between polls
    "device_code_lifetime": 600,
    "device_slow_down_increment": 5,      RFC 8628 3.5: the required interval grows by
                                          this much on every slow_down
    "jwt_max_exp_ahead": 180,             JWT exp further ahead than this is refused
    "login_host_mode": false,             true: act as login./test.salesforce.com, which
                                          refuse client_credentials
    "api_instance_url": false,            add "api_instance_url" to client_credentials
    "revoke_unknown_ok": false,           RFC 7009 profile: 200 for unknown tokens
    "users": { "<username>": { "password": "...", "security_token": "...",
                 "user_id": "005...", "name": "...", "email": "..." } },
    "clients": [ {
        "client_id": "...", "client_secret": "...",
        "name": "...",
        "redirect_uris": ["http://localhost:1717/OauthRedirect"],
        "certificate": "client.pem",      PEM path (relative to the config file) or
                                          inline PEM text; used to verify JWT assertions
        "scopes": ["api", "refresh_token", "openid"],   allowed scopes, in order
        "require_pkce": false,
        "require_secret": true,           secret needed for code exchange
        "require_secret_refresh": false,  secret needed for refresh (checked if sent)
        "rotate_refresh_tokens": false,
        "approved_users": ["user@example.com"],   prior approval (JWT bearer)
        "device_flow": false,
        "password_flow": false,           username-password flow (off by default)
        "client_credentials_user": null   run-as user; null = client_credentials refused
    } ],
    "faults": [ {"kind": "503", "count": 1, "retry_after": 2} ]   see /test/fault
  }

Endpoints
---------
  POST /services/oauth2/token        grants: authorization_code, refresh_token, password,
       client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer, device (with code=),
       urn:ietf:params:oauth:grant-type:device_code (with device_code=), and
       response_type=device_code (Salesforce device start). Client auth in the body or
       HTTP Basic (both raw and form-decoded Basic credentials are accepted).
  GET  /services/oauth2/authorize    302 with code (auto approve) or an HTML consent page;
       POST the same path from that page approves or denies.
  POST /services/oauth2/device/code  RFC 8628 device authorization endpoint
  POST|GET /services/oauth2/revoke   token=...
  POST /services/oauth2/introspect   token, token_type_hint, client auth (body or Basic)
  GET|POST /services/oauth2/userinfo Bearer; also /id/<org>/<user>
  GET  /services/data/               Bearer; a REST-ish call for "token works" checks
  GET  /.well-known/openid-configuration, /id/keys (JWKS of the id_token key)
  GET|POST /setup/connect            device verification page (enter user_code)
  Test hooks (form bodies):
  GET  /test/stats                   JSON counts: per grant, per path, per status, faults,
                                     connections, TLS handshakes
  POST /test/stats/reset
  POST /test/device/approve          user_code=..., [username=...], [deny=1]
  POST /test/approve                 client_id=..., username=...   (prior approval)
  POST /test/expire                  token=...  (access or refresh token expires now)
  POST /test/fault                   kind=503|429|html|empty500|close|json, [count=K],
                                     [retry_after=N], [status=S for html, json], [path=P],
                                     [body=B: the JSON text answered by kind=json]
                                     (default path /services/oauth2/token)
  POST /test/faults/clear
  POST /test/config                  any of send_expires_in, jwt_signature, auto_approve,
                                     escape_slash, revoke_unknown_ok, login_host_mode,
                                     api_instance_url (0/1), framing, access_token_lifetime,
                                     refresh_token_lifetime, code_lifetime, device_interval,
                                     device_slow_down_increment, jwt_max_exp_ahead (seconds)
  Test hooks answer 200 {"ok":true} or 400 invalid_request; they are not counted in
  /test/stats "requests"/"paths". Faults apply in order, each to its path only; a
  "close" fault drops the connection without an answer.

Smoke test: bash tests/server/test_sf_server.sh (curl + python3-jwt, ~40 s).

Choices where Salesforce's behaviour is not confirmed (marked "unconfirmed" in the code):
JWT exp too far ahead, bad alg or malformed assertion -> invalid_grant/invalid assertion;
unknown code -> invalid_grant/invalid authorization code; PKCE mismatch -> invalid_request/
invalid code verifier; expired device code (Salesforce dialect) -> invalid_grant/expired
authorization code, (RFC dialect) -> expired_token; a disabled flow for the client ->
unsupported_grant_type/grant type not supported; bad client secret -> 400 invalid_client/
invalid client credentials; introspection by a client that does not own the token ->
{"active":false}.
"""

import argparse
import base64
import datetime
import email.utils
import hashlib
import hmac
import html
import ipaddress
import json
import os
import random
import secrets
import socket
import socketserver
import ssl
import string
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

JSON_CT = "application/json;charset=UTF-8"
HTML_CT = "text/html;charset=UTF-8"
CACHE_CONTROL = "no-cache,must-revalidate,max-age=0,no-store,private"
GRANT_JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_DEVICE_RFC = "urn:ietf:params:oauth:grant-type:device_code"
MAX_BODY = 64 * 1024

DEFAULT_SERVER = {
    "org_id": "00D5e000000sfoA",
    "id_host": "https://login.salesforce.com",
    "instance_url": None,
    "audiences": ["https://login.salesforce.com", "https://test.salesforce.com"],
    "auto_approve": False,
    "auto_approve_user": None,
    "send_expires_in": False,
    "jwt_signature": True,
    "escape_slash": True,
    "framing": "random",
    "access_token_lifetime": 7200,
    "refresh_token_lifetime": 0,
    "code_lifetime": 900,
    "device_interval": 5,
    "device_code_lifetime": 600,
    "device_slow_down_increment": 5,
    "jwt_max_exp_ahead": 180,
    "login_host_mode": False,
    "api_instance_url": False,
    "revoke_unknown_ok": False,
    "users": {},
    "clients": [],
    "faults": [],
}
DEFAULT_CLIENT = {
    "client_id": None,
    "client_secret": None,
    "name": None,
    "redirect_uris": [],
    "certificate": None,
    "scopes": ["api", "refresh_token", "openid"],
    "require_pkce": False,
    "require_secret": True,
    "require_secret_refresh": False,
    "rotate_refresh_tokens": False,
    "approved_users": [],
    "device_flow": False,
    "password_flow": False,
    "client_credentials_user": None,
}
DEFAULT_USER = {"password": None, "security_token": "", "user_id": None,
                "name": None, "email": None}

# The built-in demo configuration (used when neither --config nor DIR/config.json).
BUILTIN_CONFIG = {
    "auto_approve": False,
    "users": {
        "demo@example.com": {"password": "demo-password", "security_token": "DEMOTOKEN",
                             "name": "Demo User", "email": "demo@example.com"},
        "integration@example.com": {"name": "Integration User",
                                    "email": "integration@example.com"},
    },
    "clients": [
        {
            "client_id": "3MVG9sfoauth.Demo.Connected.App.Consumer.Key",
            "client_secret": "5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D",
            "name": "sfoauth demo",
            "redirect_uris": ["http://localhost:1717/OauthRedirect",
                              "https://login.salesforce.com/oauth2/callback",
                              "https://login.salesforce.com/services/oauth2/success"],
            "scopes": ["api", "refresh_token", "openid", "id", "web"],
            "approved_users": ["demo@example.com", "integration@example.com"],
            "device_flow": True,
            "client_credentials_user": "integration@example.com",
        },
        {
            "client_id": "3MVG9sfoauth.Demo.Public.PKCE.Rotating",
            "client_secret": "8C2E4A6B8D0F1E3A5C7B9D1F3E5A7C9B1D3F5E7A9C1B3D5F7E9A1C3B5D7F9E1A",
            "name": "sfoauth demo (PKCE, rotating refresh tokens)",
            "redirect_uris": ["http://localhost:1717/OauthRedirect"],
            "require_pkce": True,
            "require_secret": False,
            "rotate_refresh_tokens": True,
            "approved_users": ["demo@example.com"],
            "device_flow": True,
        },
    ],
}

LOG_LOCK = threading.Lock()


def log(msg):
    with LOG_LOCK:
        sys.stderr.write("[sf_server] %s\n" % msg)
        sys.stderr.flush()


class ConfigError(Exception):
    pass


class OAuthError(Exception):
    """An OAuth error answered as JSON {"error","error_description"}."""

    def __init__(self, error, description, status=400):
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


# ---------------------------------------------------------------- small helpers

def sf_id18(id15):
    """Salesforce 15 -> 18 character id (case-safe checksum suffix)."""
    if len(id15) == 18:
        return id15
    if len(id15) != 15:
        raise ConfigError("id must have 15 or 18 characters: %r" % id15)
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for i in range(3):
        bits = 0
        for j, c in enumerate(id15[i * 5:i * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << j
        suffix += alpha[bits]
    return id15 + suffix


def derived_user_id(username):
    h = hashlib.sha256(username.encode()).hexdigest()
    digits = "".join(str(int(c, 16) % 10) for c in h[:8])
    return sf_id18("0055e00000" + digits[:5])


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode_strict(seg):
    """base64url without padding, as RFC 7515 requires; ValueError otherwise."""
    if not seg or any(c not in string.ascii_letters + string.digits + "-_" for c in seg):
        raise ValueError("bad base64url")
    if len(seg) % 4 == 1:
        raise ValueError("bad base64url length")
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def now_ms():
    return int(time.time() * 1000)


def rand_token(n, alphabet=string.ascii_letters + string.digits):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def form_decode_strict(raw):
    """application/x-www-form-urlencoded -> dict. Raises ValueError on bad
    percent-escapes, invalid UTF-8 or a repeated parameter (RFC 6749 3.1/3.2)."""
    out = {}
    if raw == "":
        return out
    for part in raw.split("&"):
        if part == "":
            continue
        k, sep, v = part.partition("=")
        vals = []
        for s in (k, v):
            s = s.replace("+", " ")
            i = 0
            while True:
                i = s.find("%", i)
                if i < 0:
                    break
                if i + 3 > len(s):
                    raise ValueError("truncated percent-escape")
                if not all(c in string.hexdigits for c in s[i + 1:i + 3]):
                    raise ValueError("bad percent-escape")
                i += 3
            vals.append(urllib.parse.unquote(s, errors="strict"))
        if vals[0] in out:
            raise ValueError("repeated parameter %s" % vals[0])
        out[vals[0]] = vals[1]
    return out


def pct(s):
    return urllib.parse.quote(s, safe="")


# ---------------------------------------------------------------- configuration

def load_config(path, client_cert):
    base = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
    if path:
        with open(path, "r", encoding="utf-8") as f:
            raw = json.load(f)
    else:
        raw = json.loads(json.dumps(BUILTIN_CONFIG))
    if not isinstance(raw, dict):
        raise ConfigError("config must be a JSON object")
    for k in raw:
        if k not in DEFAULT_SERVER:
            raise ConfigError("unknown config key %r" % k)
    cfg = dict(DEFAULT_SERVER)
    cfg.update(raw)
    if cfg["framing"] not in ("cl", "chunked", "random"):
        raise ConfigError("framing must be cl, chunked or random")
    cfg["org_id"] = sf_id18(cfg["org_id"])
    users = {}
    for name, u in cfg["users"].items():
        for k in u:
            if k not in DEFAULT_USER:
                raise ConfigError("unknown user key %r" % k)
        uu = dict(DEFAULT_USER)
        uu.update(u)
        uu["user_id"] = sf_id18(uu["user_id"]) if uu["user_id"] else derived_user_id(name)
        users[name] = uu
    clients = {}
    for c in cfg["clients"]:
        for k in c:
            if k not in DEFAULT_CLIENT:
                raise ConfigError("unknown client key %r" % k)
        cc = dict(DEFAULT_CLIENT)
        cc.update(c)
        if not cc["client_id"] or not cc["client_secret"]:
            raise ConfigError("every client needs client_id and client_secret")
        if isinstance(cc["scopes"], str):
            cc["scopes"] = cc["scopes"].split()
        cert = cc["certificate"] or client_cert
        cc["public_key"] = None
        if cert:
            if cert.lstrip().startswith("-----BEGIN"):
                pem = cert.encode()
            else:
                p = cert if os.path.isabs(cert) else os.path.join(base, cert)
                with open(p, "rb") as f:
                    pem = f.read()
            try:
                crt = x509.load_pem_x509_certificate(pem)
            except ValueError as e:
                raise ConfigError("client %s: certificate: %s" % (cc["client_id"], e))
            cc["public_key"] = crt.public_key()
            if not isinstance(cc["public_key"], rsa.RSAPublicKey):
                raise ConfigError("client %s: certificate key is not RSA" % cc["client_id"])
        for name in cc["approved_users"] + ([cc["client_credentials_user"]]
                                            if cc["client_credentials_user"] else []):
            if name not in users:
                uu = dict(DEFAULT_USER)
                uu["user_id"] = derived_user_id(name)
                users[name] = uu
        clients[cc["client_id"]] = cc
    cfg["users"] = users
    cfg["clients"] = clients
    return cfg


def config_for_print(cfg):
    out = {k: v for k, v in cfg.items() if k not in ("users", "clients")}
    out["users"] = cfg["users"]
    out["clients"] = []
    for c in cfg["clients"].values():
        cc = {k: v for k, v in c.items() if k != "public_key"}
        cc["certificate"] = cc["certificate"] or ("<loaded>" if c["public_key"] else None)
        out["clients"].append(cc)
    return out


def self_signed(dirpath):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    t = time.time()
    nb = datetime.datetime.utcfromtimestamp(t - 86400)
    na = datetime.datetime.utcfromtimestamp(t + 30 * 86400)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(nb).not_valid_after(na)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cp = os.path.join(dirpath, "server.pem")
    kp = os.path.join(dirpath, "server.key")
    with open(cp, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(kp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    return cp, kp


# ---------------------------------------------------------------- OAuth state

class State:
    """Everything mutable; guarded by one lock."""

    PERSIST = ("codes", "tokens", "devices", "approvals")

    def __init__(self, cfg, origin, state_dir, rng):
        self.cfg = cfg
        self.origin = origin
        self.state_dir = state_dir
        self.rng = rng
        self.lock = threading.RLock()
        self.codes = {}
        self.tokens = {}
        self.devices = {}
        self.approvals = []       # [client_id, username]
        self.faults = [dict(f) for f in cfg["faults"]]
        self.reset_stats()
        self.id_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.id_kid = "sfs" + secrets.token_hex(4)
        if state_dir:
            p = os.path.join(state_dir, "state.json")
            if os.path.exists(p):
                with open(p, "r", encoding="utf-8") as f:
                    st = json.load(f)
                for k in self.PERSIST:
                    setattr(self, k, st.get(k, getattr(self, k)))

    def reset_stats(self):
        self.stats = {"requests": 0, "connections": 0, "tls_handshakes": 0,
                      "tls_failures": 0, "grants": {}, "paths": {}, "status": {},
                      "faults_served": 0}

    def count(self, key, name):
        d = self.stats[key]
        d[name] = d.get(name, 0) + 1

    def save(self):
        if not self.state_dir:
            return
        p = os.path.join(self.state_dir, "state.json")
        tmp = p + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({k: getattr(self, k) for k in self.PERSIST}, f)
        os.replace(tmp, p)

    # ---- identities
    @property
    def instance_url(self):
        return self.cfg["instance_url"] or self.origin

    def user(self, name):
        return self.cfg["users"].get(name)

    def id_url(self, username):
        return "%s/id/%s/%s" % (self.cfg["id_host"], self.cfg["org_id"],
                                self.cfg["users"][username]["user_id"])

    def approved(self, client, username):
        return (username in client["approved_users"]
                or [client["client_id"], username] in self.approvals)

    # ---- token minting
    def new_access(self, client, username, scope, grant_id):
        tok = self.cfg["org_id"][:15] + "!" + rand_token(2, "AQR") + rand_token(
            108, string.ascii_letters + string.digits + "._")
        t = time.time()
        self.tokens[tok] = {"kind": "access", "client_id": client["client_id"],
                            "username": username, "scope": scope, "iat": int(t),
                            "exp": int(t) + int(self.cfg["access_token_lifetime"]),
                            "grant_id": grant_id, "active": True}
        return tok, t

    def new_refresh(self, client, username, scope, grant_id):
        tok = "5Aep861" + rand_token(80, string.ascii_letters + string.digits + "._")
        t = int(time.time())
        life = int(self.cfg["refresh_token_lifetime"])
        self.tokens[tok] = {"kind": "refresh", "client_id": client["client_id"],
                            "username": username, "scope": scope, "iat": t,
                            "exp": (t + life) if life > 0 else None,
                            "grant_id": grant_id, "active": True}
        return tok

    def token_live(self, tok, kind=None):
        rec = self.tokens.get(tok)
        if rec is None or not rec["active"]:
            return None
        if kind and rec["kind"] != kind:
            return None
        if rec["exp"] is not None and rec["exp"] <= time.time():
            return None
        return rec

    def id_token(self, client, username, access_token, nonce):
        t = int(time.time())
        claims = {"at_hash": b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
                  "sub": self.id_url(username), "aud": client["client_id"],
                  "iss": self.cfg["id_host"], "exp": t + 300, "iat": t, "auth_time": t}
        if nonce:
            claims["nonce"] = nonce
        hdr = {"kid": self.id_kid, "typ": "JWT", "alg": "RS256"}
        si = (b64url(json.dumps(hdr, separators=(",", ":")).encode()) + "." +
              b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = self.id_key.sign(si.encode(), padding.PKCS1v15(), hashes.SHA256())
        return si + "." + b64url(sig)

    def jwks(self):
        n = self.id_key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.id_kid,
                          "e": b64url(n.e.to_bytes(3, "big").lstrip(b"\0")),
                          "n": b64url(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"))}]}

    def success(self, client, username, scope, refresh=True, nonce=None, grant_id=None,
                with_signature=True, id_token=True, existing_refresh=None, extra=None):
        """Build a Salesforce token response (ordered dict) and mint the tokens."""
        grant_id = grant_id or secrets.token_hex(8)
        access, t = self.new_access(client, username, scope, grant_id)
        out = {"access_token": access}
        scopes = scope.split()
        if refresh:
            out["refresh_token"] = self.new_refresh(client, username, scope, grant_id)
        issued_at = str(int(t * 1000))
        id_url = self.id_url(username)
        if with_signature:
            mac = hmac.new(client["client_secret"].encode(),
                           (id_url + issued_at).encode(), hashlib.sha256).digest()
            out["signature"] = base64.b64encode(mac).decode()
        out["scope"] = scope
        if id_token and "openid" in scopes:
            out["id_token"] = self.id_token(client, username, access, nonce)
        out["instance_url"] = self.instance_url
        if extra:
            out.update(extra)
        out["id"] = id_url
        out["token_type"] = "Bearer"
        if with_signature:
            out["issued_at"] = issued_at
        if self.cfg["send_expires_in"]:
            out["expires_in"] = int(self.cfg["access_token_lifetime"])
        return out


# ---------------------------------------------------------------- the grants

def wants_refresh(scope):
    s = scope.split()
    return "refresh_token" in s or "offline_access" in s or "full" in s


def no_refresh_scope(client):
    """Scope of flows without a refresh token: the client's scopes minus the refresh ones."""
    return " ".join(s for s in client["scopes"] if s not in ("refresh_token", "offline_access"))


class OAuth:
    def __init__(self, st):
        self.st = st

    @property
    def cfg(self):
        return self.st.cfg

    def client(self, client_id):
        c = self.cfg["clients"].get(client_id) if client_id else None
        if c is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        return c

    @staticmethod
    def secret_ok(client, secret):
        return hmac.compare_digest(client["client_secret"].encode(), secret.encode())

    def client_auth(self, form, basic, required):
        """Body or HTTP Basic client authentication. Returns the client."""
        cid, secret = form.get("client_id"), form.get("client_secret")
        if basic is not None:
            bid, bsec = basic
            if cid is not None and cid != bid:
                raise OAuthError("invalid_client", "invalid client credentials")
            if secret is not None and secret != bsec:
                raise OAuthError("invalid_client", "invalid client credentials")
            cid, secret = bid, bsec
        client = self.client(cid)
        if secret is None:
            if required:
                raise OAuthError("invalid_client", "invalid client credentials")
        elif not self.secret_ok(client, secret):
            raise OAuthError("invalid_client", "invalid client credentials")
        return client

    def check_scope(self, client, requested):
        if not requested:
            return " ".join(client["scopes"])
        out = []
        for s in requested.split(" "):
            if s == "":
                continue
            if s not in client["scopes"]:
                raise OAuthError("invalid_scope", "the requested scope is not allowed")
            if s not in out:
                out.append(s)
        return " ".join(out)

    # ---- grant dispatch
    def token(self, form, basic):
        gt = form.get("grant_type")
        if gt is None and form.get("response_type") == "device_code":
            self.st.count("grants", "device_code_request")
            return self.device_start(form, basic, dialect="sf")
        self.st.count("grants", gt if gt is not None else "(none)")
        handler = {
            "authorization_code": self.g_code,
            "refresh_token": self.g_refresh,
            "password": self.g_password,
            "client_credentials": self.g_client_credentials,
            GRANT_JWT: self.g_jwt,
            "device": self.g_device_sf,
            GRANT_DEVICE_RFC: self.g_device_rfc,
        }.get(gt)
        if handler is None:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        return handler(form, basic)

    def g_code(self, form, basic):
        client = self.client_auth(form, basic, False)
        code = form.get("code")
        rec = self.st.codes.get(code) if code else None
        if rec is None or rec["client_id"] != client["client_id"]:
            raise OAuthError("invalid_grant", "invalid authorization code")  # unconfirmed
        if rec["used"] or rec["exp"] <= time.time():
            raise OAuthError("invalid_grant", "expired authorization code")
        if client["require_secret"] and form.get("client_secret") is None and basic is None:
            raise OAuthError("invalid_client", "invalid client credentials")
        if form.get("redirect_uri") != rec["redirect_uri"]:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if rec["challenge"]:
            v = form.get("code_verifier")
            if v is None:
                raise OAuthError("invalid_request", "invalid code verifier")  # unconfirmed
            calc = b64url(hashlib.sha256(v.encode()).digest())
            if not hmac.compare_digest(calc, rec["challenge"]):
                raise OAuthError("invalid_request", "invalid code verifier")
        elif form.get("code_verifier") is not None:
            raise OAuthError("invalid_request", "invalid code verifier")
        rec["used"] = True
        scope = rec["scope"]
        self.st.approvals.append([client["client_id"], rec["username"]])
        return self.st.success(client, rec["username"], scope, refresh=wants_refresh(scope),
                               nonce=rec.get("nonce"))

    def g_refresh(self, form, basic):
        client = self.client_auth(form, basic, False)
        if client["require_secret_refresh"] and form.get("client_secret") is None \
                and basic is None:
            raise OAuthError("invalid_client", "invalid client credentials")
        rt = form.get("refresh_token")
        rec = self.st.token_live(rt, "refresh") if rt else None
        if rec is None or rec["client_id"] != client["client_id"]:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        rotate = client["rotate_refresh_tokens"]
        out = self.st.success(client, rec["username"], rec["scope"], refresh=rotate,
                              grant_id=rec["grant_id"])
        if rotate:
            rec["active"] = False
            rec["reason"] = "rotated"
        return out

    def g_password(self, form, basic):
        client = self.client_auth(form, basic, True)
        if not client["password_flow"]:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        name, pw = form.get("username"), form.get("password")
        u = self.st.user(name) if name else None
        # the password is the user's password immediately followed by the security token
        want = (u["password"] + (u["security_token"] or "")) if u and u["password"] else None
        if want is None or pw is None or not hmac.compare_digest(pw.encode(), want.encode()):
            raise OAuthError("invalid_grant", "authentication failure")
        scope = no_refresh_scope(client)
        return self.st.success(client, name, scope, refresh=False)

    def g_client_credentials(self, form, basic):
        client = self.client_auth(form, basic, True)
        if self.cfg["login_host_mode"]:
            raise OAuthError("invalid_grant", "request not supported on this domain")
        user = client["client_credentials_user"]
        if not user:
            raise OAuthError("invalid_grant", "no client credentials user enabled")
        scope = no_refresh_scope(client)
        extra = {"api_instance_url": self.st.instance_url} if self.cfg["api_instance_url"] else None
        return self.st.success(client, user, scope, refresh=False, id_token=False, extra=extra)

    def g_jwt(self, form, basic):
        a = form.get("assertion")
        bad = OAuthError("invalid_grant", "invalid assertion")
        if not a:
            raise bad
        parts = a.split(".")
        if len(parts) != 3:
            raise bad
        try:
            hdr = json.loads(b64url_decode_strict(parts[0]).decode("utf-8"))
            claims = json.loads(b64url_decode_strict(parts[1]).decode("utf-8"))
            sig = b64url_decode_strict(parts[2])
        except (ValueError, UnicodeDecodeError):
            raise bad
        if not isinstance(hdr, dict) or not isinstance(claims, dict):
            raise bad
        if hdr.get("alg") != "RS256":
            raise bad  # unconfirmed wording
        iss = claims.get("iss")
        client = self.client(iss if isinstance(iss, str) else None)
        if client["public_key"] is None:
            raise bad
        try:
            client["public_key"].verify(sig, (parts[0] + "." + parts[1]).encode(),
                                        padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            raise bad
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        allowed = set(self.cfg["audiences"]) | {self.st.origin}
        if not any(isinstance(x, str) and x in allowed for x in auds):
            raise OAuthError("invalid_grant", "audience is invalid")
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            raise bad
        t = time.time()
        if exp <= t:
            raise OAuthError("invalid_grant", "expired authorization code")
        if exp > t + float(self.cfg["jwt_max_exp_ahead"]):
            raise bad  # unconfirmed wording
        sub = claims.get("sub", claims.get("prn"))
        if not isinstance(sub, str) or self.st.user(sub) is None \
                or not self.st.approved(client, sub):
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        scope = no_refresh_scope(client)
        return self.st.success(client, sub, scope, refresh=False, id_token=False,
                               with_signature=bool(self.cfg["jwt_signature"]))

    # ---- device flow
    def device_start(self, form, basic, dialect):
        client = self.client_auth(form, basic, False)
        if not client["device_flow"]:
            raise OAuthError("unsupported_grant_type", "grant type not supported")  # unconfirmed
        scope = self.check_scope(client, form.get("scope"))
        dc = base64.b64encode(secrets.token_bytes(36)).decode()
        uc = rand_token(8, "BCDFGHJKLMNPQRSTVWXZ")
        t = time.time()
        interval = int(self.cfg["device_interval"])
        self.st.devices[dc] = {"client_id": client["client_id"], "user_code": uc,
                               "scope": scope, "exp": t + int(self.cfg["device_code_lifetime"]),
                               "interval": interval, "last_poll": 0.0, "status": "pending",
                               "username": None, "dialect": dialect}
        out = {"device_code": dc, "user_code": uc,
               "verification_uri": self.st.origin + "/setup/connect"}
        if dialect == "rfc":
            out["verification_uri_complete"] = (self.st.origin + "/setup/connect?user_code="
                                                + pct(uc))
            out["expires_in"] = int(self.cfg["device_code_lifetime"])
        out["interval"] = interval
        return out

    def g_device_sf(self, form, basic):
        return self.device_poll(form, basic, form.get("code"), "sf")

    def g_device_rfc(self, form, basic):
        return self.device_poll(form, basic, form.get("device_code"), "rfc")

    def device_poll(self, form, basic, dc, dialect):
        client = self.client_auth(form, basic, False)
        rec = self.st.devices.get(dc) if dc else None
        if rec is None or rec["client_id"] != client["client_id"] or rec["dialect"] != dialect:
            raise OAuthError("invalid_grant", "invalid device code")  # unconfirmed
        t = time.time()
        if rec["status"] == "used":
            raise OAuthError("invalid_grant", "expired authorization code")
        if rec["exp"] <= t:
            if dialect == "rfc":
                raise OAuthError("expired_token", "device code expired")
            raise OAuthError("invalid_grant", "expired authorization code")  # unconfirmed
        if rec["status"] == "denied":
            raise OAuthError("access_denied", "end-user denied authorization")
        too_fast = t - rec["last_poll"] < rec["interval"]
        rec["last_poll"] = t
        if dialect == "rfc" and too_fast:
            rec["interval"] += int(self.cfg["device_slow_down_increment"])
            raise OAuthError("slow_down", "polling too frequently")
        if rec["status"] == "pending":
            raise OAuthError("authorization_pending", "authorization pending")
        rec["status"] = "used"
        return self.st.success(client, rec["username"], rec["scope"],
                               refresh=wants_refresh(rec["scope"]))

    def device_approve(self, user_code, username, deny):
        for rec in self.st.devices.values():
            if rec["user_code"] == user_code and rec["status"] == "pending" \
                    and rec["exp"] > time.time():
                client = self.cfg["clients"][rec["client_id"]]
                if deny:
                    rec["status"] = "denied"
                    return True
                username = username or self.default_user(client)
                if username is None or self.st.user(username) is None:
                    return False
                rec["status"] = "approved"
                rec["username"] = username
                self.st.approvals.append([client["client_id"], username])
                return True
        return False

    def default_user(self, client, hint=None):
        if hint and self.st.user(hint):
            return hint
        if self.cfg["auto_approve_user"]:
            return self.cfg["auto_approve_user"]
        if client["approved_users"]:
            return client["approved_users"][0]
        return next(iter(self.cfg["users"]), None)

    # ---- authorize
    def new_code(self):
        while True:
            raw = secrets.token_bytes(66)
            c = "aPrx" + base64.b64encode(raw).decode()[:-2] + "=="
            if "+" in c and "/" in c:
                return c

    def authorize_check(self, q):
        """Validates an authorization request. Returns (client, scope) or a redirect URL
        (str) for errors."""
        err_page = self.st.origin + "/setup/secur/RemoteAccessErrorPage.apexp"
        cid = q.get("client_id")
        client = self.cfg["clients"].get(cid) if cid else None
        if client is None:
            return err_page + "?error=invalid_client_id&error_description=" + pct(
                "client identifier invalid")
        ru = q.get("redirect_uri")
        if ru is None or ru not in client["redirect_uris"]:
            return err_page + "?error=redirect_uri_mismatch&error_description=" + pct(
                "redirect_uri must match configuration")
        if q.get("response_type") != "code":
            return self.redirect_error(ru, q, "unsupported_response_type",
                                       "response type not supported")
        ch, m = q.get("code_challenge"), q.get("code_challenge_method")
        if ch is None and client["require_pkce"]:
            return self.redirect_error(ru, q, "invalid_request", "missing required code challenge")
        if ch is not None and (m not in (None, "S256") or len(ch) != 43 or any(
                c not in string.ascii_letters + string.digits + "-_" for c in ch)):
            return self.redirect_error(ru, q, "invalid_request", "invalid code challenge")
        try:
            scope = self.check_scope(client, q.get("scope"))
        except OAuthError as e:
            return self.redirect_error(ru, q, e.error, e.description)
        return client, scope

    @staticmethod
    def redirect_error(ru, q, error, desc):
        url = ru + ("&" if "?" in ru else "?") + "error=" + pct(error) + \
            "&error_description=" + pct(desc)
        if q.get("state") is not None:
            url += "&state=" + pct(q["state"])
        return url

    def authorize_grant(self, client, scope, q, username):
        code = self.new_code()
        self.st.codes[code] = {"client_id": client["client_id"], "username": username,
                               "redirect_uri": q["redirect_uri"], "scope": scope,
                               "challenge": q.get("code_challenge"), "used": False,
                               "nonce": q.get("nonce"),
                               "exp": time.time() + int(self.cfg["code_lifetime"])}
        ru = q["redirect_uri"]
        url = ru + ("&" if "?" in ru else "?") + "code=" + pct(code)
        if q.get("state") is not None:
            url += "&state=" + pct(q["state"])
        return url

    # ---- revoke / introspect / userinfo
    def revoke(self, token, hint):
        if hint not in (None, "access_token", "refresh_token"):
            raise OAuthError("unsupported_token_type", "this token type is not supported")
        rec = self.st.tokens.get(token) if token else None
        if rec is None:
            if self.cfg["revoke_unknown_ok"] and token:
                return True
            raise OAuthError("invalid_token", "invalid token")
        if rec["kind"] == "refresh":
            for r in self.st.tokens.values():
                if r["grant_id"] == rec["grant_id"]:
                    r["active"] = False
                    r["reason"] = "revoked"
        rec["active"] = False
        rec["reason"] = "revoked"
        return True

    def introspect(self, form, basic):
        client = self.client_auth(form, basic, True)
        tok = form.get("token")
        rec = self.st.token_live(tok) if tok else None
        if rec is None or rec["client_id"] != client["client_id"]:
            return {"active": False}
        out = {"active": True, "scope": rec["scope"], "client_id": rec["client_id"],
               "username": rec["username"], "sub": self.st.id_url(rec["username"]),
               "token_type": rec["kind"] + "_token"}
        if rec["exp"] is not None:
            out["exp"] = rec["exp"]
        out["iat"] = rec["iat"]
        out["nbf"] = rec["iat"]
        return out

    def userinfo(self, username):
        u = self.st.user(username)
        uid = u["user_id"]
        org = self.cfg["org_id"]
        name = u["name"] or username.split("@")[0]
        parts = name.split(" ", 1)
        base = self.st.instance_url
        return {
            "sub": self.st.id_url(username), "user_id": uid, "organization_id": org,
            "preferred_username": username, "nickname": username.split("@")[0],
            "name": name, "email": u["email"] or username, "email_verified": True,
            "given_name": parts[0], "family_name": parts[-1],
            "zoneinfo": "Europe/Berlin", "photos": {}, "profile": base + "/" + uid,
            "picture": base + "/img/userprofile/default_profile_200_v2.png",
            "address": {}, "is_salesforce_integration_user": False,
            "urls": {"rest": base + "/services/data/v{version}/",
                     "profile": base + "/" + uid},
            "active": True, "user_type": "STANDARD", "language": "en_US",
            "locale": "en_US", "utcOffset": 3600000,
            "updated_at": "2024-01-01T00:00:00Z",
        }


# ---------------------------------------------------------------- HTTP layer

def encode_json(obj, escape_slash):
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    if escape_slash:
        s = s.replace("/", "\\/")  # "/" only occurs inside strings in JSON text
    return s.encode("utf-8")


AUTH_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Allow Access?</title></head>
<body><h1>Allow Access?</h1>
<p><b>{app}</b> is asking to access your data (scopes: {scope}).</p>
<form method="POST" action="/services/oauth2/authorize">
{hidden}
<label>Username <input name="username" value="{user}"></label>
<button name="decision" value="allow">Allow</button>
<button name="decision" value="deny">Deny</button>
</form></body></html>
"""

CONNECT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Connect Your Device</title></head>
<body><h1>Connect Your Device</h1><p>{msg}</p>
<form method="POST" action="/setup/connect">
<label>Code <input name="user_code" value="{code}"></label>
<label>Username <input name="username" value=""></label>
<button name="decision" value="allow">Connect</button>
<button name="decision" value="deny">Deny</button>
</form></body></html>
"""

MAINT_PAGE = """<!DOCTYPE html>
<html><head><title>Service Unavailable</title></head>
<body><h1>Salesforce is down for maintenance</h1>
<p>We are performing scheduled maintenance. Please try again later.</p></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sf_server"
    sys_version = ""
    timeout = 30

    # ---- connection setup: TLS handshake runs here, in the connection's thread
    def setup(self):
        self.tls_ok = True
        st = self.server.st
        with st.lock:
            st.stats["connections"] += 1
        try:
            self.request.settimeout(10)
            self.request.do_handshake()
            with st.lock:
                st.stats["tls_handshakes"] += 1
        except (ssl.SSLError, OSError) as e:
            self.tls_ok = False
            with st.lock:
                st.stats["tls_failures"] += 1
            log("%s TLS handshake failed: %s" % (self.client_address[0],
                                                 getattr(e, "reason", None) or e))
        super().setup()

    def handle(self):
        if self.tls_ok:
            try:
                super().handle()
            except (ssl.SSLError, ConnectionError, socket.timeout):
                pass

    def finish(self):
        try:
            super().finish()
        except (ssl.SSLError, OSError):
            pass
        try:
            self.request.close()
        except OSError:
            pass

    def log_message(self, fmt, *args):  # http.server's own lines: path only
        log("%s %s" % (self.client_address[0], (fmt % args).split("?")[0]))

    def log_request(self, code="-", size="-"):
        pass

    # ---- response writing
    def send_raw(self, status, body, ctype=JSON_CT, headers=(), framing=None):
        st = self.server.st
        with st.lock:
            framing = framing or st.cfg["framing"]
            if framing == "random":
                framing = st.rng.choice(("cl", "chunked"))
            if self.request_version != "HTTP/1.1":
                framing = "cl"  # chunked is HTTP/1.1 only
            sizes = []
            if framing == "chunked":
                left = len(body)
                while left > 0:
                    n = min(left, st.rng.randint(1, max(1, len(body) // 2 + 1)))
                    sizes.append(n)
                    left -= n
            st.count("status", str(status))
        reason = self.responses.get(status, ("Unknown",))[0]
        lines = ["HTTP/1.1 %d %s" % (status, reason),
                 "Date: " + email.utils.formatdate(usegmt=True)]
        if ctype is not None:
            lines.append("Content-Type: " + ctype)
        lines.append("Cache-Control: " + CACHE_CONTROL)
        lines.extend(headers)
        if framing == "chunked":
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append("Content-Length: %d" % len(body))
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if framing == "chunked":
            self.wfile.write(head)
            off = 0
            for n in sizes:
                self.wfile.write(b"%x\r\n" % n + body[off:off + n] + b"\r\n")
                off += n
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(head + body)
        self.resp_status = status

    def send_json(self, status, obj, headers=()):
        self.send_raw(status, encode_json(obj, self.server.st.cfg["escape_slash"]),
                      headers=headers)

    def send_oauth_error(self, e):
        self.resp_error = e.error
        self.send_json(e.status, {"error": e.error, "error_description": e.description})

    def redirect(self, url):
        self.send_raw(302, b"", ctype=None, headers=("Location: " + url,))

    # ---- request reading
    def read_body(self):
        te = self.headers.get("Transfer-Encoding")
        cl = self.headers.get("Content-Length")
        if te is not None and cl is not None:
            raise OAuthError("invalid_request", "bad request framing")
        if te is not None:
            if te.strip().lower() != "chunked":
                raise OAuthError("invalid_request", "bad request framing")
            out = b""
            while True:
                line = self.rfile.readline(1024)
                try:
                    n = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise OAuthError("invalid_request", "bad chunk")
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                if len(out) + n > MAX_BODY:
                    raise OAuthError("invalid_request", "body too large", 413)
                out += self.rfile.read(n)
                self.rfile.readline(8)
        if cl is None:
            return b""
        if not cl.strip().isdigit():
            raise OAuthError("invalid_request", "bad content length")
        n = int(cl)
        if n > MAX_BODY:
            raise OAuthError("invalid_request", "body too large", 413)
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionError("short body")
        return data

    def read_form(self, body):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return None
        try:
            return form_decode_strict(body.decode("ascii"))
        except (ValueError, UnicodeError):
            raise OAuthError("invalid_request", "malformed request")

    def basic_auth(self):
        h = self.headers.get("Authorization")
        if h is None or not h[:6].lower() == "basic ":
            return None
        try:
            dec = base64.b64decode(h[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeError):
            raise OAuthError("invalid_client", "invalid client credentials")
        cid, sep, sec = dec.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "invalid client credentials")
        clients = self.server.st.cfg["clients"]
        if cid not in clients:
            cid2 = urllib.parse.unquote_plus(cid)
            if cid2 in clients:
                cid = cid2
        if cid in clients and not OAuth.secret_ok(clients[cid], sec):
            sec2 = urllib.parse.unquote_plus(sec)
            if OAuth.secret_ok(clients[cid], sec2):
                sec = sec2
        return cid, sec

    def bearer(self):
        h = self.headers.get("Authorization")
        if h is None or not h[:7].lower() == "bearer ":
            return None
        return h[7:].strip()

    # ---- dispatch
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        st = self.server.st
        self.resp_status = None
        self.resp_error = None
        self.grant = None
        self.log_client = None
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        t0 = time.time()
        try:
            try:
                body = self.read_body()
            except OAuthError:
                self.close_connection = True  # the rest of the body was not read
                raise
            with st.lock:
                if not path.startswith("/test/"):  # test hooks are not counted
                    st.stats["requests"] += 1
                    st.count("paths", path)
                if self.fault(path):
                    return
                self.route(method, path, u.query, body)
        except OAuthError as e:
            self.send_oauth_error(e)
        finally:
            extra = ""
            if self.grant:
                extra += " grant=" + self.grant
            if self.log_client:
                extra += " client=" + self.log_client
            log("%s %s %s%s -> %s%s (%.0f ms)" % (
                self.client_address[0], method, path, extra, self.resp_status,
                " " + self.resp_error if self.resp_error else "", (time.time() - t0) * 1000))

    def fault(self, path):
        st = self.server.st
        if not st.faults:
            return False
        f = st.faults[0]
        if f.get("path", "/services/oauth2/token") != path:
            return False
        f["count"] = int(f.get("count", 1)) - 1
        if f["count"] <= 0:
            st.faults.pop(0)
        st.stats["faults_served"] += 1
        kind = str(f.get("kind"))
        self.resp_error = "fault:" + kind
        ra = ("Retry-After: %d" % int(f["retry_after"]),) if "retry_after" in f else ()
        if kind == "503":
            self.send_raw(503, MAINT_PAGE.encode(), ctype=HTML_CT, headers=ra)
        elif kind == "429":
            self.send_raw(429, b"Too Many Requests\n", ctype="text/plain;charset=UTF-8",
                          headers=ra)
        elif kind == "html":
            self.send_raw(int(f.get("status", 500)), MAINT_PAGE.encode(), ctype=HTML_CT,
                          headers=ra)
        elif kind == "empty500":
            self.send_raw(500, b"", headers=ra)
        elif kind == "close":
            self.close_connection = True
            self.resp_status = "closed"
        elif kind == "json":
            self.send_raw(int(f.get("status", 200)), f.get("body", "").encode(),
                          ctype="application/json;charset=UTF-8", headers=ra)
        else:
            self.send_raw(500, b"", headers=ra)
        return True

    def route(self, method, path, query, body):
        st = self.server.st
        oa = self.server.oauth
        q = {}
        if query:
            try:
                q = form_decode_strict(query)
            except (ValueError, UnicodeError):
                raise OAuthError("invalid_request", "malformed request")
        p = path.rstrip("/") if path != "/" else path

        if p == "/services/oauth2/token":
            if method != "POST":
                raise OAuthError("invalid_request", "must use HTTP POST", 405)
            form = self.read_form(body)
            if form is None:
                st.count("grants", "(not a form)")
                raise OAuthError("unsupported_grant_type", "grant type not supported")
            self.grant = form.get("grant_type") or (
                "device_code_request" if form.get("response_type") == "device_code" else None)
            self.log_client = form.get("client_id")
            basic = self.basic_auth()
            if basic and not self.log_client:
                self.log_client = basic[0]
            out = oa.token(form, basic)
            st.save()
            self.send_json(200, out)
        elif p == "/services/oauth2/device/code":
            if method != "POST":
                raise OAuthError("invalid_request", "must use HTTP POST", 405)
            form = self.read_form(body)
            if form is None:
                raise OAuthError("invalid_request", "malformed request")
            self.log_client = form.get("client_id")
            st.count("grants", "device_authorization")
            out = oa.device_start(form, self.basic_auth(), dialect="rfc")
            st.save()
            self.send_json(200, out)
        elif p == "/services/oauth2/authorize":
            self.authorize(method, q, body)
        elif p == "/services/oauth2/revoke":
            form = q if method == "GET" else self.read_form(body)
            if form is None:
                raise OAuthError("invalid_request", "malformed request")
            oa.revoke(form.get("token"), form.get("token_type_hint"))
            st.save()
            self.send_raw(200, b"", ctype=None)
        elif p == "/services/oauth2/introspect":
            form = self.read_form(body) if method == "POST" else None
            if form is None:
                raise OAuthError("invalid_request", "malformed request")
            basic = self.basic_auth()
            self.log_client = form.get("client_id") or (basic[0] if basic else None)
            self.send_json(200, oa.introspect(form, basic))
        elif p == "/services/oauth2/userinfo" or p.startswith("/id/0") \
                or p.startswith("/services/data"):
            tok = self.bearer()
            rec = st.token_live(tok, "access") if tok else None
            if rec is None:
                self.resp_error = "INVALID_SESSION_ID"
                self.send_json(401, [{"message": "Session expired or invalid",
                                      "errorCode": "INVALID_SESSION_ID"}],
                               headers=('WWW-Authenticate: Token',))
            elif p.startswith("/services/data"):
                self.send_json(200, [{"label": "Winter '25", "url": "/services/data/v62.0",
                                      "version": "62.0"}])
            else:
                self.send_json(200, oa.userinfo(rec["username"]))
        elif p == "/.well-known/openid-configuration":
            o = st.origin
            self.send_json(200, {
                "issuer": st.cfg["id_host"],
                "authorization_endpoint": o + "/services/oauth2/authorize",
                "token_endpoint": o + "/services/oauth2/token",
                "revocation_endpoint": o + "/services/oauth2/revoke",
                "userinfo_endpoint": o + "/services/oauth2/userinfo",
                "introspection_endpoint": o + "/services/oauth2/introspect",
                "device_authorization_endpoint": o + "/services/oauth2/device/code",
                "jwks_uri": o + "/id/keys",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "grant_types_supported": ["authorization_code", "refresh_token", "password",
                                          "client_credentials", GRANT_JWT, "device",
                                          GRANT_DEVICE_RFC],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                          "client_secret_basic",
                                                          "private_key_jwt"]})
        elif p == "/id/keys":
            self.send_json(200, st.jwks())
        elif p == "/setup/connect":
            self.connect_page(method, q, body)
        elif p == "/setup/secur/RemoteAccessErrorPage.apexp":
            self.send_raw(400, ("<html><body><h1>OAuth Error</h1><p>%s: %s</p></body></html>"
                                % (html.escape(q.get("error", "")),
                                   html.escape(q.get("error_description", "")))).encode(),
                          ctype=HTML_CT)
        elif p.startswith("/test/"):
            self.test_hook(method, p, body)
        else:
            self.send_raw(404, b'[{"errorCode":"NOT_FOUND","message":"The requested '
                               b'resource does not exist"}]')

    def authorize(self, method, q, body):
        st = self.server.st
        oa = self.server.oauth
        if method == "POST":
            form = self.read_form(body) or {}
            q = form
        self.log_client = q.get("client_id")
        res = oa.authorize_check(q)
        if isinstance(res, str):
            self.resp_error = "authorize error"
            return self.redirect(res)
        client, scope = res
        if method == "POST":
            if form.get("decision") != "allow":
                return self.redirect(oa.redirect_error(
                    q["redirect_uri"], q, "access_denied", "end-user denied authorization"))
            user = form.get("username") or oa.default_user(client)
            if st.user(user) is None:
                return self.redirect(oa.redirect_error(q["redirect_uri"], q, "access_denied",
                                                       "end-user denied authorization"))
            url = oa.authorize_grant(client, scope, q, user)
            st.save()
            return self.redirect(url)
        if st.cfg["auto_approve"]:
            user = oa.default_user(client, q.get("login_hint"))
            if user is None:
                return self.redirect(oa.redirect_error(q["redirect_uri"], q, "access_denied",
                                                       "end-user denied authorization"))
            url = oa.authorize_grant(client, scope, q, user)
            st.save()
            return self.redirect(url)
        if q.get("immediate") == "true" or q.get("prompt") == "none":
            return self.redirect(oa.redirect_error(q["redirect_uri"], q,
                                                   "immediate_unsuccessful",
                                                   "immediate unsuccessful"))
        hidden = "\n".join('<input type="hidden" name="%s" value="%s">'
                           % (html.escape(k), html.escape(v)) for k, v in q.items())
        page = AUTH_PAGE.format(app=html.escape(client["name"] or client["client_id"]),
                                scope=html.escape(scope), hidden=hidden,
                                user=html.escape(oa.default_user(client, q.get("login_hint"))
                                                 or ""))
        self.send_raw(200, page.encode(), ctype=HTML_CT)

    def connect_page(self, method, q, body):
        st = self.server.st
        msg = "Enter the code shown on your device."
        code = q.get("user_code", "")
        if method == "POST":
            form = self.read_form(body) or {}
            code = form.get("user_code", "")
            ok = self.server.oauth.device_approve(code.strip().upper(),
                                                  form.get("username") or None,
                                                  form.get("decision") == "deny")
            st.save()
            msg = "Done. You can return to your device." if ok else "Unknown or expired code."
        self.send_raw(200, CONNECT_PAGE.format(msg=html.escape(msg),
                                               code=html.escape(code)).encode(), ctype=HTML_CT)

    def test_hook(self, method, p, body):
        st = self.server.st
        oa = self.server.oauth
        if p == "/test/stats" and method == "GET":
            return self.send_raw(200, json.dumps(st.stats, sort_keys=True).encode())
        if method != "POST":
            raise OAuthError("invalid_request", "must use HTTP POST", 405)
        form = self.read_form(body)
        if form is None:
            raise OAuthError("invalid_request", "form body expected")
        if p == "/test/stats/reset":
            st.reset_stats()
        elif p == "/test/device/approve":
            if not oa.device_approve(form.get("user_code", ""), form.get("username"),
                                     form.get("deny") == "1"):
                raise OAuthError("invalid_request", "no pending device code for user_code")
        elif p == "/test/approve":
            c = oa.client(form.get("client_id"))
            u = form.get("username", "")
            if st.user(u) is None:
                raise OAuthError("invalid_request", "unknown user")
            st.approvals.append([c["client_id"], u])
        elif p == "/test/expire":
            rec = st.tokens.get(form.get("token", ""))
            if rec is None:
                raise OAuthError("invalid_token", "invalid token")
            rec["exp"] = int(time.time()) - 1
        elif p == "/test/fault":
            kind = form.get("kind")
            if kind not in ("503", "429", "html", "empty500", "close", "json"):
                raise OAuthError("invalid_request",
                                 "kind must be 503|429|html|empty500|close|json")
            f = {"kind": kind, "count": int(form.get("count", "1"))}
            if kind == "json":
                f["body"] = form.get("body", "")
            for k in ("retry_after", "status"):
                if k in form:
                    f[k] = int(form[k])
            if "path" in form:
                f["path"] = form["path"]
            st.faults.append(f)
        elif p == "/test/faults/clear":
            st.faults.clear()
        elif p == "/test/config":
            bools = ("send_expires_in", "jwt_signature", "auto_approve", "escape_slash",
                     "revoke_unknown_ok", "login_host_mode", "api_instance_url")
            ints = ("access_token_lifetime", "device_interval", "device_slow_down_increment",
                    "refresh_token_lifetime", "code_lifetime", "jwt_max_exp_ahead")
            for k, v in form.items():
                if k in bools and v in ("0", "1"):
                    st.cfg[k] = v == "1"
                elif k in ints and v.isdigit():
                    st.cfg[k] = int(v)
                elif k == "framing" and v in ("cl", "chunked", "random"):
                    st.cfg[k] = v
                else:
                    raise OAuthError("invalid_request", "bad setting %s" % k)
        else:
            return self.send_raw(404, b'{"error":"not_found"}')
        st.save()
        self.send_raw(200, b'{"ok":true}')


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self):
        sock, addr = self.socket.accept()
        # small writes (headers, chunks, TLS 1.3 tickets) must not wait for delayed ACKs
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.tls.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        log("%s internal error:" % (client_address[0],))
        traceback.print_exc(file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="Salesforce-shaped OAuth 2.0 test server")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--config")
    ap.add_argument("--state-dir")
    ap.add_argument("--client-cert")
    ap.add_argument("--auto-approve", action="store_true")
    ap.add_argument("--framing", choices=("cl", "chunked", "random"))
    ap.add_argument("--audience", action="append", default=[])
    ap.add_argument("--tls", choices=("1.2", "1.3", "any"), default="any")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--print-config", action="store_true")
    a = ap.parse_args()

    host = a.host
    try:
        ip = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        ap.error("--host must be a loopback address")
    if not ip.is_loopback:
        ap.error("--host must be a loopback address, not %s" % host)

    cfg_path = a.config
    if cfg_path is None and a.state_dir and os.path.exists(os.path.join(a.state_dir,
                                                                        "config.json")):
        cfg_path = os.path.join(a.state_dir, "config.json")
    try:
        cfg = load_config(cfg_path, a.client_cert)
    except (ConfigError, OSError, ValueError) as e:
        sys.stderr.write("sf_server: config: %s\n" % e)
        return 2
    if a.auto_approve:
        cfg["auto_approve"] = True
    if a.framing:
        cfg["framing"] = a.framing
    cfg["audiences"] = list(cfg["audiences"]) + a.audience
    if a.print_config:
        json.dump(config_for_print(cfg), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0

    if a.state_dir:
        os.makedirs(a.state_dir, exist_ok=True)
    cert, key = a.cert, a.key
    if not cert or not key:
        d = a.state_dir or tempfile.mkdtemp(prefix="sf_server.")
        cert, key = self_signed(d)
        log("self-signed TLS certificate: %s" % cert)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if a.tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif a.tls == "1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
                    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256")
    ctx.load_cert_chain(cert, key)

    Server.address_family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    srv = Server((str(ip), a.port), Handler)
    srv.tls = ctx
    port = srv.server_address[1]
    hostpart = "localhost" if host == "localhost" else (
        "[%s]" % ip if ip.version == 6 else str(ip))
    origin = "https://%s:%d" % (hostpart, port)
    rng = random.Random(a.seed)
    srv.st = State(cfg, origin, a.state_dir, rng)
    srv.oauth = OAuth(srv.st)
    log("listening on %s (%d clients, framing %s%s)" % (
        origin, len(cfg["clients"]), cfg["framing"],
        ", auto-approve" if cfg["auto_approve"] else ""))
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
