#!/bin/sh
# make bench-lwip: figures of the lwIP images (build/firmware/<backend>/sfoauth-lwip.elf),
# written between the bench-lwip markers of BENCHMARKS.md:
#   - flash and static RAM by part, from the link map (bench/lwip_size.py);
#   - stack high-water after the test run (painted stack), mbedTLS pool high-water;
#   - one JWT bearer fetch (DNS, TCP, TLS handshake, RS256 signature, HTTP, JSON): its
#     time in QEMU (virtual time follows the host clock), and its instructions in
#     QEMU -icount shift=0 (one instruction per virtual nanosecond), the instructions
#     spent waiting for the network (connect, calls answered "no data yet", sleeps)
#     given apart.
# Runs the lwIP test (tests/firmware/run_lwip.sh) twice per backend: 3 to 9 minutes.
set -eu
PY=${PYTHON:-/usr/bin/python3}
FW=build/firmware
OUT=build/fw-lwip/bench
mkdir -p $OUT
pki=$(mktemp -d /tmp/sfo-lwip-pki.XXXXXX)
trap 'rm -rf "$pki"' EXIT
fig() { sed -n "s/^bench: $1 \([0-9]*\)$/\1/p" "$2" | head -1; }
{
echo "### lwIP images: sfoauth + lwIP + LAN9118 on Cortex-M4 (MPS2 AN386 in QEMU)"
for b in bearssl mbedtls; do
    img=$FW/$b/sfoauth-lwip.elf
    SFO_LWIP_PKI="$pki/pki" sh tests/firmware/run_lwip.sh "$img" > $OUT/run-$b.out 2>&1 || true
    SFO_LWIP_PKI="$pki/pki" SFO_LWIP_QEMU_ARGS="-icount shift=0" \
        sh tests/firmware/run_lwip.sh "$img" > $OUT/icount-$b.out 2>&1 || true
    "$PY" bench/lwip_size.py $FW/$b/sfoauth-lwip.elf.map > $OUT/size-$b.txt
    tally=$(tail -1 $OUT/run-$b.out)
    flash=$(sed -n 's/^total\t\([0-9]*\)\t.*/\1/p' $OUT/size-$b.txt)
    sram=$(sed -n 's/^total\t[0-9]*\t\([0-9]*\)$/\1/p' $OUT/size-$b.txt)
    stack=$(fig stack-high-water $OUT/run-$b.out)
    pool=$(fig tls-pool-high-water $OUT/run-$b.out)
    ns=$(fig jwt-fetch-ns $OUT/run-$b.out)
    ins=$(fig jwt-fetch-ns $OUT/icount-$b.out)
    wins=$(fig jwt-fetch-wait-ns $OUT/icount-$b.out)
    echo
    echo "**$b** (test run: $tally)"
    echo
    echo '```'
    printf '%-30s %8s %8s\n' part flash ram
    awk -F '\t' '{printf "%-30s %8s %8s\n", $1, $2, $3}' $OUT/size-$b.txt
    echo '```'
    echo
    echo "| $b | value |"
    echo "|---|---:|"
    echo "| flash (text+rodata+data), bytes | $flash |"
    echo "| static RAM (data+bss: lwIP pools and heap, TLS context or pool, buffers), bytes | $sram |"
    echo "| stack high-water, bytes | ${stack:-?} |"
    [ "$b" = mbedtls ] && echo "| mbedTLS pool high-water, bytes | ${pool:-?} |"
    echo "| RAM total (static + stack high-water), bytes | $((sram + ${stack:-0})) |"
    echo "| one JWT bearer fetch, QEMU time, ms | $(( ${ns:-0} / 1000000 )) |"
    echo "| one JWT bearer fetch, instructions (-icount) | ${ins:-?} |"
    echo "| of which waiting for the network | ${wins:-?} |"
    echo "| the fetch's own work (instructions) | $(( ${ins:-0} - ${wins:-0} )) |"
    echo
    echo "lwip-$b-flash-bytes-measured: $flash"
    echo "lwip-$b-ram-bytes-measured: $((sram + ${stack:-0}))"
done
} > $OUT/section.md
cat $OUT/section.md
if grep -q '<!-- bench-lwip:begin -->' BENCHMARKS.md; then
    awk -v f=$OUT/section.md '/<!-- bench-lwip:begin -->/ {print; while ((getline l < f) > 0) print l; skip=1; next}
         /<!-- bench-lwip:end -->/ {skip=0} !skip' BENCHMARKS.md > $OUT/BENCHMARKS.md.new &&
        mv $OUT/BENCHMARKS.md.new BENCHMARKS.md
    echo "bench-lwip: written to BENCHMARKS.md"
fi
