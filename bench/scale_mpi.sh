#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench-mpi: batch query throughput of cisearch-mpi with 1, 2 and 4 ranks on this
# machine (one shard per rank, each merged to one segment), on the synthetic corpus (200k
# documents by default: BENCH_MPI_DOCS), the 14 query classes of bench/query_sets.py (30
# each). Every run prints what docs/SCALE.md's model takes: queries/s, wall time per query,
# the slowest rank's search time, collective time and bytes per query. Also one process over
# the 1-shard index (cisearch bench), the baseline without MPI. Writes
# build/bench/mpi/report.md. Ranks beyond the cores (4 on 2) share them: the figure shows the
# coordination's cost, not a speed-up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$root/build/bench/mpi
docs=${BENCH_MPI_DOCS:-200000}
repeat=${BENCH_MPI_REPEAT:-3}
bin=$root/build/release
mkdir -p "$out"
corpus=$out/synthetic-$docs.jsonl
[ -s "$corpus" ] || python3 "$here/corpus_synthetic.py" "$corpus" --docs "$docs" >&2
if [ ! -s "$out/queries.tsv" ] || [ "$corpus" -nt "$out/queries.tsv" ]; then
    rm -rf "$out/q"
    python3 "$here/query_sets.py" "$corpus" "$out/q" --per-class 30 >&2
    for f in "$out"/q/*; do
        c=$(basename "$f")
        awk -v c="$c" '{ printf "%s-%d\t%s\n", c, NR, $0 }' "$f"
    done > "$out/queries.tsv"
fi
mpi() {
    n=$1; shift
    root_flag=""
    [ "$(id -u)" -eq 0 ] && root_flag=--allow-run-as-root
    mpirun $root_flag --oversubscribe --mca btl self,vader --mca oob_tcp_if_include lo \
        -n "$n" "$bin/cisearch-mpi" "$@"
}
# run_best RANKS FORMAT: the best of $repeat runs, one row of the report
run_best() {
    n=$1
    pat=$out/shards$n/s%d
    best=""
    r=0
    while [ $r -lt "$repeat" ]; do
        mpi "$n" search --shard "$pat" --timing --format "$2" -n 10 \
            --queries "$out/queries.tsv" > /dev/null 2> "$out/timing$n.txt" || true
        qps=$(sed -n 's/.* s, \([0-9.]*\) queries\/s.*/\1/p' "$out/timing$n.txt")
        if [ -z "$best" ] || awk "BEGIN { exit !($qps > $best) }"; then
            best=$qps
            cp "$out/timing$n.txt" "$out/best$n.txt"
        fi
        r=$((r + 1))
    done
    t=$out/best$n.txt
    wall=$(sed -n 's/.*per query: \([0-9.]*\) us wall.*/\1/p' "$t")
    search=$(sed -n 's/.*searching \([0-9.]*\) us (slowest.*/\1/p' "$t")
    coll=$(sed -n 's/.*collectives \([0-9.]*\) us.*/\1/p' "$t")
    stat=$(sed -n 's/.*of which statistics \([0-9.]*\) us.*/\1/p' "$t")
    sb=$(sed -n 's/.*statistics \([0-9]*\) bytes.*/\1/p' "$t")
    hb=$(sed -n 's/.*hits \([0-9]*\) bytes.*/\1/p' "$t")
    echo "| $n | $best | $wall | $search | $stat | $coll | $sb | $hb |" >> "$report"
}
report=$out/report.md
{
    echo "# cisearch-mpi batch throughput"
    echo
    echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');" \
         "$docs synthetic documents; $(wc -l < "$out/queries.tsv") queries (14 classes)," \
         "top 10, one shard per rank, best of $repeat runs."
    echo
    echo "| ranks | queries/s | wall us/query | search us/query (slowest rank) | of which statistics (mean rank) | collectives us/query (mean rank) | statistics bytes/query/rank | hits bytes/query/rank |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} > "$report"
for n in 1 2 4; do
    pat=$out/shards$n/s%d
    if [ ! -e "$out/shards$n/.done" ]; then
        rm -rf "$out/shards$n"
        mkdir -p "$out/shards$n"
        mpi "$n" index --quiet --shard "$pat" "$corpus" >&2
        i=0
        while [ $i -lt "$n" ]; do
            "$bin/cisearch" optimize --index "$out/shards$n/s$i" >&2
            i=$((i + 1))
        done
        touch "$out/shards$n/.done"
    fi
    run_best "$n" ids
done
{
    echo
    echo "With snippets (--format json: the page's shards make its 10 snippets, query then fetch):"
    echo
    echo "| ranks | queries/s | wall us/query | search us/query (slowest rank) | of which statistics (mean rank) | collectives us/query (mean rank) | statistics bytes/query/rank | hits bytes/query/rank |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >> "$report"
for n in 1 2 4; do
    run_best "$n" json
done
# the baseline: one process over the 1-shard index, the same queries (median of 3 runs each)
cut -f2 "$out/queries.tsv" > "$out/queries.txt"
"$bin/cisearch" bench --index "$out/shards1/s0" --queries "$out/queries.txt" -k 10 \
    --repeat 3 > "$out/bench1.txt"
awk -F'\t' '{ s += $1; n++ } END { printf "\nOne process (cisearch bench, the 1-shard index): mean %.1f us per query, %.0f queries/s.\n", s / n, 1e6 * n / s }' \
    "$out/bench1.txt" >> "$report"
cat "$report"
