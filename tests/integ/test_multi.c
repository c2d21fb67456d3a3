/* SPDX-License-Identifier: MIT */
/*
 * test_multi.c - a reader over several indexes (ls_reader_open_many) against one index of
 * the union: random corpora split in order across 1-5 indexes, each of several segments, and
 * every query type must give the same total, ids, order, scores (bit for bit: the statistics
 * are the same sums), snippets and explanations, with each hit naming its index; the same
 * reader also goes through the naive oracle's comparisons. Then the errors: indexes of two
 * languages, a missing one named, and reopen after one of them commits.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "oracle_corpus.h"
#include "splitutil.h"
#include "testutil.h"

/* One query through both readers; NULL when they agree, else what differs (malloc'd). */
static char *compare(const split *s, const qcase *q, const ls_search_options *so)
{
    ls_hits *a = NULL, *b = NULL;
    ls_error ea, eb;
    int ra = ls_search(s->c.reader, q->text, q->len, so, &a, &ea);
    int rb = ls_search(s->many, q->text, q->len, so, &b, &eb);
    char *m = NULL;
    if (ra != rb)
        m = ls_corpus_msgf("status %d vs %d (%s / %s)", ra, rb, ea.message, eb.message);
    /* A pruned count is a lower bound that depends on how segments cut the postings: only
     * exact counts must agree. */
    else if (ra == LS_OK && ((ls_hits_total_exact(a) && ls_hits_total_exact(b) &&
                              ls_hits_total(a) != ls_hits_total(b)) ||
                             ls_hits_count(a) != ls_hits_count(b)))
        m = ls_corpus_msgf("total %llu vs %llu, %zu vs %zu hits",
                           (unsigned long long)ls_hits_total(a),
                           (unsigned long long)ls_hits_total(b), ls_hits_count(a),
                           ls_hits_count(b));
    for (size_t i = 0; ra == LS_OK && m == NULL && i < ls_hits_count(a); i++) {
        const ls_hit *x = ls_hits_get(a, i), *y = ls_hits_get(b, i);
        if (strcmp(x->id, y->id) != 0 || x->score != y->score || strcmp(x->title, y->title))
            m = ls_corpus_msgf("rank %zu: %s %.17g vs %s %.17g", i + 1, x->id, x->score, y->id,
                               y->score);
        else if (y->index != part_of(s, y->id) || x->index != 0)
            m = ls_corpus_msgf("rank %zu: %s from index %u, not %zu", i + 1, y->id, y->index,
                               part_of(s, y->id));
        else if ((x->snippet == NULL) != (y->snippet == NULL) ||
                 (x->snippet && (x->snippet->len != y->snippet->len ||
                                 memcmp(x->snippet->text, y->snippet->text, x->snippet->len))))
            m = ls_corpus_msgf("rank %zu: %s: snippets differ", i + 1, x->id);
        else if ((x->explain == NULL) != (y->explain == NULL) ||
                 (x->explain && x->explain->n_terms != y->explain->n_terms))
            m = ls_corpus_msgf("rank %zu: %s: explanations differ", i + 1, x->id);
        for (size_t t = 0; m == NULL && x->explain && t < x->explain->n_terms; t++) {
            const ls_term_explain *p = &x->explain->terms[t], *r = &y->explain->terms[t];
            if (strcmp(p->term, r->term) || p->df != r->df || p->score != r->score)
                m = ls_corpus_msgf("rank %zu: %s: term %s df %g vs %s df %g", i + 1, x->id,
                                   p->term, p->df, r->term, r->df);
        }
    }
    if (m != NULL) {
        char *full = ls_corpus_msgf("'%s' (%zu indexes): %s", q->text, s->n_parts, m);
        free(m);
        m = full;
    }
    ls_hits_free(a);
    ls_hits_free(b);
    return m;
}

START_TEST(many_indexes_rank_as_their_union)
{
    static const gen_fn gens[] = {ls_gen_term,  ls_gen_or,    ls_gen_and,   ls_gen_not,
                                  ls_gen_required, ls_gen_phrase, ls_gen_field, ls_gen_mixed,
                                  ls_gen_plain, ls_gen_prefix};
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0x3417);
    size_t compared = 0, with_hits = 0;
    for (size_t n_parts = 1; n_parts <= MAX_PARTS; n_parts++) {
        split s;
        split_build(&s, ls_rng_next(&r), 600 + ls_rng_below(&r, 400), n_parts);
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
            so.explain = i % 2;
            so.snippets = i % 3 != 1;
            so.count_limit = i % 5 ? LS_DEFAULT_COUNT_LIMIT : 7;
            if (i % 7 == 0)
                so.feedback_docs = LS_FEEDBACK_DOCS_ON; /* RM3 reads stored text across both */
            if (i % 11 == 0)
                so.proximity = 0.5;
            char *m = compare(&s, &q, &so);
            ls_tally_add(&t, m, 1);
            compared++;
            ls_hits *h = NULL;
            ls_error err;
            if (ls_search(s.many, q.text, q.len, &so, &h, &err) == LS_OK)
                with_hits += ls_hits_total(h) > 0;
            ls_hits_free(h);
            oracle_q_free(q.tree);
        }
        ls_tally_assert(&t, "many indexes vs their union");
        /* the same reader through the naive oracle's comparisons */
        ls_reader *u = s.c.reader;
        s.c.reader = s.many;
        ls_corpus_run_queries(&s.c, ls_rng_next(&r), 40, ls_gen_any, 1.2, 0.75,
                              "many indexes vs the oracle");
        s.c.reader = u;
        split_free(&s);
    }
    ck_assert_uint_gt(with_hits, compared / 2);
}
END_TEST

static char *index_of(const char *language, const char *word)
{
    char *dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = language;
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = word;
    d.id_len = strlen(word);
    d.body = word;
    d.body_len = strlen(word);
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    return dir;
}

START_TEST(many_indexes_errors_and_reopen)
{
    char *en = index_of("english", "narwhals"), *none = index_of("none", "walrus");
    char *en2 = index_of("english", "narwhal");
    ls_reader *r = NULL;
    ls_error err;
    const char *mixed[] = {en, none};
    ck_assert_int_eq(ls_reader_open_many(mixed, 2, NULL, &r, &err), LS_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, "one language") != NULL, "%s", err.message);
    char *gone = ls_test_tmpdir();
    ls_test_rmtree(gone);
    const char *missing[] = {en, gone};
    ck_assert_int_eq(ls_reader_open_many(missing, 2, NULL, &r, &err), LS_ENOTFOUND);
    ck_assert_msg(strstr(err.message, gone) != NULL, "%s", err.message);
    ck_assert_int_eq(ls_reader_open_many(missing, 0, NULL, &r, &err), LS_EINVAL);
    /* two English indexes: "narwhal" finds both, stemmed alike; then one commits more */
    const char *two[] = {en, en2};
    ck_assert_int_eq(ls_reader_open_many(two, 2, NULL, &r, &err), LS_OK);
    ls_hits *h;
    ck_assert_int_eq(ls_search(r, "narwhal", 7, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 2);
    ck_assert_uint_eq(ls_hits_get(h, 0)->index + ls_hits_get(h, 1)->index, 1);
    /* each hit's stored document, through either index */
    for (size_t i = 0; i < 2; i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        ls_stored_document *d = NULL;
        ck_assert_int_eq(ls_reader_document(r, hit->doc, &d, &err), LS_OK);
        ck_assert_str_eq(d->id, hit->id);
        ck_assert_str_eq(d->body, hit->id); /* index_of: the body is the id */
        ck_assert_uint_eq(d->body_len, strlen(hit->id));
        ck_assert_str_eq(d->path, "");
        ls_stored_document_free(d);
    }
    ls_stored_document *none_doc = NULL;
    ck_assert_int_eq(ls_reader_document(r, 2, &none_doc, &err), LS_ENOTFOUND);
    ck_assert_ptr_null(none_doc);
    ls_hits_free(h);
    ck_assert_int_eq(ls_reader_check(r, &err), LS_OK);
    ls_index_stats st = {.version = LS_INDEX_STATS_VERSION};
    ck_assert_int_eq(ls_reader_stats(r, &st, &err), LS_OK);
    ck_assert_uint_eq(st.documents, 2);
    ck_assert_uint_eq(st.segments, 2);
    ls_reader *same = NULL;
    ck_assert_int_eq(ls_reader_reopen(r, &same, &err), LS_OK);
    ck_assert_ptr_null(same); /* nothing changed */
    ls_writer *w;
    ck_assert_int_eq(ls_writer_open(en2, NULL, &w, &err), LS_OK);
    ls_document d = LS_DOCUMENT_INIT;
    d.id = "third";
    d.id_len = 5;
    d.body = "narwhal pod";
    d.body_len = 11;
    ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    ls_reader *nr = NULL;
    ck_assert_int_eq(ls_reader_reopen(r, &nr, &err), LS_OK);
    ck_assert_ptr_nonnull(nr);
    ck_assert_int_eq(ls_search(nr, "narwhal", 7, NULL, &h, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_total(h), 3);
    ls_hits_free(h);
    /* a deleted document is not there any more */
    ck_assert_int_eq(ls_writer_open(en2, NULL, &w, &err), LS_OK);
    ck_assert_int_eq(ls_writer_delete(w, "third", 5, &err), LS_OK);
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    ls_reader *nr2 = NULL;
    ck_assert_int_eq(ls_reader_reopen(nr, &nr2, &err), LS_OK);
    ck_assert_ptr_nonnull(nr2);
    ls_doc_info info = {LS_DOC_INFO_VERSION, 0, NULL, 0};
    ck_assert_int_eq(ls_reader_get(nr, "third", 5, &info, &err), LS_OK);
    ls_stored_document *gone_doc = NULL;
    ck_assert_int_eq(ls_reader_document(nr2, info.doc, &gone_doc, &err), LS_ENOTFOUND);
    ck_assert_int_eq(ls_reader_document(nr, info.doc, &gone_doc, &err), LS_OK);
    ck_assert_str_eq(gone_doc->body, "narwhal pod");
    ls_stored_document_free(gone_doc);
    ls_reader_close(nr2);
    ls_reader_close(nr);
    ls_reader_close(r);
    char *dirs[] = {en, none, en2, gone};
    for (int i = 0; i < 4; i++) {
        ls_test_rmtree(dirs[i]);
        free(dirs[i]);
    }
}
END_TEST

Suite *ls_suite_multi(void)
{
    Suite *s = suite_create("multi");
    TCase *tc = tcase_create("union");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, many_indexes_rank_as_their_union);
    tcase_add_test(tc, many_indexes_errors_and_reopen);
    suite_add_tcase(s, tc);
    return s;
}
