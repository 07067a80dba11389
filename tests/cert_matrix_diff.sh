#!/bin/sh
# Differential run of the certificate matrix (tests/test_cert_matrix.c): builds it
# for both TLS backends, runs each, prints the verdicts side by side and fails when
# the two backends differ in any case (verdict or SFO_E_* code) or either differs
# from the expected table.
# Usage: sh tests/cert_matrix_diff.sh   (from the repository root; SHARED, PYTHON as for make)
set -u
root=$(pwd)
rc=0
for b in mbedtls bearssl; do
    make --no-print-directory BACKEND=$b "build/$b/tests/test_cert_matrix" >/dev/null || exit 1
    SFO_SHARED=${SHARED:-$root/../shared} SFO_ROOT=$root SFO_BUILD=$root/build/$b \
    SFO_BACKEND=$b SFO_PYTHON=${PYTHON:-/usr/bin/python3} \
        "build/$b/tests/test_cert_matrix" >"build/cert-matrix-$b.log" 2>&1 || rc=1
    awk '$1 == "ok" || $1 == "FAIL" {print $2, $3, $4}' "build/cert-matrix-$b.log" \
        >"build/cert-matrix-$b.txt"
done
printf '%-24s %-20s %-26s %s\n' case "server name" mbedtls bearssl
paste -d' ' build/cert-matrix-mbedtls.txt build/cert-matrix-bearssl.txt |
    awk '{printf "%-24s %-20s %-26s %s%s\n", $1, $2, $3, $6, ($3 == $6 ? "" : "   <-- differs")}'
if ! cmp -s build/cert-matrix-mbedtls.txt build/cert-matrix-bearssl.txt; then
    echo "cert-matrix: the backends differ"
    rc=1
fi
[ "$rc" -eq 0 ] && echo "cert-matrix: both backends agree with each other and the expected table"
exit $rc
