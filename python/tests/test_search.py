# SPDX-License-Identifier: MIT
"""Searcher: results, paging, snippets, explain, options, reopen, documents."""

import ctypes

import pytest

import libsearch
from libsearch import _ffi

from conftest import CATS, CORPUS, DOGS, build


def test_results_are_a_sequence_of_hits(searcher):
    res = searcher.search("cat")
    assert isinstance(res, libsearch.Results)
    assert len(res) == 3 and res.total == 3 and res.total_exact
    assert [h.rank for h in res] == [1, 2, 3]
    assert list(res) == [res[0], res[1], res[2]] and res[-1] == res[2]
    assert res[:2] == (res[0], res[1])
    assert res.ids == [h.id for h in res]
    scores = [h.score for h in res]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(h, libsearch.Hit) for h in res)
    assert "3 hits of 3" in repr(res)
    none = searcher.search("unicorn")
    assert len(none) == 0 and not none and none.total == 0


def test_paging(searcher):
    everything = searcher.search("the", syntax="plain", limit=1000)
    n = len(everything)
    assert n == everything.total > 20
    pages = []
    for offset in range(0, n, 7):
        page = searcher.search("the", syntax="plain", limit=7, offset=offset)
        assert page.total == n and page.offset == offset
        assert [h.rank for h in page] == list(range(offset + 1, offset + 1 + len(page)))
        pages.extend(page)
    assert [h.id for h in pages] == everything.ids
    assert [h.score for h in pages] == [h.score for h in everything]
    past = searcher.search("the", syntax="plain", limit=7, offset=n + 5)
    assert len(past) == 0 and past.total == n
    counted = searcher.search("the", syntax="plain", limit=0)
    assert len(counted) == 0 and counted.total == n


def test_snippet_spans_line_up_with_the_text(tmp_path):
    bodies = {
        "ascii": "the quick brown fox jumps over the lazy dog near the fox den",
        "accents": "\u00c9l\u00e8ve na\u00efve: le caf\u00e9 fox \u00e0 na\u00efve fox bo\u00eete",
        "cjk": "\u4e2d\u6587 fox \u65e5\u672c\u8a9e fox \U0001f98a emoji fox",
        "invalid": b"bad \xff\xfe bytes fox \xe2\x82 cut fox \xc3 end",
    }
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        for doc_id, body in bodies.items():
            ix.add(doc_id, title="t", body=body)
    with libsearch.Searcher(path) as s:
        res = s.search("fox", limit=10)
        assert sorted(res.ids) == sorted(bodies)
        for hit in res:
            sn = hit.snippet
            assert sn.field == "body" and sn.starts_field and sn.ends_field
            assert sn.spans and sn.matches == ["fox"] * len(sn.spans)
            assert all(0 <= a < b <= len(sn.text) for a, b in sn.spans)
            assert list(sn.spans) == sorted(sn.spans)
            raw = bodies[hit.id] if isinstance(bodies[hit.id], bytes) else \
                bodies[hit.id].encode()
            if hit.id != "invalid":
                assert sn.text == bodies[hit.id]
            assert all(raw[a:b] == b"fox" for a, b in sn.byte_spans)
            # fragments alternate plain and match pieces and rebuild the text
            assert "".join(f.text for f in sn.fragments) == sn.text
            assert [f.text for f in sn.fragments if f.is_match] == sn.matches
            assert all(a.is_match != b.is_match or a.is_match
                       for a, b in zip(sn.fragments, sn.fragments[1:]))
        accents = next(h for h in res if h.id == "accents")
        assert accents.snippet.highlight("<", ">") == (
            "\u00c9l\u00e8ve na\u00efve: le caf\u00e9 <fox> \u00e0 na\u00efve <fox> bo\u00eete")
        # Accent folding: the matched word is shown as stored.
        assert s.search("naive")[0].snippet.matches == ["na\u00efve", "na\u00efve"]


def c_fragments(searcher, query, **opts):
    """The library's own ls_snippet.fragments, read directly through ctypes."""
    lib = _ffi.lib()
    o = _ffi.search_options_init()
    for k, v in opts.items():
        setattr(o, k, v)
    out = ctypes.c_void_p()
    err = _ffi.ls_error()
    q = query.encode()
    r = searcher._acquire()
    try:
        assert lib.ls_search(r.ptr, q, len(q), ctypes.byref(o), ctypes.byref(out),
                             ctypes.byref(err)) == 0
        got = []
        for i in range(lib.ls_hits_count(out)):
            sn = lib.ls_hits_get(out, i).contents.snippet.contents
            got.append([(ctypes.string_at(f.text, f.len).decode(), bool(f.is_match))
                        for f in sn.fragments[:sn.n_fragments]])
        return got
    finally:
        lib.ls_hits_free(out)
        searcher._release(r)


@pytest.mark.parametrize("query", ["cat", "young kitten", '"young cat"', "whisk*",
                                   "purring loudly", "feline OR bark"])
def test_fragments_are_the_librarys(searcher, query):
    ours = [[(f.text, f.is_match) for f in h.snippet.fragments]
            for h in searcher.search(query, limit=100)]
    assert ours == c_fragments(searcher, query, limit=100)


def test_snippet_window_and_field(tmp_path):
    long_body = " ".join("w%d" % i for i in range(200)) + " target " + \
        " ".join("v%d" % i for i in range(200))
    path = tmp_path / "ix"
    with libsearch.Index(path) as ix:
        ix.add("long", title="a title", body=long_body)
        ix.add("titled", title="target in the title only")
    with libsearch.Searcher(path) as s:
        res = {h.id: h for h in s.search("target", snippet_words=9)}
        sn = res["long"].snippet
        assert not sn.starts_field and not sn.ends_field
        assert len(sn.text.split()) <= 9 and sn.matches == ["target"]
        assert long_body.encode()[sn.field_offset:sn.field_offset + len(sn.text)].decode() \
            == sn.text
        assert sn.highlight().startswith("\u2026") and sn.highlight().endswith("\u2026")
        assert "[target]" in sn.highlight()
        assert str(sn) == sn.text
        title_sn = res["titled"].snippet
        assert title_sn.field == "title" and title_sn.matches == ["target"]


@pytest.mark.parametrize("query,kw", [
    ("cat", {}), ("young kitten dog", {}), ('"young cat"', {}), ("whisk*", {}),
    ("title:dog cat", {}), ("+young -dog kitten", {}), ("young kitten", {"proximity": 3.0}),
    ("cat", {"rm3": True}), ("cat", {"rm3": True, "feedback_widen": True}),
    ("young puppy kitten", {"k1": 2.0, "b": 0.1}), ("the cat", {"syntax": "plain"}),
    ("young kitten", {"rm3": True, "proximity": 10.0}),
])
def test_explain_entries_add_up_to_the_score(searcher, query, kw):
    res = searcher.search(query, explain=True, limit=100, **kw)
    assert len(res) > 0
    for hit in res:
        assert isinstance(hit.explain, libsearch.Explain) and len(hit.explain) > 0
        assert hit.explain.n_docs == len(CORPUS)
        assert abs(sum(t.score for t in hit.explain) - hit.score) <= 1e-9
        assert hit.explain.total == pytest.approx(hit.score, abs=1e-9)
        for t in hit.explain:
            assert isinstance(t, libsearch.TermExplain)
            assert t.field in ("all", "title", "body", "proximity")


def test_explain_names_phrases_and_prefixes(searcher):
    (hit,) = searcher.search('"young cat"', explain=True)
    assert hit.id == "cat-1"
    (t,) = hit.explain
    assert t.term == "young cat" and t.df == -1 and t.tf == 1
    res = searcher.search("whisk*", explain=True)
    assert {t.term for h in res for t in h.explain} == {"whisk*"}
    assert res[0].explain[0].df == 4
    res = searcher.search("title:dog", explain=True)
    assert {t.field for h in res for t in h.explain} == {"title"}


def test_options_change_results_as_documented(searcher):
    s = searcher
    # OR by default, AND with require_all
    assert sorted(s.search("young dog", limit=100).ids) == sorted(
        ["cat-1", "cat-4", "dog-1", "dog-2", "dog-3"])
    assert s.search("young dog", require_all=True).ids == ["dog-1"]
    assert s.search("young AND dog").ids == ["dog-1"]
    # phrase
    assert s.search('"young kitten"').ids == ["cat-4"]
    assert sorted(s.search("young kitten", require_all=True).ids) == ["cat-1", "cat-4"]
    # prefix
    assert sorted(s.search("pur*").ids) == ["cat-1", "cat-2", "cat-3", "cat-4", "dog-3"]
    # (a prefix matches stemmed terms: "purring" is indexed as "pur", so purr* misses it)
    assert sorted(s.search("purr*").ids) == ["cat-1", "cat-3", "dog-3"]
    # NOT, -, +
    assert sorted(s.search("cat NOT dog").ids) == ["cat-1", "cat-2"]
    assert sorted(s.search("cat -dog").ids) == ["cat-1", "cat-2"]
    assert s.search("+dog +cat").ids == ["dog-3"]
    # fields
    assert sorted(s.search("title:dog").ids) == ["dog-1", "dog-3"]
    assert s.search("body:dogs title:ball").ids[0] == "dog-2"
    # plain syntax: operators are words
    assert s.search('"young kitten" OR', syntax="plain").total == \
        s.search("young kitten").total
    # stop words dropped from free text, kept when alone or quoted
    assert s.search("the cat").total == s.search("cat").total
    assert s.search("the").total > 20
    # BM25 parameters change scores, not matches
    a, b = s.search("young", limit=100), s.search("young", k1=0.1, b=0.0, limit=100)
    assert sorted(a.ids) == sorted(b.ids)
    assert [h.score for h in a] != [h.score for h in b]
    # proximity re-ranks, never changes matches
    p = s.search("young kitten", proximity=50.0, limit=100)
    q = s.search("young kitten", limit=100)
    assert sorted(p.ids) == sorted(q.ids) and p.total == q.total
    # lenient syntax never fails
    assert s.search('(("cat', syntax="lenient").total >= 0
    with pytest.raises(ValueError, match="syntax must be one of"):
        s.search("cat", syntax="loose")
    with pytest.raises(ValueError, match="limit must be >= 0"):
        s.search("cat", limit=-1)
    with pytest.raises(TypeError):
        s.search("cat", 5)  # options are keyword-only


def test_reopen_sees_new_commits_and_old_results_stay_valid(tmp_path):
    path = build(tmp_path / "ix", CATS)
    s = libsearch.Searcher(path)
    old = s.search("cat")
    with libsearch.Index(path) as ix:
        ix.add("dog-3", *DOGS["dog-3"])
        ix.delete("cat-1")
    assert s.search("cat").ids == old.ids
    assert s.reopen() is True
    new = s.search("cat")
    assert sorted(new.ids) == ["cat-2", "dog-3"]
    assert old[0].snippet.text  # copies: valid after the reader they came from closed
    assert s.reopen() is False
    s.close()
    with pytest.raises(ValueError, match="closed"):
        s.search("cat")
    with pytest.raises(ValueError, match="closed"):
        s.reopen()
    s.close()


def test_get_ids_contains_count_stats(searcher):
    assert searcher.get("cat-1").doc == 0 and searcher.get("nope") is None
    assert "dog-2" in searcher and "dog-9" not in searcher
    assert searcher.ids("dog") == sorted(DOGS)
    assert searcher.ids() == sorted(CORPUS)
    assert searcher.count("cat") == 3 and searcher.count("young dog", require_all=True) == 1
    assert searcher.stats().documents == len(CORPUS)
    searcher.check()


def test_searcher_context_manager(corpus_index):
    with libsearch.Searcher(corpus_index) as s:
        assert not s.closed and s.search("cat").total == 3
    assert s.closed
    with pytest.raises(ValueError, match="closed"):
        with s:
            pass


def test_recovering_open(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with libsearch.Index(path) as ix:
        ix.add("more", body="words")
    manifests = sorted(p for p in (tmp_path / "ix").iterdir() if "manifest" in p.name)
    assert manifests
    newest = manifests[-1]
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.write_bytes(bytes(data))
    with pytest.raises(libsearch.CorruptError) as ei:
        libsearch.Searcher(path)
    assert newest.name in ei.value.message
    with libsearch.Searcher(path, recover=True) as s:
        st = s.stats()
        assert st.skipped_generation == 2 and st.generation == 1
        assert "more" not in s and "cat-1" in s


def test_document_returns_the_stored_fields(tmp_path):
    with libsearch.Index(tmp_path / "ix") as ix:
        ix.add("d1", title="Narwhal", body="The narwhal has a tusk.", path="/zoo/narwhal.txt")
        ix.add("d2", title="Walrus", body="Walruses have tusks too.")
    with libsearch.Searcher(tmp_path / "ix") as s:
        d = s.document("d1")
        assert d == libsearch.Document(id="d1", title="Narwhal", body="The narwhal has a tusk.",
                                       path="/zoo/narwhal.txt")
        assert s.document("d2").path == ""
        assert s.document("nope") is None


def test_title_weight_raises_title_matches_and_keeps_the_matches(searcher):
    off = searcher.search("cat", title_weight=0, explain=True, limit=100)
    on = searcher.search("cat", explain=True, limit=100)  # LS_DEFAULT_TITLE_WEIGHT
    assert sorted(on.ids) == sorted(off.ids) and on.total == off.total
    before = {h.id: h.score for h in off}
    for hit in on:
        titles = [t for t in hit.explain if t.field == "title"]
        if hit.id in ("cat-1", "dog-3"):  # "Cats", "Dog and cat": the word is in the title
            (t,) = titles
            assert t.weight == pytest.approx(_ffi.LS_DEFAULT_TITLE_WEIGHT)
            assert hit.score == pytest.approx(before[hit.id] + t.score, abs=1e-9)
            assert hit.score > before[hit.id]
        else:
            assert titles == [] and hit.score == before[hit.id]
    # a field's word and a phrase take no title weighting
    for q in ("body:cat", '"young cat"'):
        res = searcher.search(q, explain=True, limit=100)
        assert all(t.field != "title" for h in res for t in h.explain)
    with pytest.raises(libsearch.InvalidArgumentError):
        searcher.search("cat", title_weight=-1)
