#!/bin/sh
# Test runner: runs each cmocka test binary given on the command line, then each
# make target given after "--" as one check. Prints a line per binary and ends
# with the tally "N passed, N failed". Exit status 0 only when nothing failed.
set -u
passed=0
failed=0
failed_names=""
timeout_s=${SFO_TEST_TIMEOUT:-600}
log_dir=${SFO_BUILD:-build}/test-logs
mkdir -p "$log_dir"

while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    bin=$1; shift
    name=$(basename "$bin")
    log="$log_dir/$name.log"
    if [ -n "${SFO_VALGRIND:-}" ]; then
        # memcheck: any error or definite/indirect leak fails the binary
        timeout -k 5 "$timeout_s" valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
            "$bin" >"$log" 2>&1
    else
        timeout -k 5 "$timeout_s" "$bin" >"$log" 2>&1
    fi
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed, timed out or failed outside cmocka
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failed_names="$failed_names $name"
        echo "FAIL $name: $p passed, $f failed (exit $rc); log follows"
        sed 's/^/    /' "$log" | tail -n 60
    else
        extra=$(grep -E '^(JSONTestSuite|NOTE):' "$log" | tr '\n' ' ')
        echo "ok   $name: $p passed ${extra}"
    fi
done
[ $# -gt 0 ] && shift

for target in "$@"; do
    log="$log_dir/make-$target.log"
    if make --no-print-directory "$target" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   make $target"
        sed 's/^/    /' "$log" | tail -n 40
    else
        failed=$((failed + 1))
        failed_names="$failed_names make-$target"
        echo "FAIL make $target; log follows"
        sed 's/^/    /' "$log" | tail -n 40
    fi
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
