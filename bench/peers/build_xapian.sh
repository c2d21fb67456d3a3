#!/bin/sh
# Builds the Xapian peer of the benchmarks: build/peers/xapian_peer from
# bench/peers/xapian_peer.cc. Run from the repository root. Installs
# libxapian-dev with apt-get when it is missing and we are root; otherwise
# prints the command to run. Exits nonzero on any failure.
set -eu

if [ ! -f bench/peers/xapian_peer.cc ]; then
    echo "build_xapian.sh: run me from the repository root" >&2
    exit 2
fi

if ! pkg-config --exists xapian-core 2>/dev/null && ! command -v xapian-config >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "build_xapian.sh: installing libxapian-dev" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y libxapian-dev >&2 ||
            { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y libxapian-dev >&2; }
    else
        echo "build_xapian.sh: Xapian is missing; install it with:" >&2
        echo "    sudo apt-get install -y libxapian-dev" >&2
        exit 2
    fi
fi

if pkg-config --exists xapian-core 2>/dev/null; then
    XFLAGS=$(pkg-config --cflags --libs xapian-core)
else
    XFLAGS=$(xapian-config --cxxflags --libs)
fi

mkdir -p build/peers
# shellcheck disable=SC2086
${CXX:-g++} -O2 -std=c++17 -Wall -Wextra bench/peers/xapian_peer.cc -o build/peers/xapian_peer \
    $XFLAGS -ljansson
echo "build_xapian.sh: built build/peers/xapian_peer" >&2
