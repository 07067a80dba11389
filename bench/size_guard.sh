#!/bin/sh
# make size-guard: three footprint figures against the ones committed in BENCHMARKS.md,
# each may be at most 10 % above its committed line:
#   core-text-rodata-bytes:      src/*.c for Cortex-M4 -Os (as make cross), text+rodata
#   jwt-only-text-rodata-bytes:  every firmware switch, linked --gc-sections from
#                                sfo_jwt_bearer (as make cross-min), text+rodata
#   static-cli-bytes:            make static (BearSSL, musl, stripped), file size
# --update rewrites the three lines after a deliberate change. Timing is never checked.
set -u
CC=${CROSS_CC:-arm-none-eabi-gcc}
OUT=build/size-guard
FLAGS="-std=c11 -mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections -Iinclude -Isrc"
MIN="-DSFO_NO_DEVICE_FLOW -DSFO_NO_INTROSPECT -DSFO_NO_USERINFO -DSFO_NO_PROXY -DSFO_NO_LOG -DSFO_ERROR_STRINGS=0"
textro() { arm-none-eabi-size -A "$@" | awk '$1 ~ /^\.(text|rodata)/ {s += $2} END {print s}'; }
rm -rf $OUT
mkdir -p $OUT/core $OUT/min
for f in src/*.c; do
    b=$(basename "$f" .c)
    $CC $FLAGS -c "$f" -o $OUT/core/$b.o || exit 1
    $CC $FLAGS $MIN -c "$f" -o $OUT/min/$b.o || exit 1
done
core=$(textro $OUT/core/*.o)
$CC -mcpu=cortex-m4 -mthumb -nostdlib -Wl,--gc-sections -Wl,-e,sfo_jwt_bearer \
    -Wl,--undefined=sfo_strerror -Wl,--unresolved-symbols=ignore-all \
    -o $OUT/jwt-only.elf $OUT/min/*.o || exit 1
jwt=$(textro $OUT/jwt-only.elf)
make --no-print-directory static > $OUT/static.log 2>&1 || { echo "size-guard: make static failed (see $OUT/static.log)"; exit 1; }
cli=$(stat -c %s build/static/sfoauth)

if [ "${1:-}" = --update ]; then
    for kv in core-text-rodata-bytes=$core jwt-only-text-rodata-bytes=$jwt static-cli-bytes=$cli; do
        k=${kv%%=*}; v=${kv#*=}
        sed -i "s/^$k: [0-9]*$/$k: $v/" BENCHMARKS.md
        grep -q "^$k: $v$" BENCHMARKS.md || { echo "size-guard: no '$k: N' line in BENCHMARKS.md" >&2; exit 1; }
        echo "size-guard: BENCHMARKS.md now says $k: $v"
    done
    exit 0
fi
rc=0
for kv in core-text-rodata-bytes=$core jwt-only-text-rodata-bytes=$jwt static-cli-bytes=$cli; do
    k=${kv%%=*}; v=${kv#*=}
    base=$(sed -n "s/^$k: \([0-9]*\)$/\1/p" BENCHMARKS.md 2>/dev/null | head -1)
    [ -n "$base" ] || { echo "size-guard: no '$k: N' line in BENCHMARKS.md" >&2; rc=1; continue; }
    limit=$((base + base / 10))
    if [ "$v" -gt "$limit" ]; then
        echo "size-guard: FAIL $k $v > $limit (committed $base + 10 %)"
        rc=1
    else
        echo "size-guard: ok, $k $v (committed $base, limit $limit)"
    fi
done
exit $rc
