#!/bin/sh
# Runs the libFuzzer targets named on the command line, $FUZZ_JOBS at a time
# (niced), each for $SECONDS seconds, with corpus $FUZZ_DIR/corpus/<t> (kept
# between runs) seeded from $FUZZ_DIR/seeds/<t>. Prints each target's final
# libFuzzer status line (execs, cov, ft). Exit status 1 when a target found a
# crash, leak or timeout (its input is in $FUZZ_DIR/artifacts/<t>/).
set -u
dir=${FUZZ_DIR:-build/fuzz}
secs=${SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
status=0
running=0
pids=""

one() {
    t=$1
    mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t" "$dir/logs"
    nice -n 10 "$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/" \
        "$dir/corpus/$t" "$dir/seeds/$t" >"$dir/logs/$t.log" 2>&1
}

report() {
    t=$1 rc=$2
    last=$(grep -E '^#[0-9]+' "$dir/logs/$t.log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/logs/$t.log")
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $t: ok, $execs execs; $last"
    else
        echo "fuzz $t: FAILED (exit $rc); see $dir/logs/$t.log and $dir/artifacts/$t/"
        grep -E 'check failed|ERROR|SUMMARY' "$dir/logs/$t.log" | head -n 5 | sed 's/^/    /'
        status=1
    fi
}

set -- "$@"
while [ $# -gt 0 ]; do
    batch=""
    n=0
    while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
        t=$1; shift
        one "$t" &
        batch="$batch $t:$!"
        n=$((n + 1))
    done
    for tp in $batch; do
        t=${tp%%:*}; pid=${tp#*:}
        wait "$pid"; rc=$?
        report "$t" "$rc"
    done
done
exit $status
