#!/bin/sh
# make size-guard: the core (src/*.c) built for Cortex-M4 with -Os, as `make cross`
# builds it; its text+rodata must not exceed the committed figure in BENCHMARKS.md
# ("core-text-rodata-bytes: N") by more than 10 %. --update rewrites that line.
# Timing is never checked here.
set -u
CC=${CROSS_CC:-arm-none-eabi-gcc}
OUT=build/size-guard
mkdir -p $OUT
for f in src/*.c; do
    $CC -std=c11 -mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections \
        -Iinclude -Isrc -c "$f" -o $OUT/$(basename "$f" .c).o || exit 1
done
now=$(arm-none-eabi-size -A $OUT/*.o | awk '$1 ~ /^\.(text|rodata)/ {s += $2} END {print s}')
if [ "${1:-}" = --update ]; then
    sed -i "s/^core-text-rodata-bytes: [0-9]*$/core-text-rodata-bytes: $now/" BENCHMARKS.md
    grep -q "^core-text-rodata-bytes: $now$" BENCHMARKS.md || { echo "size-guard: no guard line in BENCHMARKS.md" >&2; exit 1; }
    echo "size-guard: BENCHMARKS.md now says core-text-rodata-bytes: $now"
    exit 0
fi
base=$(sed -n 's/^core-text-rodata-bytes: \([0-9]*\)$/\1/p' BENCHMARKS.md 2>/dev/null | head -1)
[ -n "$base" ] || { echo "size-guard: no 'core-text-rodata-bytes: N' line in BENCHMARKS.md" >&2; exit 1; }
limit=$((base + base / 10))
if [ "$now" -gt "$limit" ]; then
    echo "size-guard: FAIL core text+rodata $now bytes > $limit (committed $base + 10 %)"
    exit 1
fi
echo "size-guard: ok, core text+rodata $now bytes (committed $base, limit $limit)"
