#!/usr/bin/env python3
"""Build the replicated CISI + MED corpus and query batch of `make bench-compare`.

  make_corpus.py EVAL_DIR K OUT_DOCS.jsonl OUT_QUERIES.tsv

With EVAL_DIR/{cisi,med}/docs.jsonl present: concatenates them, replicated K
times with distinct ids ("r<k>-<collection>-<id>"), and writes both
collections' queries.tsv (qids prefixed with the collection name).
Otherwise (EVAL_DIR empty or missing) falls back to the text files under
/usr/share/doc, and uses the first line of every 20th document as a query.
Prints "<source> <docs> <queries>" on stdout.
"""
import json
import os
import sys

COLLECTIONS = ("cisi", "med")


def from_eval(eval_dir, k, out_docs, out_q):
    docs = []
    for c in COLLECTIONS:
        with open(os.path.join(eval_dir, c, "docs.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    docs.append((c, json.loads(line)))
    n = 0
    with open(out_docs, "w", encoding="utf-8") as o:
        for r in range(k):
            for c, d in docs:
                o.write(json.dumps({"id": "r%d-%s-%s" % (r, c, d["id"]),
                                    "title": d.get("title") or "",
                                    "body": d.get("body") or ""}) + "\n")
                n += 1
    nq = 0
    with open(out_q, "w", encoding="utf-8") as o:
        for c in COLLECTIONS:
            with open(os.path.join(eval_dir, c, "queries.tsv"), encoding="utf-8") as f:
                for line in f:
                    qid, sep, text = line.rstrip("\n").partition("\t")
                    if sep and text.strip():
                        o.write("%s-%s\t%s\n" % (c, qid, " ".join(text.split())))
                        nq += 1
    return "eval", n, nq


def from_usr_share_doc(k, out_docs, out_q, limit=20000):
    texts = []
    for root, dirs, files in os.walk("/usr/share/doc"):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(root, name)
            if os.path.islink(p) or name.endswith((".gz", ".bz2", ".xz", ".png", ".jpg", ".pdf")):
                continue
            try:
                with open(p, "rb") as f:
                    raw = f.read(1 << 20)
                if b"\0" in raw:
                    continue
                t = raw.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            lines = [l.strip() for l in t.splitlines() if l.strip()]
            if len(lines) >= 2:
                texts.append((os.path.relpath(p, "/usr/share/doc"), lines[0], " ".join(lines[1:])))
            if len(texts) >= limit:
                break
    n = 0
    with open(out_docs, "w", encoding="utf-8") as o:
        for r in range(k):
            for pid, title, body in texts:
                o.write(json.dumps({"id": "r%d-%s" % (r, pid), "title": title, "body": body}) + "\n")
                n += 1
    nq = 0
    with open(out_q, "w", encoding="utf-8") as o:
        for i, (_, title, _) in enumerate(texts[::20]):
            q = " ".join(title.split())
            if q:
                o.write("q%d\t%s\n" % (i + 1, q))
                nq += 1
    return "usr-share-doc", n, nq


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        sys.exit(2)
    eval_dir, k, out_docs, out_q = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ok = eval_dir and all(os.path.isfile(os.path.join(eval_dir, c, f))
                          for c in COLLECTIONS for f in ("docs.jsonl", "queries.tsv"))
    if ok:
        res = from_eval(eval_dir, k, out_docs, out_q)
    else:
        res = from_usr_share_doc(k, out_docs, out_q)
    print("%s %d %d" % res)


if __name__ == "__main__":
    main()
