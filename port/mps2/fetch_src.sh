#!/bin/sh
# Unpacks Debian's source packages of BearSSL and mbedTLS into $1 (build/fw-src):
# apt-get source needs a deb-src entry and dpkg-dev. As root a missing deb-src
# entry is added (/etc/apt/sources.list.d/sfoauth-debian-src.sources); otherwise
# the exact commands are printed and the script fails.
set -u
dest=$1
[ -d "$dest/bearssl-0.6+dfsg.1" ] && [ -d "$dest/mbedtls-2.28.3" ] && exit 0
have_src() { apt-get indextargets 2>/dev/null | grep -q '^Identifier: Sources'; }
SRC_FILE=/etc/apt/sources.list.d/sfoauth-debian-src.sources
if ! have_src || ! command -v dpkg-source >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "sfoauth: firmware libraries need Debian source packages. Run as root:" >&2
        printf '  printf "Types: deb-src\\nURIs: http://deb.debian.org/debian\\nSuites: bookworm\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n" > %s\n' "$SRC_FILE" >&2
        echo "  apt-get update && apt-get install -y dpkg-dev" >&2
        exit 1
    fi
    if ! have_src; then
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$SRC_FILE"
        apt-get update -qq >/dev/null 2>&1 || apt-get update
    fi
    command -v dpkg-source >/dev/null 2>&1 || \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null
fi
mkdir -p "$dest" && cd "$dest" || exit 1
apt-get source --download-only bearssl mbedtls >/dev/null 2>&1 || {
    echo "sfoauth: apt-get source bearssl mbedtls failed" >&2; exit 1; }
for d in bearssl_*.dsc mbedtls_*.dsc; do
    dpkg-source -x "$d" >/dev/null || { echo "sfoauth: dpkg-source -x $d failed" >&2; exit 1; }
done
[ -d bearssl-0.6+dfsg.1 ] && [ -d mbedtls-2.28.3 ] || {
    echo "sfoauth: expected bearssl 0.6 and mbedtls 2.28.3 sources in $dest" >&2; exit 1; }
