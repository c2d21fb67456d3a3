# SPDX-License-Identifier: MIT
"""Shared fixtures: the package is imported from this source tree (python/), and the shared
library from $LIBSEARCH_LIBRARY or the in-tree build."""

import os
import sys
import time

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.path.dirname(PYTHON_DIR)
HEADER = os.path.join(TREE, "libsearch", "include", "libsearch.h")
sys.path.insert(0, PYTHON_DIR)

import libsearch  # noqa: E402
from libsearch import _ffi  # noqa: E402


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def pytest_configure(config):
    # The in-tree build may be mid-rebuild (briefly missing): wait a little for it.
    deadline = time.monotonic() + 60
    while True:
        try:
            lib = _ffi.load()
            break
        except libsearch.LibraryNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    # Tests must exercise this tree's package, not an installed copy.
    assert os.path.dirname(libsearch.__file__) == os.path.join(PYTHON_DIR, "libsearch")
    config._libsearch_path = lib._name


def pytest_report_header(config):
    return "libsearch %s from %s" % (libsearch.library_version(), config._libsearch_path)


# A small corpus with distinct topics: cats (rare words, so RM3 has expansion terms: the
# library only expands with terms found in at most 10% of the documents), dogs, and filler.
CATS = {
    "cat-1": ("Cats", "cats purr and cats meow; a kitten is a young cat with whiskers"),
    "cat-2": ("The mat", "the cat sat on the mat, whiskers twitching, purring loudly"),
    "cat-3": ("Kittens", "kitten whiskers purr meow feline"),
    "cat-4": ("Felines", "feline behaviour: purring, whiskers, and the young kitten"),
}
DOGS = {
    "dog-1": ("Dogs", "dogs bark and dogs wag their tails; a puppy is a young dog"),
    "dog-2": ("The ball", "the dog chased the ball, tail wagging, barking loudly"),
    "dog-3": ("Dog and cat", "the dog and the cat are friends: the dog barks, the cat purrs"),
}
FILLER = {
    "news-%02d" % i: ("Report %d" % i, "the %s report on %s markets and %s trade" % (a, b, c))
    for i, (a, b, c) in enumerate(
        (a, b, c) for a in ("annual", "quarterly", "monthly", "weekly", "daily")
        for b in ("asian", "european", "african", "american")
        for c in ("grain", "steel", "oil"))
}
CORPUS = {**CATS, **DOGS, **FILLER}


def build(path, docs=CORPUS, **index_kwargs):
    """Writes docs ({id: (title, body)}) to a new index at path and returns the path."""
    with libsearch.Index(path, **index_kwargs) as ix:
        for doc_id, (title, body) in docs.items():
            ix.add(doc_id, title=title, body=body)
    return str(path)


@pytest.fixture
def corpus_index(tmp_path):
    return build(tmp_path / "corpus")


@pytest.fixture
def searcher(corpus_index):
    with libsearch.Searcher(corpus_index) as s:
        yield s
