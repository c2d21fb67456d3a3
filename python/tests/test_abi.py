# SPDX-License-Identifier: MIT
"""The ctypes declarations against libsearch.h: constants and *_INIT defaults parsed from the
header text, struct layouts from a C compiler, and every struct field round-tripped through
the library (a mis-declared field reads or writes the wrong bytes, and one of these fails)."""

import ctypes
import math
import os
import re
import shutil
import subprocess

import pytest

import libsearch
from libsearch import _ffi

from conftest import CATS, HEADER, build, read_text

needs_header = pytest.mark.skipif(not os.path.exists(HEADER), reason="no libsearch.h here")

# ----------------------------------------------------------------------------------------------
# Constants and *_INIT macros, from the header text
# ----------------------------------------------------------------------------------------------


def header_macros():
    """{name: python value} of the header's object-like LS_* macros."""
    text = read_text(HEADER)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = text.replace("\\\n", " ")
    env = {"UINT64_MAX": (1 << 64) - 1, "NULL": None}
    out = {}
    for m in re.finditer(r"^\s*#define\s+(LS_\w+)[ \t]+(.+)$", text, flags=re.M):
        name, value = m.group(1), m.group(2).strip()
        if name in ("LS_API",) or "(" in name:
            continue
        expr = re.sub(r"\b(\d+)(?:ull|ul|u|ll|l)\b", r"\1", value, flags=re.I)
        expr = expr.replace("{", "(").replace("}", ",)")
        try:
            out[name] = eval(expr, {"__builtins__": {}}, {**env, **out})  # noqa: S307
        except Exception as e:  # pragma: no cover - a macro this parser cannot read
            raise AssertionError("cannot evaluate #define %s %s: %s" % (name, value, e))
    return out


@needs_header
def test_every_header_constant_is_mirrored_with_its_value():
    macros = header_macros()
    assert len(macros) > 50
    missing = [n for n in macros if not hasattr(_ffi, n)]
    assert not missing, "constants of libsearch.h missing from _ffi.py: %s" % missing
    for name, value in macros.items():
        ours = getattr(_ffi, name)
        if isinstance(value, float) or isinstance(ours, float):
            assert ours == value and type(ours) is type(value), name
        else:
            assert ours == value, "%s: header %r, _ffi %r" % (name, value, ours)


@needs_header
def test_init_macros_give_the_defaults():
    macros = header_macros()
    assert _ffi.LS_SEARCH_OPTIONS_INIT == macros["LS_SEARCH_OPTIONS_INIT"]
    assert _ffi.LS_WRITER_OPTIONS_INIT == macros["LS_WRITER_OPTIONS_INIT"]
    assert _ffi.LS_DOCUMENT_INIT == macros["LS_DOCUMENT_INIT"]
    assert _ffi.LS_OPEN_OPTIONS_INIT == macros["LS_OPEN_OPTIONS_INIT"]
    # The INIT tuples cover every field, and the ctypes structs built from them hold them.
    for struct, init in ((_ffi.ls_search_options, _ffi.LS_SEARCH_OPTIONS_INIT),
                         (_ffi.ls_writer_options, _ffi.LS_WRITER_OPTIONS_INIT),
                         (_ffi.ls_document, _ffi.LS_DOCUMENT_INIT),
                         (_ffi.ls_open_options, _ffi.LS_OPEN_OPTIONS_INIT)):
        assert len(struct._fields_) == len(init), struct.__name__
        s = struct(*init)
        assert tuple(getattr(s, n) for n, _ in struct._fields_) == init


def test_search_keyword_defaults_are_the_init_values():
    import inspect
    sig = inspect.signature(libsearch.Searcher.search).parameters
    d = dict(zip((n for n, _ in _ffi.ls_search_options._fields_), _ffi.LS_SEARCH_OPTIONS_INIT))
    assert sig["limit"].default == d["limit"]
    assert sig["offset"].default == d["offset"]
    assert sig["syntax"].default == {0: "strict", 1: "lenient", 2: "plain"}[d["syntax"]]
    assert sig["require_all"].default == bool(d["default_and"])
    assert sig["k1"].default == d["k1"] and sig["b"].default == d["b"]
    assert sig["snippets"].default == bool(d["snippets"])
    assert sig["snippet_words"].default == d["snippet_words"]
    assert sig["explain"].default == bool(d["explain"])
    assert sig["feedback_terms"].default == d["feedback_terms"]
    assert sig["feedback_weight"].default == d["feedback_weight"]
    assert sig["feedback_widen"].default == bool(d["feedback_widen"])
    assert sig["proximity"].default == d["proximity"]
    assert sig["proximity_depth"].default == d["proximity_depth"]
    assert sig["count_limit"].default == d["count_limit"]


# ----------------------------------------------------------------------------------------------
# Struct layouts, from a C compiler
# ----------------------------------------------------------------------------------------------

STRUCTS = [_ffi.ls_error, _ffi.ls_writer_options, _ffi.ls_document, _ffi.ls_open_options,
           _ffi.ls_doc_info, _ffi.ls_stored_document, _ffi.ls_index_stats,
           _ffi.ls_search_options, _ffi.ls_span,
           _ffi.ls_fragment, _ffi.ls_snippet, _ffi.ls_term_explain, _ffi.ls_explain,
           _ffi.ls_hit, _ffi.ls_feedback_doc, _ffi.ls_expansion_term]


@needs_header
def test_every_public_struct_is_declared():
    text = read_text(HEADER)
    # "typedef struct x {" and (a struct typedef'd ahead of its body) "struct x {"
    in_header = set(re.findall(r"^(?:typedef\s+)?struct\s+(\w+)\s*\{", text, flags=re.M))
    assert in_header == {s.__name__ for s in STRUCTS}


@needs_header
def test_every_public_function_is_declared():
    text = read_text(HEADER)
    in_header = set(re.findall(r"^LS_API\b[^;(]*?\b(ls_\w+)\s*\(", text, flags=re.M))
    assert len(in_header) > 20
    assert in_header == set(_ffi._PROTOTYPES)
    lib = _ffi.lib()
    missing = [n for n in in_header if not lib.has(n)]
    assert not missing, "the loaded library lacks %s" % missing


@needs_header
def test_struct_layouts_match_the_c_compiler(tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "libsearch.h"',
             'int main(void) {']
    for s in STRUCTS:
        n = s.__name__
        lines.append('printf("%s %%zu %%zu\\n", sizeof(%s), _Alignof(%s));' % (n, n, n))
        for f, _ in s._fields_:
            lines.append('printf("%s.%s %%zu %%zu\\n", offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                         % (n, f, n, f, n, f))
    lines += ["return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", "-I", os.path.dirname(HEADER), str(src), "-o", str(exe)],
                   check=True, capture_output=True)
    got = {}
    for line in subprocess.run([str(exe)], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        key, a, b = line.split()
        got[key] = (int(a), int(b))
    for s in STRUCTS:
        n = s.__name__
        assert got[n] == (ctypes.sizeof(s), ctypes.alignment(s)), n
        for f, _ in s._fields_:
            desc = getattr(s, f)
            assert got["%s.%s" % (n, f)] == (desc.offset, desc.size), "%s.%s" % (n, f)


# ----------------------------------------------------------------------------------------------
# Round trips: every field seen to be read or written by the library
# ----------------------------------------------------------------------------------------------

def test_document_and_hit_fields_round_trip(tmp_path):
    with libsearch.Index(tmp_path / "ix") as ix:
        ix.add("first", title="unused words", body="nothing to see")
        ix.add("id-\u00e9", title="Title \u00e9t\u00e9", body="body words zebra",
               path="/some/path.txt", stamp=b"\x00stamp\xff")
    with libsearch.Searcher(tmp_path / "ix") as s:
        (hit,) = s.search("zebra", explain=True)
        assert hit.id == "id-\u00e9" and hit.id_bytes == "id-\u00e9".encode()
        assert hit.title == "Title \u00e9t\u00e9"
        assert hit.path == "/some/path.txt"
        assert hit.doc == 1  # internal numbers follow the order of adding
        assert hit.score > 0 and math.isfinite(hit.score)
        assert hit.snippet.text == "body words zebra" and hit.snippet.matches == ["zebra"]
        assert hit.snippet.field == "body"
        assert hit.explain.n_docs == 2
        info = s.get("id-\u00e9")
        assert info.doc == 1 and info.stamp == b"\x00stamp\xff"
        assert s.ids(with_stamps=True) == [("first", b""), ("id-\u00e9", b"\x00stamp\xff")]
        (hit,) = s.search("unused")
        assert hit.path is None and hit.doc == 0


def test_term_explain_fields_round_trip(searcher):
    # k1 and b go in through ls_search_options and come back in every ls_term_explain.
    res = searcher.search("whiskers", explain=True, k1=0.9, b=0.3, limit=100)
    assert len(res) == 4
    n = searcher.stats().documents
    for hit in res:
        (t,) = hit.explain
        assert (t.term, t.field) == ("whisker", "all")
        assert (t.k1, t.b, t.weight) == (0.9, 0.3, 1.0)
        assert t.df == 4 and hit.explain.n_docs == n
        assert t.idf == pytest.approx(math.log(1 + (n - t.df + 0.5) / (t.df + 0.5)), abs=1e-12)
        assert t.tf == 1
        bm25 = t.idf * t.tf * (t.k1 + 1) / (
            t.tf + t.k1 * (1 - t.b + t.b * t.doc_len / t.avg_len))
        assert t.score == pytest.approx(bm25, rel=1e-9)
        assert t.score == pytest.approx(hit.score, abs=1e-9)


def test_search_option_fields_are_each_read(tmp_path, searcher):
    s = searcher
    everything = s.search("the", syntax="plain", limit=1000)  # a stop word alone stays
    assert len(everything) == everything.total > 20
    # limit, offset
    assert s.search("the", syntax="plain", limit=3, offset=2).ids == everything.ids[2:5]
    # syntax
    with pytest.raises(libsearch.QueryError):
        s.search('"cat', syntax="strict")
    assert len(s.search('"cat', syntax="lenient")) > 0
    assert s.search("cat AND", syntax="plain").total == s.search("cat and").total
    # default_and
    assert s.search("dog cat").total == 5 and s.search("dog cat", require_all=True).total == 1
    # snippets, snippet_words
    assert s.search("cat")[0].snippet is not None
    assert s.search("cat", snippets=False)[0].snippet is None
    for hit in s.search("young", snippet_words=3):
        assert len(hit.snippet.text.split()) <= 3
    assert len(s.search("young", snippet_words=50)[0].snippet.text.split()) > 3
    # explain
    assert s.search("cat")[0].explain is None and s.search("cat", explain=True)[0].explain


def test_feedback_fields_are_each_read(searcher):
    # title weighting off: each entry below is then a query or an expansion term's
    plain = searcher.search("cat", explain=True, title_weight=0)
    assert plain.total == 3 and all(len(h.explain) == 1 for h in plain)

    # feedback_docs (rm3), feedback_terms, feedback_weight: the query keeps the weight
    # feedback_weight (explain's first entry); feedback_terms expansion terms (the query's own
    # term may be one) share 1 - feedback_weight.
    seen = set()
    for docs, terms, weight in ((10, 5, 0.85), (2, 2, 0.5), (1, 3, 0.25), (10, 1, 0.85)):
        res = searcher.search("cat", explain=True, limit=100, feedback_docs=docs,
                              feedback_terms=terms, feedback_weight=weight, title_weight=0)
        assert res.total == plain.total  # matches never change
        expansion = {}
        for h in res:
            assert h.score == pytest.approx(h.explain.total, abs=1e-9)
            assert (h.explain[0].term, h.explain[0].weight) == ("cat", pytest.approx(weight))
            for t in h.explain[1:]:
                assert expansion.setdefault(t.term, t.weight) == t.weight
        assert len(expansion) == terms, expansion
        assert sum(expansion.values()) == pytest.approx(1 - weight, abs=1e-9)
        seen.add(tuple(sorted(expansion)))
    assert len(seen) == 4  # each setting expanded differently
    rm3 = searcher.search("cat", explain=True, rm3=True, limit=100)
    assert [h.score for h in rm3] == [h.score for h in searcher.search(
        "cat", feedback_docs=_ffi.LS_FEEDBACK_DOCS_ON, limit=100)]
    # feedback_widen: expansion terms bring in documents without "cat".
    widened = searcher.search("cat", rm3=True, feedback_widen=True, limit=100)
    assert widened.total > plain.total
    assert {"cat-3", "cat-4"} <= set(widened.ids)


def test_proximity_fields_are_each_read(searcher):
    base = searcher.search("young kitten", explain=True, limit=100)
    assert all(t.field != "proximity" for h in base for t in h.explain)
    for weight in (1.0, 7.5):
        res = searcher.search("young kitten", explain=True, proximity=weight, limit=100)
        assert res.total == base.total
        prox = [t for h in res for t in h.explain if t.field == "proximity"]
        assert prox and all(t.weight == pytest.approx(weight) for t in prox)
        for h in res:
            assert h.score == pytest.approx(h.explain.total, abs=1e-9)
    # proximity_depth: only the best `depth` first-pass hits are re-ranked.
    res = searcher.search("young kitten", explain=True, proximity=5.0, proximity_depth=1,
                          limit=100)
    with_bonus = [h for h in res if any(t.field == "proximity" for t in h.explain)]
    assert len(with_bonus) <= 1


def test_count_limit_field_is_read(tmp_path):
    # 20 short documents with the word thrice lead; 2,980 long ones with it once cannot reach
    # the top 10, so whole blocks of them are passed over once count_limit matches counted.
    docs = {"d%05d" % i: ("", "common common common" if i < 20 else "common " + "filler " * 50)
            for i in range(3000)}
    path = build(tmp_path / "big", docs)
    with libsearch.Searcher(path) as s:
        pruned = s.search("common")
        assert not pruned.total_exact and pruned.total < 3000
        fewer = s.search("common", count_limit=100)
        assert not fewer.total_exact and fewer.total < pruned.total
        exact = s.search("common", count_limit=5000)
        assert exact.total_exact and exact.total == 3000
        every = s.search("common", count_all=True)
        assert every.total_exact and every.total == 3000
        assert s.count("common") == 3000
        assert exact.ids == pruned.ids == fewer.ids == every.ids  # the hits never change
        assert [h.score for h in exact] == [h.score for h in pruned]


def test_writer_option_fields_are_each_read(tmp_path):
    # language: a French index stems French words.
    path = tmp_path / "fr"
    with libsearch.Index(path, language="french") as ix:
        ix.add("1", body="les chevaux mangent")
    with libsearch.Searcher(path) as s:
        assert s.stats().language == "french"
        assert s.search("cheval").ids == ["1"]
    # no_auto_merge, merge_factor: with merging off, each commit leaves a segment.
    path = tmp_path / "segs"
    with libsearch.Index(path, auto_merge=False) as ix:
        for i in range(4):
            ix.add(str(i), body="word")
            ix.commit()
    with libsearch.Searcher(path) as s:
        assert s.stats().segments == 4
    path = tmp_path / "merged"
    with libsearch.Index(path, merge_factor=2) as ix:
        for i in range(4):
            ix.add(str(i), body="word")
            ix.commit()
    with libsearch.Searcher(path) as s:
        assert s.stats().segments < 4
    # ram_budget: accepted (a tiny budget still indexes).
    with libsearch.Index(tmp_path / "ram", ram_budget=1) as ix:
        ix.add("x", body="word")


def test_stats_fields(tmp_path):
    path = build(tmp_path / "ix", CATS)
    with libsearch.Index(path) as ix:
        ix.delete("cat-1")
    with libsearch.Searcher(path) as s:
        st = s.stats()
    assert st.generation == 2 and st.segments >= 1
    assert st.documents == 3 and st.deleted_documents == 1
    assert st.language == "english" and st.skipped_generation == 0
    assert st.terms > 0 and st.postings > 0 and st.tokens > 0
    for name in ("bytes_dictionary", "bytes_postings", "bytes_positions", "bytes_doclens",
                 "bytes_stored", "bytes_manifest", "bytes_ids", "bytes_deletions"):
        assert getattr(st, name) > 0, name


def test_error_struct_round_trip(searcher):
    with pytest.raises(libsearch.QueryError) as ei:
        searcher.search("cat AND (dog")
    e = ei.value
    assert e.code == libsearch.LS_EQUERY and e.position == 8
    assert "parenthesis" in e.message and "byte 8" in e.message
    with pytest.raises(libsearch.InvalidArgumentError) as ei:
        searcher.search("cat", k1=-1)
    assert ei.value.position is None


def test_library_version():
    assert libsearch.library_version() == _ffi.LS_VERSION_STRING
    assert libsearch.library_version_number() == _ffi.LS_VERSION_NUMBER
    assert libsearch.strerror(libsearch.LS_ENOMEM) == "out of memory"
