# SPDX-License-Identifier: MIT
"""Shards: several indexes searched apart, each with its own Searcher, and scored as one
collection with global statistics (ls_query_stats, ls_search_options.stats), as machines
holding the shards of one collection would search them.

The protocol is the one libsearch.h describes ("Shards searched apart: global statistics"),
Elasticsearch's DFS query-then-fetch:

1. every shard lists the figures the query scores with (ls_query_stats: N, token totals,
   the df of its terms, its prefixes' union df and expansion counts);
2. the figures are summed over the shards, element by element (an "expansions ..." figure
   is the size of the union of the shards' expansion lists instead), and every shard gets
   the sums (the all-reduce);
3. every shard searches with them (limit + offset hits each);
4. the hits are merged by score, ties by shard order, then by rank within the shard.

The results are those of one index holding the shards' documents in shard order (or of a
Searcher over all their directories). RM3 feedback adds a round in between: a first pass,
the best feedback_docs hits' stored texts, their terms' df summed over the shards
(ls_feedback_candidates, ls_stats_add), the collection's expansion (ls_feedback_terms),
then the final search with it (ls_search_options.expansion).

Here the shards are Searchers in one process, searched one after the other; the sums are
what a network round would carry.
"""

import ctypes
import dataclasses
import threading

from . import _ffi
from ._convert import decode, string_at, to_bytes
from .errors import InvalidArgumentError, check
from .search import Results, Searcher, _search_options

_EXPANSIONS = b"expansions "


def _names(lib, ptr):
    """The figure names of ls_stats ptr, as bytes, in order."""
    out = []
    n = ctypes.c_size_t()
    for i in range(lib.ls_stats_count(ptr)):
        p = lib.ls_stats_name(ptr, i, ctypes.byref(n))
        out.append(string_at(p, n.value))
    return out


def _expansions(lib, ptr, i):
    """The dictionary keys an "expansions" figure i of ls_stats ptr counts, as a set."""
    n = ctypes.c_size_t()
    p = lib.ls_stats_expansions(ptr, i, ctypes.byref(n))
    raw = string_at(p, n.value)
    return set(raw.split(b"\0")[:-1]) if raw else set()


class GlobalStats:
    """The figures one query scores with, summed over the shards of a Shards (Shards.stats).

    It holds one ls_stats per shard, each given the sums (as each machine would hold its own
    copy after the all-reduce). Pass it to Shards.search with the same query and options:
    the library refuses (InvalidArgumentError) statistics lacking a figure the query needs,
    e.g. those of another query. A search with feedback adds the figures of its expansion
    candidates to it. Freed by close() (or when garbage-collected); usable as a context
    manager.

    Attributes:
        query: the query text it was made for.
        names: the figures' names ("N", "tokens all", "df all cat", ...; see libsearch.h).
        values: the figures summed over the shards (floats, in name order).
        shard_values: each shard's own figures, before summing (a tuple per shard).
    """

    def __init__(self, lib, ptrs, query, names, local):
        self._lib = lib
        self._ptrs = ptrs  # one ls_stats per shard, every one holding the sums
        self._names = names  # bytes
        self._local = local  # [shard][figure] the shards' own values
        self._lock = threading.Lock()  # searches with feedback add figures
        self.query = query

    @property
    def closed(self):
        return self._ptrs is None

    def _check_open(self):
        if self._ptrs is None:
            raise ValueError("operation on closed GlobalStats")

    @property
    def names(self):
        return tuple(decode(n) for n in self._names)

    @property
    def values(self):
        self._check_open()
        with self._lock:
            v = self._lib.ls_stats_values(self._ptrs[0])
            return tuple(v[i] for i in range(len(self._names)))

    @property
    def shard_values(self):
        return tuple(tuple(v) for v in self._local)

    def __len__(self):
        return len(self._names)

    def _sum(self, start):
        """Sums figures start.. of the shards' own values and gives every shard the sums."""
        lib = self._lib
        for i in range(start, len(self._names)):
            if self._names[i].startswith(_EXPANSIONS):
                keys = set()
                for ptr in self._ptrs:
                    keys |= _expansions(lib, ptr, i)
                total = float(len(keys))
            else:
                total = 0.0
                for local in self._local:
                    total += local[i]
            for ptr in self._ptrs:
                lib.ls_stats_values(ptr)[i] = total

    def close(self):
        """Frees the statistics. Closing twice is harmless."""
        with self._lock:
            ptrs, self._ptrs = self._ptrs, None
        for ptr in ptrs or ():
            self._lib.ls_stats_free(ptr)

    def __enter__(self):
        self._check_open()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __del__(self):
        ptrs = getattr(self, "_ptrs", None)
        if ptrs:
            self._ptrs = None
            for ptr in ptrs:
                self._lib.ls_stats_free(ptr)

    def __repr__(self):
        return "<libsearch.GlobalStats %r: %d figures over %d shards%s>" % (
            self.query, len(self._names), len(self._local), " closed" if self.closed else "")


class Shards:
    """Several Searchers (the shards of one collection, each document in one of them) searched
    apart and scored as one collection, with the statistics of all of them (see the module's
    description of the protocol).

    search() gives what one index holding the shards' documents in the order of `searchers`
    would give: the same hits in the same order with the same scores, and the sum of the
    shards' match counts. Hit.index is the position of the hit's shard in `searchers`, and
    Hit.doc its document number in that shard's Searcher.

    Proximity re-ranking needs the collection's best hits, which no shard knows: a search
    with proximity > 0 raises InvalidArgumentError (the library refuses it).

    Arguments:
        searchers: a non-empty sequence of open Searchers of indexes with the same language
            (analyzer). They stay the caller's: Shards never closes them. Every search holds
            each one's current snapshot from its first step to its last.
    """

    def __init__(self, searchers):
        searchers = tuple(searchers)
        if not searchers:
            raise ValueError("Shards needs at least one Searcher")
        for s in searchers:
            if not isinstance(s, Searcher):
                raise TypeError("Shards takes Searchers, not %s" % type(s).__name__)
        self._lib = _ffi.lib()
        missing = sorted(n for n in _ffi.SHARD_FUNCTIONS if not self._lib.has(n))
        if missing:
            raise NotImplementedError("this libsearch has no %s" % ", ".join(missing))
        self.searchers = searchers

    def __len__(self):
        return len(self.searchers)

    def __repr__(self):
        return "<libsearch.Shards of %d searchers>" % len(self.searchers)

    # -- the readers of one search -----------------------------------------------------------

    def _acquire(self):
        readers = []
        try:
            for s in self.searchers:
                readers.append(s._acquire())
        except BaseException:
            self._release(readers)
            raise
        return readers

    def _release(self, readers):
        for s, r in zip(self.searchers, readers):
            s._release(r)

    # -- statistics --------------------------------------------------------------------------

    def stats(self, query, **options):
        """Step 1 and 2 of the protocol: the figures query scores with on every shard
        (ls_query_stats), summed, as GlobalStats. options: the keyword options of
        Searcher.search (those that change the figures are syntax and require_all; the
        others are checked as ls_search checks them)."""
        opts = _search_options(**options)
        q = to_bytes(query, "query")
        readers = self._acquire()
        try:
            return self._stats_on(readers, q, opts, query)
        finally:
            self._release(readers)

    def _stats_on(self, readers, q, opts, query):
        lib = self._lib
        ptrs = []
        try:
            for r in readers:
                out = ctypes.c_void_p()
                err = _ffi.ls_error()
                check(lib.ls_query_stats(r.ptr, q, len(q), ctypes.byref(opts),
                                         ctypes.byref(out), ctypes.byref(err)), err)
                ptrs.append(out.value)
            names = _names(lib, ptrs[0])
            for k, ptr in enumerate(ptrs[1:], 1):
                self._same_names(names, _names(lib, ptr), k)
            local = []
            for ptr in ptrs:
                v = lib.ls_stats_values(ptr)
                local.append([v[i] for i in range(len(names))])
        except BaseException:
            for ptr in ptrs:
                lib.ls_stats_free(ptr)
            raise
        st = GlobalStats(lib, ptrs, query, names, local)
        st._sum(0)
        return st

    def _same_names(self, want, got, k):
        if got != want:
            raise InvalidArgumentError(
                _ffi.LS_EINVAL, "shard %d lists other figures than shard 0 (%d vs %d: "
                "indexes of different languages?)" % (k, len(got), len(want)))

    # -- searching ---------------------------------------------------------------------------

    def search(self, query, *, stats=None, **options):
        """Runs query on every shard with the collection's statistics and returns the page
        [offset, offset + limit) of the merged hits as Results, as Searcher.search does.

        options: the keyword options of Searcher.search (limit, offset, syntax, require_all,
            k1, b, snippets, explain, rm3, feedback_*, count_all, count_limit, ...).
        stats: GlobalStats of this query and these options from stats(); None: made here
            (and freed) for this search.
        Results.total is the sum of the shards' match counts (exact when each is).
        Raises what Searcher.search raises; InvalidArgumentError for proximity > 0 and for
        statistics lacking a figure the query needs.
        """
        opts = _search_options(**options)
        q = to_bytes(query, "query")
        if stats is not None:
            if not isinstance(stats, GlobalStats):
                raise TypeError("stats must be GlobalStats, not %s" % type(stats).__name__)
            stats._check_open()
            if len(stats._local) != len(self.searchers):
                raise ValueError("stats of %d shards given to %d shards"
                                 % (len(stats._local), len(self.searchers)))
        readers = self._acquire()
        try:
            if stats is not None:
                with stats._lock:
                    stats._check_open()
                    return self._search_on(readers, q, opts, query, stats)
            st = self._stats_on(readers, q, opts, query)
            try:
                return self._search_on(readers, q, opts, query, st)
            finally:
                st.close()
        finally:
            self._release(readers)

    def _search_on(self, readers, q, opts, query, st):
        lib = self._lib
        expansion, n_expansion = None, 0
        try:
            if opts.feedback_docs > 0:
                expansion, n_expansion = self._feedback(readers, q, opts, query, st)
                if n_expansion:
                    opts.expansion = ctypes.cast(expansion, ctypes.c_void_p).value
                    opts.n_expansion = n_expansion
                else:  # no expansion terms: the first pass stands, as in one index
                    opts.feedback_docs = 0
            limit, offset = opts.limit, opts.offset
            merged, total, exact = self._run(readers, q, opts, query, st,
                                             limit + offset if limit else 0)
        finally:
            if expansion is not None:
                lib.ls_expansion_free(expansion, n_expansion)
        hits = [dataclasses.replace(h, rank=offset + j + 1, index=k)
                for j, (k, h) in enumerate(merged[offset:offset + limit])]
        return Results(hits, total, exact, offset, query)

    def _run(self, readers, q, opts, query, st, want, **changes):
        """Step 3 and 4: every shard searched with its summed statistics for `want` hits from
        the first; returns the merged (shard, Hit) pairs best first, the summed total and
        whether it is exact."""
        runs = []
        for k, (s, r) in enumerate(zip(self.searchers, readers)):
            o = _ffi.ls_search_options.from_buffer_copy(opts)
            o.limit, o.offset = want, 0
            for name, value in changes.items():
                setattr(o, name, value)
            o.stats = st._ptrs[k]
            runs.append(s._run_on(r, q, o, query))
        merged = sorted(((k, h) for k, res in enumerate(runs) for h in res),
                        key=lambda kh: (-kh[1].score, kh[0], kh[1].rank))
        return (merged, sum(res.total for res in runs),
                all(res.total_exact for res in runs))

    def _feedback(self, readers, q, opts, query, st):
        """The RM3 round: the first pass (feedback off), the best feedback_docs hits' stored
        texts, their candidate terms' df summed over the shards, the collection's expansion.
        Returns (ls_expansion_term pointer or None, count)."""
        lib = self._lib
        n_docs = opts.feedback_docs
        merged, _, _ = self._run(readers, q, opts, query, st, n_docs, feedback_docs=0,
                                 snippets=0, explain=0)
        best = merged[:n_docs]
        docs = (_ffi.ls_feedback_doc * max(len(best), 1))()
        for i, (k, h) in enumerate(best):
            stored = self.searchers[k]._stored(readers[k], h.doc)
            if stored is None:  # pragma: no cover - the snapshot is held: cannot happen
                raise InvalidArgumentError(_ffi.LS_EINVAL, "hit %r of shard %d has no "
                                           "stored document" % (h.id, k))
            _, title, body, _ = stored
            docs[i].title, docs[i].title_len = title, len(title)
            docs[i].body, docs[i].body_len = body, len(body)
            docs[i].score = h.score
        # The first shard names the candidates (their df with its figures) ...
        start = len(st._names)
        err = _ffi.ls_error()
        check(lib.ls_feedback_candidates(readers[0].ptr, docs, len(best), st._ptrs[0],
                                         ctypes.byref(err)), err)
        names = _names(lib, st._ptrs[0])
        new = names[start:]
        # ... every other shard adds them with its own ...
        if new:
            joined = b"".join(n + b"\0" for n in new)
            for k in range(1, len(readers)):
                check(lib.ls_stats_add(readers[k].ptr, st._ptrs[k], joined, len(joined),
                                       ctypes.byref(err)), err)
        for k, ptr in enumerate(st._ptrs):
            got = _names(lib, ptr)
            self._same_names(names, got, k)
            v = lib.ls_stats_values(ptr)
            st._local[k].extend(v[i] for i in range(start, len(names)))
        st._names = names
        # ... and all get the sums, from which the first shard makes the expansion.
        st._sum(start)
        out = ctypes.POINTER(_ffi.ls_expansion_term)()
        n = ctypes.c_size_t()
        check(lib.ls_feedback_terms(readers[0].ptr, docs, len(best), st._ptrs[0],
                                    ctypes.byref(opts), ctypes.byref(out), ctypes.byref(n),
                                    ctypes.byref(err)), err)
        return (out if out else None), n.value
