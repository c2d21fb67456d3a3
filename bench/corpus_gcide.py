#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""corpus_gcide.py - the "dictionary" benchmark corpus: every entry of Debian's
dict-gcide (GNU Collaborative International Dictionary of English) as one JSON
line {"id", "title", "body"}.

    bench/corpus_gcide.py OUT.jsonl [--dict PATH] [--index PATH] [--limit N]

The package installs /usr/share/dictd/gcide.dict.dz (dictzip, which is
gzip-compatible, so it is read whole with the gzip module) and
/usr/share/dictd/gcide.index (dictd index: one line per headword, "headword TAB
offset TAB length", offset and length in bytes of the uncompressed text, written
in dictd's base64 digits A-Z a-z 0-9 + /, most significant digit first).

Every entry text gives one output line, in index order: id "gcide-<n>" (n =
1, 2, ... over the lines written), title the first headword that points at it,
body the entry text (decoded as UTF-8 with errors='replace') with surrounding
whitespace stripped.  Headwords starting with "00-" (dictd and GCIDE metadata)
are skipped.  Several headwords may share one entry text (e.g. "Law Latin",
"Law lords" point at the text of "Law"): the text is written once, under its
first headword, so that no document repeats another.  The output is
deterministic.  --limit N keeps the first N
entries.  Prints entries, MB written and the mean body length in words
(whitespace-separated) on stderr.
"""
import argparse
import gzip
import json
import sys

DEFAULT_DICT = "/usr/share/dictd/gcide.dict.dz"
DEFAULT_INDEX = "/usr/share/dictd/gcide.index"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64VAL = {c: i for i, c in enumerate(B64)}
SKIP_PREFIX = "00-"


def b64num(s):
    v = 0
    for c in s:
        v = v * 64 + B64VAL[c]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--dict", default=DEFAULT_DICT)
    ap.add_argument("--index", default=DEFAULT_INDEX)
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    try:
        with gzip.open(a.dict, "rb") as f:
            data = f.read()
        with open(a.index, encoding="utf-8", errors="replace") as f:
            index = f.read().splitlines()
    except OSError as e:
        sys.exit(f"corpus_gcide.py: {e} (apt-get install dict-gcide)")

    n = 0
    seen = set()
    written = 0
    words = 0
    with open(a.out, "w", encoding="utf-8", newline="\n") as out:
        for lineno, entry in enumerate(index, 1):
            if not entry.strip():
                continue
            parts = entry.split("\t")
            if len(parts) < 3:
                sys.exit(f"corpus_gcide.py: {a.index}:{lineno}: malformed line")
            head = parts[0]
            if head.startswith(SKIP_PREFIX):
                continue
            try:
                off, ln = b64num(parts[1]), b64num(parts[2])
            except KeyError:
                sys.exit(f"corpus_gcide.py: {a.index}:{lineno}: bad base64 number")
            if off + ln > len(data):
                sys.exit(f"corpus_gcide.py: {a.index}:{lineno}: entry past end of {a.dict}")
            if (off, ln) in seen:
                continue
            seen.add((off, ln))
            body = data[off:off + ln].decode("utf-8", errors="replace").strip()
            n += 1
            line = json.dumps({"id": f"gcide-{n}", "title": head, "body": body},
                              ensure_ascii=False)
            out.write(line)
            out.write("\n")
            written += len(line.encode("utf-8")) + 1
            words += len(body.split())
            if a.limit and n >= a.limit:
                break
    mean = words / n if n else 0.0
    print(f"corpus_gcide.py: {n} entries, {written / 1e6:.1f} MB, "
          f"mean body {mean:.1f} words -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
