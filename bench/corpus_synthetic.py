#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""corpus_synthetic.py - a deterministic synthetic benchmark corpus of
pseudo-words with Zipf-distributed frequencies, as JSON lines
{"id": "syn-<n>", "title", "body"}.

    bench/corpus_synthetic.py OUT.jsonl --docs N [--seed S] [--lengths FROM.jsonl]
                              [--vocab V] [--zipf S]

Vocabulary: V (default 200000) distinct pseudo-words of lowercase ASCII letters,
2-12 letters long (length drawn from a dictionary-like distribution peaking at
6-7 letters; letters drawn with English letter frequencies; a word that is
already taken is drawn again).  Ranks are then assigned by length plus Gaussian
noise, so frequent words tend to be short, as in natural language.  The word of
rank r (1-based) has probability proportional to 1 / r**S, S = --zipf (default
1.07).

Document lengths (in words): with --lengths FROM.jsonl, sampled uniformly from
the body word counts (whitespace-separated) of every line of FROM.jsonl, e.g.
the gcide corpus made by bench/corpus_gcide.py; without it, lognormal with
median 30 words and sigma 1.0, rounded and clamped to [1, 5000].  Titles are
1-4 words (uniform) drawn from the same Zipf distribution.  Body words are
joined by single spaces.

All randomness comes from one random.Random(S) (--seed, default 1), so the same
arguments (and the same --lengths file) give byte-identical output.  Prints
docs, MB written and seconds on stderr.
"""
import argparse
import json
import math
import random
import sys
import time

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# English letter frequencies (percent), a..z.
LETTER_FREQ = (8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.77, 4.0, 2.4,
               6.7, 7.5, 1.9, 0.095, 6.0, 6.3, 9.1, 2.8, 0.98, 2.4, 0.15, 2.0, 0.074)
# Word-length weights for lengths 2..12 (roughly the distinct words of an
# English dictionary).
WORD_LENGTHS = tuple(range(2, 13))
LENGTH_WEIGHT = (0.5, 3.0, 7.0, 12.0, 15.0, 15.5, 14.0, 11.5, 9.0, 7.0, 5.5)
MAX_VOCAB = 50_000_000
BATCH = 2000  # documents per write


def cumulative(weights):
    cum = []
    t = 0.0
    for w in weights:
        t += w
        cum.append(t)
    return cum


def make_vocab(rng, v):
    """v distinct pseudo-words, ordered by rank (most frequent first)."""
    letter_cum = cumulative(LETTER_FREQ)
    len_cum = cumulative(LENGTH_WEIGHT)
    seen = set()
    words = []
    choices = rng.choices
    while len(words) < v:
        ln = choices(WORD_LENGTHS, cum_weights=len_cum)[0]
        w = "".join(choices(LETTERS, cum_weights=letter_cum, k=ln))
        if w in seen:
            continue
        seen.add(w)
        words.append(w)
    gauss = rng.gauss
    keyed = sorted((len(w) + gauss(0.0, 1.5), i, w) for i, w in enumerate(words))
    return [w for _, _, w in keyed]


def read_lengths(path):
    lengths = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                body = json.loads(line).get("body") or ""
            except (ValueError, AttributeError):
                sys.exit(f"corpus_synthetic.py: {path}:{lineno}: not a JSON object")
            lengths.append(len(str(body).split()))
    if not lengths:
        sys.exit(f"corpus_synthetic.py: {path}: no documents")
    return lengths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lengths", metavar="FROM.jsonl")
    ap.add_argument("--vocab", type=int, default=200000)
    ap.add_argument("--zipf", type=float, default=1.07)
    a = ap.parse_args()
    if a.docs < 0:
        ap.error("--docs must be >= 0")
    if not 1 <= a.vocab <= MAX_VOCAB:
        ap.error(f"--vocab must be in [1, {MAX_VOCAB}]")
    if not a.zipf >= 0.0:
        ap.error("--zipf must be >= 0")
    t0 = time.time()

    lengths = read_lengths(a.lengths) if a.lengths else None
    rng = random.Random(a.seed)
    vocab = make_vocab(rng, a.vocab)
    s = a.zipf
    cum = cumulative(r ** -s for r in range(1, a.vocab + 1))

    choices = rng.choices
    randint = rng.randint
    pick_len = rng.choice
    lognorm = rng.lognormvariate
    mu = math.log(30.0)
    written = 0
    n = 0
    with open(a.out, "w", encoding="ascii", newline="\n") as out:
        while n < a.docs:
            chunk = []
            for _ in range(min(BATCH, a.docs - n)):
                n += 1
                if lengths is not None:
                    k = pick_len(lengths)
                else:
                    k = min(5000, max(1, int(round(lognorm(mu, 1.0)))))
                title = " ".join(choices(vocab, cum_weights=cum, k=randint(1, 4)))
                body = " ".join(choices(vocab, cum_weights=cum, k=k))
                # Same bytes as json.dumps({...}): the words are plain
                # lowercase ASCII, so nothing needs escaping.
                chunk.append('{"id": "syn-%d", "title": "%s", "body": "%s"}\n'
                             % (n, title, body))
            text = "".join(chunk)
            out.write(text)
            written += len(text)
    secs = time.time() - t0
    print(f"corpus_synthetic.py: {n} docs, {written / 1e6:.1f} MB, {secs:.1f} s "
          f"-> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
