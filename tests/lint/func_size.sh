#!/bin/sh
# Function size check of make lint: every function in the given C files stays within
# FUNC_LINES lines and a cyclomatic complexity of FUNC_CCN (pmccabe's modified McCabe
# number: a switch counts once), unless tests/lint/func_size.allow names it
# ("file.c:function  reason"; file by its base name, so a moved file keeps its entry).
# An allow-list entry that no longer matches an oversized function is reported too,
# so the list shrinks as functions are split.
#   sh tests/lint/func_size.sh FILE.c...
set -u
LINES=${FUNC_LINES:-100}
CCN=${FUNC_CCN:-30}
ALLOW=${FUNC_ALLOW:-tests/lint/func_size.allow}
command -v pmccabe >/dev/null || { echo "func-size: pmccabe missing (make deps)" >&2; exit 1; }
pmccabe "$@" 2>/dev/null | awk -F'\t' -v L=$LINES -v C=$CCN -v allow="$ALLOW" '
BEGIN {
    while ((getline line < allow) > 0) {
        if (line ~ /^[ \t]*(#|$)/) continue
        split(line, f, /[ \t]+/)
        ok[f[1]] = 1
    }
}
{
    # fields: mccabe, traditional, statements, first line, lines, "file(line): function"
    loc = $6
    file = loc; sub(/\(.*/, "", file); n = split(file, parts, "/"); base = parts[n]
    fn = loc; sub(/^[^)]*\): /, "", fn)
    key = base ":" fn
    if ($1 > C || $5 > L) {
        if (key in ok) { used[key] = 1; next }
        printf "%s: %s: %d lines, complexity %d (limits %d, %d)\n", file, fn, $5, $1, L, C
        bad++
    }
}
END {
    for (k in ok) if (!(k in used)) { printf "func-size: allow-list entry %s is within the limits or gone: remove it\n", k; stale++ }
    if (bad || stale) exit 1
}'
rc=$?
[ $rc -eq 0 ] && echo "func-size: every function within $LINES lines, complexity $CCN (allow-list: $(grep -cv '^[[:space:]]*\(#\|$\)' "$ALLOW"))"
exit $rc
