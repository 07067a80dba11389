#!/bin/sh
# Runs the lwIP firmware image (tests/firmware/lwip_test.c) in QEMU (mps2-an386) with
# its LAN9118 joined to a TAP device inside a private network namespace made here
# (unshare -n; root). The namespace holds: 10.77.0.1/24 on the TAP, the token server
# tests/server/sf_server.py on its loopback (reached through a relay on 10.77.0.1:443),
# a test DNS server (sf.test -> 10.77.0.1), a relay that resets its first connection in
# the middle of the response (:8443), a silent server (:8081); port 444 is closed.
# The namespace has no other interface and no route: no packet can leave it.
#
#   run_lwip.sh IMAGE     prints the image's case lines, a ping check, and the tally
#                         "N passed, N failed"; exit 0 when nothing failed
set -eu
IMG=$1
ROOT=${SFO_ROOT:-$(pwd)}
PY=${SFO_PYTHON:-/usr/bin/python3}
if [ "${SFO_LWIP_NS:-}" != 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "run_lwip.sh: needs root (network namespace, TAP)"; exit 1; }
    SFO_LWIP_NS=1 exec unshare -n -- sh "$0" "$@"
fi

WORK=$(mktemp -d /tmp/sfo-lwip.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ADDR=10.77.0.1 GUEST=10.77.0.2 NAME=sf.test TAP=sfo0 MAC=52:54:00:5f:0a:02
ip link set lo up
ip tuntap add dev $TAP mode tap
ip addr add $ADDR/24 dev $TAP
ip link set $TAP up

# PKI made at test time: the test CA, a leaf for sf.test (and 10.77.0.1), the JWT key
PKI=${SFO_LWIP_PKI:-$WORK/pki}
sh "$ROOT/tests/support/pki.sh" "$PKI"
openssl req -newkey rsa:2048 -nodes -keyout "$WORK/sf.key" -out "$WORK/sf.csr" \
    -subj "/CN=$NAME" >/dev/null 2>&1
printf 'subjectAltName=DNS:%s,IP:%s,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    "$NAME" "$ADDR" > "$WORK/sf.ext"
openssl x509 -req -in "$WORK/sf.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
    -CAserial "$WORK/ca.srl" -days 2 -sha256 -extfile "$WORK/sf.ext" -out "$WORK/sf.pem" >/dev/null 2>&1
mkdir -p "$WORK/in"
cp "$PKI/ca.pem" "$WORK/in/ca.pem"
cp "$PKI/client.key" "$WORK/in/client.key"
CLIENT_ID=3MVG9sfoauth.Demo.Connected.App.Consumer.Key
printf '%s\n' 5A1F0C7E9B3D2A4C6E8F0A1B3C5D7E9F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D > "$WORK/in/secret"
chmod 600 "$WORK/in/secret"

"$PY" "$ROOT/tests/server/sf_server.py" --host 127.0.0.1 --port 0 --cert "$WORK/sf.pem" \
    --key "$WORK/sf.key" --client-cert "$PKI/client.pem" --auto-approve \
    --audience "https://$NAME" --audience "https://$NAME:8443" > "$WORK/server.out" 2> "$WORK/server.log" &
PIDS="$PIDS $!"
PORT="" i=0
while [ -z "$PORT" ] && [ $i -lt 200 ]; do
    PORT=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$WORK/server.out" 2>/dev/null || true)
    [ -n "$PORT" ] || { sleep 0.05; i=$((i + 1)); }
done
[ -n "$PORT" ] || { echo "run_lwip.sh: the token server did not start"; cat "$WORK/server.log"; exit 1; }
"$PY" "$ROOT/tests/firmware/lwip_net.py" --refresh-token "$WORK/in/refresh_token" \
    --sf-port "$PORT" --ca "$PKI/ca.pem" --client-id "$CLIENT_ID" --secret "$WORK/in/secret"
"$PY" "$ROOT/tests/firmware/lwip_net.py" --addr $ADDR --name $NAME --sf-port "$PORT" \
    > "$WORK/net.out" 2> "$WORK/net.log" &
PIDS="$PIDS $!"
i=0
until grep -q READY "$WORK/net.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "run_lwip.sh: helper did not start"; cat "$WORK/net.log"; exit 1; }
    sleep 0.05
done

# the host pings the guest while the image runs its cases (ARP + ICMP in lwIP)
( sleep 2; ping -c 3 -i 0.5 -W 2 $GUEST > "$WORK/ping.out" 2>&1 ) &
PING=$!
set +e
timeout 240 qemu-system-arm -M mps2-an386 ${SFO_LWIP_QEMU_ARGS:-} -display none -serial null -monitor none \
    -semihosting-config enable=on,target=native -kernel "$IMG" -append "$WORK/in $MAC" \
    -nic tap,ifname=$TAP,script=no,downscript=no,mac=$MAC > "$WORK/qemu.out" 2>&1
QRC=$?
wait $PING
PRC=$?
set -e
grep -v ' passed, .* failed$' "$WORK/qemu.out" || true
P=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$WORK/qemu.out")
F=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$WORK/qemu.out")
[ -n "$P" ] || { P=0; F=1; echo "FAIL - image ended without a tally (qemu exit $QRC)"; }
if [ $PRC -eq 0 ]; then echo "ok - the guest answers ARP and ping"; P=$((P + 1));
else echo "FAIL - the guest answers ARP and ping"; cat "$WORK/ping.out"; F=$((F + 1)); fi
[ "${SFO_LWIP_VERBOSE:-}" = 1 ] && cat "$WORK/server.log"
echo "$P passed, $F failed"
[ "$F" -eq 0 ] && [ $QRC -eq 0 ]
