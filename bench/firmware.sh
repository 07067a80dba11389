#!/bin/sh
# Firmware figures of `make bench` (also `make bench-firmware`): for the JWT image of
# each backend (build/firmware/<backend>/sfoauth-jwt.elf, MPS2 AN386 Cortex-M4 -Os)
#   flash (text+rodata+data init) and static RAM (data+bss) by part, from the link map;
#   stack high-water (painted stack) and TLS pool high-water (mbedTLS) of one fetch;
#   instructions of one fetch in QEMU with -icount shift=0 (1 instruction = 1 ns of
#   virtual time; the 25 MHz timer ticks every 40 instructions), split into the RSA
#   signature, the TLS handshake and the rest, without the time spent polling the UART.
# Prints a markdown section on stdout; with --write also puts it between the
# "bench-firmware" markers of BENCHMARKS.md.
set -u
cd "$(dirname "$0")/.."
FW=build/firmware
if [ "${1:-}" = --write ]; then
    mkdir -p $FW
    sh "$0" > $FW/bench.md || exit 1
    cat $FW/bench.md
    if grep -q '<!-- bench-firmware:begin -->' BENCHMARKS.md; then
        awk -v f=$FW/bench.md '/<!-- bench-firmware:begin -->/ {print; while ((getline l < f) > 0) print l; skip=1; next}
             /<!-- bench-firmware:end -->/ {skip=0} !skip' BENCHMARKS.md > $FW/BENCHMARKS.md.new &&
            mv $FW/BENCHMARKS.md.new BENCHMARKS.md && echo "bench-firmware: written to BENCHMARKS.md"
    fi
    exit 0
fi
echo "### Firmware: JWT bearer image on Cortex-M4 (MPS2 AN386 in QEMU)"
echo
for b in bearssl mbedtls; do
    map=$FW/$b/sfoauth-jwt.elf.map
    [ -f "$map" ] || { echo "($b image not built)"; continue; }
    out=$(FW_BACKENDS=$b FW_ONLY=jwt QEMU_EXTRA="-icount shift=0" bash tests/firmware/run.sh 2>&1)
    fig() { echo "$out" | sed -n "s/^  fw: $1 \([0-9]*\)$/\1/p" | head -1; }
    stack=$(fig "stack high-water"); pool=$(fig "pool high-water")
    total=$(fig "ticks total"); wait=$(fig "ticks waiting")
    sign=$(fig "ticks rsa_sign"); hs=$(fig "ticks handshake"); hsw=$(fig "ticks handshake waiting")
    ok=$(echo "$out" | grep -c '^PASS firmware')
    echo "**$b** (fetch $( [ "$ok" = 1 ] && echo ok || echo FAILED ))"
    echo
    echo '```'
    python3 bench/fw_size.py "$map"
    echo '```'
    echo
    static=$(python3 bench/fw_size.py "$map" | awk '$1 == "total" {print $3}')
    flash=$(python3 bench/fw_size.py "$map" | awk '$1 == "total" {print $2}')
    poolsz=$(grep -o 'FW_POOL_SIZE ([0-9]*u \* 1024u)' tests/firmware/fw_util.c | grep -o '[0-9]*' | head -1)
    [ "$b" = mbedtls ] || pool=0
    echo "| $b | bytes |"
    echo "|---|---:|"
    echo "| flash (text+rodata+data) | $flash |"
    echo "| static RAM (data+bss, incl. the TLS pool$( [ "$b" = mbedtls ] && echo " of $((poolsz * 1024))" )) | $static |"
    echo "| stack high-water | $stack |"
    [ "$b" = mbedtls ] && echo "| TLS pool high-water | $pool |"
    echo "| RAM total (static + stack high-water) | $((static + stack)) |"
    if [ -n "$total" ] && [ -n "$wait" ]; then
        echo "| instructions, RSA-2048 signature | $((sign * 40)) |"
        echo "| instructions, TLS handshake (without UART waits) | $(((hs - hsw) * 40)) |"
        echo "| instructions, the rest (HTTP, JSON, JWT, key load) | $(((total - wait - sign - hs + hsw) * 40)) |"
        echo "| instructions, whole fetch (without UART waits) | $(((total - wait) * 40)) |"
    fi
    echo
    echo "firmware-$b-jwt-flash-bytes-measured: $flash"
    echo "firmware-$b-jwt-ram-bytes-measured: $((static + stack))"
    echo
done
