# SPDX-License-Identifier: MIT
"""Searcher: the reading side (ls_reader, ls_search, ls_hits), and the result objects."""

import collections.abc
import ctypes
import struct
import threading
from dataclasses import dataclass, field as _field
from typing import Optional, Tuple

from . import _ffi
from ._convert import count, decode, string_at, to_bytes, to_path
from .errors import check

_D = _ffi.SEARCH_DEFAULTS  # LS_SEARCH_OPTIONS_INIT by field name
_SYNTAXES = {"strict": _ffi.LS_SYNTAX_STRICT, "lenient": _ffi.LS_SYNTAX_LENIENT,
             "plain": _ffi.LS_SYNTAX_PLAIN}
_SYNTAX_NAMES = {v: k for k, v in _SYNTAXES.items()}
_FIELD_NAMES = {_ffi.LS_FIELD_ALL: "all", _ffi.LS_FIELD_TITLE: "title",
                _ffi.LS_FIELD_BODY: "body"}
_SIZE_BITS = 8 * ctypes.sizeof(ctypes.c_size_t)
_string_at = ctypes.string_at  # (NULL, 0) gives b""

# Searches whose ls_hits are not yet freed (0 whenever no search is running): tests read it.
_live_hits = 0
_live_lock = threading.Lock()


# ----------------------------------------------------------------------------------------------
# Result objects: plain Python values, copied out of the C hits before they are freed
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fragment:
    """A piece of a snippet: plain text, or a matched word when is_match."""
    text: str
    is_match: bool


@dataclass(frozen=True)
class Snippet:
    """The best window of a hit's stored text around the query's words.

    text: the window. spans: (start, end) character ranges of the matched words in text,
    ascending (text[start:end] is a match). fragments: text cut into alternating plain and
    match pieces (Fragment objects, as ls_snippet.fragments). field: "body" (or "title" when
    the body is empty). field_offset: byte offset of the window in the stored (UTF-8) field;
    byte_spans: the library's byte ranges, relative to the window's UTF-8 bytes.
    starts_field / ends_field: the window holds the field's first / last word.
    """
    text: str
    spans: Tuple[Tuple[int, int], ...]
    field: str
    field_offset: int
    starts_field: bool
    ends_field: bool
    byte_spans: Tuple[Tuple[int, int], ...]

    @property
    def fragments(self):
        """text cut into alternating plain and match pieces (empty pieces left out)."""
        out, pos = [], 0
        for s, e in self.spans:
            if s > pos:
                out.append(Fragment(self.text[pos:s], False))
            out.append(Fragment(self.text[s:e], True))
            pos = e
        if pos < len(self.text):
            out.append(Fragment(self.text[pos:], False))
        return out

    @property
    def matches(self):
        """The matched words, in order."""
        return [self.text[s:e] for s, e in self.spans]

    def highlight(self, before="[", after="]", ellipsis="\u2026"):
        """text with each match wrapped in before/after, and ellipsis where the window cuts
        the field."""
        out, pos = [], 0
        for s, e in self.spans:
            out += [self.text[pos:s], before, self.text[s:e], after]
            pos = e
        out.append(self.text[pos:])
        return ("" if self.starts_field else ellipsis) + "".join(out) + \
            ("" if self.ends_field else ellipsis)

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class TermExplain:
    """One term's (or phrase's, prefix's, proximity share's) part in a hit's score; see
    ls_term_explain in libsearch.h. df is -1 for a phrase."""
    term: str
    field: str
    tf: float
    df: float
    idf: float
    doc_len: float
    avg_len: float
    k1: float
    b: float
    weight: float
    score: float


@dataclass(frozen=True)
class Explain:
    """Why a hit scored what it did: n_docs (N) and one entry per scored term; the entries'
    scores add up to the hit's score. Iterating yields the entries."""
    n_docs: float
    terms: Tuple[TermExplain, ...]

    def __iter__(self):
        return iter(self.terms)

    def __len__(self):
        return len(self.terms)

    def __getitem__(self, i):
        return self.terms[i]

    @property
    def total(self):
        return sum(t.score for t in self.terms)


@dataclass(frozen=True)
class Hit:
    """One result. id, title: as added (decoded from UTF-8 with errors="replace"; id_bytes is
    the exact id, e.g. for Index.delete). path: as stored, None when none was. doc: the
    internal document number (stable for one reader only). rank: 1-based position over all
    results (offset included). snippet / explain: None unless asked for. index: for a
    Searcher over several indexes, the position of the hit's index in the list (else 0)."""
    id: str
    title: str
    path: Optional[str]
    score: float
    doc: int
    rank: int
    snippet: Optional[Snippet] = None
    explain: Optional[Explain] = None
    index: int = 0
    id_bytes: bytes = _field(default=b"", repr=False)


class Results(collections.abc.Sequence):
    """The hits of one search (a sequence of Hit, best first) and the match count.

    total: documents matching the query; a lower bound when total_exact is False (matches
    past count_limit that could not reach the hits were skipped: see Searcher.search's
    count_all). offset: the offset asked for; query: the query text.
    """

    __slots__ = ("hits", "total", "total_exact", "offset", "query")

    def __init__(self, hits, total, total_exact, offset, query):
        self.hits = tuple(hits)
        self.total = total
        self.total_exact = total_exact
        self.offset = offset
        self.query = query

    def __getitem__(self, i):
        return self.hits[i]

    def __len__(self):
        return len(self.hits)

    @property
    def ids(self):
        return [h.id for h in self.hits]

    def __repr__(self):
        return "<libsearch.Results %r: %d hit%s of %s%d>" % (
            self.query, len(self.hits), "" if len(self.hits) == 1 else "s",
            "" if self.total_exact else "at least ", self.total)


@dataclass(frozen=True)
class DocInfo:
    """What Searcher.get finds about a document: its internal number and its stamp."""
    id: str
    doc: int
    stamp: bytes


@dataclass(frozen=True)
class Document:
    """A stored document, as added (Searcher.document)."""
    id: str
    title: str
    body: str
    path: str


@dataclass(frozen=True)
class IndexStats:
    """Figures about a reader's commit (ls_index_stats)."""
    generation: int
    segments: int
    documents: int
    terms: int
    postings: int
    tokens: int
    bytes_dictionary: int
    bytes_postings: int
    bytes_positions: int
    bytes_doclens: int
    bytes_stored: int
    bytes_manifest: int
    language: str
    deleted_documents: int
    bytes_ids: int
    bytes_deletions: int
    skipped_generation: int
    word_pairs: int
    pair_postings: int


def _decode_with_spans(raw, byte_spans):
    """Decodes raw and maps the byte spans to character ranges of the returned text."""
    if raw.isascii():
        return raw.decode("ascii"), byte_spans
    try:  # valid UTF-8 cut at character boundaries (the usual case)
        text = raw.decode("utf-8")
        return text, tuple((len(raw[:s].decode("utf-8")), len(raw[:e].decode("utf-8")))
                           for s, e in byte_spans)
    except UnicodeDecodeError:
        pass
    # Invalid bytes: decode piece by piece, cut at the spans' ends, so that the spans map to
    # character ranges of the text exactly.
    n = len(raw)
    cuts = sorted({0, n} | {min(max(x, 0), n) for span in byte_spans for x in span})
    pieces, char_at, pos = [], {}, 0
    for a, b in zip(cuts, cuts[1:]):
        char_at[a] = pos
        piece = decode(raw[a:b])
        pieces.append(piece)
        pos += len(piece)
    char_at[n] = pos
    spans = tuple((char_at[min(max(s, 0), n)], char_at[min(max(e, 0), n)])
                  for s, e in byte_spans)
    return "".join(pieces), spans


_SPAN_SIZE = ctypes.sizeof(_ffi.ls_span)
_SPAN_FORMAT = "@NN" + "x" * (_SPAN_SIZE - struct.calcsize("@NN"))


def _copy_snippet(sn):
    raw = _string_at(sn.text, sn.len)
    n = sn.n_matches
    if n:
        packed = _string_at(ctypes.cast(sn.matches, ctypes.c_void_p).value, n * _SPAN_SIZE)
        byte_spans = tuple((off, off + length)
                           for off, length in struct.iter_unpack(_SPAN_FORMAT, packed))
    else:
        byte_spans = ()
    text, spans = _decode_with_spans(raw, byte_spans)
    return Snippet(text=text, spans=spans, field=_FIELD_NAMES.get(sn.field, str(sn.field)),
                   field_offset=sn.field_offset, starts_field=bool(sn.starts_field),
                   ends_field=bool(sn.ends_field), byte_spans=byte_spans)


def _copy_explain(ex):
    terms = tuple(TermExplain(
        term=decode(t.term or b""), field=decode(t.field or b""), tf=t.tf, df=t.df,
        idf=t.idf, doc_len=t.doc_len, avg_len=t.avg_len, k1=t.k1, b=t.b, weight=t.weight,
        score=t.score) for t in ex.terms[:ex.n_terms]) if ex.n_terms else ()
    return Explain(n_docs=ex.n_docs, terms=terms)


def _copy_hit(h, rank, has_index=True):
    idb = _string_at(h.id, h.id_len)
    path = _string_at(h.path, h.path_len)
    return Hit(id=decode(idb), title=decode(_string_at(h.title, h.title_len)),
               path=decode(path) if path else None, score=h.score, doc=h.doc, rank=rank,
               snippet=_copy_snippet(h.snippet.contents) if h.snippet else None,
               explain=_copy_explain(h.explain.contents) if h.explain else None,
               index=h.index if has_index else 0, id_bytes=idb)


def _search_options(*, limit=_D["limit"], offset=_D["offset"],
                    syntax=_SYNTAX_NAMES[_D["syntax"]], require_all=bool(_D["default_and"]),
                    k1=_D["k1"], b=_D["b"], snippets=bool(_D["snippets"]),
                    snippet_words=_D["snippet_words"], explain=bool(_D["explain"]), rm3=False,
                    feedback_docs=None, feedback_terms=_D["feedback_terms"],
                    feedback_weight=_D["feedback_weight"],
                    feedback_widen=bool(_D["feedback_widen"]), proximity=_D["proximity"],
                    proximity_depth=_D["proximity_depth"], count_all=False,
                    count_limit=_D["count_limit"], title_weight=_D["title_weight"]):
    """The ls_search_options of Searcher.search's keyword arguments (checked and converted;
    the library checks the ranges)."""
    opts = _ffi.search_options_init()
    opts.limit = count(limit, "limit", _SIZE_BITS)
    opts.offset = count(offset, "offset", _SIZE_BITS)
    try:
        opts.syntax = _SYNTAXES[syntax]
    except (KeyError, TypeError):
        raise ValueError("syntax must be one of %s, not %r"
                         % (", ".join(map(repr, _SYNTAXES)), syntax)) from None
    opts.default_and = 1 if require_all else 0
    opts.k1 = float(k1)
    opts.b = float(b)
    opts.snippets = 1 if snippets else 0
    opts.snippet_words = count(snippet_words, "snippet_words", 32)
    opts.explain = 1 if explain else 0
    if feedback_docs is None:
        feedback_docs = _ffi.LS_FEEDBACK_DOCS_ON if rm3 else _ffi.LS_DEFAULT_FEEDBACK_DOCS
    opts.feedback_docs = count(feedback_docs, "feedback_docs", 32)
    opts.feedback_terms = count(feedback_terms, "feedback_terms", 32)
    opts.feedback_weight = float(feedback_weight)
    opts.feedback_widen = 1 if feedback_widen else 0
    opts.proximity = float(proximity)
    opts.proximity_depth = count(proximity_depth, "proximity_depth", 32)
    opts.title_weight = float(title_weight)
    opts.count_limit = _ffi.LS_COUNT_ALL if count_all else count(count_limit,
                                                                 "count_limit")
    return opts


# ----------------------------------------------------------------------------------------------
# Searcher
# ----------------------------------------------------------------------------------------------

class _Reader:
    """An ls_reader with a count of its users, closed when the last one lets go."""
    __slots__ = ("ptr", "refs")

    def __init__(self, ptr):
        self.ptr = ptr
        self.refs = 1


class Searcher:
    """A snapshot of an index's last commit (an ls_reader), to search.

    The snapshot does not change: changes committed later are seen after reopen() (or by a
    new Searcher). Usable as a context manager (closes on exit).

    Thread safety: any number of threads may call search() (and get, ids, stats, check) on
    one Searcher at once; the library runs them in parallel (ctypes releases the GIL during
    each call). reopen() and close() may be called while other threads search: the old
    snapshot is closed only when the searches using it have finished.

    Arguments:
        path: the index directory, or a list of them: several indexes are then searched as
            one collection (ls_reader_open_many), in the order given, scoring every hit as
            one index holding them all would; Hit.index says which one a hit comes from, and
            get() finds an id in the first index holding it. Raises NotFoundError when there
            is no index there (the message names it).
        recover: when the last commit's manifest is damaged, open the newest intact commit
            (stats().skipped_generation names the one skipped) instead of raising
            CorruptError.
    """

    def __init__(self, path, *, recover=False):
        self._lib = _ffi.lib()
        self._lock = threading.Lock()
        self._reader = None
        self._many_ok = self._lib.has("ls_reader_open_many")
        self.path = path
        out = ctypes.c_void_p()
        err = _ffi.ls_error()
        opts = _ffi.open_options_init()
        opts.recover = 1 if recover else 0
        if isinstance(path, (list, tuple)):
            if not self._many_ok:
                raise NotImplementedError("this libsearch has no ls_reader_open_many: "
                                          "search one index at a time")
            dirs = [to_path(p) for p in path]
            arr = (ctypes.c_char_p * max(len(dirs), 1))(*dirs)
            rc = self._lib.ls_reader_open_many(arr, len(dirs), ctypes.byref(opts),
                                               ctypes.byref(out), ctypes.byref(err))
        elif recover:
            rc = self._lib.ls_reader_open_opts(to_path(path), ctypes.byref(opts),
                                               ctypes.byref(out), ctypes.byref(err))
        else:
            rc = self._lib.ls_reader_open(to_path(path), ctypes.byref(out), ctypes.byref(err))
        check(rc, err)
        self._reader = _Reader(out)

    # -- lifecycle ---------------------------------------------------------------------------

    def _acquire(self):
        with self._lock:
            r = self._reader
            if r is None:
                raise ValueError("operation on a closed Searcher")
            r.refs += 1
            return r

    def _release(self, r):
        with self._lock:
            r.refs -= 1
            if r.refs:
                return
            ptr, r.ptr = r.ptr, None
        self._lib.ls_reader_close(ptr)

    @property
    def closed(self):
        return self._reader is None

    def close(self):
        """Closes the snapshot (once searches running on it have finished). Closing twice is
        harmless; Results already returned stay valid (they are copies)."""
        with self._lock:
            r, self._reader = self._reader, None
        if r is not None:
            self._release(r)

    def __enter__(self):
        if self._reader is None:
            raise ValueError("operation on a closed Searcher")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __del__(self):
        r = getattr(self, "_reader", None)
        if r is not None and r.ptr is not None:
            self._lib.ls_reader_close(r.ptr)
            r.ptr = None

    def __repr__(self):
        return "<libsearch.Searcher %r%s>" % (self.path, " closed" if self.closed else "")

    def reopen(self):
        """Picks up the index's newest commit (sharing what did not change). Returns True
        when a newer commit was found, False when the snapshot already was the newest."""
        r = self._acquire()
        out = ctypes.c_void_p()
        err = _ffi.ls_error()
        try:
            check(self._lib.ls_reader_reopen(r.ptr, ctypes.byref(out), ctypes.byref(err)), err)
        finally:
            self._release(r)
        if not out.value:
            return False
        new = _Reader(out)
        with self._lock:
            old = self._reader
            if old is not None:
                self._reader = new
        if old is None:  # closed meanwhile: stay closed
            self._release(new)
            raise ValueError("operation on a closed Searcher")
        self._release(old)
        return True

    # -- searching ---------------------------------------------------------------------------

    def search(self, query, *, limit=_D["limit"], offset=_D["offset"],
               syntax=_SYNTAX_NAMES[_D["syntax"]], require_all=bool(_D["default_and"]),
               k1=_D["k1"], b=_D["b"], snippets=bool(_D["snippets"]),
               snippet_words=_D["snippet_words"], explain=bool(_D["explain"]), rm3=False,
               feedback_docs=None, feedback_terms=_D["feedback_terms"],
               feedback_weight=_D["feedback_weight"], feedback_widen=bool(_D["feedback_widen"]),
               proximity=_D["proximity"], proximity_depth=_D["proximity_depth"],
               count_all=False, count_limit=_D["count_limit"],
               title_weight=_D["title_weight"]):
        """Runs a ranked query (BM25 over title and body) and returns Results.

        The defaults are those of LS_SEARCH_OPTIONS_INIT in libsearch.h.

        query: str or UTF-8 bytes. Syntax: words (OR-ed and ranked; require_all=True: all
            required), "phrases", AND, OR, NOT, +required, -excluded, ( ), prefix*,
            title:word, body:word.
        limit, offset: hits to return and to skip (paging); limit=0 only counts.
        syntax: "strict" (a syntax error raises QueryError with .position), "lenient"
            (never fails: mistakes read as words) or "plain" (no syntax: a bag of words).
        require_all: juxtaposed words must all match (the C option default_and).
        k1, b: BM25 parameters.
        title_weight: extra weight of a query word found in a document's title (0: titles
            count as body text); matches never change.
        snippets: compute Hit.snippet; snippet_words: words per snippet window.
        explain: attach Hit.explain (per-term shares of the score).
        rm3: RM3 pseudo-relevance feedback on, with LS_FEEDBACK_DOCS_ON feedback documents;
            feedback_docs (when given) sets that number itself (0: off).
            feedback_terms, feedback_weight, feedback_widen: see ls_search_options.
        proximity: weight of the term-proximity bonus re-ranking the best proximity_depth
            hits (0: off).
        count_all: count every match (Results.total is then always exact); else past
            count_limit matches, total may be a lower bound (Results.total_exact False).
        Raises QueryError, LimitError, InvalidArgumentError (an option out of range), ...
        """
        opts = _search_options(
            limit=limit, offset=offset, syntax=syntax, require_all=require_all, k1=k1, b=b,
            snippets=snippets, snippet_words=snippet_words, explain=explain, rm3=rm3,
            feedback_docs=feedback_docs, feedback_terms=feedback_terms,
            feedback_weight=feedback_weight, feedback_widen=feedback_widen,
            proximity=proximity, proximity_depth=proximity_depth, count_all=count_all,
            count_limit=count_limit, title_weight=title_weight)
        q = to_bytes(query, "query")
        return self._run(q, opts, query)

    def count(self, query, *, syntax=_SYNTAX_NAMES[_D["syntax"]],
              require_all=bool(_D["default_and"])):
        """The exact number of documents matching query (no hits are ranked)."""
        return self.search(query, limit=0, syntax=syntax, require_all=require_all,
                           snippets=False, count_all=True).total

    def _run(self, q, opts, query):
        r = self._acquire()
        try:
            return self._run_on(r, q, opts, query)
        finally:
            self._release(r)

    def _run_on(self, r, q, opts, query):
        """ls_search on reader r (acquired by the caller) -> Results."""
        global _live_hits
        lib = self._lib
        out = ctypes.c_void_p()
        err = _ffi.ls_error()
        rc = lib.ls_search(r.ptr, q, len(q), ctypes.byref(opts), ctypes.byref(out),
                           ctypes.byref(err))
        if out.value:
            with _live_lock:
                _live_hits += 1
        try:
            check(rc, err)
            h = out.value
            n = lib.ls_hits_count(h)
            get = lib.ls_hits_get
            has_index = self._many_ok
            hits = [_copy_hit(get(h, i).contents, opts.offset + i + 1, has_index)
                    for i in range(n)]
            return Results(hits, lib.ls_hits_total(h), bool(lib.ls_hits_total_exact(h)),
                           opts.offset, query)
        finally:
            if out.value:
                lib.ls_hits_free(out)
                with _live_lock:
                    _live_hits -= 1

    # -- documents and figures ---------------------------------------------------------------

    def get(self, id):
        """The live document with this id as a DocInfo (doc number, stamp), or None."""
        idb = to_bytes(id, "id")
        r = self._acquire()
        try:
            info = self._lookup(r, idb)
            return None if info is None else DocInfo(
                id=decode(idb), doc=info.doc, stamp=string_at(info.stamp, info.stamp_len))
        finally:
            self._release(r)

    def _lookup(self, r, idb):
        """ls_reader_get on reader r: the ls_doc_info of id idb, or None."""
        info = _ffi.ls_doc_info(_ffi.LS_DOC_INFO_VERSION)
        err = _ffi.ls_error()
        rc = self._lib.ls_reader_get(r.ptr, idb, len(idb), ctypes.byref(info), ctypes.byref(err))
        if rc == _ffi.LS_ENOTFOUND:
            return None
        check(rc, err)
        return info

    def document(self, id):
        """The stored fields of the live document with this id as a Document, or None."""
        if not hasattr(self._lib, "ls_reader_document"):
            raise NotImplementedError("this libsearch has no ls_reader_document")
        idb = to_bytes(id, "id")
        r = self._acquire()  # one reader for both calls: document numbers are per reader
        try:
            info = self._lookup(r, idb)
            fields = None if info is None else self._stored(r, info.doc)
        finally:
            self._release(r)
        if fields is None:
            return None
        return Document(*(decode(f) for f in fields))

    def _stored(self, r, doc):
        """ls_reader_document on reader r: the stored (id, title, body, path) of document
        number doc as bytes, or None when there is no such live document."""
        out = ctypes.POINTER(_ffi.ls_stored_document)()
        err = _ffi.ls_error()
        rc = self._lib.ls_reader_document(r.ptr, doc, ctypes.byref(out), ctypes.byref(err))
        if rc == _ffi.LS_ENOTFOUND:
            return None
        check(rc, err)
        try:
            d = out.contents
            return (string_at(d.id, d.id_len), string_at(d.title, d.title_len),
                    string_at(d.body, d.body_len), string_at(d.path, d.path_len))
        finally:
            self._lib.ls_stored_document_free(out)

    def __contains__(self, id):
        return self.get(id) is not None

    def ids(self, prefix="", *, with_stamps=False):
        """The ids of the live documents whose id starts with prefix, in bytewise order; with
        with_stamps, (id, stamp) pairs."""
        p = to_bytes(prefix, "prefix")
        found = []

        def each(idp, id_len, stampp, stamp_len, _payload):
            i = decode(string_at(idp, id_len))
            found.append((i, string_at(stampp, stamp_len)) if with_stamps else i)
            return 0

        fn = _ffi.ls_id_fn(each)
        err = _ffi.ls_error()
        r = self._acquire()
        try:
            check(self._lib.ls_reader_ids(r.ptr, p, len(p), fn, None, ctypes.byref(err)), err)
        finally:
            self._release(r)
        return found

    def stats(self):
        """Figures about the snapshot (IndexStats): documents, segments, generation, ..."""
        st = _ffi.ls_index_stats(_ffi.LS_INDEX_STATS_VERSION)
        err = _ffi.ls_error()
        r = self._acquire()
        try:
            check(self._lib.ls_reader_stats(r.ptr, ctypes.byref(st), ctypes.byref(err)), err)
        finally:
            self._release(r)
        values = {name: getattr(st, name) for name, _ in _ffi.ls_index_stats._fields_
                  if name != "version"}
        values["language"] = decode(values["language"])
        return IndexStats(**values)

    def check(self):
        """Verifies every byte of the snapshot (slow); raises CorruptError naming what is
        damaged."""
        err = _ffi.ls_error()
        r = self._acquire()
        try:
            check(self._lib.ls_reader_check(r.ptr, ctypes.byref(err)), err)
        finally:
            self._release(r)
