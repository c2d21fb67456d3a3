#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""eval/loo.py - leave-one-collection-out choice of ranking settings (docs/RELEVANCE.md).

    ./eval/loo.py CISEARCH [--grid small|full|FILE] [--readings plain,lenient] [--jobs N]
                  [--tsv FILE]                                   (make eval-loo)

A grid FILE holds one candidate a line: a name, a tab, its `cisearch search` arguments
(blank-separated); the baseline is always added first.

Every candidate setting (a list of `cisearch search` arguments) is run on every collection of
$LS_EVAL_DIR (default ../../shared/eval from this script) in each query reading: `plain` (the
query text as a bag of words, --plain) and `lenient` (the CLI's default reading of a typed
query). Each run is scored with `cisearch eval` (MAP, nDCG@10).

The choice rule, applied to a set of training collections:
  1. a candidate is eligible when, in every reading and on every training collection, its MAP
     and its nDCG@10 are at or above those of the baseline (plain BM25, k1 1.2, b 0.75, no
     feedback) minus TOLERANCE;
  2. among the eligible, the one with the highest mean gain over the baseline wins, the gain
     of a collection being the mean of (MAP / baseline MAP - 1) and (nDCG@10 / baseline
     nDCG@10 - 1) over the readings, so that no collection weighs more for its scale;
  3. ties (gains within 0.0005) go to the candidate listed first (the simpler one).

Leave-one-out: for each collection, the rule is applied to the other collections and the
winner is scored on the held-out one. The table of held-out figures is the protocol's estimate
of how a choice does on text it was not chosen on. Finally the rule is applied to all
collections: that is the candidate for the defaults, adopted only if no held-out winner fell
below the baseline on its held-out collection.

Per setting (run when the whole grid's choice is not adoptable): one setting varied alone, the
others at the baseline (today: the title weight). Leave-one-out picks a value on each three
collections; the default takes the smallest value the folds picked (the most conservative one
they support), adopted only if it is at or above the baseline on every collection in every
reading; otherwise the setting stays at the baseline's value.

Exit status: 0 when everything ran, 1 when a step failed, 2 on usage.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

TOLERANCE = 0.0
# title weights of the grid, in increasing order (the per-setting step takes the smallest value
# its folds chose); "0" reads titles as body text
TITLE_WEIGHTS = ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.7", "1"]
BASELINE = "bm25 k1.2 b0.75"  # titles as body text, no feedback, no proximity


def grid(kind):
    """(name, args) pairs, simplest first; the baseline is the first."""
    out = [(BASELINE, ["--no-rm3", "--title-weight", "0", "--k1", "1.2", "--b", "0.75"])]
    if kind not in ("small", "full"):
        with open(kind) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    name, _, args = line.rstrip("\n").partition("\t")
                    if name != BASELINE:
                        out.append((name, args.split()))
        return out
    ks = ["0.9", "1.2", "1.5", "1.8"] if kind == "full" else ["0.9", "1.2", "1.8"]
    bs = ["0.4", "0.6", "0.75", "0.85"] if kind == "full" else ["0.4", "0.75", "0.85"]
    # title weighting: titles as body text (0), or a word's title BM25 added at this weight
    tws = TITLE_WEIGHTS
    fbs = [("", ["--no-rm3"])]
    fbs += [(" rm3 w0.5", ["--rm3", "--rm3-weight", "0.5", "--rm3-terms", "10"]),
            (" rm3 w0.7", ["--rm3", "--rm3-weight", "0.7", "--rm3-terms", "10"])]
    if kind == "full":
        fbs += [(" rm3 w0.85 t5", ["--rm3", "--rm3-weight", "0.85", "--rm3-terms", "5"])]
    fbs += [(" prox0.25", ["--no-rm3", "--proximity", "0.25"]),
            (" prox1", ["--no-rm3", "--proximity", "1"])]
    for tw in tws:
        tname = "" if tw == "0" else f" title{tw}"
        # the small grid crosses title weights with BM25's k1 and b only
        for fname, fargs in fbs if tw == "0" or kind == "full" else fbs[:1]:
            for k in ks:
                for b in bs:
                    name = f"bm25 k{k} b{b}{tname}{fname}"
                    if name != BASELINE:
                        out.append((name, fargs + ["--title-weight", tw, "--k1", k, "--b", b]))
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def score(cis, coll_dir, index, reading, args, tmp):
    runfile = tempfile.NamedTemporaryFile(dir=tmp, delete=False, suffix=".run").name
    syntax = ["--plain"] if reading == "plain" else []
    with open(runfile, "wb") as f:
        subprocess.run([cis, "search", "--index", index, "--queries",
                        os.path.join(coll_dir, "queries.tsv"), "-n", "1000", "--format", "trec"]
                       + syntax + args, check=True, stdout=f, stderr=subprocess.PIPE)
    out = run([cis, "eval", "--format", "json", "--qrels", os.path.join(coll_dir, "qrels.txt"),
               runfile]).stdout
    os.unlink(runfile)
    j = json.loads(out)
    return j["map"], j["ndcg_cut_10"]


def gain(res, base, colls, readings):
    """Mean over colls of the mean relative gain over the baseline (see the module doc)."""
    total = 0.0
    for c in colls:
        g = 0.0
        for r in readings:
            m, n = res[(c, r)]
            bm, bn = base[(c, r)]
            g += (m / bm - 1 + n / bn - 1) / 2
        total += g / len(readings)
    return total / len(colls)


def eligible(res, base, colls, readings):
    return all(res[(c, r)][0] >= base[(c, r)][0] - TOLERANCE and
               res[(c, r)][1] >= base[(c, r)][1] - TOLERANCE for c in colls for r in readings)


def choose(results, names, colls, readings):
    base = results[BASELINE]
    best, best_gain = BASELINE, 0.0
    for name in names:
        res = results[name]
        if not eligible(res, base, colls, readings):
            continue
        g = gain(res, base, colls, readings)
        if g > best_gain + 0.0005:
            best, best_gain = name, g
    return best, best_gain


def title_name(tw):
    return BASELINE if tw == "0" else f"{BASELINE} title{tw}"


def per_setting(results, colls, readings):
    """The title weight examined alone (module doc); prints its table, returns its verdict."""
    names = [title_name(tw) for tw in TITLE_WEIGHTS if title_name(tw) in results]
    base = results[BASELINE]
    print("per setting: title weight alone (k1 1.2, b 0.75, no feedback, no proximity)")
    print()
    print("| held out | title weight chosen on the others | reading | MAP | baseline MAP "
          "| nDCG@10 | baseline nDCG@10 |")
    print("|---|---|---|---:|---:|---:|---:|")
    picks = []
    for c in colls:
        win, _ = choose(results, names, [o for o in colls if o != c], readings)
        picks.append(names.index(win))
        for r in readings:
            m, n = results[win][(c, r)]
            bm, bn = base[(c, r)]
            print(f"| {c.upper()} | {TITLE_WEIGHTS[names.index(win)]} | {r} | {m:.4f} | "
                  f"{bm:.4f} | {n:.4f} | {bn:.4f} |")
    pick = names[min(picks)]
    ok = eligible(results[pick], base, colls, readings)
    tw = TITLE_WEIGHTS[names.index(pick)]
    print()
    print(f"smallest title weight the folds chose: {tw}; at or above the baseline on every "
          f"collection and reading: {'yes: adoptable' if ok else 'no: keep 0'}")
    print()
    return tw if ok else "0"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cisearch")
    ap.add_argument("--grid", default="small", help="small, full or a file of candidates")
    ap.add_argument("--readings", default="plain,lenient")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--tsv", help="also write every figure to this file")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    eval_dir = os.environ.get("LS_EVAL_DIR", os.path.join(here, "..", "..", "shared", "eval"))
    if not os.path.isdir(eval_dir):
        print(f"eval-loo: no test collections at {eval_dir}: nothing to evaluate")
        return 0
    colls = sorted(d for d in os.listdir(eval_dir)
                   if all(os.path.isfile(os.path.join(eval_dir, d, f))
                          for f in ("docs.jsonl", "queries.tsv", "qrels.txt")))
    if len(colls) < 2:
        print(f"eval-loo: leave-one-out needs two collections or more in {eval_dir}")
        return 0
    readings = a.readings.split(",")
    cands = grid(a.grid)
    names = [n for n, _ in cands]
    with tempfile.TemporaryDirectory(prefix="cisearch-loo.") as tmp:
        for c in colls:
            run([a.cisearch, "index", "--index", os.path.join(tmp, c), "--jsonl",
                 os.path.join(eval_dir, c, "docs.jsonl")])
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            for name, args in cands:
                for c in colls:
                    for r in readings:
                        jobs[(name, c, r)] = ex.submit(score, a.cisearch,
                                                       os.path.join(eval_dir, c),
                                                       os.path.join(tmp, c), r, args, tmp)
        results = {n: {} for n in names}
        for (name, c, r), fut in jobs.items():
            results[name][(c, r)] = fut.result()
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("candidate\tcollection\treading\tMAP\tnDCG@10\n")
            for name in names:
                for (c, r), (m, n) in sorted(results[name].items()):
                    f.write(f"{name}\t{c}\t{r}\t{m:.4f}\t{n:.4f}\n")

    base = results[BASELINE]
    print(f"leave-one-collection-out over {len(colls)} collections, {len(cands)} candidates, "
          f"readings {', '.join(readings)}; baseline: {BASELINE}")
    print()
    print("| held out | chosen on the others | reading | MAP | baseline MAP | nDCG@10 "
          "| baseline nDCG@10 |")
    print("|---|---|---|---:|---:|---:|---:|")
    held_ok = True
    for c in colls:
        others = [o for o in colls if o != c]
        win, _ = choose(results, names, others, readings)
        for r in readings:
            m, n = results[win][(c, r)]
            bm, bn = base[(c, r)]
            held_ok &= m >= bm - TOLERANCE and n >= bn - TOLERANCE
            print(f"| {c.upper()} | {win} | {r} | {m:.4f} | {bm:.4f} | {n:.4f} | {bn:.4f} |")
    win, g = choose(results, names, colls, readings)
    print()
    print(f"chosen on all {len(colls)}: {win} (mean gain {g:+.4f} over the baseline)")
    print("whole grid: " + ("every held-out choice at or above the baseline: adoptable"
                            if held_ok else "a held-out choice fell below the baseline: "
                            "nothing of the whole grid is adopted"))
    print()
    if not held_ok and title_name(TITLE_WEIGHTS[1]) in results:
        tw = per_setting(results, colls, readings)
        print(f"defaults by the protocol: {BASELINE}" + ("" if tw == "0" else f", title weight {tw}"))
        print()
    print("| candidate | " + " | ".join(f"{c.upper()} {r} MAP / nDCG@10" for c in colls
                                         for r in readings) + " | eligible | gain |")
    print("|---|" + "---:|" * (len(colls) * len(readings)) + "---|---:|")
    for name in names:
        res = results[name]
        cells = " | ".join(f"{res[(c, r)][0]:.4f} / {res[(c, r)][1]:.4f}" for c in colls
                           for r in readings)
        el = "yes" if eligible(res, base, colls, readings) else "no"
        print(f"| {name} | {cells} | {el} | {gain(res, base, colls, readings):+.4f} |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print(f"eval-loo: {' '.join(e.cmd)} failed: {e.stderr.decode(errors='replace')}",
              file=sys.stderr)
        sys.exit(1)
