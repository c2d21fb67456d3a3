#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# compare.sh - side-by-side query latency of cisearch, Xapian, Lucene and SQLite FTS5 on one corpus.
#
#   bench/compare.sh CORPUS.jsonl [K] [REPEAT]        (defaults: K=10, REPEAT=5)
#
# `make bench-compare` runs it on CISI + MED replicated (build/compare/corpus.jsonl). It is
# bench/bench.sh on that one corpus (`bench/bench.sh --jsonl CORPUS.jsonl`) with BENCH_DIR
# build/compare: every engine indexes the JSON lines {"id", "title", "body"} (cisearch
# `--language none`, then optimize), the 14 query classes of bench/query_sets.py are written
# (QUERY_SEED, default 1; PER_CLASS, default 30) and run by every engine with top K, the median
# of REPEAT runs per query after a warm-up pass (LUCENE_PEER_WARMUP, default 50), and with K=0;
# the Markdown report (latency mean and p99 per class with ratios peer/cisearch, the counting
# pass, hit agreement, indexing, index parts, open times) goes to stdout and
# build/compare/report.md, the raw outputs to build/compare/<corpus name>/out/.
# Exit status nonzero if any step fails.
set -euo pipefail

usage() {
    echo "usage: bench/compare.sh CORPUS.jsonl [K] [REPEAT]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
[ -f "$1" ] || { echo "compare.sh: no such file: $1" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-$root/build/compare}
export BENCH_K=${2:-10} BENCH_REPEAT=${3:-5}
export BENCH_SEED=${QUERY_SEED:-1} BENCH_PER_CLASS=${PER_CLASS:-30}
export BENCH_QUICK=0
unset BENCH_CORPORA
exec "$root/bench/bench.sh" --jsonl "$1"
