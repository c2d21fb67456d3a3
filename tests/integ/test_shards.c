/* SPDX-License-Identifier: MIT */
/*
 * test_shards.c - shards searched apart, as machines would search them (ls_query_stats, the
 * figures summed, ls_search with them, the hits merged; RM3 through ls_feedback_candidates and
 * ls_feedback_terms), against one index of the union: random corpora split in order across
 * 1-5 indexes, every query type, the same ids, order and scores (to 1e-9), totals, snippets
 * and explanations. Then a prefix whose expansions overlap across shards (the union, not the
 * sum, meets the cap), and the options that cannot work on shards.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "oracle_corpus.h"
#include "reader/globalstats.h"
#include "splitutil.h"
#include "testutil.h"

typedef struct shard_hit {
    const ls_hit *hit;
    size_t shard, rank;
} shard_hit;

typedef struct shard_run {
    ls_hits *hits[MAX_PARTS];
    ls_hits *fetched[MAX_PARTS]; /* the page's hits made by ls_search_fetch (query, then fetch) */
    shard_hit *merged;
    size_t n;
    uint64_t total;
    int exact;
} shard_run;

static int cmp_shard_hit(const void *a, const void *b)
{
    const shard_hit *x = a, *y = b;
    if (x->hit->score != y->hit->score)
        return x->hit->score > y->hit->score ? -1 : 1;
    if (x->shard != y->shard)
        return x->shard < y->shard ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static void run_free(shard_run *r, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ls_hits_free(r->hits[k]);
        ls_hits_free(r->fetched[k]);
    }
    free(r->merged);
    memset(r, 0, sizeof *r);
}

/* Every shard searched with `so` (limit + offset hits each, from 0), merged best first. */
static int run_shards(ls_reader **sh, size_t n, const qcase *q, const ls_search_options *so,
                      shard_run *out, ls_error *err)
{
    memset(out, 0, sizeof *out);
    ls_search_options o = *so;
    o.limit = so->limit + so->offset;
    o.offset = 0;
    out->exact = 1;
    size_t cap = 0;
    for (size_t k = 0; k < n; k++) {
        int rc = ls_search(sh[k], q->text, q->len, &o, &out->hits[k], err);
        if (rc != LS_OK)
            return rc;
        cap += ls_hits_count(out->hits[k]);
        out->total += ls_hits_total(out->hits[k]);
        out->exact &= ls_hits_total_exact(out->hits[k]);
    }
    out->merged = calloc(cap ? cap : 1, sizeof *out->merged);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < ls_hits_count(out->hits[k]); i++)
            out->merged[out->n++] = (shard_hit){ls_hits_get(out->hits[k], i), k, i};
    qsort(out->merged, out->n, sizeof *out->merged, cmp_shard_hit);
    return LS_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The size of the union of the shards' expansion lists for figure i. */
static double expansions_union(ls_stats **st, size_t n, size_t i)
{
    size_t cap = 0, m = 0;
    for (size_t k = 0; k < n; k++)
        cap += (size_t)ls_stats_values(st[k])[i];
    char **v = calloc(cap ? cap : 1, sizeof *v);
    for (size_t k = 0; k < n; k++) {
        size_t len;
        const char *p = ls_stats_expansions(st[k], i, &len);
        for (size_t at = 0; at < len; at += strlen(p + at) + 1)
            v[m++] = (char *)p + at;
    }
    ck_assert_uint_eq(m, cap);
    qsort(v, m, sizeof *v, cmp_str);
    size_t distinct = 0;
    for (size_t j = 0; j < m; j++)
        distinct += j == 0 || strcmp(v[j], v[j - 1]) != 0;
    free(v);
    return (double)distinct;
}

/* Sums figures from..count of every shard into st[0] (the union for expansion counts). */
static void sum_into_first(ls_stats **st, size_t n, size_t from)
{
    size_t count = ls_stats_count(st[0]);
    for (size_t k = 1; k < n; k++) {
        ck_assert_uint_eq(ls_stats_count(st[k]), count);
        for (size_t i = 0; i < count; i++) {
            size_t la, lb;
            const char *a = ls_stats_name(st[0], i, &la), *b = ls_stats_name(st[k], i, &lb);
            ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "figure %zu: %.*s vs %.*s", i,
                          (int)la, a, (int)lb, b);
        }
    }
    double *g = ls_stats_values(st[0]);
    for (size_t i = from; i < count; i++) {
        size_t len;
        const char *name = ls_stats_name(st[0], i, &len);
        if (len > 11 && memcmp(name, "expansions ", 11) == 0) {
            g[i] = expansions_union(st, n, i);
            continue;
        }
        for (size_t k = 1; k < n; k++)
            g[i] += ls_stats_values(st[k])[i];
    }
}

/* RM3 over shards: the first pass, the candidates' figures, the expansion. *opt gets it, or
 * feedback off when there is none. */
static int shard_feedback(ls_reader **sh, size_t n, ls_stats **st, const qcase *q,
                          ls_search_options *opt, ls_expansion_term **exp, size_t *n_exp,
                          ls_error *e)
{
    ls_search_options first = *opt;
    first.feedback_docs = 0;
    first.limit = opt->feedback_docs;
    first.offset = 0;
    first.snippets = 0;
    first.explain = 0;
    shard_run fr;
    ls_error err;
    first.stats = st[0];
    int rc = run_shards(sh, n, q, &first, &fr, e);
    if (rc != LS_OK) {
        run_free(&fr, n);
        return rc;
    }
    size_t nd = fr.n < opt->feedback_docs ? fr.n : opt->feedback_docs;
    ls_feedback_doc *docs = calloc(nd ? nd : 1, sizeof *docs);
    ls_stored_document **stored = calloc(nd ? nd : 1, sizeof *stored);
    for (size_t i = 0; i < nd; i++) {
        const shard_hit *h = &fr.merged[i];
        ck_assert_int_eq(ls_reader_document(sh[h->shard], h->hit->doc, &stored[i], &err), LS_OK);
        docs[i] = (ls_feedback_doc){stored[i]->title, stored[i]->title_len, stored[i]->body,
                                    stored[i]->body_len, h->hit->score};
    }
    size_t from = ls_stats_count(st[0]);
    ck_assert_int_eq(ls_feedback_candidates(sh[0], docs, nd, st[0], &err), LS_OK);
    /* the other shards add the new names, in order, with their own figures */
    size_t count = ls_stats_count(st[0]), bytes = 0;
    for (size_t i = from; i < count; i++) {
        size_t len;
        ls_stats_name(st[0], i, &len);
        bytes += len + 1;
    }
    char *names = malloc(bytes ? bytes : 1), *at = names;
    for (size_t i = from; i < count; i++) {
        size_t len;
        const char *nm = ls_stats_name(st[0], i, &len);
        memcpy(at, nm, len);
        at[len] = '\0';
        at += len + 1;
    }
    for (size_t k = 1; k < n; k++)
        ck_assert_int_eq(ls_stats_add(sh[k], st[k], names, bytes, &err), LS_OK);
    free(names);
    sum_into_first(st, n, from);
    ck_assert_int_eq(ls_feedback_terms(sh[0], docs, nd, st[0], opt, exp, n_exp, &err), LS_OK);
    if (*n_exp == 0) {
        opt->feedback_docs = 0;
    } else {
        opt->expansion = *exp;
        opt->n_expansion = *n_exp;
    }
    for (size_t i = 0; i < nd; i++)
        ls_stored_document_free(stored[i]);
    free(stored);
    free(docs);
    run_free(&fr, n);
    return LS_OK;
}

static char *compare_hits(const ls_hits *a, const shard_run *b, size_t offset)
{
    size_t nb = b->n > offset ? b->n - offset : 0;
    if (ls_hits_count(a) < nb)
        nb = ls_hits_count(a); /* the union's page is limit long at most */
    if (ls_hits_count(a) != nb)
        return ls_corpus_msgf("%zu vs %zu hits", ls_hits_count(a), nb);
    if (b->exact && ls_hits_total_exact(a) && ls_hits_total(a) != b->total)
        return ls_corpus_msgf("total %llu vs %llu", (unsigned long long)ls_hits_total(a),
                              (unsigned long long)b->total);
    for (size_t i = 0; i < nb; i++) {
        const ls_hit *x = ls_hits_get(a, i), *y = b->merged[offset + i].hit;
        if (strcmp(x->id, y->id) != 0 || fabs(x->score - y->score) > 1e-9)
            return ls_corpus_msgf("rank %zu: %s %.17g vs %s %.17g", i + 1, x->id, x->score,
                                  y->id, y->score);
        if ((x->snippet == NULL) != (y->snippet == NULL) ||
            (x->snippet && (x->snippet->len != y->snippet->len ||
                            memcmp(x->snippet->text, y->snippet->text, x->snippet->len))))
            return ls_corpus_msgf("rank %zu: %s: snippets differ", i + 1, x->id);
        if ((x->explain == NULL) != (y->explain == NULL) ||
            (x->explain && (x->explain->n_terms != y->explain->n_terms ||
                            x->explain->n_docs != y->explain->n_docs)))
            return ls_corpus_msgf("rank %zu: %s: explanations differ", i + 1, x->id);
        for (size_t t = 0; x->explain && t < x->explain->n_terms; t++) {
            const ls_term_explain *p = &x->explain->terms[t], *r = &y->explain->terms[t];
            if (strcmp(p->term, r->term) || p->df != r->df || fabs(p->score - r->score) > 1e-9)
                return ls_corpus_msgf("rank %zu: %s: term %s df %g vs %s df %g", i + 1, x->id,
                                      p->term, p->df, r->term, r->df);
        }
    }
    return NULL;
}

/* Query, then fetch: the run made without snippets and explanations, then each shard makes
 * the hits of the page [offset, offset + limit) it holds, which replace the merged ones. */
static int fetch_page(ls_reader **sh, size_t n, const qcase *q, const ls_search_options *so,
                      shard_run *run, ls_error *err)
{
    size_t end = so->offset + so->limit < run->n ? so->offset + so->limit : run->n;
    for (size_t k = 0; k < n; k++) {
        uint64_t docs[64];
        double scores[64];
        size_t at[64], m = 0;
        for (size_t i = so->offset; i < end; i++)
            if (run->merged[i].shard == k) {
                ck_assert_uint_lt(m, 64);
                docs[m] = run->merged[i].hit->doc;
                scores[m] = run->merged[i].hit->score;
                at[m++] = i;
            }
        int rc = ls_search_fetch(sh[k], q->text, q->len, so, docs, scores, m,
                                 &run->fetched[k], err);
        if (rc != LS_OK)
            return rc;
        ck_assert_uint_eq(ls_hits_count(run->fetched[k]), m);
        for (size_t j = 0; j < m; j++) {
            const ls_hit *h = ls_hits_get(run->fetched[k], j);
            ck_assert_uint_eq(h->doc, docs[j]);
            ck_assert_str_eq(h->id, run->merged[at[j]].hit->id);
            run->merged[at[j]].hit = h;
        }
    }
    return LS_OK;
}

/* One query over the union and over the shards apart; NULL when they agree. */
static char *compare(const split *s, ls_reader **sh, const qcase *q,
                     const ls_search_options *so)
{
    ls_hits *a = NULL;
    ls_error ea, eb;
    int ra = ls_search(s->c.reader, q->text, q->len, so, &a, &ea);
    ls_stats *st[MAX_PARTS] = {NULL};
    int rb = LS_OK;
    for (size_t k = 0; k < s->n_parts && rb == LS_OK; k++)
        rb = ls_query_stats(sh[k], q->text, q->len, so, &st[k], &eb);
    char *m = NULL;
    ls_expansion_term *exp = NULL;
    size_t n_exp = 0;
    shard_run run = {0};
    if (rb == LS_OK) {
        sum_into_first(st, s->n_parts, 0);
        ls_search_options o = *so;
        o.stats = st[0];
        if (o.feedback_docs > 0)
            rb = shard_feedback(sh, s->n_parts, st, q, &o, &exp, &n_exp, &eb);
        /* with snippets or explanations, half the time: query without them, then fetch */
        int two_phase = (so->snippets || so->explain) && (q->len % 2 == 0);
        ls_search_options first = o;
        if (two_phase)
            first.snippets = first.explain = 0;
        if (rb == LS_OK)
            rb = run_shards(sh, s->n_parts, q, &first, &run, &eb);
        if (rb == LS_OK && two_phase)
            rb = fetch_page(sh, s->n_parts, q, &o, &run, &eb);
    }
    if (ra != rb)
        m = ls_corpus_msgf("status %d vs %d (%s / %s)", ra, rb, ea.message,
                           rb ? eb.message : "");
    else if (ra == LS_OK)
        m = compare_hits(a, &run, so->offset);
    if (m != NULL) {
        char *full = ls_corpus_msgf("'%s' (%zu shards): %s", q->text, s->n_parts, m);
        free(m);
        m = full;
    }
    run_free(&run, s->n_parts);
    ls_expansion_free(exp, n_exp);
    for (size_t k = 0; k < s->n_parts; k++)
        ls_stats_free(st[k]);
    ls_hits_free(a);
    return m;
}

START_TEST(shards_apart_rank_as_their_union)
{
    static const gen_fn gens[] = {ls_gen_term,  ls_gen_or,    ls_gen_and,   ls_gen_not,
                                  ls_gen_required, ls_gen_phrase, ls_gen_field, ls_gen_mixed,
                                  ls_gen_plain, ls_gen_prefix};
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0x5a4d);
    size_t compared = 0, with_hits = 0, with_feedback = 0;
    for (size_t n_parts = 1; n_parts <= MAX_PARTS; n_parts++) {
        split s;
        split_build(&s, ls_rng_next(&r), 500 + ls_rng_below(&r, 400), n_parts);
        ls_reader *sh[MAX_PARTS];
        ls_error err;
        for (size_t k = 0; k < n_parts; k++)
            ck_assert_int_eq(ls_reader_open(s.dirs[k], &sh[k], &err), LS_OK);
        tally t = {0};
        for (int i = 0; i < 100; i++) {
            qcase q;
            gens[i % (sizeof gens / sizeof gens[0])](&s.c, &r, &q);
            ls_qcase_finish(&q);
            ls_search_options so = LS_SEARCH_OPTIONS_INIT;
            so.syntax = q.syntax;
            so.default_and = q.default_and;
            so.limit = 1 + ls_rng_below(&r, 40);
            so.offset = ls_rng_below(&r, 3) == 0 ? ls_rng_below(&r, 20) : 0;
            so.k1 = i % 3 ? LS_DEFAULT_K1 : 1.8;
            so.b = i % 4 ? LS_DEFAULT_B : 0.3;
            so.explain = i % 3 != 2;
            so.snippets = i % 3 != 1;
            so.count_limit = i % 5 ? LS_COUNT_ALL : LS_DEFAULT_COUNT_LIMIT;
            if (i % 4 == 0) {
                so.feedback_docs = LS_FEEDBACK_DOCS_ON;
                so.feedback_widen = i % 8 == 0;
                with_feedback++;
            }
            char *m = compare(&s, sh, &q, &so);
            ls_tally_add(&t, m, 1);
            compared++;
            ls_hits *h = NULL;
            if (ls_search(s.c.reader, q.text, q.len, &so, &h, &err) == LS_OK)
                with_hits += ls_hits_total(h) > 0;
            ls_hits_free(h);
            oracle_q_free(q.tree);
        }
        ls_tally_assert(&t, "shards apart vs their union");
        for (size_t k = 0; k < n_parts; k++)
            ls_reader_close(sh[k]);
        split_free(&s);
    }
    ck_assert_uint_gt(with_hits, compared / 2);
    ck_assert_uint_gt(with_feedback, 0);
}
END_TEST

/* Documents of the words prefix + base-26 numbers from..to-1 (no stemming). */
static char *words_index(const char *prefix, unsigned from, unsigned to)
{
    char *dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = "none";
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    for (unsigned i = from; i < to; i++) {
        char word[16], id[16];
        snprintf(word, sizeof word, "%s%c%c%c", prefix, 'a' + i / 676, 'a' + i / 26 % 26,
                 'a' + i % 26);
        snprintf(id, sizeof id, "w%u", i);
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = strlen(id);
        d.body = word;
        d.body_len = strlen(word);
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    return dir;
}

/* The cap of a prefix's expansions counts the union over shards: 700 + 700 terms of which
 * 400 are shared stay under it (as one index of them does), 1100 distinct do not. */
START_TEST(shards_prefix_cap_counts_the_union)
{
    static const struct {
        unsigned a_to, b_from, b_to;
        int rc;
    } cases[] = {{700, 300, 1000, LS_OK}, {700, 400, 1100, LS_ELIMIT}};
    for (size_t c = 0; c < 2; c++) {
        char *a = words_index("zq", 0, cases[c].a_to);
        char *b = words_index("zq", cases[c].b_from, cases[c].b_to);
        ls_reader *sh[2], *both;
        ls_error err;
        const char *dirs[] = {a, b};
        ck_assert_int_eq(ls_reader_open(a, &sh[0], &err), LS_OK);
        ck_assert_int_eq(ls_reader_open(b, &sh[1], &err), LS_OK);
        ck_assert_int_eq(ls_reader_open_many(dirs, 2, NULL, &both, &err), LS_OK);
        ls_stats *st[2];
        for (int k = 0; k < 2; k++)
            ck_assert_int_eq(ls_query_stats(sh[k], "zq*", 3, NULL, &st[k], &err), LS_OK);
        size_t i = 0, len;
        while (strncmp(ls_stats_name(st[0], i, &len), "expansions", 10) != 0)
            i++;
        ck_assert_double_eq(ls_stats_values(st[0])[i] + ls_stats_values(st[1])[i],
                            cases[c].a_to + cases[c].b_to - cases[c].b_from);
        sum_into_first(st, 2, 0);
        ck_assert_double_eq(ls_stats_values(st[0])[i],
                            cases[c].b_to > cases[c].a_to ? cases[c].b_to : cases[c].a_to);
        ls_search_options so = LS_SEARCH_OPTIONS_INIT;
        so.stats = st[0];
        ls_hits *h = NULL, *u = NULL;
        ck_assert_int_eq(ls_search(sh[1], "zq*", 3, &so, &h, &err), cases[c].rc);
        if (cases[c].rc != LS_OK)
            ck_assert_msg(strstr(err.message, "matches over 1024 terms") != NULL, "%s",
                          err.message);
        ck_assert_int_eq(ls_search(both, "zq*", 3, NULL, &u, &err), cases[c].rc);
        if (cases[c].rc == LS_OK) /* one shard's hits score as in the union */
            ck_assert_double_eq_tol(ls_hits_get(h, 0)->score, ls_hits_get(u, 0)->score, 1e-9);
        ls_hits_free(h);
        ls_hits_free(u);
        ls_stats_free(st[0]);
        ls_stats_free(st[1]);
        ls_reader_close(both);
        ls_reader_close(sh[0]);
        ls_reader_close(sh[1]);
        ls_test_rmtree(a);
        ls_test_rmtree(b);
        free(a);
        free(b);
    }
}
END_TEST

/* What statistics cannot do, said clearly: figures of another query, feedback without its
 * expansion, proximity, names ls_stats_add cannot compute. */
START_TEST(shards_misuse_is_refused)
{
    char *a = words_index("ab", 0, 50);
    ls_reader *r;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(a, &r, &err), LS_OK);
    ls_stats *st;
    ck_assert_int_eq(ls_query_stats(r, "abaac", 5, NULL, &st, &err), LS_OK);
    ck_assert_uint_eq(ls_stats_count(st), 4); /* N, two token totals, one df */
    size_t len;
    const char *name = ls_stats_name(st, 3, &len);
    ck_assert_int_eq(len, 12);
    ck_assert_int_eq(memcmp(name, "df all abaac", 12), 0);
    ck_assert_double_eq(ls_stats_values(st)[3], 1);
    ck_assert_ptr_null(ls_stats_name(st, 4, &len));
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.stats = st;
    ls_hits *h = NULL;
    ck_assert_int_eq(ls_search(r, "abaad", 5, &so, &h, &err), LS_EINVAL);
    ck_assert_msg(strstr(err.message, "df all abaad") != NULL, "%s", err.message);
    /* the statistics of a query are the reader's own: options carrying statistics (which
     * lack this query's figure) are read without them, in version 5 as in the current one */
    for (unsigned version = 5; version <= LS_SEARCH_OPTIONS_VERSION; version++) {
        ls_search_options old = so;
        old.version = version;
        ls_stats *own = NULL;
        ck_assert_int_eq(ls_query_stats(r, "abaad", 5, &old, &own, &err), LS_OK);
        double v = -1;
        ck_assert_int_eq(ls_stats_need(own, "df", LS_FIELD_ALL, "abaad", 5, &v, &err), LS_OK);
        ck_assert_double_eq(v, 1);
        ls_stats_free(own);
    }
    so.feedback_docs = 10;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_EINVAL);
    ck_assert_msg(strstr(err.message, "expansion") != NULL, "%s", err.message);
    so.feedback_docs = 0;
    so.proximity = 1;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_EINVAL);
    ck_assert_msg(strstr(err.message, "proximity") != NULL, "%s", err.message);
    ls_stats *other = NULL; /* refused before any statistics are gathered */
    ck_assert_int_eq(ls_query_stats(r, "abaac", 5, &so, &other, &err), LS_EINVAL);
    ck_assert_ptr_null(other);
    ck_assert_int_eq(ls_stats_add(r, st, "prefix all ab", 13, &err), LS_EINVAL);
    ck_assert_int_eq(ls_feedback_candidates(NULL, NULL, 0, st, &err), LS_EINVAL);
    uint64_t no_doc = 1000000;
    double no_score = 1;
    ck_assert_int_eq(ls_search_fetch(r, "abaac", 5, NULL, &no_doc, &no_score, 1, &h, &err),
                     LS_ENOTFOUND);
    ck_assert_int_eq(ls_stats_add(r, st, "df all abaad\0df title abaad", 28, &err), LS_OK);
    ck_assert_uint_eq(ls_stats_count(st), 6);
    ck_assert_double_eq(ls_stats_values(st)[4], 1);
    ck_assert_double_eq(ls_stats_values(st)[5], 0);
    /* figures that cannot be: a df over N, not a number, more title tokens than tokens */
    so.proximity = 0;
    double keep = ls_stats_values(st)[3];
    ls_stats_values(st)[3] = ls_stats_values(st)[0] + 1;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_EINVAL);
    ck_assert_msg(strstr(err.message, "impossible") != NULL, "%s", err.message);
    ls_stats_values(st)[3] = NAN;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_EINVAL);
    ls_stats_values(st)[3] = keep;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_OK);
    ls_hits_free(h);
    h = NULL;
    ls_stats_values(st)[2] = ls_stats_values(st)[1] + 1;
    so.proximity = 0;
    ck_assert_int_eq(ls_search(r, "abaac", 5, &so, &h, &err), LS_EINVAL);
    ck_assert_ptr_null(h);
    ls_stats_free(st);
    ls_reader_close(r);
    ls_test_rmtree(a);
    free(a);
}
END_TEST

Suite *ls_suite_shards(void)
{
    Suite *s = suite_create("shards");
    TCase *tc = tcase_create("apart");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, shards_apart_rank_as_their_union);
    tcase_add_test(tc, shards_prefix_cap_counts_the_union);
    tcase_add_test(tc, shards_misuse_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
