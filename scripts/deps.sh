#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages libsearch needs, when any is missing; does nothing when all are
# present. `deps.sh` (called by the Makefile before every build) installs what building and
# `make test` need; `deps.sh fuzz` adds what `make fuzz` needs (clang and its sanitizer and
# libFuzzer runtimes).
set -eu
PKGS="gcc make pkg-config zlib1g-dev libdeflate-dev check libsubunit-dev libstemmer-dev libutf8proc-dev libjansson-dev libxxhash-dev
      libmicrohttpd-dev chromium chromium-driver python3 python3-pytest python3-setuptools
      python3-pip python3-venv python3-wheel openmpi-bin libopenmpi-dev"
case "${1:-}" in
    "") ;;
    fuzz) PKGS="clang libclang-rt-14-dev" ;;
    *) echo "deps.sh: unknown group '$1' (use: deps.sh [fuzz])" >&2; exit 2 ;;
esac
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
