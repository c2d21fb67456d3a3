#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write per-class query files for bench/bench.sh and bench/compare.sh.

  query_sets.py CORPUS.jsonl OUT_DIR [--seed N] [--per-class N]

Reads JSON lines {"id", "title", "body"}, tokenizes title + " " + body into
lowercase runs of ASCII letters of length >= 3 (the 33 Lucene English stop
words skipped), computes document frequencies and writes into OUT_DIR one
file per class, one query per line, in the plain syntax cisearch, xapian_peer
and lucene_peer all read:

  term_high       a           words of the top 1% of the vocabulary by df
  term_med        a           mid-df words (rank 1%..5% by df, df > 10)
  term_low        a           words with df 2..10
  or_high_high    a b         two distinct high words
  or_high_med     a b         a high, b mid
  or_high_low     a b         a high, b low
  and_high_high   +a +b
  and_high_med    +a +b       a high, b mid
  and_high_low    +a +b       a high, b low
  or3             a b c       three distinct mid words
  and3            +a +b +c
  phrase2         "a b"       adjacent words of a random document
  phrase3         "a b c"
  prefix4         abcd*       distinct 4-letter prefixes of mid words

Phrase words are taken from whitespace-separated tokens that are entirely
lowercase-able ASCII letters (length >= 3, not stop words), so that no
punctuation sits between them and every engine's tokenizer sees the same
adjacency. Deterministic for a given seed (default 1); --per-class queries
per class (default 30). The two *_high_med classes are drawn after all the
others, so the other twelve files are the same as before they were added.
Prints "<docs> <vocabulary> <classes>" on stdout.
"""
import argparse
import json
import os
import random
import re
import sys

STOP = frozenset("""a an and are as at be but by for if in into is it no not of
on or such that the their then there these they this to was will with""".split())
WORD = re.compile(r"[a-z]+")
ALPHA = re.compile(r"^[A-Za-z]{3,}$")
# The classes, in the order bench/bench.sh and bench/compare.sh report them.
ORDER = ("term_high", "term_med", "term_low", "or_high_high", "or_high_med", "or_high_low",
         "and_high_high", "and_high_med", "and_high_low", "or3", "and3", "phrase2", "phrase3",
         "prefix4")


def tokens(text):
    return [w for w in WORD.findall(text.lower()) if len(w) >= 3 and w not in STOP]


def sample(rng, pool, n):
    """n items of pool: without replacement when pool is big enough."""
    if not pool:
        return []
    if len(pool) >= n:
        return rng.sample(pool, n)
    return [rng.choice(pool) for _ in range(n)]


def distinct(rng, pool, k):
    """k distinct items of pool (pool must have >= k items)."""
    return rng.sample(pool, k)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-class", type=int, default=30)
    a = ap.parse_args()
    n = a.per_class
    rng = random.Random(a.seed)

    df = {}
    texts = []
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            text = (d.get("title") or "") + " " + (d.get("body") or "")
            texts.append(text)
            for w in set(tokens(text)):
                df[w] = df.get(w, 0) + 1
    if not df:
        sys.exit("query_sets.py: empty corpus")

    ranked = sorted(df, key=lambda w: (-df[w], w))
    n_high = max(2, len(ranked) // 100)
    high = ranked[:n_high]
    mid = [w for w in ranked[n_high:max(n_high + 3, len(ranked) * 5 // 100)] if df[w] > 10]
    if len(mid) < 3:
        mid = ranked[n_high:n_high + max(3, n)]
    low = sorted(w for w in ranked if 2 <= df[w] <= 10)
    if len(low) < 1:
        low = ranked[-n:]

    def pairs(p1, p2, fmt):
        out = []
        for _ in range(n):
            x = rng.choice(p1)
            y = rng.choice([w for w in p2 if w != x] or p2)
            out.append(fmt % (x, y))
        return out

    def phrases(k):
        out, tries = [], 0
        while len(out) < n and tries < 100000:
            tries += 1
            ws = rng.choice(texts).split()
            if len(ws) < k:
                continue
            i = rng.randrange(len(ws) - k + 1)
            g = ws[i:i + k]
            if all(ALPHA.match(w) and w.lower() not in STOP for w in g):
                out.append('"%s"' % " ".join(w.lower() for w in g))
        return out

    prefixes = sorted({w[:4] for w in mid if len(w) >= 5})
    # Drawn in this order (the order of the random stream); written in ORDER.
    drawn = dict([
        ("term_high", sample(rng, high, n)),
        ("term_med", sample(rng, mid, n)),
        ("term_low", sample(rng, low, n)),
        ("or_high_high", pairs(high, high, "%s %s")),
        ("and_high_high", pairs(high, high, "+%s +%s")),
        ("and_high_low", pairs(high, low, "+%s +%s")),
        ("or_high_low", pairs(high, low, "%s %s")),
        ("or3", [" ".join(distinct(rng, mid, 3)) for _ in range(n)]),
        ("and3", [" ".join("+" + w for w in distinct(rng, mid, 3)) for _ in range(n)]),
        ("phrase2", phrases(2)),
        ("phrase3", phrases(3)),
        ("prefix4", [p + "*" for p in sample(rng, prefixes, n)]),
        ("or_high_med", pairs(high, mid, "%s %s")),
        ("and_high_med", pairs(high, mid, "+%s +%s")),
    ])
    classes = [(name, drawn[name]) for name in ORDER]
    os.makedirs(a.out_dir, exist_ok=True)
    for name, qs in classes:
        if not qs:
            sys.exit("query_sets.py: no queries for class " + name)
        with open(os.path.join(a.out_dir, name + ".txt"), "w", encoding="utf-8") as o:
            o.write("".join(q + "\n" for q in qs))
    print(len(texts), len(df), len(classes))


if __name__ == "__main__":
    main()
