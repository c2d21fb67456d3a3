# SPDX-License-Identifier: MIT
"""Shards searched apart with global statistics (libsearch.Shards) rank as one index of their
union: a random corpus (fixed seed) written once whole and once split in document order into
2-4 indexes, every kind of query, with and without RM3 feedback; the statistics themselves;
and the misuses the library refuses."""

import random

import pytest

import libsearch
from libsearch import _ffi
from libsearch import search as search_module

from conftest import build

pytestmark = pytest.mark.skipif(
    not all(libsearch.load_library().has(n) for n in _ffi.SHARD_FUNCTIONS),
    reason="this libsearch has no statistics for shards (ls_query_stats)")

SEED = 20261201
N_DOCS = 360
SPLITS = (2, 3, 4)


def make_vocabulary(rng):
    """About 120 made-up words sharing prefixes (for prefix queries), most frequent first."""
    syllables = ["ka", "ko", "ri", "ta", "mo", "lu", "ne", "sa", "vi", "do"]
    words = set()
    while len(words) < 120:
        words.add("".join(rng.choice(syllables) for _ in range(rng.choice((2, 2, 3)))))
    words = sorted(words)
    rng.shuffle(words)
    return words


def make_corpus(seed=SEED, n=N_DOCS):
    """{id: (title, body)} in document order: Zipf-like word frequencies, so that a few words
    are in most documents and most words in few (the ones RM3 may expand with)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    docs = {}
    for i in range(n):
        title = " ".join(rng.choices(vocab, weights, k=rng.randint(1, 3)))
        body = " ".join(rng.choices(vocab, weights, k=rng.randint(3, 16)))
        docs["doc-%04d" % i] = (title, body)
    return vocab, docs


def split_in_order(docs, n_parts, rng):
    """docs cut into n_parts consecutive, unequal, non-empty runs."""
    items = list(docs.items())
    cuts = sorted(rng.sample(range(1, len(items)), n_parts - 1))
    return [dict(items[a:b]) for a, b in zip([0] + cuts, cuts + [len(items)])]


def make_queries(vocab, docs, seed=SEED + 1, n=120):
    """(query, options) pairs of every kind, options varied."""
    rng = random.Random(seed)
    common, rare = vocab[:15], vocab[15:]
    bodies = [body.split() for _, body in docs.values()]

    def word():
        return rng.choice(common) if rng.random() < 0.6 else rng.choice(rare)

    def phrase():
        words = rng.choice([b for b in bodies if len(b) >= 3])
        at = rng.randrange(len(words) - 1)
        return '"%s"' % " ".join(words[at:at + rng.choice((2, 2, 3))])

    kinds = [
        lambda: (word(), {}),
        lambda: ("%s %s" % (word(), word()), {}),
        lambda: ("+%s +%s" % (rng.choice(common), word()), {}),
        lambda: ("%s OR %s OR %s" % (word(), word(), word()), {}),
        lambda: ("%s AND %s" % (rng.choice(common), rng.choice(common)), {}),
        lambda: ("%s -%s" % (word(), rng.choice(common)), {}),
        lambda: (phrase(), {}),
        lambda: ("%s %s" % (phrase(), word()), {}),
        lambda: (word()[:2] + "*", {}),
        lambda: ("%s* %s" % (word()[:3], word()), {}),
        lambda: ("title:%s %s" % (word(), word()), {}),
        lambda: ("%s %s" % (word(), word()), {"require_all": True}),
        lambda: ("(%s OR %s) +%s" % (word(), word(), rng.choice(common)), {}),
        lambda: ("%s %s %s" % (word(), word(), word()), {"syntax": "plain"}),
    ]
    out = []
    for i in range(n):
        query, options = kinds[i % len(kinds)]()
        options = dict(options, limit=rng.randint(1, 40))
        if rng.random() < 0.3:
            options["offset"] = rng.randrange(20)
        if i % 3 == 0:
            options["k1"] = 1.8
        if i % 5 == 0:
            options["b"] = 0.3
        options["explain"] = i % 2 == 0
        options["snippets"] = i % 3 != 1
        if i % 4 == 0:
            options["count_all"] = True
        if i % 3 == 2:  # feedback for a third of them (widened for some)
            options["rm3"] = True
            options["feedback_widen"] = i % 6 == 5
        out.append((query, options))
    return out


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """The corpus as one index and as its 2-, 3- and 4-way splits:
    (vocab, docs, union path, {n_parts: [shard paths]}, {doc id: shard} per split)."""
    root = tmp_path_factory.mktemp("shards")
    vocab, docs = make_corpus()
    union = build(root / "union", docs)
    rng = random.Random(SEED + 2)
    splits, owner = {}, {}
    for n_parts in SPLITS:
        parts = split_in_order(docs, n_parts, rng)
        splits[n_parts] = [build(root / ("split%d-%d" % (n_parts, k)), part)
                           for k, part in enumerate(parts)]
        owner[n_parts] = {doc_id: k for k, part in enumerate(parts) for doc_id in part}
    return vocab, docs, union, splits, owner


@pytest.fixture(scope="module")
def queries(collection):
    vocab, docs = collection[0], collection[1]
    return make_queries(vocab, docs)


def open_all(paths):
    return [libsearch.Searcher(p) for p in paths]


def close_all(searchers):
    for s in searchers:
        s.close()


def differences(got, want):
    """What differs between two Results (empty when they agree), as the C tests compare."""
    out = []
    if got.ids != want.ids:
        out.append("ids %s vs %s" % (got.ids, want.ids))
    if got.total_exact and want.total_exact and got.total != want.total:
        out.append("total %d vs %d" % (got.total, want.total))
    for a, b in zip(got, want):
        if abs(a.score - b.score) > 1e-9:
            out.append("%s: score %.17g vs %.17g" % (a.id, a.score, b.score))
        if a.rank != b.rank:
            out.append("%s: rank %d vs %d" % (a.id, a.rank, b.rank))
        if (a.snippet and a.snippet.text) != (b.snippet and b.snippet.text):
            out.append("%s: snippets differ" % a.id)
        if (a.explain is None) != (b.explain is None):
            out.append("%s: explanation missing" % a.id)
        elif a.explain is not None:
            if a.explain.n_docs != b.explain.n_docs or len(a.explain) != len(b.explain):
                out.append("%s: explanations differ" % a.id)
            for s, t in zip(a.explain, b.explain):
                if (s.term, s.field, s.df) != (t.term, t.field, t.df) or \
                        abs(s.score - t.score) > 1e-9:
                    out.append("%s: term %s df %g vs %s df %g" % (a.id, s.term, s.df, t.term,
                                                                 t.df))
    return out


def own_statistics(searchers, query, limit=10, offset=0, **options):
    """What the shards give without global statistics: each searched with its own figures,
    the hits merged the same way (the mistake Shards exists to avoid)."""
    runs = [s.search(query, limit=limit + offset, **options) for s in searchers]
    merged = sorted(((k, h) for k, res in enumerate(runs) for h in res),
                    key=lambda kh: (-kh[1].score, kh[0], kh[1].rank))
    return [h for _, h in merged[offset:offset + limit]]


# ----------------------------------------------------------------------------------------------
# Shards apart rank as their union
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_parts", SPLITS)
def test_shards_apart_rank_as_their_union(collection, queries, n_parts):
    _, docs, union, splits, owner = collection
    shards = open_all(splits[n_parts])
    one = libsearch.Searcher(union)
    try:
        sharded = libsearch.Shards(shards)
        assert len(sharded) == n_parts
        failures, with_hits, with_feedback, expanded = [], 0, 0, 0
        for query, options in queries:
            want = one.search(query, **options)
            got = sharded.search(query, **options)
            assert isinstance(got, libsearch.Results)
            assert got.query == query and got.offset == options.get("offset", 0)
            diff = differences(got, want)
            if diff:
                failures.append("%r %s: %s" % (query, options, "; ".join(diff[:3])))
            for h in got:
                assert h.index == owner[n_parts][h.id]  # names its shard
                assert h.doc == shards[h.index].get(h.id).doc  # the shard's document number
            with_hits += want.total > 0
            if options.get("rm3"):
                with_feedback += 1
                plain = dict(options, rm3=False, feedback_widen=False)
                expanded += [h.score for h in want] != [
                    h.score for h in one.search(query, **plain)]
        assert not failures, "%d of %d queries differ:\n%s" % (
            len(failures), len(queries), "\n".join(failures[:10]))
        # The queries were worth asking: most hit, and feedback did expand some of them.
        assert with_hits > len(queries) * 3 // 4
        assert with_feedback > 20 and expanded > 10
    finally:
        close_all(shards)
        one.close()
    assert search_module._live_hits == 0


def test_without_summing_the_scores_differ(collection, queries):
    # The comparison above can fail: shards scoring with their own figures do not rank as
    # their union (other idf, N and average lengths), while the summed figures do.
    _, _, union, splits, _ = collection
    shards = open_all(splits[3])
    one = libsearch.Searcher(union)
    try:
        sharded = libsearch.Shards(shards)
        differ = 0
        for query, options in queries[:40]:
            options = {k: v for k, v in options.items() if k not in ("rm3", "feedback_widen")}
            want = one.search(query, **options)
            local = own_statistics(shards, query, **options)
            if [h.id for h in local] != want.ids or any(
                    abs(a.score - b.score) > 1e-9 for a, b in zip(local, want)):
                differ += 1
            assert not differences(sharded.search(query, **options), want)
        assert differ > 20
    finally:
        close_all(shards)
        one.close()


def test_one_shard_is_its_own_union(collection, queries):
    _, _, union, _, _ = collection
    with libsearch.Searcher(union) as one:
        sharded = libsearch.Shards([one])
        for query, options in queries[:30]:
            assert not differences(sharded.search(query, **options),
                                   one.search(query, **options)), query


def test_pages_of_shards_make_the_whole_list(collection):
    vocab, _, union, splits, _ = collection
    shards = open_all(splits[4])
    try:
        sharded = libsearch.Shards(shards)
        query = "%s %s" % (vocab[0], vocab[20])
        with libsearch.Searcher(union) as one:
            everything = one.search(query, limit=1000, snippets=False)
        assert everything.total > 50
        pages = []
        for offset in range(0, everything.total + 10, 13):
            page = sharded.search(query, limit=13, offset=offset, snippets=False)
            assert page.total == everything.total and page.total_exact
            assert [h.rank for h in page] == list(range(offset + 1, offset + 1 + len(page)))
            pages.extend(page)
        assert [h.id for h in pages] == everything.ids
        assert [h.score for h in pages] == pytest.approx([h.score for h in everything],
                                                         abs=1e-9)
        counted = sharded.search(query, limit=0)
        assert len(counted) == 0 and counted.total == everything.total
    finally:
        close_all(shards)


def test_the_same_as_a_searcher_over_every_shard(collection, queries):
    # Searcher([paths]) (ls_reader_open_many) also scores as the union, in one process; it
    # numbers the hits' indexes as Shards numbers their shards.
    _, _, _, splits, _ = collection
    shards = open_all(splits[2])
    try:
        with libsearch.Searcher(splits[2]) as many:
            sharded = libsearch.Shards(shards)
            for query, options in queries[:30]:
                got, want = sharded.search(query, **options), many.search(query, **options)
                assert not differences(got, want), query
                assert [h.index for h in got] == [h.index for h in want]
    finally:
        close_all(shards)


# ----------------------------------------------------------------------------------------------
# The statistics
# ----------------------------------------------------------------------------------------------

def test_global_stats_are_the_sums(collection):
    vocab, _, union, splits, _ = collection
    shards = open_all(splits[3])
    try:
        sharded = libsearch.Shards(shards)
        query = '%s "%s %s" title:%s %s*' % (vocab[0], vocab[1], vocab[2], vocab[3],
                                            vocab[4][:2])
        with sharded.stats(query) as st:
            assert len(st.shard_values) == 3
            names = st.names
            assert names[:3] == ("N", "tokens all", "tokens title")
            assert any(n.startswith("df title ") for n in names)
            assert any(n.startswith("prefix all ") for n in names)
            assert any(n.startswith("expansions all ") for n in names)
            for i, name in enumerate(names):
                local = [v[i] for v in st.shard_values]
                if name.startswith("expansions "):
                    # the union of the shards' terms: at most their sum, at least the most
                    assert max(local) <= st.values[i] <= sum(local)
                else:
                    assert st.values[i] == sum(local), name
            with libsearch.Searcher(union) as one:
                figures = one.stats()
                assert st.values[0] == figures.documents
                assert st.values[1] == figures.tokens
                # the statistics made beforehand give the results of one index
                assert not differences(sharded.search(query, stats=st, limit=30),
                                       one.search(query, limit=30))
                # and may be used again, also with feedback (which adds its candidates' df)
                before = len(st)
                assert not differences(sharded.search(query, stats=st, rm3=True, limit=30),
                                       one.search(query, rm3=True, limit=30))
                assert len(st) > before
                assert any(n.startswith("df all ") for n in st.names[before:])
                assert not differences(sharded.search(query, stats=st, rm3=True, limit=30),
                                       one.search(query, rm3=True, limit=30))
        assert st.closed and "closed" in repr(st)
        st.close()  # twice is fine
        with pytest.raises(ValueError, match="closed"):
            sharded.search(query, stats=st)
    finally:
        close_all(shards)


def words_index(path, prefix, start, stop):
    """Documents of one word each: prefix + base-26 numbers start..stop-1 (no stemming)."""
    docs = {}
    for i in range(start, stop):
        word = prefix + "".join(chr(ord("a") + d) for d in (i // 676, i // 26 % 26, i % 26))
        docs["%s-w%d" % (path.name, i)] = ("", word)
    return build(path, docs, language="none")


@pytest.mark.parametrize("b_range,fits", [((300, 1000), True), ((400, 1100), False)])
def test_prefix_cap_counts_the_union_of_expansions(tmp_path, b_range, fits):
    # 700 + 700 terms starting with zq: 400 shared stay under LS_MAX_PREFIX_TERMS as one
    # index of both does (the union of the shards' expansion lists, not their sum, is the
    # figure); 1100 distinct do not, apart or together.
    a = words_index(tmp_path / "a", "zq", 0, 700)
    b = words_index(tmp_path / "b", "zq", *b_range)
    with libsearch.Searcher(a) as sa, libsearch.Searcher(b) as sb, \
            libsearch.Searcher([a, b]) as both:
        sharded = libsearch.Shards([sa, sb])
        with sharded.stats("zq*") as st:
            (i,) = [i for i, n in enumerate(st.names) if n == "expansions all zq"]
            assert [v[i] for v in st.shard_values] == [700, 700]
            assert st.values[i] == max(700, b_range[1])
        if fits:
            got, want = sharded.search("zq*", limit=50), both.search("zq*", limit=50)
            assert not differences(got, want) and got.total == 1400
        else:
            with pytest.raises(libsearch.LimitError, match="1024 terms"):
                both.search("zq*")
            with pytest.raises(libsearch.LimitError, match="1024 terms"):
                sharded.search("zq*")


# ----------------------------------------------------------------------------------------------
# What cannot work on shards, said clearly
# ----------------------------------------------------------------------------------------------

@pytest.fixture
def two_shards(collection):
    vocab, _, _, splits, _ = collection
    shards = open_all(splits[2])
    yield vocab, libsearch.Shards(shards)
    close_all(shards)


def test_proximity_is_refused(two_shards):
    vocab, sharded = two_shards
    query = "%s %s" % (vocab[0], vocab[1])
    with pytest.raises(libsearch.InvalidArgumentError, match="proximity") as ei:
        sharded.search(query, proximity=1.0)
    assert ei.value.code == libsearch.LS_EINVAL
    with pytest.raises(libsearch.InvalidArgumentError, match="proximity"):
        sharded.search(query, proximity=1.0, rm3=True)
    assert sharded.search(query, proximity=0.0).total > 0


def test_statistics_of_another_query_are_refused(two_shards):
    vocab, sharded = two_shards
    with sharded.stats(vocab[0]) as st:
        assert sharded.search(vocab[0], stats=st).total > 0
        with pytest.raises(libsearch.InvalidArgumentError, match="df all " + vocab[1]) as ei:
            sharded.search(vocab[1], stats=st)
        assert ei.value.code == libsearch.LS_EINVAL and "same query" in ei.value.message
        with pytest.raises(libsearch.InvalidArgumentError, match="df all " + vocab[1]):
            sharded.search(vocab[1], stats=st, rm3=True)
        with pytest.raises(ValueError, match="2 shards given to 1"):
            libsearch.Shards(sharded.searchers[:1]).search(vocab[0], stats=st)
        with pytest.raises(TypeError):
            sharded.search(vocab[0], stats=st.values)


def test_other_errors_surface(two_shards, tmp_path):
    vocab, sharded = two_shards
    with pytest.raises(libsearch.QueryError) as ei:
        sharded.search("%s AND (" % vocab[0])
    assert ei.value.position is not None
    with pytest.raises(libsearch.QueryError):
        sharded.stats("%s AND (" % vocab[0])
    with pytest.raises(libsearch.InvalidArgumentError):
        sharded.search(vocab[0], k1=-1)
    with pytest.raises(TypeError):
        sharded.search(vocab[0], no_such_option=1)
    with pytest.raises(ValueError):
        libsearch.Shards([])
    with pytest.raises(TypeError):
        libsearch.Shards([str(tmp_path)])
    # Shards of other languages list other figures.
    en = build(tmp_path / "en", {"1": ("", "running cats")})
    none = build(tmp_path / "none", {"2": ("", "running cats")}, language="none")
    with libsearch.Searcher(en) as s, libsearch.Searcher(none) as t:
        with pytest.raises(libsearch.InvalidArgumentError, match="other figures"):
            libsearch.Shards([s, t]).search("cats")
    # A closed Searcher among the shards.
    closed = libsearch.Searcher(en)
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        libsearch.Shards([sharded.searchers[0], closed]).search("cats")


def test_statistics_and_expansions_are_freed(two_shards, monkeypatch):
    vocab, sharded = two_shards
    lib = sharded._lib
    made, freed, expansions = [], [], []
    real_stats, real_free = lib.ls_query_stats, lib.ls_stats_free
    real_terms, real_exp_free = lib.ls_feedback_terms, lib.ls_expansion_free

    def query_stats(r, q, n, opts, out, err):
        rc = real_stats(r, q, n, opts, out, err)
        if rc == 0:
            made.append(out._obj.value)
        return rc

    def feedback_terms(*args):
        rc = real_terms(*args)
        expansions.append(args[5]._obj)
        return rc

    monkeypatch.setattr(lib, "ls_query_stats", query_stats)
    monkeypatch.setattr(lib, "ls_stats_free", lambda s: (freed.append(s), real_free(s)))
    monkeypatch.setattr(lib, "ls_feedback_terms", feedback_terms)
    exp_freed = []
    monkeypatch.setattr(lib, "ls_expansion_free",
                        lambda t, n: (exp_freed.append(n), real_exp_free(t, n)))
    query = "%s %s" % (vocab[0], vocab[30])
    sharded.search(query, rm3=True)
    with pytest.raises(libsearch.InvalidArgumentError):
        sharded.search(query, proximity=1.0)
    with pytest.raises(libsearch.QueryError):
        sharded.search(query + " AND (")
    # the proximity search is refused by ls_query_stats itself: only the RM3 search made any
    assert len(made) == 2 and sorted(made) == sorted(freed)
    assert len(expansions) == 1 and exp_freed and exp_freed[0] > 0
    assert search_module._live_hits == 0
