#!/bin/bash
# Smoke test of tests/server/sf_server.py: starts it on 127.0.0.1 with a throw-away PKI
# (tests/support/pki.sh) and checks every endpoint, grant and error with curl --cacert;
# JWT assertions are made and id_tokens checked with python3-jwt.
# Usage: bash tests/server/test_sf_server.sh      (from anywhere; needs curl, openssl,
# /usr/bin/python3 with python3-cryptography and python3-jwt). Last line: "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
SRV="$HERE/sf_server.py"
T=$(mktemp -d /tmp/sfs_test.XXXXXX)
PKI="$T/pki"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
sh "$ROOT/tests/support/pki.sh" "$PKI" || { echo "PKI failed"; exit 1; }
export PKI

PASS=0 FAIL=0
ok()   { PASS=$((PASS + 1)); }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL: $*"; [ -f "$T/b" ] && { echo "  body: $(head -c 400 "$T/b")"; }; }
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
eq()   { [ "$1" = "$2" ] || { echo "  got [$1] want [$2]"; return 1; }; }

WEB=3MVG9web.client WEBSEC=websecret-0123456789abcdef
JWTC=3MVG9jwt.client JWTSEC=jwtsecret-0123456789abcdef
PKCE=3MVG9pkce.client PKCESEC=pkcesecret-0123456789
DEV=3MVG9device.client DEVSEC=devsecret-0123456789
CC=3MVG9cc.client CCSEC=ccsecret-0123456789
RU='http://localhost:1717/OauthRedirect'

cat > "$T/config.json" <<EOF
{
  "auto_approve": true,
  "device_interval": 1,
  "device_slow_down_increment": 1,
  "users": {
    "jwt@example.com": {"name": "Jay Wit"},
    "web@example.com": {"password": "pw", "security_token": "TOK", "name": "Web User"},
    "other@example.com": {}
  },
  "clients": [
    {"client_id": "$WEB", "client_secret": "$WEBSEC", "redirect_uris": ["$RU"],
     "scopes": ["api", "refresh_token", "openid"], "approved_users": ["web@example.com"],
     "password_flow": true},
    {"client_id": "$JWTC", "client_secret": "$JWTSEC", "certificate": "pki/client.pem",
     "scopes": ["api", "id"], "approved_users": ["jwt@example.com"]},
    {"client_id": "$PKCE", "client_secret": "$PKCESEC", "redirect_uris": ["$RU"],
     "require_pkce": true, "require_secret": false, "rotate_refresh_tokens": true,
     "approved_users": ["web@example.com"]},
    {"client_id": "$DEV", "client_secret": "$DEVSEC", "device_flow": true,
     "scopes": ["api", "refresh_token"], "approved_users": ["web@example.com"]},
    {"client_id": "$CC", "client_secret": "$CCSEC", "client_credentials_user": "other@example.com"}
  ]
}
EOF

start() { # start OUTPREFIX args... -> sets PORT, BASE; pid appended to PIDS
    local pre=$1; shift
    "$PY" "$SRV" "$@" > "$pre.out" 2> "$pre.err" &
    PIDS+=($!)
    for _ in $(seq 100); do
        PORT=$(awk '/^PORT /{print $2; exit}' "$pre.out")
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    [ -n "$PORT" ] || { echo "server did not start"; cat "$pre.err"; exit 1; }
    BASE="https://127.0.0.1:$PORT"
}

c() { # c PATH [curl args] -> status on stdout; headers $T/h, body $T/b
    local p=$1; shift
    curl -sS --cacert "$CA" -o "$T/b" -D "$T/h" -w '%{http_code}' "$@" "$BASE$p"
}
tok() { c /services/oauth2/token "$@"; }
jf() { "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1])); v=d.get(sys.argv[2]) if isinstance(d,dict) else None
print("" if v is None else (json.dumps(v) if isinstance(v,(bool,dict,list)) else v))' "$T/b" "$1"; }
has() { "$PY" -c 'import json,sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1])) else 1)' "$T/b" "$1"; }
hdr() { tr -d '\r' < "$T/h" | awk -v n="$1" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ":")==1 {sub(/^[^:]*: */,""); print; exit}'; }
experr() { # experr STATUS ERROR DESCRIPTION  (uses $S)
    eq "$S" "$1" && eq "$(jf error)" "$2" && eq "$(jf error_description)" "$3" &&
        eq "$(hdr content-type)" "application/json;charset=UTF-8"
}
mkjwt() { # iss sub aud exp_delta [alg] [key file] [exp as string: s]
    "$PY" - "$@" <<'PYEOF'
import jwt, sys, time, os
a = sys.argv[1:]
iss, sub, aud, d = a[0], a[1], a[2], int(a[3])
alg = a[4] if len(a) > 4 and a[4] else "RS256"
keyf = a[5] if len(a) > 5 and a[5] else os.environ["PKI"] + "/client.key"
exp = int(time.time()) + d
claims = {"iss": iss, "sub": sub, "aud": aud, "exp": str(exp) if len(a) > 6 else exp}
key = open(keyf).read() if alg.startswith("RS") else "secret-for-hs256-0123456789abcdef"
print(jwt.encode(claims, key, algorithm=alg))
PYEOF
}
sigok() { # sigok SECRET: signature = b64(HMAC-SHA256(secret, id + issued_at))
    "$PY" -c 'import json,sys,hmac,hashlib,base64
d=json.load(open(sys.argv[1]))
m=base64.b64encode(hmac.new(sys.argv[2].encode(),(d["id"]+d["issued_at"]).encode(),hashlib.sha256).digest()).decode()
sys.exit(0 if m==d["signature"] and len(d["issued_at"])==13 and d["issued_at"].isdigit() else 1)' "$T/b" "$1"
}
stat() { curl -sS --cacert "$CA" "$BASE/test/stats" | "$PY" -c 'import json,sys
d=json.load(sys.stdin); k=sys.argv[1].split(".")
for x in k: d=d.get(x,0) if isinstance(d,dict) else 0
print(d)' "$1"; }
hook() { local p=$1; shift; curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' "$@" "$BASE$p"; }

CA="$PKI/ca.pem"
start "$T/s1" --cert "$PKI/server.pem" --key "$PKI/server.key" --config "$T/config.json" --seed 7
echo "server on $BASE"

# ---------------------------------------------------------------- basics
S=$(tok -d grant_type=nope); check "unknown grant" experr 400 unsupported_grant_type "grant type not supported"
S=$(tok -d client_id=x); check "missing grant" experr 400 unsupported_grant_type "grant type not supported"
S=$(tok -H 'Content-Type: application/json' -d '{"grant_type":"password"}')
check "json body" experr 400 unsupported_grant_type "grant type not supported"
S=$(tok -d grant_type=client_credentials -d client_id=nobody -d client_secret=x)
check "unknown client" experr 400 invalid_client_id "client identifier invalid"
S=$(tok -d 'grant_type=refresh_token&refresh_token=%zz'); check "bad percent" experr 400 invalid_request "malformed request"
S=$(tok -d 'grant_type=password&grant_type=password'); check "repeated param" experr 400 invalid_request "malformed request"
S=$(c /nowhere); check "404" eq "$S" 404

# ---------------------------------------------------------------- JWT bearer
A=$(mkjwt "$JWTC" jwt@example.com https://login.salesforce.com 150)
S=$(tok --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer --data-urlencode "assertion=$A")
check "jwt ok" eq "$S" 200
check "jwt ctype" eq "$(hdr content-type)" "application/json;charset=UTF-8"
check "jwt fields" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert list(d)==["access_token","signature","scope","instance_url","id","token_type","issued_at"], list(d)
assert d["token_type"]=="Bearer" and d["scope"]=="api id"
assert d["id"].startswith("https://login.salesforce.com/id/00D") and d["access_token"].startswith("00D")
assert d["instance_url"]==sys.argv[2]' "$T/b" "$BASE"
check "jwt signature" sigok "$JWTSEC"
check "slash escaped" grep -q '"id":"https:\\/\\/login.salesforce.com\\/id\\/00D' "$T/b"
check "no expires_in" eq "$(jf expires_in)" ""
JWT_AT=$(jf access_token)
for aud in https://test.salesforce.com "$BASE"; do
    A=$(mkjwt "$JWTC" jwt@example.com "$aud" 120)
    S=$(tok -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer --data-urlencode "assertion=$A")
    check "jwt aud $aud" eq "$S" 200
done
J=urn:ietf:params:oauth:grant-type:jwt-bearer
jwt_err() { # jwt_err ERROR DESC mkjwt-args...
    local e=$1 dsc=$2; shift 2
    A=$(mkjwt "$@")
    S=$(tok -d grant_type=$J --data-urlencode "assertion=$A")
    check "jwt error $dsc ($*)" experr 400 "$e" "$dsc"
}
jwt_err invalid_grant "expired authorization code" "$JWTC" jwt@example.com https://login.salesforce.com -5
jwt_err invalid_grant "invalid assertion" "$JWTC" jwt@example.com https://login.salesforce.com 600
jwt_err invalid_grant "audience is invalid" "$JWTC" jwt@example.com https://login.salesforce.com/services/oauth2/token 120
jwt_err invalid_grant "audience is invalid" "$JWTC" jwt@example.com https://evil.example 120
jwt_err invalid_grant "user hasn't approved this consumer" "$JWTC" other@example.com https://login.salesforce.com 120
jwt_err invalid_grant "user hasn't approved this consumer" "$JWTC" nobody@example.com https://login.salesforce.com 120
jwt_err invalid_grant "invalid assertion" "$JWTC" jwt@example.com https://login.salesforce.com 120 RS256 "$PKI/rsa4096.key"
jwt_err invalid_grant "invalid assertion" "$JWTC" jwt@example.com https://login.salesforce.com 120 HS256
jwt_err invalid_grant "invalid assertion" "$JWTC" jwt@example.com https://login.salesforce.com 120 RS512
jwt_err invalid_grant "invalid assertion" "$JWTC" jwt@example.com https://login.salesforce.com 120 RS256 "" s
jwt_err invalid_client_id "client identifier invalid" 3MVG9unknown jwt@example.com https://login.salesforce.com 120
S=$(tok -d grant_type=$J -d assertion=abc.def); check "jwt malformed" experr 400 invalid_grant "invalid assertion"
A=$(mkjwt "$JWTC" jwt@example.com https://login.salesforce.com 120)
S=$(tok -d grant_type=$J --data-urlencode "assertion=${A:0:${#A}-20}$( [ "${A: -20:1}" = A ] && echo B || echo A )${A: -19}"); check "jwt tampered sig" experr 400 invalid_grant "invalid assertion"
# "one server call": the stats count the grants
hook /test/stats/reset -X POST -d x=1 >/dev/null
S=$(tok -d grant_type=$J --data-urlencode "assertion=$A")
check "stats one call" eq "$(stat grants.$J)" 1
check "stats requests" eq "$(stat requests)" 1

# ---------------------------------------------------------------- userinfo / REST
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer $JWT_AT")
check "userinfo ok" eq "$S" 200
check "userinfo user" eq "$(jf preferred_username)" jwt@example.com
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer 00Dbogus!token")
check "userinfo 401" eq "$S" 401
check "userinfo 401 body" eq "$(cat "$T/b")" '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'
S=$(c /services/data/ -H "Authorization: Bearer $JWT_AT"); check "rest ok" eq "$S" 200

# ---------------------------------------------------------------- authorization code
AUTHQ="response_type=code&client_id=$WEB&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect&state=s%201%2F2&scope=api%20refresh_token%20openid&nonce=n1"
getcode() { # getcode QUERY -> prints the decoded code; Location in $T/loc
    c "/services/oauth2/authorize?$1" > "$T/st"
    hdr location > "$T/loc"
    "$PY" -c 'import sys,urllib.parse as u
q=u.urlsplit(open(sys.argv[1]).read().strip()).query
print(dict(u.parse_qsl(q))["code"])' "$T/loc"
}
CODE=$(getcode "$AUTHQ")
check "authorize 302" eq "$(cat "$T/st")" 302
check "location" grep -q "^http://localhost:1717/OauthRedirect?code=aPrx.*%3D%3D&state=s%201%2F2$" "$T/loc"
check "code has + and /" "$PY" -c 'import sys; c=sys.argv[1]; sys.exit(0 if c.endswith("==") and "+" in c and "/" in c else 1)' "$CODE"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB -d client_secret=wrong --data-urlencode "redirect_uri=$RU")
check "code bad secret" experr 400 invalid_client "invalid client credentials"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB --data-urlencode "redirect_uri=$RU")
check "code no secret" experr 400 invalid_client "invalid client credentials"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB -d client_secret=$WEBSEC --data-urlencode "redirect_uri=http://localhost:1717/other")
check "code redirect mismatch" experr 400 redirect_uri_mismatch "redirect_uri must match configuration"
S=$(tok -d grant_type=authorization_code -d "code=$CODE" -d client_id=$WEB -d client_secret=$WEBSEC --data-urlencode "redirect_uri=$RU")
check "code not form-encoded (+ becomes space)" experr 400 invalid_grant "invalid authorization code"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB -d client_secret=$WEBSEC --data-urlencode "redirect_uri=$RU")
check "code ok" eq "$S" 200
check "code fields" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert list(d)==["access_token","refresh_token","signature","scope","id_token","instance_url","id","token_type","issued_at"], list(d)
assert d["scope"]=="api refresh_token openid"' "$T/b"
check "code signature" sigok "$WEBSEC"
cp "$T/b" "$T/code.json"
WEB_AT=$(jf access_token) WEB_RT=$(jf refresh_token) IDT=$(jf id_token)
curl -sS --cacert "$CA" "$BASE/id/keys" > "$T/jwks"
check "id_token verifies" "$PY" -c 'import jwt,json,sys
k=jwt.PyJWK(json.load(open(sys.argv[1]))["keys"][0]).key
c=jwt.decode(sys.argv[2],k,algorithms=["RS256"],audience=sys.argv[3])
assert c["nonce"]=="n1" and c["sub"].startswith("https://login.salesforce.com/id/")' "$T/jwks" "$IDT" "$WEB"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB -d client_secret=$WEBSEC --data-urlencode "redirect_uri=$RU")
check "code reuse" experr 400 invalid_grant "expired authorization code"
CODE=$(getcode "$AUTHQ")
S=$(tok -u "$WEB:$WEBSEC" -d grant_type=authorization_code --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$RU")
check "code basic auth" eq "$S" 200
# authorize errors
c "/services/oauth2/authorize?response_type=code&client_id=$WEB&redirect_uri=https%3A%2F%2Fevil.example%2F" >/dev/null
check "authorize bad redirect" "$PY" -c 'import sys; l=sys.argv[1]; sys.exit(0 if "/setup/secur/RemoteAccessErrorPage.apexp?error=redirect_uri_mismatch&" in l and not l.startswith("https://evil") else 1)' "$(hdr location)"
c "/services/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=x" >/dev/null
check "authorize bad client" "$PY" -c 'import sys; sys.exit(0 if "error=invalid_client_id&error_description=client%20identifier%20invalid" in sys.argv[1] else 1)' "$(hdr location)"
c "/services/oauth2/authorize?response_type=code&client_id=$WEB&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect&scope=full" >/dev/null
check "authorize bad scope" eq "$(hdr location)" "$RU?error=invalid_scope&error_description=the%20requested%20scope%20is%20not%20allowed"
hook /test/config -d auto_approve=0 >/dev/null
S=$(c "/services/oauth2/authorize?$AUTHQ")
check "consent page" eq "$S $(hdr content-type)" "200 text/html;charset=UTF-8"
S=$(c /services/oauth2/authorize --data-urlencode "client_id=$WEB" --data-urlencode "redirect_uri=$RU" -d response_type=code -d state=z -d decision=deny)
check "consent deny" eq "$(hdr location)" "$RU?error=access_denied&error_description=end-user%20denied%20authorization&state=z"
S=$(c /services/oauth2/authorize --data-urlencode "client_id=$WEB" --data-urlencode "redirect_uri=$RU" -d response_type=code -d decision=allow -d username=web@example.com)
check "consent allow" grep -q "^$RU?code=aPrx" <(hdr location)
hook /test/config -d auto_approve=1 >/dev/null

# ---------------------------------------------------------------- PKCE (+ rotation)
V=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk CH=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
PQ="response_type=code&client_id=$PKCE&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect&state=p"
c "/services/oauth2/authorize?$PQ" >/dev/null
check "pkce required" eq "$(hdr location)" "$RU?error=invalid_request&error_description=missing%20required%20code%20challenge&state=p"
CODE=$(getcode "$PQ&code_challenge=$CH&code_challenge_method=S256")
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$PKCE --data-urlencode "redirect_uri=$RU" -d code_verifier=wrong-verifier-wrong-verifier-wrong-verifier)
check "pkce mismatch" experr 400 invalid_request "invalid code verifier"
S=$(tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$PKCE --data-urlencode "redirect_uri=$RU" -d code_verifier=$V)
check "pkce ok" eq "$S" 200
P_RT=$(jf refresh_token)
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$P_RT" -d client_id=$PKCE)
check "rotate ok" eq "$S" 200
P_RT2=$(jf refresh_token)
check "rotate new rt" "$PY" -c 'import sys; sys.exit(0 if sys.argv[1] and sys.argv[1]!=sys.argv[2] else 1)' "$P_RT2" "$P_RT"
check "rotate signature" sigok "$PKCESEC"
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$P_RT" -d client_id=$PKCE)
check "rotated old dead" experr 400 invalid_grant "expired access/refresh token"
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$P_RT2" -d client_id=$PKCE)
check "rotated new works" eq "$S" 200

# ---------------------------------------------------------------- refresh / revoke / introspect
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$WEB_RT" -d client_id=$WEB -d client_secret=$WEBSEC)
check "refresh ok" eq "$S" 200
check "refresh no new rt" eq "$(jf refresh_token)" ""
check "refresh signature" sigok "$WEBSEC"
R_AT=$(jf access_token)
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$WEB_RT" -d client_id=$WEB)
check "refresh without secret" eq "$S" 200
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$WEB_RT" -d client_id=$WEB -d client_secret=bad)
check "refresh bad secret" experr 400 invalid_client "invalid client credentials"
S=$(tok -d grant_type=refresh_token -d refresh_token=5Aep861bogus -d client_id=$WEB)
check "refresh bogus" experr 400 invalid_grant "expired access/refresh token"
S=$(c /services/oauth2/introspect --data-urlencode "token=$R_AT" -d token_type_hint=access_token -d client_id=$WEB -d client_secret=$WEBSEC)
check "introspect active" "$PY" -c 'import json,sys,time
d=json.load(open(sys.argv[1]))
assert list(d)==["active","scope","client_id","username","sub","token_type","exp","iat","nbf"], list(d)
assert d["active"] is True and d["username"]=="web@example.com" and d["token_type"]=="access_token"
assert d["exp"]-d["iat"]==7200 and abs(d["iat"]-time.time())<60' "$T/b"
S=$(c /services/oauth2/introspect -u "$WEB:$WEBSEC" --data-urlencode "token=$WEB_RT")
check "introspect basic refresh" eq "$(jf active) $(jf token_type)" "true refresh_token"
S=$(c /services/oauth2/introspect -u "$JWTC:$JWTSEC" --data-urlencode "token=$R_AT")
check "introspect other client" eq "$(cat "$T/b")" '{"active":false}'
S=$(c /services/oauth2/introspect -d token=nope -d client_id=$WEB -d client_secret=$WEBSEC)
check "introspect unknown" eq "$(cat "$T/b")" '{"active":false}'
S=$(c /services/oauth2/introspect -d token=nope -d client_id=$WEB -d client_secret=bad)
check "introspect bad client" experr 400 invalid_client "invalid client credentials"
S=$(c /services/oauth2/revoke --data-urlencode "token=$WEB_RT"); check "revoke rt" eq "$S" 200
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$WEB_RT" -d client_id=$WEB -d client_secret=$WEBSEC)
check "revoked rt dead" experr 400 invalid_grant "expired access/refresh token"
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer $R_AT"); check "revoked rt kills its at" eq "$S" 401
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer $WEB_AT"); check "revoked rt kills first at" eq "$S" 401
S=$(c /services/oauth2/introspect --data-urlencode "token=$WEB_AT" -u "$WEB:$WEBSEC")
check "introspect revoked" eq "$(cat "$T/b")" '{"active":false}'
S=$(c /services/oauth2/revoke -d token=unknown); check "revoke unknown" experr 400 invalid_token "invalid token"
S=$(c /services/oauth2/revoke -d token=x -d token_type_hint=id_token)
check "revoke bad hint" experr 400 unsupported_token_type "this token type is not supported"
S=$(c "/services/oauth2/revoke?token=$(printf %s "$JWT_AT" | "$PY" -c 'import sys,urllib.parse as u; print(u.quote(sys.stdin.read(),safe=""))')")
check "revoke GET at" eq "$S" 200
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer $JWT_AT"); check "revoked at dead" eq "$S" 401
A=$(mkjwt "$JWTC" jwt@example.com https://login.salesforce.com 150)
tok -d grant_type=$J --data-urlencode "assertion=$A" >/dev/null; X_AT=$(jf access_token)
hook /test/expire --data-urlencode "token=$X_AT" >/dev/null
S=$(c /services/oauth2/userinfo -H "Authorization: Bearer $X_AT"); check "expired at" eq "$S" 401

# ---------------------------------------------------------------- client credentials / password
S=$(tok -d grant_type=client_credentials -d client_id=$CC -d client_secret=$CCSEC)
check "cc body" eq "$S" 200
check "cc fields" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1])); assert "refresh_token" not in d and d["token_type"]=="Bearer" and "signature" in d' "$T/b"
check "cc signature" sigok "$CCSEC"
S=$(tok -u "$CC:$CCSEC" -d grant_type=client_credentials); check "cc basic" eq "$S" 200
S=$(tok -u "$CC:nope" -d grant_type=client_credentials); check "cc bad secret" experr 400 invalid_client "invalid client credentials"
S=$(tok -d grant_type=client_credentials -d client_id=$CC); check "cc no secret" experr 400 invalid_client "invalid client credentials"
S=$(tok -u "$WEB:$WEBSEC" -d grant_type=client_credentials); check "cc no user" experr 400 invalid_grant "no client credentials user enabled"
hook /test/config -d login_host_mode=1 >/dev/null
S=$(tok -u "$CC:$CCSEC" -d grant_type=client_credentials); check "cc login host" experr 400 invalid_grant "request not supported on this domain"
hook /test/config -d login_host_mode=0 >/dev/null
S=$(tok -d grant_type=password -d client_id=$WEB -d client_secret=$WEBSEC -d username=web@example.com -d password=pwTOK)
check "password ok" eq "$S" 200
S=$(tok -d grant_type=password -d client_id=$WEB -d client_secret=$WEBSEC -d username=web@example.com -d password=pw)
check "password no token" experr 400 invalid_grant "authentication failure"
S=$(tok -d grant_type=password -d client_id=$CC -d client_secret=$CCSEC -d username=web@example.com -d password=pwTOK)
check "password disabled" experr 400 unsupported_grant_type "grant type not supported"

# ---------------------------------------------------------------- device flow, Salesforce dialect
S=$(tok -d response_type=device_code -d client_id=$DEV -d scope=api%20refresh_token)
check "sf device start" eq "$S" 200
check "sf device fields" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1])); assert list(d)==["device_code","user_code","verification_uri","interval"], list(d)
assert d["interval"]==1' "$T/b"
DC=$(jf device_code) UC=$(jf user_code)
S=$(tok -d grant_type=device -d client_id=$DEV --data-urlencode "code=$DC")
check "sf device pending" experr 400 authorization_pending "authorization pending"
S=$(tok -d grant_type=device -d client_id=$DEV --data-urlencode "code=$DC")
check "sf device pending again (no slow_down)" experr 400 authorization_pending "authorization pending"
check "approve hook" eq "$(hook /test/device/approve -d user_code=$UC)" 200
S=$(tok -d grant_type=device -d client_id=$DEV -d client_secret=$DEVSEC --data-urlencode "code=$DC")
check "sf device ok" eq "$S" 200
check "sf device refresh" has refresh_token
check "sf device sig" sigok "$DEVSEC"
S=$(tok -d grant_type=device -d client_id=$DEV --data-urlencode "code=$DC")
check "sf device used" experr 400 invalid_grant "expired authorization code"
S=$(tok -d response_type=device_code -d client_id=$WEB); check "device disabled" experr 400 unsupported_grant_type "grant type not supported"

# ---------------------------------------------------------------- device flow, RFC 8628
G=urn:ietf:params:oauth:grant-type:device_code
S=$(c /services/oauth2/device/code -d client_id=$DEV -d scope=api)
check "rfc device start" eq "$S" 200
check "rfc device fields" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1])); assert set(d)=={"device_code","user_code","verification_uri","verification_uri_complete","expires_in","interval"}, list(d)' "$T/b"
DC=$(jf device_code) UC=$(jf user_code)
S=$(tok -d grant_type=$G -d client_id=$DEV --data-urlencode "device_code=$DC")
check "rfc pending" experr 400 authorization_pending "authorization pending"
S=$(tok -d grant_type=$G -d client_id=$DEV --data-urlencode "device_code=$DC")
check "rfc slow_down" experr 400 slow_down "polling too frequently"
sleep 2.1
S=$(tok -d grant_type=$G -d client_id=$DEV --data-urlencode "device_code=$DC")
check "rfc pending after wait" experr 400 authorization_pending "authorization pending"
S=$(c /setup/connect -d user_code=$UC -d username=web@example.com -d decision=allow)
check "connect page approves" grep -q "Done" "$T/b"
sleep 2.1
S=$(tok -d grant_type=$G -d client_id=$DEV --data-urlencode "device_code=$DC")
check "rfc device ok" eq "$S" 200
check "rfc no rt without scope" eq "$(jf refresh_token)" ""
S=$(c /services/oauth2/device/code -d client_id=$DEV); DC=$(jf device_code) UC=$(jf user_code)
hook /test/device/approve -d user_code=$UC -d deny=1 >/dev/null
S=$(tok -d grant_type=$G -d client_id=$DEV --data-urlencode "device_code=$DC")
check "rfc denied" experr 400 access_denied "end-user denied authorization"

# ---------------------------------------------------------------- faults
hook /test/fault -d kind=503 -d count=2 -d retry_after=3 >/dev/null
S=$(tok -d grant_type=nope); check "fault 503 #1" eq "$S $(hdr retry-after)" "503 3"
S=$(tok -d grant_type=nope); check "fault 503 #2" eq "$S $(hdr retry-after)" "503 3"
S=$(tok -d grant_type=nope); check "fault over" eq "$S" 400
hook /test/fault -d kind=429 -d retry_after=1 >/dev/null
S=$(tok -d grant_type=nope); check "fault 429" eq "$S $(hdr retry-after)" "429 1"
hook /test/fault -d kind=html -d status=502 >/dev/null
S=$(tok -d grant_type=nope); check "fault html" eq "$S $(hdr content-type)" "502 text/html;charset=UTF-8"
hook /test/fault -d kind=empty500 >/dev/null
S=$(tok -d grant_type=nope); check "fault empty 500" eq "$S $(wc -c < "$T/b")" "500 0"
hook /test/fault -d kind=close >/dev/null
S=$(tok -d grant_type=nope 2>/dev/null); check "fault close" eq "$S" 000
check "faults counted" eq "$(stat faults_served)" 6

# ---------------------------------------------------------------- framing, keep-alive, profile switches
hook /test/config -d framing=chunked >/dev/null
S=$(tok -d grant_type=nope); check "chunked" eq "$(hdr transfer-encoding)/$(hdr content-length)" "chunked/"
check "chunked body intact" experr 400 unsupported_grant_type "grant type not supported"
hook /test/config -d framing=cl >/dev/null
S=$(tok -d grant_type=nope); check "content-length" eq "$(hdr transfer-encoding)/$(hdr content-length)" "/81"
hook /test/config -d framing=random >/dev/null
seen=""
for _ in $(seq 16); do tok -d grant_type=nope >/dev/null; seen="$seen$(hdr transfer-encoding | cut -c1)"; done
check "random framing mixes" "$PY" -c 'import sys; s=sys.argv[1]; sys.exit(0 if "c" in s and len(s)<16 else 1)' "$seen"
hook /test/stats/reset -d x=1 >/dev/null
curl -sS --cacert "$CA" -d grant_type=nope "$BASE/services/oauth2/token" -o /dev/null --next \
    --cacert "$CA" -d grant_type=nope "$BASE/services/oauth2/token" -o /dev/null --next \
    --cacert "$CA" "$BASE/test/stats" -o "$T/b"
check "keep-alive: 3 requests, 1 connection" eq "$(jf connections)/$(jf requests)" "1/2"
hook /test/config -d send_expires_in=1 >/dev/null
S=$(tok -d grant_type=client_credentials -u "$CC:$CCSEC"); check "expires_in switch" eq "$(jf expires_in)" 7200
hook /test/config -d send_expires_in=0 -d jwt_signature=0 >/dev/null
A=$(mkjwt "$JWTC" jwt@example.com https://login.salesforce.com 150)
S=$(tok -d grant_type=$J --data-urlencode "assertion=$A")
check "jwt_signature off" eq "$(jf signature)$(jf issued_at)$(jf token_type)" "Bearer"
S=$(c /.well-known/openid-configuration); check "discovery" eq "$(jf token_endpoint)" "$BASE/services/oauth2/token"

# ---------------------------------------------------------------- TLS
check "tls 1.2" curl -sS --cacert "$CA" --tlsv1.2 --tls-max 1.2 -o /dev/null "$BASE/test/stats"
check "tls 1.3" curl -sS --cacert "$CA" --tlsv1.3 -o /dev/null "$BASE/test/stats"
check "tls 1.1 refused" bash -c "! curl -s --cacert '$CA' --tlsv1.1 --tls-max 1.1 -o /dev/null '$BASE/test/stats'"
check "untrusted client refuses" bash -c "! curl -s --cacert '$PKI/other-ca.pem' -o /dev/null '$BASE/test/stats'"
check "server logs no secrets" bash -c "! grep -qE -- '$WEBSEC|$CCSEC|5Aep861|aPrx|pwTOK|eyJ' '$T/s1.err'"

# ---------------------------------------------------------------- loopback only, state dir, self-signed
check "refuses 0.0.0.0" bash -c "! timeout 5 '$PY' '$SRV' --host 0.0.0.0 --cert '$PKI/server.pem' --key '$PKI/server.key' >/dev/null 2>&1"
check "refuses 192.0.2.1" bash -c "! timeout 5 '$PY' '$SRV' --host 192.0.2.1 >/dev/null 2>&1"
check "bad config key" bash -c "echo '{\"bogus\":1}' > '$T/bad.json'; ! timeout 5 '$PY' '$SRV' --config '$T/bad.json' >/dev/null 2>&1"
mkdir -p "$T/state"
cp "$T/config.json" "$T/state/config.json"
"$PY" -c 'import json,sys
p=sys.argv[1]; d=json.load(open(p))
d["clients"][1]["certificate"]=sys.argv[2]; d["faults"]=[{"kind":"429","count":1,"retry_after":5}]
json.dump(d,open(p,"w"))' "$T/state/config.json" "$PKI/client.pem"
start "$T/s2" --state-dir "$T/state"
CA="$T/state/server.pem"
S=$(tok -d grant_type=nope); check "fault from config" eq "$S $(hdr retry-after)" "429 5"
S=$(tok -d grant_type=password -d client_id=$WEB -d client_secret=$WEBSEC -d username=web@example.com -d password=pwTOK)
check "self-signed + state config" eq "$S" 200
CODE=$(getcode "$AUTHQ")
tok -d grant_type=authorization_code --data-urlencode "code=$CODE" -d client_id=$WEB -d client_secret=$WEBSEC --data-urlencode "redirect_uri=$RU" >/dev/null
S_RT=$(jf refresh_token)
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
start "$T/s3" --state-dir "$T/state"
hook /test/faults/clear -d x=1 >/dev/null   # the config's fault is armed again on start
S=$(tok -d grant_type=refresh_token --data-urlencode "refresh_token=$S_RT" -d client_id=$WEB -d client_secret=$WEBSEC)
check "refresh token survives restart" eq "$S" 200
start "$T/s4" --host ::1 --cert "$PKI/server.pem" --key "$PKI/server.key" \
    --client-cert "$PKI/client.pem" --audience https://acme.my.salesforce.com --framing chunked
BASE="https://[::1]:$PORT" CA="$PKI/ca.pem"
S=$(c /test/stats); check "ipv6 loopback" eq "$S" 200
DEMO=3MVG9sfoauth.Demo.Connected.App.Consumer.Key
A=$(mkjwt "$DEMO" demo@example.com https://acme.my.salesforce.com 150)
S=$(tok -d grant_type=$J --data-urlencode "assertion=$A")
check "builtin config, --client-cert, --audience" eq "$S $(jf instance_url)" "200 $BASE"
check "--framing chunked" eq "$(hdr transfer-encoding)" chunked
S=$(curl -sS -0 --cacert "$CA" -o "$T/b" -D "$T/h" -w '%{http_code}' -d grant_type=nope "$BASE/services/oauth2/token")
check "HTTP/1.0 gets Content-Length" eq "$S $(hdr content-length)" "400 81"
S=$(tok -H 'Content-Length: 9999999' -d grant_type=nope); check "body too large" eq "$S $(hdr connection)" "413 close"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
