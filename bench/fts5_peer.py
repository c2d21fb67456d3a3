#!/usr/bin/env python3
"""SQLite FTS5 peer for bench/run.sh.

  fts5_peer.py index DB CORPUS.jsonl    build DB (one transaction + optimize)
  fts5_peer.py search DB QUERIES.tsv OUT top-10 for every query, TREC run to OUT

Settings follow /work/shared/eval/BASELINES.md: tokenizer 'porter unicode61',
title and body in one column, query = every query word quoted and joined
with OR, ranked by the built-in bm25().  run.sh times each whole process.
"""
import json
import os
import re
import sqlite3
import sys

WORD = re.compile(r"\w+", re.UNICODE)


def index(db, corpus):
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")
    ids = []
    with con:  # one transaction
        with open(corpus, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                ids.append(d["id"])
                con.execute("INSERT INTO t(rowid, x) VALUES (?, ?)",
                            (len(ids), (d.get("title") or "") + "\n" + (d.get("body") or "")))
        con.execute("INSERT INTO t(t) VALUES('optimize')")
    # rowid -> external id, kept beside the db (not counted in the index size)
    with open(db + ".ids", "w", encoding="utf-8") as f:
        f.write("\n".join(ids) + "\n")
    con.close()
    print(len(ids))


def fts_query(text):
    words = WORD.findall(text)
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def search(db, queries, out, k=10):
    with open(db + ".ids", encoding="utf-8") as f:
        ids = f.read().split("\n")
    con = sqlite3.connect(db)
    sql = "SELECT rowid, bm25(t) FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT %d" % k
    n = 0
    with open(queries, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            qid, _, text = line.partition("\t")
            q = fts_query(text)
            n += 1
            if not q:
                continue
            for rank, (rowid, score) in enumerate(con.execute(sql, (q,)), 1):
                o.write("%s Q0 %s %d %.6f fts5\n" % (qid, ids[rowid - 1], rank, -score))
    con.close()
    print(n)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "index":
        index(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "search":
        search(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
