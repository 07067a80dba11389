#!/bin/sh
# make bench: footprint, memory, end-to-end speed and parser speed of sfoauth.
# Prints one table and writes it between the bench markers of BENCHMARKS.md.
# Everything runs on this machine; the only network traffic goes to the test
# server on 127.0.0.1. Timing is reported, never asserted.
#
#   sh bench/run.sh          (from the repository root, after make all)
# Environment: SFO_SF_SERVER  path of sf_server.py (default tests/server/sf_server.py)
#              PYTHON         (default /usr/bin/python3)
#              BENCH_RUNS     wall-time runs per program (default 15, >= 10)
set -u
ROOT=$(pwd)
PY=${PYTHON:-/usr/bin/python3}
RUNS=${BENCH_RUNS:-15}
OUT=build/bench
mkdir -p $OUT
T=$OUT/table.md
: > $T
row() { printf '%s\n' "$*" >> $T; }
log() { printf 'bench: %s\n' "$*" >&2; }
CROSS="arm-none-eabi-gcc -std=c11 -mcpu=cortex-m4 -mthumb -ffreestanding -ffunction-sections -fdata-sections -Iinclude -Isrc"

# ---- 1. footprint ------------------------------------------------------------------
log "footprint"
sz() { # object... -> "text rodata data bss"
    arm-none-eabi-size -A "$@" | awk '$1 ~ /^\.text/ {t+=$2} $1 ~ /^\.rodata/ {r+=$2}
        $1 ~ /^\.data/ {d+=$2} $1 ~ /^\.bss/ {b+=$2} END {print t+0, r+0, d+0, b+0}'
}
for o in Os O2; do
    mkdir -p $OUT/cm4-$o
    for f in src/*.c; do
        $CROSS -$o -c "$f" -o $OUT/cm4-$o/$(basename "$f" .c).o || exit 1
    done
done
for L in 1 0; do
    $CROSS -Os -DSFO_ERROR_STRINGS=$L -c src/errors.c -o $OUT/errors-L$L.o || exit 1
done
row "## 1. Footprint"
row ""
row "Core (src/) for Cortex-M4 Thumb-2, arm-none-eabi-gcc 12, -ffreestanding, per file (bytes):"
row ""
row "| file | -Os text | -Os rodata | -Os data+bss | -O2 text | -O2 rodata | -O2 data+bss |"
row "|---|---:|---:|---:|---:|---:|---:|"
for f in src/*.c; do
    b=$(basename "$f" .c)
    set -- $(sz $OUT/cm4-Os/$b.o) $(sz $OUT/cm4-O2/$b.o)
    row "| $b | $1 | $2 | $(($3 + $4)) | $5 | $6 | $(($7 + $8)) |"
done
set -- $(sz $OUT/cm4-Os/*.o) $(sz $OUT/cm4-O2/*.o)
CORE_OS=$(($1 + $2)); CORE_O2=$(($5 + $6))
row "| **total** | $1 | $2 | $(($3 + $4)) | $5 | $6 | $(($7 + $8)) |"
row ""
set -- $(sz $OUT/cm4-Os/errors.o); E2=$(($1 + $2))
set -- $(sz $OUT/errors-L1.o); E1=$(($1 + $2))
set -- $(sz $OUT/errors-L0.o); E0=$(($1 + $2))
verdict() { # bytes budget -> "holds" or "over by N"
    if [ "$1" -le "$2" ]; then echo holds; else echo "over by $(($1 - $2))"; fi
}
MIN="-DSFO_NO_DEVICE_FLOW -DSFO_NO_INTROSPECT -DSFO_NO_USERINFO -DSFO_NO_PROXY -DSFO_NO_LOG -DSFO_ERROR_STRINGS=0"
mkdir -p $OUT/cm4-min
for f in src/*.c; do
    $CROSS -Os $MIN -c "$f" -o $OUT/cm4-min/$(basename "$f" .c).o || exit 1
done
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostdlib -Wl,--gc-sections -Wl,-e,sfo_jwt_bearer \
    -Wl,--undefined=sfo_strerror -Wl,--unresolved-symbols=ignore-all \
    -o $OUT/jwt-only.elf $OUT/cm4-min/*.o || exit 1
set -- $(sz $OUT/cm4-min/*.o); CORE_MIN=$(($1 + $2))
set -- $(sz $OUT/jwt-only.elf); JWT_ONLY=$(($1 + $2))
row "| core text+rodata, -Os | bytes | budget |"
row "|---|---:|---|"
row "| SFO_ERROR_STRINGS=2 (default: names + texts), every feature | $CORE_OS | 16384: $(verdict $CORE_OS 16384) |"
row "| SFO_ERROR_STRINGS=1 (names only) | $((CORE_OS - E2 + E1)) | |"
row "| SFO_ERROR_STRINGS=0 (no strings) | $((CORE_OS - E2 + E0)) | |"
row "| every firmware switch (cross-min), not linked | $CORE_MIN | |"
row "| JWT bearer only: every switch, --gc-sections from sfo_jwt_bearer | $JWT_ONLY | 10240: $(verdict $JWT_ONLY 10240) |"
row "| core text+rodata, -O2 (default strings) | $CORE_O2 | |"
row ""
log "static CLI builds"
static_size() { # path -> "size" or n/a
    if [ -x "$1" ]; then stat -c %s "$1"; else echo "n/a"; fi
}
make --no-print-directory static > $OUT/static-bearssl.log 2>&1 || log "static BearSSL build failed (see $OUT/static-bearssl.log)"
sh bench/static_mbedtls.sh > $OUT/static-mbedtls.log 2>&1 ||
    log "static mbedTLS build failed (see $OUT/static-mbedtls.log)"
SB=$(static_size build/static/sfoauth); SM=$(static_size build/static-mbedtls/sfoauth)
row "| static sfoauth, x86-64, -Os, stripped | bytes | budget 204800 |"
row "|---|---:|---|"
if [ "$SB" = n/a ]; then VB="not measured (BearSSL backend not built)"
elif [ "$SB" -le 204800 ]; then VB=holds; else VB="over by $((SB - 204800))"; fi
row "| BearSSL | $SB | $VB |"
row "| mbedTLS 2.28 (bench/mbedtls_static_config.h) | $SM | (no budget) |"
row ""
row "Both: musl, -Os, --gc-sections. BearSSL: TLS 1.2, ECDHE with RSA or ECDSA, AES-GCM only,"
row "BearSSL's default EC code (X25519, P-256/384/521). mbedTLS: Debian's 2.28 source built with"
row "bench/mbedtls_static_config.h (TLS 1.2 client, ECDHE-RSA/ECDSA, AES-GCM, P-256/384)."
row ""

# ---- e2e set-up: PKI, server ---------------------------------------------------------
SERVER=${SFO_SF_SERVER:-$ROOT/tests/server/sf_server.py}
PKI=$OUT/pki
sh tests/support/pki.sh $PKI || exit 1
CID=3MVG9sfoauth.Demo.Connected.App.Consumer.Key
USER=demo@example.com
SPID=""
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT=""
if [ -f "$SERVER" ]; then
    "$PY" "$SERVER" --host 127.0.0.1 --port 0 --cert $PKI/server.pem --key $PKI/server.key \
        --client-cert $PKI/client.pem --framing cl --tls 1.2 > $OUT/server.out 2> $OUT/server.log &
    SPID=$!
    i=0
    while [ -z "$PORT" ] && [ $i -lt 200 ]; do
        PORT=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' $OUT/server.out 2>/dev/null)
        [ -n "$PORT" ] || { sleep 0.05; i=$((i + 1)); }
    done
fi
[ -n "$PORT" ] || log "test server not available ($SERVER): sections 2 and 3 are skipped"
URL=https://127.0.0.1:$PORT
BACKENDS=""
for b in mbedtls bearssl; do
    [ -x build/$b/sfoauth ] && BACKENDS="$BACKENDS $b"
done
sfo_run() { build/$1/sfoauth jwt --login-url $URL --client-id $CID --username $USER \
            --key $PKI/client.key --cacert $PKI/ca.pem > /dev/null; }
ASSERT=""
curl_run() { curl -sS -o /dev/null --cacert $PKI/ca.pem --tlsv1.2 --tls-max 1.2 \
            -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$ASSERT" \
            $URL/services/oauth2/token; }
fresh_assert() { ASSERT=$("$PY" bench/sign_assertion.py $PKI/client.key $CID $USER $URL); }

if [ -n "$PORT" ]; then
# ---- 2. memory -----------------------------------------------------------------------
log "memory (valgrind memcheck + massif, /usr/bin/time)"
row "## 2. Memory, one JWT bearer fetch (x86-64 host process)"
row ""
row "| program | heap peak (massif) | allocations | heap+stack peak (massif --stacks) | peak RSS (median of 5) |"
row "|---|---:|---:|---:|---:|"
mem_row() { # name, command...
    name=$1; shift
    valgrind --tool=memcheck "$@" > /dev/null 2> $OUT/mc.$name.txt
    allocs=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' $OUT/mc.$name.txt | tr -d ,)
    valgrind --tool=massif --massif-out-file=$OUT/massif.$name "$@" > /dev/null 2>&1
    hp=$(awk -F= '/^mem_heap_B=/ {h=$2} /^mem_heap_extra_B=/ {if (h+$2 > m) m=h+$2} END {print m+0}' $OUT/massif.$name)
    valgrind --tool=massif --stacks=yes --massif-out-file=$OUT/massif-st.$name "$@" > /dev/null 2>&1
    hs=$(awk -F= '/^mem_heap_B=/ {h=$2} /^mem_heap_extra_B=/ {e=$2} /^mem_stacks_B=/ {if (h+e+$2 > m) m=h+e+$2} END {print m+0}' $OUT/massif-st.$name)
    rss=$(for i in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -1; done | sort -n | sed -n 3p)
    row "| $name | $hp | $allocs | $hs | $rss KiB |"
}
for b in $BACKENDS; do
    mem_row "sfoauth-$b" build/$b/sfoauth jwt --login-url $URL --client-id $CID --username $USER \
        --key $PKI/client.key --cacert $PKI/ca.pem
done
fresh_assert
mem_row curl curl -sS -o /dev/null --cacert $PKI/ca.pem --tlsv1.2 --tls-max 1.2 \
    -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$ASSERT" \
    $URL/services/oauth2/token
row ""
smoke=""
for s in static static-mbedtls; do
    if [ -x build/$s/sfoauth ] && build/$s/sfoauth jwt --login-url $URL --client-id $CID \
        --username $USER --key $PKI/client.key --cacert $PKI/ca.pem > /dev/null 2>&1; then r=ok; else r=FAILED; fi
    smoke="$smoke build/$s/sfoauth: $r;"
done
row "Static CLIs, one JWT bearer fetch from the test server:${smoke%;}."
row ""
fi

log "stack of src/ (Cortex-M4 call graph)"
mkdir -p $OUT/ci
for f in src/*.c; do
    (cd $OUT/ci && $CROSS -I"$ROOT/include" -I"$ROOT/src" -Os -fcallgraph-info=su \
        -c "$ROOT/$f" -o $(basename "$f" .c).o) || exit 1
done
STK=$("$PY" bench/stack_depth.py sfo_jwt_bearer $OUT/ci/*.ci)
STKB=${STK%% *}
row "Stack of src/ in sfo_jwt_bearer, Cortex-M4 -Os, worst path of the static call graph"
row "(port calls count 0; callbacks resolved): **$STKB bytes** (budget 1536: $([ "$STKB" -le 1536 ] && echo holds || echo "over by $((STKB - 1536))"))."
row "Path: \`${STK#* }\`"
row ""
row "Heap in src/: none (check-core: src/ references only memcpy/memset/memmove/memcmp/strlen)."
row ""

if [ -n "$PORT" ]; then
# ---- 3. speed --------------------------------------------------------------------------
log "end to end: wall time ($RUNS runs each) and callgrind"
median_ms() { # command... -> median wall ms of RUNS runs
    i=0
    while [ $i -lt $RUNS ]; do
        s=$(date +%s%N); "$@" || return 1; e=$(date +%s%N)
        echo $(( (e - s) / 1000 ))
        i=$((i + 1))
    done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
row "## 3. End to end on loopback (TLS 1.2, same CA, same server)"
row ""
row "sfoauth signs the assertion itself (RSA-2048); curl posts an assertion signed beforehand."
row ""
row "| program | wall median (ms) | vs curl | instructions | vs curl | without RSA sign | vs curl | src/ | cli+port (curl: libcurl+curl) | TLS/crypto lib | libc | ld.so + other |"
row "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
fresh_assert
CURL_MS=$(median_ms curl_run)
valgrind --tool=callgrind --callgrind-out-file=$OUT/cg.curl curl -sS -o /dev/null \
    --cacert $PKI/ca.pem --tlsv1.2 --tls-max 1.2 -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
    -d "assertion=$ASSERT" $URL/services/oauth2/token > /dev/null 2>&1
shares() { # callgrind file -> "total src cliport tls libc other"
    callgrind_annotate --threshold=100 --inclusive=no "$1" 2>/dev/null | awk '
        /PROGRAM TOTALS/ {gsub(",", "", $1); tot=$1}
        /\[/ && $1 ~ /^[0-9,]+$/ {
            n=$1; gsub(",", "", n); line=$0
            if (line ~ /\/src\/[a-z_]+\.c:/ || line ~ /^ *[0-9,]+ .*src\/[a-z_]+\.c:/) s+=n
            else if (line ~ /(cli|port)\/[a-z_\/]+\.c:/ || line ~ /libcurl|\/bin\/curl\]/) c+=n
            else if (line ~ /libmbed|libbearssl|libssl|libcrypto|libgnutls|libnettle|libgmp/) t+=n
            else if (line ~ /libc\.so|libc-|\/libc\.a/) l+=n
            else o+=n
        }
        END {printf "%d %d %d %d %d %d\n", tot, s, c, t, l, o}'
}
set -- $(shares $OUT/cg.curl); CURL_IR=$1
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f %%", b ? 100*a/b : 0}'; }
row "| curl 7.88 (OpenSSL 3) | $CURL_MS | 1.00 | $CURL_IR | 1.00 | $CURL_IR | 1.00 | - | $(pct $3 $1) | $(pct $4 $1) | $(pct $5 $1) | $(pct $6 $1) |"
for b in $BACKENDS; do
    ms=$(median_ms sfo_run $b)
    valgrind --tool=callgrind --callgrind-out-file=$OUT/cg.$b build/$b/sfoauth jwt --login-url $URL \
        --client-id $CID --username $USER --key $PKI/client.key --cacert $PKI/ca.pem > /dev/null 2>&1
    sign=$(callgrind_annotate --inclusive=yes $OUT/cg.$b 2>/dev/null |
        awk '/port\/tls\/[a-z_]+\.c:[a-z_]*rsa[a-z_]*sign/ {gsub(",", "", $1); if ($1 > m) m = $1} END {print m+0}')
    set -- $(shares $OUT/cg.$b)
    nosign=$(($1 - sign))
    row "| sfoauth $b | $ms | $(awk -v a=$ms -v b=$CURL_MS 'BEGIN {printf "%.2f", a/b}') | $1 | $(awk -v a=$1 -v b=$CURL_IR 'BEGIN {printf "%.2f", a/b}') | $nosign | $(awk -v a=$nosign -v b=$CURL_IR 'BEGIN {printf "%.2f", a/b}') | $(pct $2 $1) | $(pct $3 $1) | $(pct $4 $1) | $(pct $5 $1) | $(pct $6 $1) |"
done
row ""
fi

# ---- 4. parsers ------------------------------------------------------------------------
log "parsers"
"$PY" bench/gen_data.py $OUT/data || exit 1
CFL="-O2 -std=c11 -Iinclude -Wall -Wextra"
LIBA=build/mbedtls/libsfoauth.a
cc $CFL -o $OUT/jsonbench bench/jsonbench.c $LIBA -lyajl -lcjson || exit 1
cc $CFL -o $OUT/httpbench bench/httpbench.c $LIBA -lhttp_parser || exit 1
irs() { # prog args -> instructions inside run_once
    valgrind --tool=callgrind --toggle-collect=run_once --callgrind-out-file=$OUT/cg.tmp "$@" 0 \
        > /dev/null 2>&1
    callgrind_annotate $OUT/cg.tmp 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
row "## 4. Parsers (x86-64, gcc -O2, whole input in memory)"
row ""
row "| input | bytes | parser | instr/byte | MB/s | sfo speed ratio |"
row "|---|---:|---|---:|---:|---:|"
for d in token api deep; do
    bytes=$(stat -c %s $OUT/data/$d.json)
    sfo_mbs=""
    for p in sfo jsmn yajl cjson; do
        ir=$(irs $OUT/jsonbench $p $OUT/data/$d.json)
        mbs=$($OUT/jsonbench $p $OUT/data/$d.json 0.3 | awk '{print $4}')
        [ $p = sfo ] && sfo_mbs=$mbs
        row "| $d.json | $bytes | $p | $(awk -v a=$ir -v b=$bytes 'BEGIN {printf "%.1f", a/b}') | $mbs | $(awk -v a=$sfo_mbs -v b=$mbs 'BEGIN {printf "%.2fx", a/b}') |"
    done
done
for d in http_token http_chunked; do
    bytes=$(stat -c %s $OUT/data/$d.txt)
    sfo_mbs=""
    for p in sfo nodejs; do
        ir=$(irs $OUT/httpbench $p $OUT/data/$d.txt)
        mbs=$($OUT/httpbench $p $OUT/data/$d.txt 0.3 | awk '{print $4}')
        [ $p = sfo ] && sfo_mbs=$mbs
        row "| $d.txt | $bytes | $p http | $(awk -v a=$ir -v b=$bytes 'BEGIN {printf "%.2f", a/b}') | $mbs | $(awk -v a=$sfo_mbs -v b=$mbs 'BEGIN {printf "%.2fx", a/b}') |"
    done
done
row ""
row "Inputs: bench/gen_data.py (token.json: Salesforce JWT bearer answer; api.json: SOQL-style"
row "records; deep.json: 200 values nested 400 deep). jsmn is the Debian build without"
row "JSMN_PARENT_LINKS (its closing-bracket search is quadratic on long arrays); cJSON builds"
row "and frees a tree. HTTP: fed in 2 KiB slices; the chunked body is 1.1 MB in 4-16 KiB chunks."
row ""
row "core-text-rodata-bytes-measured: $CORE_OS"

# ---- output ----------------------------------------------------------------------------
cat $T
if [ -f BENCHMARKS.md ] && grep -q '<!-- bench:begin -->' BENCHMARKS.md; then
    awk -v t=$T '/<!-- bench:begin -->/ {print; while ((getline l < t) > 0) print l; skip=1; next}
                 /<!-- bench:end -->/ {skip=0} !skip' BENCHMARKS.md > $OUT/BENCHMARKS.md.new &&
        mv $OUT/BENCHMARKS.md.new BENCHMARKS.md
    log "table written to BENCHMARKS.md"
fi
