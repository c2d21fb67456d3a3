#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# eval/run.sh - relevance of cisearch on the test collections, next to the best peer engine.
#
#   ./eval/run.sh CISEARCH [SEARCH-ARGS...]          (make eval)
#
# For every collection under $LS_EVAL_DIR (default: ../../shared/eval from this script) that
# has docs.jsonl, queries.tsv and qrels.txt: indexes it into a scratch dir, runs every query as
# plain text (`cisearch search --plain -n 1000 --format trec`), scores the run with
# `cisearch eval`, and prints one table against the best peer of BASELINES.md for each metric.
# SEARCH-ARGS and $CISEARCH_EVAL_SEARCH_ARGS (split on blanks) are passed to `cisearch search`,
# e.g. `./eval/run.sh build/release/cisearch --k1 0.9 --b 0.4`. EVAL_KEEP=DIR keeps the runs.
# EVAL_READING=lenient reads the queries as a user's typed text (the CLI's default syntax)
# instead of --plain.
# Exit status: 0 when every step ran (whatever the figures), 1 when a step failed, 2 on usage.
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'
    [ $# -ge 1 ] && exit 0
    exit 2
fi
cis="$1"
shift
if [ ! -x "$cis" ]; then
    echo "eval: $cis is not an executable; run make first" >&2
    exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
eval_dir="${LS_EVAL_DIR:-$here/../../shared/eval}"
if [ ! -d "$eval_dir" ]; then
    echo "eval: no test collections at $eval_dir (set LS_EVAL_DIR to point at them):" \
        "nothing to evaluate"
    exit 0
fi
eval_dir="$(cd "$eval_dir" && pwd)"

case "${EVAL_READING:-plain}" in
plain) reading=(--plain) ;;
lenient) reading=() ;;
*)
    echo "eval: EVAL_READING must be plain or lenient" >&2
    exit 2
    ;;
esac

search_args=()
read -r -a search_args <<<"${CISEARCH_EVAL_SEARCH_ARGS:-}"
search_args+=("$@")

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cisearch-eval.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# One collection: index, search, score. Appends "NAME<TAB>METRIC<TAB>VALUE" to results.tsv.
run_collection() {
    local name="$1" dir="$2" work="$tmp/$1" t0 t1 t2
    mkdir -p "$work"
    t0="$(now)"
    if ! "$cis" index --index "$work/index" --jsonl "$dir/docs.jsonl" 2>"$work/index.log"; then
        echo "eval: $name: indexing failed:" >&2
        cat "$work/index.log" >&2
        return 1
    fi
    t1="$(now)"
    if ! "$cis" search --index "$work/index" --queries "$dir/queries.tsv" ${reading[@]+"${reading[@]}"} \
        -n 1000 --format trec ${search_args[@]+"${search_args[@]}"} >"$work/run" 2>"$work/search.log"; then
        echo "eval: $name: searching failed:" >&2
        cat "$work/search.log" >&2
        return 1
    fi
    t2="$(now)"
    if ! "$cis" eval --qrels "$dir/qrels.txt" "$work/run" >"$work/eval.txt"; then
        echo "eval: $name: scoring failed" >&2
        return 1
    fi
    if [ -n "${EVAL_KEEP:-}" ]; then
        mkdir -p "$EVAL_KEEP"
        cp "$work/run" "$EVAL_KEEP/$name.run"
        cp "$work/eval.txt" "$EVAL_KEEP/$name.eval.txt"
    fi
    echo "eval: $name: $(grep -c . "$dir/docs.jsonl") docs indexed in $(elapsed "$t0" "$t1") s," \
        "$(grep -c . "$dir/queries.tsv") queries searched in $(elapsed "$t1" "$t2") s" >&2
    awk -v c="$name" 'BEGIN { OFS = "\t" }
        $1 == "MAP" || $1 == "nDCG@10" || $1 == "P@10" || $1 == "Recall@100" ||
        $1 == "Recall@1000" { print c, $1, $2 }' "$work/eval.txt" >>"$tmp/results.tsv"
}

# BASELINES.md's table -> "COLLECTION<TAB>METRIC<TAB>BEST<TAB>PEER[/PEER...]" (max over peers).
parse_baselines() {
    awk -F'|' '
        function trim(s) { gsub(/\*/, "", s); gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        /^\|/ && trim($2) == "collection" && trim($3) == "metric" {
            n = 0
            for (i = 4; i < NF; i++) peer[++n] = trim($i)
            next
        }
        /^\|/ && n > 0 && trim($4) ~ /^[0-9.]+$/ {
            best = -1; who = ""
            for (i = 4; i < NF && i - 3 <= n; i++) {
                v = trim($i)
                if (v !~ /^[0-9.]+$/) continue
                if (v + 0 > best) { best = v + 0; who = peer[i - 3] }
                else if (v + 0 == best) who = who "/" peer[i - 3]
            }
            if (best >= 0) printf "%s\t%s\t%.4f\t%s\n", toupper(trim($2)), trim($3), best, who
        }' "$1"
}

: >"$tmp/results.tsv"
status=0
found=0
failed=""
for dir in "$eval_dir"/*/; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    [ -f "$dir/docs.jsonl" ] || [ -f "$dir/queries.tsv" ] || [ -f "$dir/qrels.txt" ] || continue
    if [ ! -f "$dir/docs.jsonl" ] || [ ! -f "$dir/queries.tsv" ] || [ ! -f "$dir/qrels.txt" ]; then
        echo "eval: $name: skipped (needs docs.jsonl, queries.tsv and qrels.txt)" >&2
        continue
    fi
    found=$((found + 1))
    if ! run_collection "$name" "$dir"; then
        status=1
        failed="$failed $name"
    fi
done
if [ "$found" -eq 0 ]; then
    echo "eval: no collection (a directory with docs.jsonl, queries.tsv, qrels.txt) in" \
        "$eval_dir: nothing to evaluate"
    exit 0
fi

: >"$tmp/baselines.tsv"
if [ -f "$eval_dir/BASELINES.md" ]; then
    parse_baselines "$eval_dir/BASELINES.md" >"$tmp/baselines.tsv"
else
    echo "eval: no $eval_dir/BASELINES.md: no peer figures to compare with" >&2
fi

echo
echo "cisearch $("$cis" --version | awk '{ print $2 }') on $eval_dir" \
    "(${EVAL_READING:-plain} reading; search args:${reading[*]:+ ${reading[*]}} -n 1000${search_args[*]:+ ${search_args[*]}})"
# The table, then the verdict: cisearch's figure is compared as printed (4 decimals), since
# the peers' figures are given to 4 decimals.
awk -F'\t' -v bfile="$tmp/baselines.tsv" -v failed="$failed" '
    {
        c = toupper($1); k = c SUBSEP $2
        if (!(c in seen)) { seen[c] = 1; order[++nc] = c; ok[c] = 1; known[c] = 0 }
        mine = sprintf("%.4f", $3)
        if (k in best) {
            d = mine - best[k]
            printf "%-10s %-12s %9s %10s  %-32s %+8.4f\n", c, $2, mine, best[k], who[k], d
            if ($2 == "MAP" || $2 == "nDCG@10") {
                known[c]++
                if (d < -1e-9) { ok[c] = 0; miss[c] = miss[c] " " $2 }
            }
        } else {
            printf "%-10s %-12s %9s %10s  %-32s %8s\n", c, $2, mine, "-", "(no peer figure)", "-"
        }
    }
    BEGIN {
        while ((getline line < bfile) > 0) {
            split(line, f, "\t")
            best[f[1] SUBSEP f[2]] = f[3]; who[f[1] SUBSEP f[2]] = f[4]
        }
        printf "%-10s %-12s %9s %10s  %-32s %8s\n", "collection", "metric", "cisearch",
               "best peer", "(engine)", "diff"
    }
    END {
        all = failed == ""; msg = failed == "" ? "" : "; failed to run:" failed
        for (i = 1; i <= nc; i++) {
            c = order[i]
            if (known[c] < 2) { all = 0; msg = msg "; " c ": no peer figure for MAP and nDCG@10" }
            else if (!ok[c]) { all = 0; msg = msg "; " c ": below on" miss[c] }
        }
        goal = "MAP and nDCG@10 at or above the best peer"
        print ""
        if (all)
            printf "goal met: every collection (%d) has %s\n", nc, goal
        else
            printf "goal not met: not every collection has %s%s\n", goal, msg
    }' "$tmp/results.tsv"
exit "$status"
