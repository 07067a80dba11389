#!/bin/sh
# sfoauth demo (make demo): a throw-away CA and client key, the Salesforce-shaped test
# server on 127.0.0.1, then the main sfoauth commands against it, each result shown
# with credentials partly masked. Everything stays on loopback; the server is stopped
# at the end (also on failure or Ctrl-C).
#
#   sh tests/demo.sh BUILD_DIR        (BUILD_DIR holds the sfoauth binary)
# Environment: PYTHON (default /usr/bin/python3), SFO_DEMO_QUIET=1 prints less.
set -eu
BUILD=${1:-build/mbedtls}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
SFOAUTH="$BUILD/sfoauth"
PY=${PYTHON:-/usr/bin/python3}
PKI="$BUILD/pki"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sfoauth-demo.XXXXXX")
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

[ -x "$SFOAUTH" ] || { echo "demo: $SFOAUTH not built (run make)" >&2; exit 1; }
sh "$ROOT/tests/support/pki.sh" "$PKI"

# the test server's default configuration has these two connected apps
CLIENT_ID=3MVG9sfoauth.Demo.Connected.App.Consumer.Key
printf '%s\n' 5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D \
    > "$WORK/client_secret"
chmod 600 "$WORK/client_secret"
USERNAME=demo@example.com

"$PY" "$ROOT/tests/server/sf_server.py" --host 127.0.0.1 --port 0 \
    --cert "$PKI/server.pem" --key "$PKI/server.key" --client-cert "$PKI/client.pem" \
    --auto-approve > "$WORK/server.out" 2> "$WORK/server.log" &
SERVER_PID=$!
PORT=""
i=0
while [ -z "$PORT" ] && [ $i -lt 200 ]; do
    PORT=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$WORK/server.out" 2>/dev/null || true)
    [ -n "$PORT" ] || { sleep 0.05; i=$((i + 1)); }
done
[ -n "$PORT" ] || { echo "demo: the test server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
LOGIN="https://127.0.0.1:$PORT"
echo "test server: $LOGIN (CA: $PKI/ca.pem)"

# common options; secrets come from files, never from the command line
export SFOAUTH_LOGIN_URL="$LOGIN" SFOAUTH_CLIENT_ID="$CLIENT_ID" SFOAUTH_USERNAME="$USERNAME"
C="--cacert $PKI/ca.pem --mask"
CACHE="$WORK/token-cache.json"

step "JWT bearer flow (server to server)" \
     "sfoauth jwt --key client.key $C"
"$SFOAUTH" jwt --key "$PKI/client.key" $C

step "Authorization code + PKCE; the test server approves at once and the browser is curl" \
     "sfoauth login --client-secret-file secret --browser 'curl -sL ...' --cache cache.json"
"$SFOAUTH" login --client-secret-file "$WORK/client_secret" \
    --browser "curl -s -L -o /dev/null --cacert $PKI/ca.pem" --scope "api refresh_token" \
    --cache "$CACHE" --wait 30 $C

step "Refresh grant with the cached refresh token" \
     "sfoauth refresh --client-secret-file secret --cache cache.json"
"$SFOAUTH" refresh --client-secret-file "$WORK/client_secret" --cache "$CACHE" $C

step "Introspection of the cached access token" \
     "sfoauth introspect --client-secret-file secret --cache cache.json"
"$SFOAUTH" introspect --client-secret-file "$WORK/client_secret" --cache "$CACHE" $C

step "A valid access token from the cache (no server call), as shell variables" \
     "sfoauth token --cache cache.json --output env"
"$SFOAUTH" token --cache "$CACHE" --output env $C
ls -l "$CACHE" | awk '{print "cache file mode: " $1}'

step "Revoke the cached refresh token (and with it its access tokens)" \
     "sfoauth revoke --cache cache.json"
"$SFOAUTH" revoke --cache "$CACHE" $C

step "Percent-decode the code of a pasted callback URL" \
     "sfoauth decode-url --param code 'https://login.salesforce.com/oauth2/callback?code=aPrx...%3D%3D'"
printf '%s\n' 'https://login.salesforce.com/oauth2/callback?code=aPrxDemoCode%3D%3D&state=xyz' |
    "$SFOAUTH" decode-url --param code

printf '\n\033[1mdemo finished\033[0m: server requests:\n'
curl -s --cacert "$PKI/ca.pem" "$LOGIN/test/stats" | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
for k in sorted(s.get("grants", s.get("grant", {})) or {}):
    print("  grant %-45s %s" % (k, s.get("grants", s.get("grant", {}))[k]))
' 2>/dev/null || true
