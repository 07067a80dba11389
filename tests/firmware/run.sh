#!/usr/bin/env bash
# make firmware-test: runs the MPS2 AN386 firmware images of both TLS backends in
# qemu-system-arm. Per backend:
#   unit    sfoauth-test.elf: JSONTestSuite, HTTP parser, RFC 7515 RS256 vectors and
#           the port conformance suite on the Cortex-M4 (no network)
#   jwt     sfoauth-jwt.elf: a JWT bearer fetch from tests/server/sf_server.py over
#           UART0, wired by QEMU to the server's TCP port on 127.0.0.1
#   cert N  sfoauth-test.elf in certificate mode, once per certificate the conformance
#           suite uses in a single test (unknown CA, expired, wrong host, no IP SAN),
#           UART0 wired to tests/server/tls_server.py presenting it
#   untrusted  the same with a CA that did not issue the server's certificate:
#           SFO_E_TLS_UNTRUSTED
#   refused    a user the connected app does not pre-authorise: SFO_E_OAUTH with
#           the server's error
# Last line: "N passed, N failed". FW_BACKENDS="bearssl" runs one backend; FW_ONLY=jwt
# only the fetch; QEMU_EXTRA adds QEMU options (make bench: -icount shift=0).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${SFO_SHARED:-$(cd .. && pwd)/shared}
PY=${SFO_PYTHON:-/usr/bin/python3}
FW=$ROOT/build/firmware
RUN=$FW/run
QEMU_TIMEOUT=${QEMU_TIMEOUT:-90}
mkdir -p "$RUN"
pass=0; fail=0

sh tests/support/pki.sh "$FW/pki" || { echo "firmware-test: PKI failed"; echo "0 passed, 1 failed"; exit 1; }
PKI=$FW/pki
ls "$SHARED/testdata/jsontestsuite/test_parsing" | grep -E '^[yni]_' > "$RUN/json-list.txt"

cat > "$RUN/server.json" <<JSON
{
  "users": {"fw@example.com": {"name": "Firm Ware"}, "other@example.com": {}},
  "clients": [
    {"client_id": "fw-client", "client_secret": "fw-secret",
     "certificate": "$PKI/client.pem", "scopes": ["api"],
     "approved_users": ["fw@example.com"]}
  ]
}
JSON

# qemu ELF [chardev options] -- args...: the image's output in $out, exit status in $rc
qemu() {
    local elf=$1 serial=$2; shift 2
    local args="$*"
    out=$(timeout "$QEMU_TIMEOUT" qemu-system-arm -M mps2-an386 -nographic -monitor none \
        $serial ${QEMU_EXTRA:-} -semihosting-config enable=on,target=native -kernel "$elf" \
        -append "$args" 2>&1)
    rc=$?
}

check() { # name ok-flag
    if [ "$2" = 1 ]; then echo "PASS firmware $1"; pass=$((pass + 1));
    else echo "FAIL firmware $1"; echo "$out" | tail -n 15 | sed 's/^/    /'; fail=$((fail + 1)); fi
}

server_up() {
    exec 7< <(exec "$PY" tests/server/sf_server.py --host localhost --port 0 \
        --cert "$PKI/server.pem" --key "$PKI/server.key" --config "$RUN/server.json" \
        --framing random --seed 3 2>>"$RUN/server.log")
    SPID=$!
    SPORT=""
    while read -r -t 20 line <&7; do
        case $line in PORT\ *) SPORT=${line#PORT }; break;; esac
    done
}
server_down() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; exec 7<&-; }

# cert BACKEND KIND NAME: the conformance suite's test of certificate NAME (enum KIND)
cert_run() {
    exec 7< <(exec "$PY" tests/server/tls_server.py "$PKI/$3.pem" "$PKI/$3.key" 2>>"$RUN/tls.log")
    SPID=$!
    SPORT=""
    while read -r -t 20 line <&7; do
        case $line in PORT\ *) SPORT=${line#PORT }; break;; esac
    done
    [ -n "$SPORT" ] || { out="tls server did not start"; rc=255; server_down; return; }
    qemu "$FW/$1/sfoauth-test.elf" \
        "-chardev socket,id=net,host=127.0.0.1,port=$SPORT -serial chardev:net" \
        "$SHARED" "$RUN/json-list.txt" "$PKI/ca.pem" "$2"
    server_down
}

# fetch BACKEND USER CA: runs the JWT image against a fresh server
fetch() {
    server_up
    [ -n "$SPORT" ] || { out="server did not start"; rc=255; return; }
    qemu "$FW/$1/sfoauth-jwt.elf" \
        "-chardev socket,id=net,host=127.0.0.1,port=$SPORT -serial chardev:net" \
        "https://localhost:$SPORT" fw-client "$2" "$PKI/client.key" "$3"
    server_down
}

for b in ${FW_BACKENDS:-bearssl mbedtls}; do
    echo "=== firmware $b ==="
    if [ "${FW_ONLY:-}" != jwt ]; then
        qemu "$FW/$b/sfoauth-test.elf" "-serial null" "$SHARED" "$RUN/json-list.txt" "$PKI/ca.pem"
        echo "$out" | grep -E '^(FAIL|fw:|json\.suite .*:|codec\..*:)' | sed 's/^/  /'
        up=$(echo "$out" | grep -c '^PASS'); uf=$(echo "$out" | grep -c '^FAIL')
        echo "  $b unit on target: $up checks passed, $uf failed (exit $rc)"
        # every on-target check counts in the tally; the image's own verdict is one more
        pass=$((pass + up)); fail=$((fail + uf))
        [ "$rc" = 0 ] && [ "$uf" = 0 ] && [ "$up" -gt 0 ]; check "$b unit" $((1 - $?))

        k=1
        for c in unknownca expired wronghost noip; do
            cert_run "$b" $k $c
            echo "$out" | grep -E '^(PASS|FAIL) cert\.' | sed 's/^/  /'
            [ "$rc" = 0 ] && [ "$(echo "$out" | grep -c '^PASS cert\.')" = 1 ]
            check "$b conformance certificate $c" $((1 - $?))
            k=$((k + 1))
        done
    fi

    fetch "$b" fw@example.com "$PKI/ca.pem"
    echo "$out" | sed 's/^/  /'
    [ "$rc" = 0 ] && echo "$out" | grep -q '^sfoauth-jwt: ok instance_url=https://'; check "$b jwt bearer fetch" $((1 - $?))
    [ "${FW_ONLY:-}" = jwt ] && continue

    fetch "$b" fw@example.com "$PKI/other-ca.pem"
    echo "$out" | grep '^sfoauth-jwt' | sed 's/^/  /'
    [ "$rc" = 70 ] && echo "$out" | grep -q 'error SFO_E_TLS_UNTRUSTED'; check "$b unknown CA" $((1 - $?))

    fetch "$b" other@example.com "$PKI/ca.pem"
    echo "$out" | grep '^sfoauth-jwt' | sed 's/^/  /'
    [ "$rc" = 110 ] && echo "$out" | grep -q "error SFO_E_OAUTH error=invalid_grant error_description=user hasn't approved this consumer"; check "$b refused user" $((1 - $?))
done
echo "firmware-test: $pass passed, $fail failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
