#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench.sh - the benchmark of issue 9: cisearch beside Xapian 1.4, Lucene 8 and SQLite FTS5 on
# several corpora, one engine at a time, every query class single-threaded after a warm-up.
#
#   bench/bench.sh [--corpus NAME]... [--jsonl FILE]...     (make bench)
#   BENCH_QUICK=1 bench/bench.sh [...]                       (make bench-quick)
#
# Corpora (NAME; generated under build/bench/corpora/ and reused while their generator script,
# arguments and inputs are unchanged, see the .stamp files beside them):
#   kernel          every text file of Debian's linux-source-6.1 (bench/corpus_kernel.py;
#                   quick: the first 8,000)
#   dictionary      every entry of dict-gcide (bench/corpus_gcide.py; quick: the first 30,000)
#   synthetic-100k  100,000 Zipf documents, lengths drawn from the gcide corpus
#                   (bench/corpus_synthetic.py; quick: synthetic-20k)
#   synthetic-1m    1,000,000 of them (quick: synthetic-200k)
# --corpus NAME (repeatable) or BENCH_CORPORA="NAME ..." picks some of them (in quick mode
# synthetic-100k and synthetic-1m name the quick sizes); --jsonl FILE adds a corpus of your
# own (named after the file). The corpus packages (linux-source-6.1, dict-gcide) are installed
# with apt-get when missing, the peers built with bench/peers/build_*.sh when missing or older
# than their sources, cisearch with `make all`.
#
# For every corpus, and every engine one after the other: index it (cisearch: `index
# --language none` then `optimize`; the peers: `index`) under /usr/bin/time (wall, user+sys CPU,
# peak RSS), measure the index (du -sb; cisearch by file extension), write the 14 query classes
# (bench/query_sets.py, seed 1, 30 per class). Then, in each of 3 rounds, for every class,
# every engine in turn runs it with K=10 (median of 5 runs per query after a warm-up pass) and
# with K=0 (counting, median of 3); a query's figure is its best round, so a slow spell of the
# machine (seen here: every engine 2x slower for minutes) falls on all engines alike instead of
# on whichever ran then. Last, each engine's open time warm (a one-query run just after) and
# cold (after bench/evict.py dropped the index files from the page cache), the median of 3 runs
# each. Prints a Markdown report (machine, then per corpus: latency mean/p99 per class with
# ratios peer/cisearch, the counting pass, hit agreement, indexing, index parts, open times;
# bench/bench_report.py) on stdout and into BENCH_DIR/report.md. Progress goes to stderr.
#
# Files: BENCH_DIR (default build/bench; quick build/bench/quick)/<corpus>/: meta.tsv,
# queries/, idx/<engine>/ (the indexes, kept until the next run), out/ (raw outputs:
# <class>.<engine> and <class>.<engine>.count as printed by the engines, the joined per-query
# tables <class>.tsv, <class>.count.tsv, all.tsv, all.count.tsv, index.tsv, parts.tsv,
# open.tsv, failed.txt and every command's stderr).
#
# The cisearch binary (CISEARCH, default build/release/cisearch) is copied to BENCH_DIR/bin/ and
# run from there, so that a rebuild meanwhile does not mix two builds in one report.
#
# Knobs: BENCH_QUICK=1 (smaller corpora, 20 queries per class, 3 runs), BENCH_PREPARE=1 (only
# build the peers and write the corpora, then stop: a later run starts measuring at once), BENCH_CORPORA,
# BENCH_ENGINES (default "cisearch xapian lucene fts5"), BENCH_DIR, BENCH_K (10),
# BENCH_REPEAT (5; quick 3), BENCH_COUNT_REPEAT (3), BENCH_PER_CLASS (30; quick 20),
# BENCH_SEED (1), BENCH_ROUNDS (3; quick 1), BENCH_OPEN_RUNS (3), LUCENE_PEER_WARMUP (warm-up
# passes of the Lucene peer, for its JIT; default 50), BENCH_TIMEOUT (seconds a search process may take, 0 = no limit;
# default 0). A peer that fails to build, index or answer a class is reported as "fail" for it
# and the run goes on; exit status 1 if anything failed, 2 on a usage error.
set -euo pipefail

usage() {
    echo "usage: [BENCH_QUICK=1] bench/bench.sh [--corpus NAME]... [--jsonl FILE]..." >&2
    echo "       NAME: kernel dictionary synthetic-100k synthetic-1m" >&2
    exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)

prepare_only=0
case ${BENCH_PREPARE:-0} in '' | 0) ;; *) prepare_only=1 ;; esac
quick=0
case ${BENCH_QUICK:-0} in '' | 0) ;; *) quick=1 ;; esac

sel=()
jsonls=()
while [ $# -gt 0 ]; do
    case $1 in
        --corpus) [ $# -ge 2 ] || usage; sel+=("$2"); shift 2 ;;
        --corpus=*) sel+=("${1#--corpus=}"); shift ;;
        --jsonl) [ $# -ge 2 ] || usage; jsonls+=("$2"); shift 2 ;;
        --jsonl=*) jsonls+=("${1#--jsonl=}"); shift ;;
        -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
        *) usage ;;
    esac
done
abs_jsonls=()
for f in ${jsonls[@]+"${jsonls[@]}"}; do
    [ -f "$f" ] || { echo "bench.sh: no such file: $f" >&2; exit 2; }
    abs_jsonls+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
cd "$root"

if [ $quick = 1 ]; then
    kernel_limit=8000 gcide_limit=30000 syn_small=20000 syn_large=200000
    def_repeat=3 def_per_class=20 def_dir=build/bench/quick def_rounds=1
else
    kernel_limit=0 gcide_limit=0 syn_small=100000 syn_large=1000000
    def_repeat=5 def_per_class=30 def_dir=build/bench def_rounds=3
fi
bench_dir=${BENCH_DIR:-$def_dir}
k=${BENCH_K:-10}
repeat=${BENCH_REPEAT:-$def_repeat}
count_repeat=${BENCH_COUNT_REPEAT:-3}
per_class=${BENCH_PER_CLASS:-$def_per_class}
seed=${BENCH_SEED:-1}
open_runs=${BENCH_OPEN_RUNS:-3}
rounds=${BENCH_ROUNDS:-$def_rounds}
case $rounds in '' | *[!0-9]* | 0) echo "bench.sh: BENCH_ROUNDS must be a positive integer" >&2; exit 2 ;; esac
timeout_s=${BENCH_TIMEOUT:-0}
export LUCENE_PEER_WARMUP=${LUCENE_PEER_WARMUP:-50}
read -r -a engines <<<"${BENCH_ENGINES:-cisearch xapian lucene fts5}"
classes="term_high term_med term_low or_high_high or_high_med or_high_low and_high_high"
classes+=" and_high_med and_high_low or3 and3 phrase2 phrase3 prefix4"

syn_name() { # a synthetic corpus' name from its size: synthetic-100k, synthetic-1m
    local n=$1
    if [ $((n % 1000000)) = 0 ]; then echo "synthetic-$((n / 1000000))m"; else echo "synthetic-$((n / 1000))k"; fi
}
all_corpora="kernel dictionary $(syn_name $syn_small) $(syn_name $syn_large)"

# The corpora asked for: --corpus, else BENCH_CORPORA, else all (none when only --jsonl).
if [ ${#sel[@]} = 0 ] && [ -n "${BENCH_CORPORA:-}" ]; then
    read -r -a sel <<<"${BENCH_CORPORA//,/ }"
fi
if [ ${#sel[@]} = 0 ] && [ ${#abs_jsonls[@]} = 0 ]; then
    read -r -a sel <<<"$all_corpora"
fi
corpora=()
for c in ${sel[@]+"${sel[@]}"}; do
    case $c in
        synthetic-100k | synthetic-small) c=$(syn_name $syn_small) ;;
        synthetic-1m | synthetic-large) c=$(syn_name $syn_large) ;;
    esac
    case " $all_corpora " in
        *" $c "*) corpora+=("$c") ;;
        *) echo "bench.sh: unknown corpus '$c' (known: $all_corpora)" >&2; exit 2 ;;
    esac
done
for e in "${engines[@]}"; do
    case $e in cisearch | xapian | lucene | fts5) ;; *) echo "bench.sh: unknown engine '$e'" >&2; exit 2 ;; esac
done

log() { echo "bench: $*" >&2; }
status=0
fail() { log "FAILED: $*"; status=1; }

cis=${CISEARCH:-build/release/cisearch}
declare -A bin=([cisearch]=$cis [xapian]=build/peers/xapian_peer [lucene]=build/peers/lucene_peer
    [fts5]=build/peers/fts5_peer)
declare -A src=([xapian]=bench/peers/xapian_peer.cc [lucene]=bench/peers/LucenePeer.java
    [fts5]=bench/peers/fts5_peer.c)

apt_install() { # PKG...: installs Debian packages (root only)
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        log "missing packages: $*; install them with: sudo apt-get install -y $*"
        return 1
    fi
    log "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2; }
}

# --- tools and engines ---------------------------------------------------------------------
[ -x /usr/bin/time ] || apt_install time || { echo "bench.sh: /usr/bin/time is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench.sh: python3 is required" >&2; exit 1; }
[ -x "$cis" ] || make -j2 all >&2
# A copy of the binary runs the whole benchmark, so that a rebuild of build/release meanwhile
# (make all elsewhere) neither mixes two builds in one report nor makes a run fail.
mkdir -p "$bench_dir/bin"
cp "$cis" "$bench_dir/bin/cisearch.tmp"
mv "$bench_dir/bin/cisearch.tmp" "$bench_dir/bin/cisearch"
cis=$bench_dir/bin/cisearch
bin[cisearch]=$cis
run_engines=()
for e in "${engines[@]}"; do
    if [ "$e" != cisearch ] && { [ ! -x "${bin[$e]}" ] || [ "${src[$e]}" -nt "${bin[$e]}" ]; }; then
        log "building the $e peer"
        if ! "bench/peers/build_$e.sh" >&2; then
            fail "bench/peers/build_$e.sh: the $e column is left out"
            continue
        fi
    fi
    run_engines+=("$e")
done

# --- helpers -------------------------------------------------------------------------------
sha() { sha256sum "$1" | cut -d' ' -f1; }
filesig() { stat -c '%n %s %Y' "$1"; } # name, size, mtime of a generator's input

# make_file OUT STAMP_TEXT CMD...: runs CMD (which writes OUT.tmp) unless OUT exists and
# OUT.stamp holds STAMP_TEXT; then renames OUT.tmp to OUT and writes the stamp.
make_file() {
    local out=$1 text=$2
    shift 2
    if [ -s "$out" ] && [ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$text" ]; then
        log "reusing $out"
        return 0
    fi
    rm -f "$out" "$out.stamp" "$out.tmp"
    log "writing $out"
    "$@" >&2
    mv "$out.tmp" "$out"
    printf '%s\n' "$text" >"$out.stamp"
}

corpora_dir=build/bench/corpora
gcide_full=$corpora_dir/gcide.jsonl

ensure_gcide() { # OUT LIMIT
    [ -f /usr/share/dictd/gcide.dict.dz ] && [ -f /usr/share/dictd/gcide.index ] || apt_install dict-gcide
    local args=()
    [ "$2" = 0 ] || args=(--limit "$2")
    make_file "$1" "corpus_gcide.py ${args[*]-} $(sha bench/corpus_gcide.py)
$(filesig /usr/share/dictd/gcide.dict.dz) $(filesig /usr/share/dictd/gcide.index)" \
        python3 bench/corpus_gcide.py "$1.tmp" ${args[@]+"${args[@]}"}
}

# prepare_corpus NAME: sets corpus (the JSON lines file) and desc.
prepare_corpus() {
    mkdir -p "$corpora_dir"
    case $1 in
        kernel)
            local tarball=/usr/src/linux-source-6.1.tar.xz args=()
            [ -f $tarball ] || apt_install linux-source-6.1
            if [ $kernel_limit = 0 ]; then
                corpus=$corpora_dir/kernel.jsonl
                desc="every text file of Debian's linux-source-6.1 ($tarball), one document each (bench/corpus_kernel.py)"
            else
                corpus=$corpora_dir/kernel-$kernel_limit.jsonl
                args=(--limit "$kernel_limit")
                desc="the first $kernel_limit text files of Debian's linux-source-6.1 ($tarball) (bench/corpus_kernel.py --limit $kernel_limit)"
            fi
            make_file "$corpus" "corpus_kernel.py ${args[*]-} $(sha bench/corpus_kernel.py)
$(filesig $tarball)" python3 bench/corpus_kernel.py "$corpus.tmp" ${args[@]+"${args[@]}"}
            ;;
        dictionary)
            if [ $gcide_limit = 0 ]; then
                corpus=$gcide_full
                desc="every entry of Debian's dict-gcide, one document each (bench/corpus_gcide.py)"
            else
                corpus=$corpora_dir/gcide-$gcide_limit.jsonl
                desc="the first $gcide_limit entries of Debian's dict-gcide (bench/corpus_gcide.py --limit $gcide_limit)"
            fi
            ensure_gcide "$corpus" $gcide_limit
            ;;
        synthetic-*)
            local n
            if [ "$1" = "$(syn_name $syn_small)" ]; then n=$syn_small; else n=$syn_large; fi
            ensure_gcide "$gcide_full" 0
            corpus=$corpora_dir/synthetic-$n.jsonl
            desc="$n synthetic documents of Zipf-distributed pseudo-words, body lengths drawn from the gcide corpus (bench/corpus_synthetic.py --docs $n --lengths gcide.jsonl, seed 1)"
            make_file "$corpus" "corpus_synthetic.py --docs $n $(sha bench/corpus_synthetic.py)
lengths: $(cat "$gcide_full.stamp")" \
                python3 bench/corpus_synthetic.py "$corpus.tmp" --docs "$n" --lengths "$gcide_full"
            ;;
        *) # a --jsonl corpus: its absolute path
            corpus=$1
            desc="the JSON lines of $1"
            ;;
    esac
}

# timed TIMEFILE STDOUT STDERR CMD...: CMD under /usr/bin/time; TIMEFILE gets
# "wall user sys maxrss_kib". Returns CMD's status.
timed() {
    local tf=$1 so=$2 se=$3 rc=0
    shift 3
    /usr/bin/time -f '%e %U %S %M' -o "$tf.raw" "$@" >"$so" 2>"$se" || rc=$?
    tail -n 1 "$tf.raw" >"$tf"
    rm -f "$tf.raw"
    return $rc
}

# search ENGINE INDEX QUERIES K REPEAT: the engine's timed search, lines on stdout.
search() {
    local e=$1 idx=$2 q=$3 kk=$4 r=$5 pre=()
    [ "$timeout_s" = 0 ] || pre=(timeout "$timeout_s")
    if [ "$e" = cisearch ]; then
        ${pre[@]+"${pre[@]}"} "$cis" bench --index "$idx" --queries "$q" -k "$kk" --repeat "$r"
    else
        ${pre[@]+"${pre[@]}"} "${bin[$e]}" search "$idx" "$q" "$kk" "$r"
    fi
}

open_us() { sed -n 's/.*; open \([0-9.]*\) us.*/\1/p' "$1" | tail -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# index_cisearch ROW DIR THREADS: `cisearch index --threads THREADS` + `optimize` into DIR;
# appends nothing, leaves out/time_index_ROW ("wall user sys rss", the two runs summed).
index_cisearch() {
    local row=$1 dir=$2 threads=$3 t1 t2
    if ! timed "$out/time_index_$row.1" "$out/index_$row.out" "$out/index_$row.err" \
        "$cis" index --index "$dir" --threads "$threads" --language none --jsonl "$corpus" ||
        ! timed "$out/time_index_$row.2" "$out/index_$row.optimize.out" \
            "$out/index_$row.optimize.err" "$cis" optimize --index "$dir" --threads "$threads"; then
        fail "$name: cisearch indexing ($out/index_$row*.err)"
        printf '%s\tfail\n' "$row" >>"$out/index.tsv"
        return 1
    fi
    read -r t1 <"$out/time_index_$row.1"
    read -r t2 <"$out/time_index_$row.2"
    awk -v a="$t1" -v b="$t2" 'BEGIN { split(a, x, " "); split(b, y, " ")
        printf "%.2f %.2f %.2f %d\n", x[1] + y[1], x[2] + y[2], x[3] + y[3], (x[4] > y[4] ? x[4] : y[4]) }' \
        >"$out/time_index_$row"
}

# index_row ROW DIR: appends ROW's line to out/index.tsv from out/time_index_ROW.
index_row() {
    local wall usr sys rss
    read -r wall usr sys rss <"$out/time_index_$1"
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$wall" "$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" \
        "$rss" "$(du -sb "$2" | cut -f1)" >>"$out/index.tsv"
}

# index_engine ENGINE: builds w/idx/ENGINE and appends its row to out/index.tsv. cisearch is
# indexed twice: with one index thread (row cisearch-1t, its index then removed), and with
# one per core (row cisearch: the index searched).
index_engine() {
    local e=$1 dir=$w/idx/$1
    rm -rf "$dir" "$dir.build"
    log "$name: indexing with $e"
    if [ "$e" = cisearch ]; then
        rm -rf "$dir-1t"
        if index_cisearch cisearch-1t "$dir-1t" 1; then
            index_row cisearch-1t "$dir-1t"
            log "$name: cisearch, one thread, indexed in $(cut -d' ' -f1 "$out/time_index_cisearch-1t") s"
        fi
        rm -rf "$dir-1t"
        index_cisearch cisearch "$dir" "$(nproc)" || return 1
    else
        if ! timed "$out/time_index_$e" "$out/index_$e.out" "$out/index_$e.err" \
            "${bin[$e]}" index "$dir" "$corpus"; then
            fail "$name: $e indexing ($out/index_$e.err: $(tail -n 1 "$out/index_$e.err"))"
            printf '%s\tfail\n' "$e" >>"$out/index.tsv"
            return 1
        fi
    fi
    index_row "$e" "$dir"
    log "$name: $e indexed in $(cut -d' ' -f1 "$out/time_index_$e") s ($(du -sh "$dir" | cut -f1))"
}

# cisearch's index by file extension: out/parts.tsv (ext, label, files, bytes).
index_parts() {
    local f base ext
    for f in "$w/idx/cisearch"/*; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        case $base in
            *.*) ext=${base##*.} ;;
            manifest-*) ext=manifest ;;
            *) ext=$base ;;
        esac
        printf '%s\t%s\n' "$ext" "$(stat -c %s "$f")"
    done | awk -F'\t' '
        BEGIN {
            label["doc"] = "postings"; label["pos"] = "positions"; label["tid"] = "term dictionary"
            label["fdt"] = "stored fields"; label["ids"] = "ids"; label["len"] = "document lengths"
            label["del"] = "deletions"; label["manifest"] = "manifest"; label["LOCK"] = "lock file"
            split("doc pos tid fdt ids len del manifest LOCK", order, " ")
        }
        { n[$1]++; b[$1] += $2; if (!($1 in label)) { other[++no] = $1; label[$1] = "other" } }
        END {
            for (i = 1; i in order; i++) if (order[i] in n) printf "%s\t%s\t%d\t%d\n", order[i], label[order[i]], n[order[i]], b[order[i]]
            for (i = 1; i <= no; i++) printf "%s\t%s\t%d\t%d\n", other[i], "other", n[other[i]], b[other[i]]
        }' >"$out/parts.tsv"
}

# class_failed ENGINE CLASS PASS MESSAGE: reports an engine's failure on a class, also into
# out/failed.txt (engine, class, pass, message).
class_failed() {
    fail "$name: $1 on $2 ($3): $4"
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\t' ' ')" >>"$out/failed.txt"
}

# search_pass ENGINE CLASS ROUND: the class with K=k and K=0 into out/<class>.<engine>.r<ROUND>
# (and .count.r<ROUND>); failures go to out/failed.txt. @return 1 on a failure.
search_pass() {
    local e=$1 c=$2 round=$3 q n m pass kk r f
    q=$w/queries/$c.txt
    n=$(grep -c . "$q")
    for pass in top count; do
        if [ $pass = top ]; then kk=$k r=$repeat f=$out/$c.$e; else kk=0 r=$count_repeat f=$out/$c.$e.count; fi
        if ! search "$e" "$w/idx/$e" "$q" "$kk" "$r" >"$f.tmp" 2>"$f.err"; then
            class_failed "$e" "$c" "K=$kk" "$(tail -n 1 "$f.err")"
            rm -f "$f.tmp"
            return 1
        fi
        m=$(wc -l <"$f.tmp")
        if [ "$m" != "$n" ]; then
            class_failed "$e" "$c" "K=$kk" "printed $m lines for the $n queries"
            rm -f "$f.tmp"
            return 1
        fi
        mv "$f.tmp" "$f.r$round"
    done
}

# combine_rounds FILE: FILE from FILE.r1 .. FILE.r<rounds>: per query (line) the smallest of
# the rounds' latencies, with round 1's hits and query, which every round must repeat.
combine_rounds() {
    local f=$1 i args=()
    for ((i = 1; i <= rounds; i++)); do args+=("$f.r$i"); done
    awk -F'\t' -v OFS='\t' -v rounds="$rounds" '
        FNR == 1 { r++ }
        r == 1 { lat[FNR] = $1; rest[FNR] = $2 "\t" $3; n = FNR; next }
        {   if ($2 "\t" $3 != rest[FNR]) { bad = FNR; exit }
            if ($1 + 0 < lat[FNR] + 0) lat[FNR] = $1 }
        END {
            if (bad) { print "round " r " line " bad " differs from round 1 (hits or query)" > "/dev/stderr"; exit 1 }
            if (r != rounds) { print r " of " rounds " rounds" > "/dev/stderr"; exit 1 }
            for (i = 1; i <= n; i++) print lat[i], rest[i] }' "${args[@]}" >"$f.tmp" && mv "$f.tmp" "$f"
}

# search_all: every class, `rounds` times; within a round every engine runs the class in turn
# (K=k, then K=0) before the next class, so a slow spell of the machine falls on every engine
# alike, and each query keeps its best round (combine_rounds). An engine failing a class in
# any round has no figure for that class.
search_all() {
    local round c e failed=" "
    for ((round = 1; round <= rounds; round++)); do
        log "$name: searching, round $round of $rounds"
        for c in $classes; do
            for e in "$@"; do
                case $failed in *" $e/$c "*) continue ;; esac
                search_pass "$e" "$c" "$round" || failed+="$e/$c "
            done
        done
    done
    for c in $classes; do
        for e in "$@"; do
            case $failed in *" $e/$c "*) continue ;; esac
            if ! combine_rounds "$out/$c.$e" 2>"$out/$c.$e.rounds.err" ||
                ! combine_rounds "$out/$c.$e.count" 2>>"$out/$c.$e.rounds.err"; then
                class_failed "$e" "$c" rounds "rounds disagree: $(tail -n 1 "$out/$c.$e.rounds.err")"
                rm -f "$out/$c.$e" "$out/$c.$e.count"
                continue
            fi
            log "$name: $e $c: mean $(awk -F'\t' '{ s += $1 } END { if (NR) printf "%.1f", s / NR }' "$out/$c.$e") us"
        done
    done
}

# open_engine ENGINE: median warm and cold open times into out/open.tsv.
open_engine() {
    local e=$1 i warm=() cold=() v
    for ((i = 1; i <= open_runs; i++)); do
        if search "$e" "$w/idx/$e" "$out/open_query.txt" "$k" 1 >/dev/null 2>"$out/open_$e.warm.$i.err"; then
            v=$(open_us "$out/open_$e.warm.$i.err")
            [ -z "$v" ] || warm+=("$v")
        fi
        python3 bench/evict.py "$w/idx/$e" 2>"$out/open_$e.evict.$i.err" || fail "$name: evict.py $e"
        if search "$e" "$w/idx/$e" "$out/open_query.txt" "$k" 1 >/dev/null 2>"$out/open_$e.cold.$i.err"; then
            v=$(open_us "$out/open_$e.cold.$i.err")
            [ -z "$v" ] || cold+=("$v")
        fi
    done
    [ ${#warm[@]} = "$open_runs" ] && [ ${#cold[@]} = "$open_runs" ] ||
        fail "$name: $e open times: ${#warm[@]} warm and ${#cold[@]} cold figures of $open_runs ($out/open_$e.*.err)"
    printf '%s\t%s\t%s\n' "$e" "$(printf '%s\n' ${warm[@]+"${warm[@]}"} | grep . | median)" \
        "$(printf '%s\n' ${cold[@]+"${cold[@]}"} | grep . | median)" >>"$out/open.tsv"
}

run_corpus() { # NAME (or the absolute path of a --jsonl corpus)
    local e
    prepare_corpus "$1"
    name=$1
    case $1 in /*) name=$(basename "$1" .jsonl) ;; esac
    w=$bench_dir/$name
    out=$w/out
    rm -rf "$w/idx" "$out"
    mkdir -p "$w/idx" "$out"
    local bytes docs t0 load0
    t0=$(date +%s)
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    bytes=$(stat -c %s "$corpus")
    docs=$(grep -c . "$corpus")
    log "$name: $docs documents, $((bytes / 1000000)) MB ($corpus)"

    make_file_dir_queries
    head -n 1 "$w/queries/term_high.txt" >"$out/open_query.txt"
    {
        printf 'name\t%s\ndesc\t%s\ndocs\t%s\nbytes\t%s\nk\t%s\nrepeat\t%s\n' "$name" "$desc" "$docs" "$bytes" "$k" "$repeat"
        printf 'count_repeat\t%s\nper_class\t%s\nseed\t%s\nlucene_warmup\t%s\n' "$count_repeat" "$per_class" "$seed" "$LUCENE_PEER_WARMUP"
        printf 'rounds\t%s\n' "$rounds"
        printf 'open_runs\t%s\nclasses\t%s\nengines\t%s\n' "$open_runs" "$classes" "${run_engines[*]-}"
        printf 'threads\t%s\n' "$(nproc)"
    } >"$w/meta.tsv"
    : >"$out/index.tsv"
    : >"$out/open.tsv"

    local indexed=()
    for e in ${run_engines[@]+"${run_engines[@]}"}; do
        index_engine "$e" || continue
        [ "$e" != cisearch ] || index_parts
        indexed+=("$e")
    done
    [ ${#indexed[@]} = 0 ] || search_all "${indexed[@]}"
    for e in ${indexed[@]+"${indexed[@]}"}; do
        open_engine "$e"
    done
    printf 'elapsed\t%s\nload\t%s\t%s\n' "$(($(date +%s) - t0))" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$w/meta.tsv"
    python3 bench/bench_report.py "$w" >"$w/report.md"
    cat "$w/report.md"
    cat "$w/report.md" >>"$report.tmp"
}

# The query files of the corpus, reused while the corpus, script and settings are the same.
make_file_dir_queries() {
    local stamp
    stamp="query_sets.py --seed $seed --per-class $per_class $(sha bench/query_sets.py)
corpus: $(if [ -f "$corpus.stamp" ]; then cat "$corpus.stamp"; else filesig "$corpus"; fi)"
    if [ -f "$w/queries/.stamp" ] && [ "$(cat "$w/queries/.stamp")" = "$stamp" ] &&
        [ -f "$w/queries/prefix4.txt" ]; then
        log "$name: reusing $w/queries"
        return 0
    fi
    rm -rf "$w/queries"
    log "$name: writing the query classes (bench/query_sets.py)"
    python3 bench/query_sets.py "$corpus" "$w/queries" --seed "$seed" --per-class "$per_class" >&2
    printf '%s\n' "$stamp" >"$w/queries/.stamp"
}

# --- the report ----------------------------------------------------------------------------
mkdir -p "$bench_dir"
report=$bench_dir/report.md
t_start=$(date +%s)
{
    mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo)
    cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
    ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "?"; }
    echo "# cisearch beside Xapian, Lucene and SQLite FTS5$([ $quick = 1 ] && echo ' (quick run)')"
    echo
    echo "- machine: $(nproc) CPUs ($(uname -m)), ${cpu:-unknown CPU}; RAM $mem; Linux $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- engines: $("$cis" --version 2>/dev/null | head -n 1) (built from commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- libsearch cli 2>/dev/null || echo ' + uncommitted changes')); Xapian $(ver libxapian-dev); Lucene (liblucene8-java $(ver liblucene8-java), $(java -version 2>&1 | head -n 1)); SQLite FTS5 $(ver libsqlite3-dev)"
    echo "- every engine lower-cases and neither stems nor drops stop words; BM25 k1 1.2, b 0.75; one query at a time, one thread"
    echo
} >"$report.tmp"
cat "$report.tmp"

for c in ${corpora[@]+"${corpora[@]}"} ${abs_jsonls[@]+"${abs_jsonls[@]}"}; do
    if [ "$prepare_only" = 1 ]; then
        prepare_corpus "$c"
    else
        run_corpus "$c"
    fi
done
if [ "$prepare_only" = 1 ]; then
    rm -f "$report.tmp"
    log "prepared: the peers and the corpora (BENCH_PREPARE=1: nothing was measured)"
    exit $status
fi
secs=$(($(date +%s) - t_start))
printf 'Whole run: %d min %02d s.\n' $((secs / 60)) $((secs % 60)) | tee -a "$report.tmp"
mv "$report.tmp" "$report"
log "report: $report"
exit $status
