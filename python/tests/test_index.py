# SPDX-License-Identifier: MIT
"""Index: adding, replacing, deleting, committing, the context manager."""

import pytest

import libsearch

from conftest import CATS, DOGS, build


def ids(path, query, **kw):
    with libsearch.Searcher(path) as s:
        return sorted(s.search(query, limit=1000, **kw).ids)


def test_add_commit_search(tmp_path):
    path = tmp_path / "ix"
    ix = libsearch.Index(path)
    ix.add("a", title="First", body="alpha words")
    ix.add("b", title="Second", body="beta words")
    ix.commit()
    ix.close()
    assert ids(path, "words") == ["a", "b"]
    assert ids(path, "alpha") == ["a"]


def test_changes_are_invisible_until_commit(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with libsearch.Index(path) as ix, libsearch.Searcher(path) as s:
        ix.add("new", body="zebra")
        assert ids(path, "zebra") == []
        ix.commit()
        assert s.search("zebra").total == 0  # a snapshot
        assert s.reopen() is True
        assert s.search("zebra").ids == ["new"]
        assert s.reopen() is False


def test_update_replaces_by_id(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with libsearch.Index(path) as ix:
        ix.update("cat-1", title="Zebras", body="stripes")
    assert ids(path, "stripes") == ["cat-1"]
    assert ids(path, "meow") == ["cat-3"]  # the old text of cat-1 is gone
    with libsearch.Searcher(path) as s:
        assert s.stats().documents == len(CATS)
        assert s.search("stripes")[0].title == "Zebras"


def test_add_replaces_too_and_an_id_is_never_found_twice(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        for i in range(5):
            ix.add("same", body="version %d shared" % i)
    with libsearch.Searcher(path) as s:
        res = s.search("shared")
        assert res.ids == ["same"] and res.total == 1
        assert s.search("4").ids == ["same"] and s.search("3").total == 0


def test_delete(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with libsearch.Index(path) as ix:
        assert ix.delete("cat-3") is True
        with pytest.raises(libsearch.NotFoundError, match="no document with id 'nope'"):
            ix.delete("nope")
        assert ix.delete("nope", missing_ok=True) is False
        ix.add("x", body="meow")
        assert ix.delete("x") is True  # added since the last commit
    assert ids(path, "meow") == ["cat-1"]
    with libsearch.Searcher(path) as s:
        assert "cat-3" not in s and "cat-1" in s and "x" not in s
        assert s.stats().documents == len(CATS) - 1


def test_delete_prefix(tmp_path):
    path = build(tmp_path / "ix", {**CATS, **DOGS})
    with libsearch.Index(path) as ix:
        assert ix.delete_prefix("cat-") == len(CATS)
        assert ix.delete_prefix("cat-") == 0
        assert ix.delete_prefix("zzz") == 0
    with libsearch.Searcher(path) as s:
        assert s.ids() == sorted(DOGS)
        assert s.ids("dog-") == sorted(DOGS) and s.ids("cat") == []
    with libsearch.Index(path) as ix:
        assert ix.delete_all() == len(DOGS)
    with libsearch.Searcher(path) as s:
        assert s.ids() == [] and s.stats().documents == 0


def test_context_manager_commits_and_closes(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        ix.add("a", body="kept")
    assert ix.closed
    assert ids(path, "kept") == ["a"]
    libsearch.Index(path).close()  # the lock was released


def test_context_manager_does_not_commit_on_exception(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with pytest.raises(RuntimeError):
        with libsearch.Index(path) as ix:
            ix.add("lost", body="zebra")
            ix.delete("cat-1")
            raise RuntimeError("boom")
    assert ix.closed
    assert ids(path, "zebra") == [] and "cat-1" in ids(path, "cat")
    libsearch.Index(path).close()  # the lock was released


def test_close_discards_uncommitted_changes(tmp_path):
    path = build(tmp_path / "ix", CATS)
    ix = libsearch.Index(path)
    ix.add("lost", body="zebra")
    ix.close()
    ix.close()  # twice is fine
    assert ids(path, "zebra") == []
    with pytest.raises(ValueError, match="closed"):
        ix.add("x", body="y")
    with pytest.raises(ValueError, match="closed"):
        ix.commit()
    with pytest.raises(ValueError, match="closed"):
        with ix:
            pass


def test_optimize_merges_and_keeps_scores(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(path, auto_merge=False) as ix:
        for i, (doc_id, (title, body)) in enumerate({**CATS, **DOGS}.items()):
            ix.add(doc_id, title=title, body=body)
            if i % 2:
                ix.commit()  # two documents a segment
        ix.delete("cat-1")
    with libsearch.Searcher(path) as s:
        before = [(h.id, h.score) for h in s.search("cat dog young", limit=100)]
        st = s.stats()
        assert st.segments == 4 and st.deleted_documents == 1
    with libsearch.Index(path) as ix:
        ix.optimize()
    with libsearch.Searcher(path) as s:
        st = s.stats()
        assert st.segments == 1 and st.deleted_documents == 0
        after = [(h.id, h.score) for h in s.search("cat dog young", limit=100)]
    assert [i for i, _ in after] == [i for i, _ in before]
    assert [sc for _, sc in after] == pytest.approx([sc for _, sc in before], abs=1e-12)
    with libsearch.Index(path, auto_merge=False) as ix:
        ix.add("extra", body="word")
        ix.commit()
        ix.add("extra2", body="word")
        ix.commit()
        ix.optimize(max_segments=2)
    with libsearch.Searcher(path) as s:
        assert s.stats().segments <= 2


def test_str_and_bytes_are_both_accepted(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(str(path).encode()) as ix:
        ix.add(b"bytes-id", title=b"T\xc3\xa9", body=b"caf\xc3\xa9 au lait", path=b"/p")
        ix.add("str-id", title="T\u00e9", body="caf\u00e9 noir", stamp="stamp\u00e9")
        ix.add(bytearray(b"ba"), body=memoryview(b"caf\xc3\xa9 filtre"))
    with libsearch.Searcher(path) as s:
        assert sorted(s.search("cafe", limit=10).ids) == ["ba", "bytes-id", "str-id"]
        assert sorted(s.search(b"caf\xc3\xa9").ids) == ["ba", "bytes-id", "str-id"]
        assert s.get(b"str-id").stamp == "stamp\u00e9".encode()
        assert s.search("lait")[0].title == "T\u00e9"


def test_invalid_utf8_is_stored_as_bytes_and_returned_replaced(tmp_path):
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        ix.add(b"id-\xff", title=b"bad \xfe title", body=b"good \xff words")
    with libsearch.Searcher(path) as s:
        (hit,) = s.search("words")
        assert hit.id == "id-\ufffd" and hit.id_bytes == b"id-\xff"
        assert hit.title == "bad \ufffd title"
        assert hit.snippet.matches == ["words"]
    with libsearch.Index(path) as ix:
        ix.delete(hit.id_bytes)  # the exact id deletes it
    with libsearch.Searcher(path) as s:
        assert s.search("words").total == 0


def test_wrong_types_raise_type_error(tmp_path):
    with libsearch.Index(tmp_path / "ix") as ix:
        with pytest.raises(TypeError, match="id must be str or bytes"):
            ix.add(5, body="x")
        with pytest.raises(TypeError, match="body must be str or bytes"):
            ix.add("x", body=5)
        with pytest.raises(ValueError):
            ix.optimize(-1)


def test_language(tmp_path):
    path = tmp_path / "fr"
    with libsearch.Index(path, language="french") as ix:
        ix.add("1", body="les chevaux mangent")
    with libsearch.Index(path) as ix:  # None: keep the recorded language
        ix.add("2", body="un cheval")
    with libsearch.Index(path, language="french"):
        pass
    with pytest.raises(libsearch.InvalidArgumentError, match="built with language 'french'"):
        libsearch.Index(path, language="english")
    with libsearch.Searcher(path) as s:
        assert sorted(s.search("chevaux").ids) == ["1", "2"]
    with pytest.raises(libsearch.LibsearchError):
        libsearch.Index(tmp_path / "klingon", language="klingon")


def test_index_is_usable_from_threads(tmp_path):
    import threading
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        def work(k):
            for i in range(200):
                ix.add("t%d-%d" % (k, i), body="thread %d item %d" % (k, i))
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with libsearch.Searcher(path) as s:
        assert s.stats().documents == 800
        assert s.count("thread") == 800


def test_threads_index_as_one_thread_does(tmp_path):
    """Index threads (a small budget: many batches, segments written mid-way): the same live
    documents and the same scores as one thread, replacements and deletions included."""
    words = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "heath"]
    results = []
    for threads in (1, 2, 3):
        path = tmp_path / ("ix%d" % threads)
        with libsearch.Index(path, language="none", threads=threads,
                             ram_budget=256 * 1024) as ix:
            for i in range(1500):
                body = " ".join(words[(i * k + k) % len(words)] for k in range(1, 2 + i % 9))
                ix.add("d%d" % (i % 1100), title="t%d" % i, body=body)
            ix.delete("d7")
            assert ix.delete_prefix("d10") == 111  # d10, d100..d109, d1000..d1099
            ix.commit()
        with libsearch.Searcher(path) as s:
            got = {}
            for w in words + ["amber ember", "cobalt OR heath"]:
                r = s.search(w, limit=2000)
                got[w] = sorted((h.id, round(h.score, 9)) for h in r.hits)
            results.append((s.search("t1499").ids, got, s.stats().documents))
    assert results[0][2] == 1100 - 1 - 111
    assert results[0][0] == ["d399"]
    assert results[1] == results[0] and results[2] == results[0]
