#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench_report.py - the Markdown section of one corpus of bench/bench.sh.

    bench/bench_report.py WORK_DIR

WORK_DIR is a corpus directory of bench/bench.sh (build/bench/<corpus>/), holding
  meta.tsv        key<TAB>value: name, desc, docs, bytes, k, repeat, count_repeat, ...
  queries/C.txt   the query file of every class C (bench/query_sets.py)
  out/C.E         engine E's `search` output on class C with K=k: latency_us<TAB>hits<TAB>query
  out/C.E.count   the same with K=0 (count only)
  out/index.tsv   engine, wall s, user+sys CPU s, peak RSS KiB, index bytes (or "fail")
  out/parts.tsv   cisearch index parts: extension, label, files, bytes
  out/open.tsv    engine, warm open us, cold open us
  out/failed.txt  engine<TAB>class<TAB>pass<TAB>message of each search that failed
A missing out/C.E means the engine did not run (or failed on) that class: its cells read
"fail" (or "n/a" when the engine was not run at all).

Writes the joined per-query tables out/C.tsv and out/C.count.tsv (class, then latency and hits
of cisearch, xapian, lucene, fts5, then the query; NA where an engine has no figure) and
out/all.tsv, out/all.count.tsv (every class), and prints the section on stdout:
latency per class (mean and p99 of the per-query medians, p99 being the value at rank
ceil(0.99 n) of the n sorted medians; ratios peer/cisearch of the means, over the queries both
ran), the counting pass (K=0), hit agreement of the AND and phrase classes, indexing, the
cisearch index parts and the open times.
"""
import os
import sys

ENGINES = ("cisearch", "xapian", "lucene", "fts5")
AGREE_CLASSES = ("and_high_high", "and_high_med", "and_high_low", "and3", "phrase2", "phrase3")


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n") for line in f if line.strip()]


def read_run(path, n):
    """[(latency, hits)] of an engine's output, or None when absent or malformed."""
    rows = read_tsv(path)
    if not rows or len(rows) != n:
        return None
    try:
        return [(float(r[0]), int(r[1])) for r in rows]
    except (ValueError, IndexError):
        return None


def p99(values):
    s = sorted(values)
    rank = (99 * len(s) + 99) // 100  # ceil(0.99 n), in integers
    return s[rank - 1]


def mean(values):
    return sum(values) / len(values)


def f1(x):
    return "%.1f" % x


def ratio(peer, cis):
    """Ratio of the means of peer and cisearch over the queries both have."""
    pairs = [(p, c) for p, c in zip(peer, cis) if p is not None and c is not None]
    if not pairs:
        return "n/a"
    sc = sum(c for _, c in pairs)
    if sc <= 0:
        return "n/a"
    return "%.2f" % (sum(p for p, _ in pairs) / sc)


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: bench_report.py WORK_DIR")
    work = argv[1]
    out = os.path.join(work, "out")
    meta = {r[0]: r[1] if len(r) > 1 else "" for r in read_tsv(os.path.join(work, "meta.tsv"))}
    classes = meta.get("classes", "").split()
    engines_run = meta.get("engines", " ".join(ENGINES)).split()
    failed = read_tsv(os.path.join(out, "failed.txt"))

    def missing(e):
        return "n/a" if e not in engines_run else "fail"

    # per class: queries, {engine: [(lat, hits)] or None} for K=k and K=0
    data = {}
    for c in classes:
        qs = read_queries(os.path.join(work, "queries", c + ".txt"))
        top = {e: read_run(os.path.join(out, "%s.%s" % (c, e)), len(qs)) for e in ENGINES}
        cnt = {e: read_run(os.path.join(out, "%s.%s.count" % (c, e)), len(qs)) for e in ENGINES}
        data[c] = (qs, top, cnt)

    # The joined per-query TSVs.
    for suffix, which in (("", 1), (".count", 2)):
        with open(os.path.join(out, "all%s.tsv" % suffix), "w", encoding="utf-8") as fall:
            for c in classes:
                qs = data[c][0]
                runs = data[c][which]
                with open(os.path.join(out, "%s%s.tsv" % (c, suffix)), "w", encoding="utf-8") as fc:
                    for i, q in enumerate(qs):
                        cells = [c]
                        for e in ENGINES:
                            r = runs[e]
                            cells += ["%.0f" % r[i][0], str(r[i][1])] if r else ["NA", "NA"]
                        cells.append(q)
                        line = "\t".join(cells) + "\n"
                        fc.write(line)
                        fall.write(line)

    p = print
    p("## %s" % meta.get("name", os.path.basename(work)))
    p()
    p("- corpus: %s" % meta.get("desc", "?"))
    p("- input: %s documents, %.1f MB (%s bytes of JSON lines)"
      % (format(int(meta.get("docs", 0)), ","), int(meta.get("bytes", 0)) / 1e6,
         format(int(meta.get("bytes", 0)), ",")))
    p("- queries: %s classes x %s (bench/query_sets.py --seed %s); top %s, median of %s runs per "
      "query after a warm-up pass (Lucene: %s passes); counting pass K=0, median of %s runs"
      % (len(classes), meta.get("per_class", "?"), meta.get("seed", "?"), meta.get("k", "?"),
         meta.get("repeat", "?"), meta.get("lucene_warmup", "?"), meta.get("count_repeat", "?")))
    if int(meta.get("rounds", "1")) > 1:
        p("- each query's figure is the best of %s rounds; in every round the engines run each "
          "class in turn before the next class, so a slow spell of the machine falls on all "
          "of them alike" % meta["rounds"])
    if "elapsed" in meta:
        secs = int(meta["elapsed"])
        load = [r for r in read_tsv(os.path.join(work, "meta.tsv")) if r[0] == "load"]
        lw = "; load average (1, 5, 15 min) %s before, %s after" \
            % (load[0][1], load[0][2]) if load and len(load[0]) > 2 else ""
        p("- this corpus took %d min %02d s%s" % (secs // 60, secs % 60, lw))
    p()

    # --- latency ---
    p("Query latency, top %s: mean and p99 of the per-query medians (µs); ratios = peer mean / "
      "cisearch mean (> 1: cisearch faster)." % meta.get("k", "?"))
    p()
    head = ["class", "n"]
    for e in ENGINES:
        head += ["%s mean" % e, "%s p99" % e]
    head += ["xapian/cisearch", "lucene/cisearch", "fts5/cisearch"]
    p("| " + " | ".join(head) + " |")
    p("|---|" + "---:|" * (len(head) - 1))
    allq = {e: [] for e in ENGINES}

    def lat_row(name, n, lats):
        cells = [name, str(n)]
        for e in ENGINES:
            v = [x for x in lats[e] if x is not None]
            if len(v) == n and n:
                cells += [f1(mean(v)), f1(p99(v))]
            else:
                cells += [missing(e), missing(e)] if not v else [f1(mean(v)) + "*", f1(p99(v)) + "*"]
        for e in ENGINES[1:]:
            cells.append(ratio(lats[e], lats["cisearch"]))
        p("| " + " | ".join(cells) + " |")

    partial = False
    for c in classes:
        qs, top, _ = data[c]
        lats = {e: [r[0] for r in top[e]] if top[e] else [None] * len(qs) for e in ENGINES}
        for e in ENGINES:
            allq[e] += lats[e]
        lat_row(c, len(qs), lats)
    nall = len(allq["cisearch"])
    partial = any(None in allq[e] and any(x is not None for x in allq[e]) for e in ENGINES)
    lat_row("**all**", nall, allq)
    p()
    if partial:
        p("\\* over the classes that engine ran; its ratio is over the queries both engines ran.")
        p()

    # --- counting ---
    p("Counting pass (K=0: the number of matches only): mean of the per-query medians (µs).")
    p()
    p("| class | n | cisearch | xapian | lucene | fts5 | lucene/cisearch |")
    p("|---|---:|---:|---:|---:|---:|---:|")
    callq = {e: [] for e in ENGINES}

    def cnt_row(name, n, lats):
        cells = [name, str(n)]
        for e in ENGINES:
            v = [x for x in lats[e] if x is not None]
            cells.append(missing(e) if not v else f1(mean(v)) + ("" if len(v) == n else "*"))
        cells.append(ratio(lats["lucene"], lats["cisearch"]))
        p("| " + " | ".join(cells) + " |")

    count_mismatch = []
    for c in classes:
        qs, top, cnt = data[c]
        lats = {e: [r[0] for r in cnt[e]] if cnt[e] else [None] * len(qs) for e in ENGINES}
        for e in ENGINES:
            callq[e] += lats[e]
            if top[e] and cnt[e]:
                bad = sum(1 for a, b in zip(top[e], cnt[e]) if a[1] != b[1])
                if bad:
                    count_mismatch.append("%s %s: %d" % (e, c, bad))
        cnt_row(c, len(qs), lats)
    cnt_row("**all**", len(callq["cisearch"]), callq)
    p()
    if count_mismatch:
        p("Hit counts of the K=0 pass differ from those of the top-%s pass (engine class: "
          "queries): %s." % (meta.get("k", "?"), "; ".join(count_mismatch)))
        p()

    # --- agreement ---
    p("Hit agreement (exact match counts; queries with equal counts). cisearch and FTS5 split "
      "words at every character that is not a letter or digit; Xapian and Lucene keep words "
      "joined by '_' or '.' whole, each by its own rules (so on source code they differ from "
      "each other too), so the engines are compared in pairs. cisearch indexes title and body "
      "as two fields and matches no phrase across them; the peers index title + \" \" + body "
      "as one text, so their phrase counts can be higher.")
    p()
    p("| class | n | cisearch = fts5 | xapian = lucene | all four |")
    p("|---|---:|---:|---:|---:|")
    tot = [0, 0, 0, 0]
    for c in AGREE_CLASSES:
        if c not in data:
            continue
        qs, top, _ = data[c]
        n = len(qs)

        def agree(es):
            if any(top[e] is None for e in es):
                return None
            return sum(1 for i in range(n) if len({top[e][i][1] for e in es}) == 1)

        a = [agree(("cisearch", "fts5")), agree(("xapian", "lucene")), agree(ENGINES)]
        tot[0] += n
        cells = [c, str(n)]
        for j, v in enumerate(a):
            if v is None:
                cells.append("n/a")
                tot[j + 1] = None
            else:
                cells.append("%d/%d" % (v, n))
                if tot[j + 1] is not None:
                    tot[j + 1] += v
        p("| " + " | ".join(cells) + " |")
    p("| **all** | %d | %s |" % (tot[0], " | ".join(
        "n/a" if t is None else "%d/%d" % (t, tot[0]) for t in tot[1:])))
    p()

    # --- indexing ---
    nbytes = int(meta.get("bytes", 0))
    p("Indexing (cisearch: `index --language none` + `optimize`, wall and CPU summed, RSS the "
      "larger; the peers one process each, compacted to one segment): wall and CPU (user + "
      "sys) seconds and peak RSS from /usr/bin/time; input MB/s = input bytes / wall; index "
      "size by `du -sb`. MB = 10^6 bytes.")
    p()
    p("cisearch is indexed twice: with one index thread (`--threads 1`, row \"cisearch, 1 "
      "thread\") and with one per core (`--threads %s`, row cisearch: the index searched)."
      % meta.get("threads", "?"))
    p()
    p("| engine | wall s | CPU s | peak RSS MB | input MB/s | index MB |")
    p("|---|---:|---:|---:|---:|---:|")
    idx = {r[0]: r for r in read_tsv(os.path.join(out, "index.tsv"))}
    rows = []
    for e in ENGINES:
        if e == "cisearch" and "cisearch-1t" in idx:
            rows.append(("cisearch-1t", "cisearch, 1 thread"))
        rows.append((e, e))
    for e, label in rows:
        r = idx.get(e)
        if r is None or len(r) < 5 or r[1] == "fail":
            m = missing(e) if r is None else "fail"
            p("| %s | %s | %s | %s | %s | %s |" % (label, m, m, m, m, m))
            continue
        try:
            wall, cpu, rss_kib, size = float(r[1]), float(r[2]), float(r[3]), int(r[4])
        except ValueError:
            p("| %s | %s |" % (label, " | ".join(["?"] * 5)))
            continue
        p("| %s | %.1f | %.1f | %.0f | %.1f | %.1f |"
          % (label, wall, cpu, rss_kib * 1024 / 1e6, nbytes / 1e6 / wall if wall > 0 else 0,
             size / 1e6))
    p()
    one, many = idx.get("cisearch-1t"), idx.get("cisearch")
    try:
        p("cisearch's speed-up with %s index threads: %.2fx its one-thread wall time."
          % (meta.get("threads", "?"), float(one[1]) / float(many[1])))
        p()
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        pass
    parts = read_tsv(os.path.join(out, "parts.tsv"))
    if parts:
        total = sum(int(r[3]) for r in parts) or 1
        p("cisearch index by part (files by extension):")
        p()
        p("| part | extension | files | MB | share |")
        p("|---|---|---:|---:|---:|")
        for ext, label, files, size in parts:
            p("| %s | %s | %s | %.1f | %.1f%% |" % (label, ext, files, int(size) / 1e6,
                                                    100.0 * int(size) / total))
        p("| **total** | | %d | %.1f | 100%% |" % (sum(int(r[2]) for r in parts), total / 1e6))
        p()

    # --- open ---
    p("Opening the index (each engine's own figure, printed by its `search` as `open <us> us`; "
      "the median of %s one-query runs): warm = just after the searches, cold = after "
      "bench/evict.py dropped the index files from the page cache." % meta.get("open_runs", "?"))
    p()
    p("| engine | warm ms | cold ms |")
    p("|---|---:|---:|")
    opens = {r[0]: r for r in read_tsv(os.path.join(out, "open.tsv"))}

    def ms(v):
        try:
            return "%.2f" % (float(v) / 1e3)
        except ValueError:
            return v

    for e in ENGINES:
        r = opens.get(e)
        if r is None or len(r) < 3:
            p("| %s | %s | %s |" % (e, missing(e), missing(e)))
        else:
            p("| %s | %s | %s |" % (e, ms(r[1]), ms(r[2])))
    p()
    if failed:
        p("Failed runs (engine, class, pass: message):")
        p()
        for r in failed:
            r += [""] * (4 - len(r))
            p("- %s, %s, %s: %s" % (r[0], r[1], r[2], r[3]))
        p()


if __name__ == "__main__":
    main(sys.argv)
