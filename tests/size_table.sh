#!/bin/sh
# Prints text/rodata/data/bss per object and the total, from arm-none-eabi-size -A.
set -u
SIZE=${CROSS_SIZE:-arm-none-eabi-size}
printf '%-16s %8s %8s %8s %8s\n' file text rodata data bss
for o in "$@"; do
    $SIZE -A "$o" | awk -v f="$(basename "$o" .o)" '
        $1 ~ /^\.text/   {t+=$2}
        $1 ~ /^\.rodata/ {r+=$2}
        $1 ~ /^\.data/   {d+=$2}
        $1 ~ /^\.bss/    {b+=$2}
        END {printf "%-16s %8d %8d %8d %8d\n", f, t, r, d, b}'
done | tee /tmp/sfo_size.$$ 
awk '{t+=$2; r+=$3; d+=$4; b+=$5} END {printf "%-16s %8d %8d %8d %8d\n", "total", t, r, d, b; printf "core text+rodata: %d bytes, data+bss: %d bytes\n", t+r, d+b}' /tmp/sfo_size.$$
rm -f /tmp/sfo_size.$$
