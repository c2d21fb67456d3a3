# SPDX-License-Identifier: MIT
"""Run by test_leaks.py in a fresh interpreter: prints the growth of the resident set size
(bytes) over N searches (or open/close cycles) after a warm-up.

usage: leakcheck.py PYTHON_DIR INDEX_DIR searches|nofree|cycles N
"""

import sys

sys.path.insert(0, sys.argv[1])
import libsearch  # noqa: E402


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main():
    index, mode, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
    s = libsearch.Searcher(index)
    if mode == "nofree":  # the detector's own check: what a binding that never frees shows
        s._lib.ls_hits_free = lambda hits: None

    def one(i):
        if mode == "cycles":
            with libsearch.Searcher(index) as t:
                t.search("cat")
            return
        s.search("young kitten cat", limit=3, explain=True, proximity=1.0)
        if i % 10 == 0:
            try:
                s.search("cat AND (")  # the error path
            except libsearch.QueryError:
                pass

    for i in range(max(n // 10, 200)):
        one(i)
    before = rss()
    for i in range(n):
        one(i)
    print(rss() - before)
    from libsearch import search
    assert search._live_hits == 0


main()
