#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages libsearch needs to build and test, when any is missing.
# Called by the Makefile before every build; does nothing when all are present.
set -eu
PKGS="gcc make pkg-config zlib1g-dev check libsubunit-dev libstemmer-dev libutf8proc-dev libjansson-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "libsearch: installing missing packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq $missing >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
else
    echo "libsearch: missing packages:$missing" >&2
    echo "libsearch: run: sudo apt-get install$missing" >&2
    exit 1
fi
