#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# compare.sh - side-by-side query latency of cisearch, Xapian, Lucene and SQLite FTS5 on one corpus.
#
#   bench/compare.sh CORPUS.jsonl [K] [REPEAT]        (defaults: K=10, REPEAT=5)
#
# Builds, under build/compare/, a cisearch index (`--language none`, then optimize), a Xapian
# index (build/peers/xapian_peer), a Lucene index (build/peers/lucene_peer) and an SQLite FTS5
# index (build/peers/fts5_peer) from the same JSON lines {"id", "title", "body"}, recording each engine's indexing wall time (cisearch:
# index + optimize commands, timed here; the peers report their own `docs<TAB>seconds`).
# Then writes per-class query files with bench/query_sets.py (seed 1, 30 per class) and runs
# each engine's search on every class file, printing Markdown tables: per class the mean of
# the per-query median latencies, the ratios xapian/cisearch, lucene/cisearch and fts5/cisearch
# (> 1 means cisearch is faster) and for how many queries all four hit counts agree; then all-class
# means and an indexing table (seconds, index size in MB by `du -sb`).
#
# Missing binaries are built (make -j2 all, bench/peers/build_*.sh). Knobs:
# LUCENE_PEER_WARMUP (default 50 warm-up passes for the JIT), QUERY_SEED, PER_CLASS.
# Raw per-engine outputs stay in build/compare/out/. Exit status nonzero if any step fails.
set -euo pipefail

usage() {
    echo "usage: bench/compare.sh CORPUS.jsonl [K] [REPEAT]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
corpus=$1
k=${2:-10}
repeat=${3:-5}
[ -f "$corpus" ] || { echo "compare.sh: no such file: $corpus" >&2; exit 2; }
corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cis=build/release/cisearch
xap=build/peers/xapian_peer
luc=build/peers/lucene_peer
fts=build/peers/fts5_peer
work=build/compare
export LUCENE_PEER_WARMUP=${LUCENE_PEER_WARMUP:-50}

[ -x "$cis" ] || make -j2 all >&2
[ -x "$xap" ] || bench/peers/build_xapian.sh >&2
[ -x "$luc" ] || bench/peers/build_lucene.sh >&2
[ -x "$fts" ] || bench/peers/build_fts5.sh >&2

now() { date +%s.%N; }

mkdir -p "$work"
rm -rf "$work/idx" "$work/out" "$work/queries"
mkdir -p "$work/idx" "$work/out"

# --- indexing (one engine at a time) ---
echo "indexing $(wc -l <"$corpus") lines of $corpus ..." >&2
t0=$(now)
"$cis" index --index "$work/idx/cisearch" --language none --jsonl "$corpus" >"$work/out/index_cisearch.txt"
"$cis" optimize --index "$work/idx/cisearch" >>"$work/out/index_cisearch.txt"
t1=$(now)
cis_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
"$xap" index "$work/idx/xapian" "$corpus" >"$work/out/index_xapian.txt"
xap_secs=$(awk -F'\t' 'END { print $2 }' "$work/out/index_xapian.txt")
"$luc" index "$work/idx/lucene" "$corpus" >"$work/out/index_lucene.txt"
luc_secs=$(awk -F'\t' 'END { print $2 }' "$work/out/index_lucene.txt")
"$fts" index "$work/idx/fts5" "$corpus" >"$work/out/index_fts5.txt"
fts_secs=$(awk -F'\t' 'END { print $2 }' "$work/out/index_fts5.txt")

# --- queries ---
python3 bench/query_sets.py "$corpus" "$work/queries" \
    --seed "${QUERY_SEED:-1}" --per-class "${PER_CLASS:-30}" >&2

classes="term_high term_med term_low or_high_high and_high_high and_high_low or_high_low
or3 and3 phrase2 phrase3 prefix4"

echo "| class | cisearch mean µs | xapian mean µs | lucene mean µs | fts5 mean µs | xapian/cisearch | lucene/cisearch | fts5/cisearch | hits agree |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
: >"$work/out/all.tsv"
for c in $classes; do
    q="$work/queries/$c.txt"
    echo "searching $c ..." >&2
    "$cis" bench --index "$work/idx/cisearch" --queries "$q" -k "$k" --repeat "$repeat" \
        >"$work/out/$c.cisearch" 2>>"$work/out/stderr.txt"
    "$xap" search "$work/idx/xapian" "$q" "$k" "$repeat" \
        >"$work/out/$c.xapian" 2>>"$work/out/stderr.txt"
    "$luc" search "$work/idx/lucene" "$q" "$k" "$repeat" \
        >"$work/out/$c.lucene" 2>>"$work/out/stderr.txt"
    "$fts" search "$work/idx/fts5" "$q" "$k" "$repeat" \
        >"$work/out/$c.fts5" 2>>"$work/out/stderr.txt"
    n=$(grep -c . "$q")
    for e in cisearch xapian lucene fts5; do
        m=$(wc -l <"$work/out/$c.$e")
        [ "$m" -eq "$n" ] || { echo "compare.sh: $e printed $m lines for $n queries of $c" >&2; exit 1; }
    done
    # One row per query: class, c_lat, c_hits, x_lat, x_hits, l_lat, l_hits, f_lat, f_hits, query.
    paste "$work/out/$c.cisearch" "$work/out/$c.xapian" "$work/out/$c.lucene" "$work/out/$c.fts5" |
        awk -F'\t' -v c="$c" 'BEGIN { OFS = "\t" } { print c, $1, $2, $4, $5, $7, $8, $10, $11, $3 }' \
        >"$work/out/$c.tsv"
    cat "$work/out/$c.tsv" >>"$work/out/all.tsv"
done

# Per-class rows, then the all-class means (over all queries of all classes).
awk -F'\t' '
    function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
    function row(name, cnt, tc, tx, tl, tf, agree) {
        printf "| %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %d/%d |\n", name, tc / cnt,
            tx / cnt, tl / cnt, tf / cnt, ratio(tx, tc), ratio(tl, tc), ratio(tf, tc), agree, cnt
    }
    {
        if (!($1 in n)) order[++nc] = $1
        n[$1]++; sc[$1] += $2; sx[$1] += $4; sl[$1] += $6; sf[$1] += $8
        a = ($3 == $5 && $5 == $7 && $7 == $9); ag[$1] += a
        N++; SC += $2; SX += $4; SL += $6; SF += $8; AG += a
    }
    END {
        for (i = 1; i <= nc; i++) { c = order[i]; row(c, n[c], sc[c], sx[c], sl[c], sf[c], ag[c]) }
        row("**all**", N, SC, SX, SL, SF, AG)
    }' "$work/out/all.tsv"

# Queries whose hit counts differ, for the curious (stderr only).
awk -F'\t' '!($3 == $5 && $5 == $7 && $7 == $9) {
        printf "  hits differ: %-14s c=%s x=%s l=%s f=%s  %s\n", $1, $3, $5, $7, $9, $10 }' \
    "$work/out/all.tsv" >"$work/out/disagree.txt"
echo "($(wc -l <"$work/out/disagree.txt") queries with differing hit counts: $work/out/disagree.txt)" >&2

echo
echo "K=$k, REPEAT=$repeat, LUCENE_PEER_WARMUP=$LUCENE_PEER_WARMUP, docs=$(wc -l <"$corpus")"
echo
echo "| engine | index seconds | index MB |"
echo "|---|---:|---:|"
for e in cisearch xapian lucene fts5; do
    case $e in
        cisearch) s=$cis_secs ;;
        xapian) s=$xap_secs ;;
        lucene) s=$luc_secs ;;
        fts5) s=$fts_secs ;;
    esac
    b=$(du -sb "$work/idx/$e" | awk '{ print $1 }')
    awk -v e="$e" -v s="$s" -v b="$b" 'BEGIN { printf "| %s | %.2f | %.1f |\n", e, s, b / 1e6 }'
done
