#!/bin/sh
# SPDX-License-Identifier: MIT
#
# build_fts5.sh - builds the SQLite FTS5 peer of the benchmarks: build/peers/fts5_peer from
# bench/peers/fts5_peer.c. Run from the repository root. Installs libsqlite3-dev with apt-get
# when it is missing and we are root; otherwise prints the command to run and exits 2.
# Needs libjansson-dev too (as the other peers). Exits nonzero on any failure.
set -eu

if [ ! -f bench/peers/fts5_peer.c ]; then
    echo "build_fts5.sh: run me from the repository root" >&2
    exit 2
fi

if [ ! -f /usr/include/sqlite3.h ] && ! pkg-config --exists sqlite3 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "build_fts5.sh: installing libsqlite3-dev" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y libsqlite3-dev >&2 ||
            { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y libsqlite3-dev >&2; }
    else
        echo "build_fts5.sh: SQLite's headers are missing; install them with:" >&2
        echo "    sudo apt-get install -y libsqlite3-dev" >&2
        exit 2
    fi
fi

mkdir -p build/peers
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra bench/peers/fts5_peer.c -o build/peers/fts5_peer \
    -lsqlite3 -ljansson
echo "build_fts5.sh: built build/peers/fts5_peer" >&2
