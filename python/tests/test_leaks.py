# SPDX-License-Identifier: MIT
"""Hits are freed: the resident set size stays flat over 20,000 searches, and the same
measurement does catch a binding that forgets ls_hits_free."""

import os
import subprocess
import sys

import pytest

import libsearch
from libsearch import search as search_module

from conftest import PYTHON_DIR

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "leakcheck.py")
MB = 1 << 20

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                                reason="needs /proc to read the resident set size")


def growth(index, mode, n):
    r = subprocess.run([sys.executable, SCRIPT, PYTHON_DIR, index, mode, str(n)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


def test_20000_searches_do_not_grow_memory(corpus_index):
    assert growth(corpus_index, "searches", 20000) < 4 * MB


def test_the_measurement_catches_unfreed_hits(corpus_index):
    # 2,000 searches that never call ls_hits_free leak far more than the bound above.
    assert growth(corpus_index, "nofree", 2000) > 8 * MB


def test_opening_and_closing_readers_does_not_grow_memory(corpus_index):
    assert growth(corpus_index, "cycles", 3000) < 4 * MB


def test_hits_are_freed_on_every_path(searcher, monkeypatch):
    freed = []
    real_free = searcher._lib.ls_hits_free
    monkeypatch.setattr(searcher._lib, "ls_hits_free",
                        lambda h: (freed.append(h.value), real_free(h)))
    searcher.search("cat", explain=True)
    with pytest.raises(libsearch.QueryError):
        searcher.search("cat AND")

    def broken(*args):
        raise RuntimeError("copy failed")

    monkeypatch.setattr(search_module, "_copy_hit", broken)
    with pytest.raises(RuntimeError, match="copy failed"):
        searcher.search("cat")  # an exception while copying still frees
    assert len(freed) == 2 and all(freed)
    assert search_module._live_hits == 0
