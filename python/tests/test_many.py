# SPDX-License-Identifier: MIT
"""A Searcher over several indexes (ls_reader_open_many) scores as one index would."""

import pytest

import libsearch

from conftest import CATS, DOGS, FILLER, build

pytestmark = pytest.mark.skipif(not libsearch.load_library().has("ls_reader_open_many"),
                                reason="this libsearch has no ls_reader_open_many")


def test_several_indexes_search_as_one(tmp_path):
    a = build(tmp_path / "a", {**CATS, **FILLER})
    b = build(tmp_path / "b", DOGS)
    union = build(tmp_path / "union", {**CATS, **FILLER, **DOGS})
    with libsearch.Searcher([a, b]) as many, libsearch.Searcher(union) as one:
        for query in ("cat dog", "young", '"the dog"', "purr*", "cat"):
            got = many.search(query, limit=100, explain=True)
            want = one.search(query, limit=100, explain=True)
            assert got.ids == want.ids and got.total == want.total
            assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-12)
            assert [h.snippet.text for h in got] == [h.snippet.text for h in want]
            for h in got:
                assert h.index == (1 if h.id.startswith("dog-") else 0)
        assert many.get("dog-1") is not None and "cat-1" in many
        assert many.stats().documents == one.stats().documents
        many.check()


def test_reopen_sees_commits_of_any_index(tmp_path):
    a, b = build(tmp_path / "a", CATS), build(tmp_path / "b", DOGS)
    with libsearch.Searcher([a, b]) as s:
        assert s.reopen() is False
        with libsearch.Index(b) as ix:
            ix.add("dog-9", body="a new puppy")
        assert s.search("puppy").total == 1
        assert s.reopen() is True
        assert s.search("puppy").total == 2
        assert [h.index for h in s.search("puppy", limit=5)] == [1, 1]


def test_open_many_errors(tmp_path):
    a = build(tmp_path / "a", CATS)
    fr = build(tmp_path / "fr", {"x": ("", "les chevaux")}, language="french")
    with pytest.raises(libsearch.InvalidArgumentError):
        libsearch.Searcher([])
    with pytest.raises(libsearch.InvalidArgumentError):
        libsearch.Searcher([a, fr])
    with pytest.raises(libsearch.NotFoundError) as ei:
        libsearch.Searcher([a, tmp_path / "missing"])
    assert "missing" in ei.value.message
