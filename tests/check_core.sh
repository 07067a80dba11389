#!/bin/sh
# The freestanding contract: every object built from src/*.c alone references
# nothing outside memcpy memset memmove memcmp strlen and its own sfo_ symbols.
set -u
bad=0
for o in "$@"; do
    u=$(nm -u "$o" | awk '{print $2}' | grep -vxE 'memcpy|memset|memmove|memcmp|strlen|sfo_[A-Za-z0-9_]*|__stack_chk_fail|__stack_chk_guard|__(asan|ubsan|sanitizer)_.*|__asan_[A-Za-z0-9_]*')
    if [ -n "$u" ]; then
        echo "core contract broken: $(basename "$o") uses: $(echo $u)"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "core contract: $# objects reference only memcpy/memset/memmove/memcmp/strlen and sfo_*"
exit $bad
