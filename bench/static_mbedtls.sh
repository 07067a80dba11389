#!/bin/sh
# The static mbedTLS CLI of make bench: mbedTLS 2.28 built from Debian's source package
# (apt-get source mbedtls; needs a deb-src entry and dpkg-dev) with the configuration
# bench/mbedtls_static_config.h, -Os, no unwind tables, against musl; then sfoauth linked
# statically to it like make static (-flto): build/static-mbedtls/sfoauth (stripped). No budget.
#   sh bench/static_mbedtls.sh     (repository root)
set -u
ROOT=$(pwd)
SRC=build/mbedtls-src
OUT=build/static-mbedtls
CFG="$ROOT/bench/mbedtls_static_config.h"
CC="musl-gcc"
mkdir -p $SRC $OUT/lib
d=$(ls -d $SRC/mbedtls-2.28.* 2>/dev/null | head -1)
if [ -z "$d" ]; then
    (cd $SRC && apt-get source --download-only mbedtls >/dev/null 2>&1 &&
        dpkg-source -x mbedtls_*.dsc >/dev/null) ||
        { echo "static_mbedtls: apt-get source mbedtls failed (deb-src entry, dpkg-dev)" >&2; exit 1; }
    d=$(ls -d $SRC/mbedtls-2.28.* | head -1)
fi
rm -f $OUT/lib/*.o $OUT/lib/libmbed.a
for f in "$d"/library/*.c; do
    $CC -std=c99 -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
        -fno-unwind-tables -fno-pie -I"$d/include" \
        "-DMBEDTLS_CONFIG_FILE=\"$CFG\"" -c "$f" -o $OUT/lib/$(basename "$f" .c).o || exit 1
done
ar rcs $OUT/lib/libmbed.a $OUT/lib/*.o
mkdir -p $OUT/inc && ln -sf "$ROOT/$d/include/mbedtls" "$ROOT/$d/include/psa" $OUT/inc/
make --no-print-directory BACKEND=mbedtls BUILD=$OUT SAN= OPT="-Os" \
    CC="musl-gcc -isystem $OUT/inc" \
    EXTRA_CFLAGS="-DSFO_MUSL_COMPAT -ffunction-sections -fdata-sections -flto -flto-partition=one \
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie \"-DMBEDTLS_CONFIG_FILE=\\\"$CFG\\\"\"" \
    LDLIBS="$OUT/lib/libmbed.a" $OUT/sfoauth-static || exit 1
cp $OUT/sfoauth-static $OUT/sfoauth && strip $OUT/sfoauth
