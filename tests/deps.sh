#!/bin/sh
# Installs the Debian packages named in $SFO_DEPS that are missing.
# As root: apt-get install. Otherwise: prints the exact command and fails.
set -u
missing=""
for p in $SFO_DEPS; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "sfoauth: missing packages:$missing (this build expects Debian's apt-get)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "sfoauth: missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "sfoauth: installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
    echo "sfoauth: apt-get install failed for:$missing" >&2
    exit 1
}
