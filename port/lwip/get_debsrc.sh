#!/bin/sh
# Unpacks Debian's source package $1 (lwip, bearssl) into $2/tree, upstream
# sources without Debian's patches. Needs a deb-src line for bookworm and
# dpkg-dev: run as root, it adds both; otherwise it prints what to run.
set -eu
pkg=$1
dest=$2
if [ -d "$dest/tree/src" ]; then exit 0; fi
SRCLIST=/etc/apt/sources.list.d/sfoauth-debian-src.sources
need_src() { ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; }
if need_src || ! command -v dpkg-source >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "$pkg source needs deb-src and dpkg-dev; as root run:" >&2
        printf '  printf %s > %s\n' "'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'" "$SRCLIST" >&2
        echo "  apt-get update && apt-get install -y dpkg-dev" >&2
        exit 1
    fi
    if need_src; then
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$SRCLIST"
        apt-get update -q >/dev/null
    fi
    command -v dpkg-source >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpkg-dev >/dev/null
fi
rm -rf "$dest"; mkdir -p "$dest"
(cd "$dest" && apt-get source -q --download-only "$pkg" >/dev/null 2>&1 && dpkg-source -x --skip-patches "$pkg"_*.dsc tree >/dev/null)
test -d "$dest/tree/src"
