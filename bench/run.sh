#!/usr/bin/env bash
# Side-by-side benchmark: cisearch vs SQLite FTS5 on the same corpus, same run.
#
#   ./bench/run.sh              (make bench)        corpus replicated K=20 times
#   BENCH_QUICK=1 ./bench/run.sh (make bench-quick) K=2
#
# Environment: BENCH_K (replication factor), BENCH_REPS (query runs, best
# taken; default 3), CISEARCH (binary; default build/release/cisearch),
# LS_EVAL_DIR (collections; default ../../shared/eval from this script),
# BENCH_TMP (scratch parent dir; default $TMPDIR or /tmp), BENCH_KEEP=1 keeps
# the scratch dir.  Always exits 0 unless the cisearch binary is missing.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cis="${CISEARCH:-$root/build/release/cisearch}"
eval_dir="${LS_EVAL_DIR:-$here/../../shared/eval}"
if [ -n "${BENCH_QUICK:-}" ] && [ "${BENCH_QUICK}" != 0 ]; then k="${BENCH_K:-2}"; else k="${BENCH_K:-20}"; fi
reps="${BENCH_REPS:-3}"

if [ ! -x "$cis" ]; then
    echo "bench: $cis not found; run make first" >&2
    exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "bench: python3 is required (corpus builder and FTS5 peer)" >&2
    exit 0
fi

tmp="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/cisearch-bench.XXXXXX")"
if [ -z "${BENCH_KEEP:-}" ]; then trap 'rm -rf "$tmp"' EXIT; else echo "bench: scratch dir $tmp"; fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'; }

# ---- corpus -----------------------------------------------------------------
read -r source ndocs nq < <(python3 "$here/make_corpus.py" "$eval_dir" "$k" "$tmp/docs.jsonl" "$tmp/queries.tsv")
if [ -z "${source:-}" ] || [ "${ndocs:-0}" -eq 0 ]; then
    echo "bench: could not build a corpus" >&2
    exit 0
fi
insize=$(stat -c %s "$tmp/docs.jsonl")
if [ "$source" = eval ]; then
    corpus_desc="CISI + MED docs.jsonl ($(cd "$eval_dir" && pwd)), replicated K=$k times"
else
    corpus_desc="FALLBACK: text files under /usr/share/doc (no eval collections found at $eval_dir), replicated K=$k times; queries = titles of every 20th file"
fi
echo "bench: corpus $ndocs docs, $insize bytes; $nq queries; $corpus_desc" >&2

# ---- peer availability -------------------------------------------------------
have_fts5=0
if python3 -c "import sqlite3; c=sqlite3.connect(':memory:'); c.execute('create virtual table t using fts5(x, tokenize=\"porter unicode61\")')" 2>/dev/null; then
    have_fts5=1
    sqlite_ver=$(python3 -c "import sqlite3; print(sqlite3.sqlite_version)")
else
    echo "bench: python3 sqlite3 has no FTS5; peer column will be n/a" >&2
fi

# ---- cisearch ---------------------------------------------------------------
echo "bench: cisearch index ..." >&2
t0=$(now)
"$cis" index --index "$tmp/cis.idx" --jsonl "$tmp/docs.jsonl" >"$tmp/cis.index.out" 2>&1
rc=$?
t1=$(now)
c_index=$(elapsed "$t0" "$t1")
[ $rc -eq 0 ] || { echo "bench: cisearch index failed (exit $rc):" >&2; tail -5 "$tmp/cis.index.out" >&2; }
c_size=$(du -sb "$tmp/cis.idx" 2>/dev/null | cut -f1)

# Query batch, best of $reps runs; extra args go to `cisearch search`. Prints the seconds.
cis_batch() {
    local best="" t0 t1 rc
    for _ in $(seq "$reps"); do
        t0=$(now)
        "$cis" search --index "$tmp/cis.idx" --queries "$tmp/queries.tsv" --plain -n 10 --format trec "$@" >"$tmp/cis.run" 2>"$tmp/cis.search.err"
        rc=$?
        t1=$(now)
        [ $rc -le 1 ] || { echo "bench: cisearch search exit $rc:" >&2; tail -5 "$tmp/cis.search.err" >&2; }
        best=$(min "$best" "$(elapsed "$t0" "$t1")")
    done
    echo "$best"
}
echo "bench: cisearch query batch (plain BM25, --no-rm3) x$reps ..." >&2
c_query=$(cis_batch --no-rm3)
c_lines=$(wc -l <"$tmp/cis.run")
echo "bench: cisearch query batch (RM3 feedback, --rm3: two passes) x$reps ..." >&2
c_query_rm3=$(cis_batch --rm3)

# ---- fts5 -------------------------------------------------------------------
f_index=""; f_size=""; f_query=""; f_lines=""
if [ $have_fts5 = 1 ]; then
    echo "bench: fts5 index ..." >&2
    t0=$(now)
    python3 "$here/fts5_peer.py" index "$tmp/fts5.db" "$tmp/docs.jsonl" >/dev/null 2>"$tmp/fts5.index.err"
    rc=$?
    t1=$(now)
    if [ $rc -eq 0 ]; then
        f_index=$(elapsed "$t0" "$t1")
        f_size=$(du -b "$tmp/fts5.db" | cut -f1)
        echo "bench: fts5 query batch x$reps ..." >&2
        for _ in $(seq "$reps"); do
            t0=$(now)
            python3 "$here/fts5_peer.py" search "$tmp/fts5.db" "$tmp/queries.tsv" "$tmp/fts5.run" >/dev/null 2>"$tmp/fts5.search.err" || { tail -5 "$tmp/fts5.search.err" >&2; }
            t1=$(now)
            f_query=$(min "$f_query" "$(elapsed "$t0" "$t1")")
        done
        f_lines=$(wc -l <"$tmp/fts5.run")
    else
        echo "bench: fts5 index failed:" >&2; tail -5 "$tmp/fts5.index.err" >&2
    fi
fi

# ---- report -----------------------------------------------------------------
ratio() { # peer / cisearch
    awk -v p="$1" -v c="$2" 'BEGIN { if (p == "" || c == "" || c + 0 == 0) print "n/a"; else printf "%.2f", p / c }'
}
qps() { awk -v n="$nq" -v t="$1" 'BEGIN { if (t == "" || t + 0 == 0) print "n/a"; else printf "%.2f", n / t }'; }
mb() { awk -v b="$1" 'BEGIN { if (b == "") print "n/a"; else printf "%.1f MB", b / 1e6 }'; }
sec() { if [ -n "$1" ]; then echo "$1 s"; else echo "n/a"; fi; }
c_qps=$(qps "$c_query"); f_qps=$(qps "$f_query")

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
echo
echo "## cisearch vs SQLite FTS5 ($(date -u +%Y-%m-%d))"
echo
echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(uname -sr)"
echo "- corpus: $corpus_desc"
echo "- input: $ndocs documents, $(mb "$insize") ($insize bytes of JSON lines)"
echo "- queries: $nq natural-language queries (bag of words), top 10; query time = best of $reps runs of the whole batch in one process"
echo "- cisearch: $("$cis" --version 2>/dev/null | head -1)"
[ $have_fts5 = 1 ] && echo "- fts5: SQLite $sqlite_ver via python3 sqlite3, tokenize='porter unicode61', title+body in one column, one transaction + optimize; query = quoted words joined with OR, ORDER BY bm25(t) LIMIT 10"
echo
echo "| metric | cisearch | fts5 | ratio (fts5/cisearch) |"
echo "|---|---:|---:|---:|"
echo "| indexing time | $(sec "$c_index") | $(sec "$f_index") | $(ratio "$f_index" "$c_index") |"
echo "| index size | $(mb "$c_size") | $(mb "$f_size") | $(ratio "$f_size" "$c_size") |"
echo "| query batch time ($nq queries), plain BM25 (--no-rm3) | $(sec "$c_query") | $(sec "$f_query") | $(ratio "$f_query" "$c_query") |"
echo "| queries per second, plain BM25 | $c_qps | $f_qps | $(ratio "$f_query" "$c_query") (cisearch/fts5) |"
echo "| query batch time, RM3 feedback (--rm3: two passes) | $(sec "$c_query_rm3") | $(sec "$f_query") | $(ratio "$f_query" "$c_query_rm3") |"
echo "| result lines (top 10) | $c_lines | ${f_lines:-n/a} | |"
echo
echo "Ratios > 1 mean cisearch is faster (times) or smaller (size)."
echo
echo "cisearch: input $(mb "$insize"), index $(mb "$c_size"), index/input = $(ratio "$c_size" "$insize")"
exit 0
