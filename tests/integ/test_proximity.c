/* SPDX-License-Identifier: MIT */
/*
 * test_proximity.c - term-proximity re-ranking (query/proximity.c) on small hand-made indexes:
 * scores computed by hand (BM25 + the BM25TP bonus), a ranking decided by nearness alone,
 * explanations that add up to the score, what takes part (not NOT clauses, phrases or field
 * terms; a lone word gains nothing), the re-ranked depth, the hit count left alone, option
 * checks and older option structs. The random-corpus oracle of the same rule is in
 * test_oracle.c (ls_corpus_run_proximity).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "testutil.h"

static char *g_dir;
static ls_reader *g_reader;

/* Every document has no title and a body of ten words separated by spaces (language "none":
 * the words are the terms). d0 and d1 hold the query words near and far apart; d2 only alpha;
 * d4 to d19 are filler, so that delta (in d0 only) is rare enough to be a feedback term. */
#define FILLER "x x x x x x x x x x"
static const char *const g_bodies[] = {
    "alpha beta delta x x x x x x x",      /* d0: alpha and beta adjacent */
    "alpha x x x x x x x x beta",          /* d1: nine apart */
    "alpha x x x x x x x x x",             /* d2: alpha only */
    "beta gamma alpha x x x x x x x",      /* d3: beta gamma alpha */
    FILLER, FILLER, FILLER, FILLER, FILLER, FILLER, FILLER, FILLER,
    FILLER, FILLER, FILLER, FILLER, FILLER, FILLER, FILLER, FILLER,
};
#define N_DOCS (sizeof g_bodies / sizeof g_bodies[0])

static void setup(void)
{
    g_dir = ls_test_tmpdir();
    ls_writer_options wo = {.version = LS_WRITER_OPTIONS_VERSION, .language = "none"};
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(g_dir, &wo, &w, &err), LS_OK);
    for (size_t i = 0; i < N_DOCS; i++) {
        char id[8];
        snprintf(id, sizeof id, "d%zu", i);
        ls_document d = {.version = LS_DOCUMENT_VERSION, .id = id, .id_len = strlen(id),
                         .body = g_bodies[i], .body_len = strlen(g_bodies[i])};
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    ck_assert_int_eq(ls_reader_open(g_dir, &g_reader, &err), LS_OK);
}

static void teardown(void)
{
    ls_reader_close(g_reader);
    ls_test_rmtree(g_dir);
    free(g_dir);
}

static ls_hits *search(const char *q, double proximity, unsigned depth, int explain)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.syntax = LS_SYNTAX_STRICT;
    so.feedback_docs = 0;
    so.proximity = proximity;
    so.proximity_depth = depth;
    so.explain = explain;
    so.snippets = 0;
    ls_hits *h = NULL;
    ls_error err;
    int rc = ls_search(g_reader, q, strlen(q), &so, &h, &err);
    ck_assert_msg(rc == LS_OK, "'%s': %s", q, err.message);
    return h;
}

static const ls_hit *by_id(const ls_hits *h, const char *id)
{
    for (size_t i = 0; i < ls_hits_count(h); i++)
        if (strcmp(ls_hits_get(h, i)->id, id) == 0)
            return ls_hits_get(h, i);
    ck_abort_msg("no hit %s", id);
    return NULL;
}

static double idf(double n, double df) { return log(1 + (n - df + 0.5) / (df + 0.5)); }

static double bm25(double idf_, double tf, double len, double avg, double k1, double b)
{
    return idf_ * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg));
}

/* One term's share of the bonus, as proximity.h defines it. */
static double part(double weight, double idf_, double acc, double len, double avg, double k1,
                   double b)
{
    double m = idf_ < 1 ? idf_ : 1;
    return weight * m * acc * (k1 + 1) / (acc + k1 * (1 - b + b * len / avg));
}

START_TEST(proximity_scores_by_hand)
{
    const double k1 = LS_DEFAULT_K1, b = LS_DEFAULT_B, n = N_DOCS, avg = 10, w = 2.0;
    double ia = idf(n, 4), ib = idf(n, 3); /* alpha in d0 d1 d2 d3, beta in d0 d1 d3 */
    ls_hits *h = search("alpha beta", w, 0, 0);
    ck_assert_uint_eq(ls_hits_total(h), 4);
    double base = bm25(ia, 1, 10, avg, k1, b) + bm25(ib, 1, 10, avg, k1, b);
    /* d0: distance 1, each term's accumulator is the other's idf */
    double d0 = base + part(w, ia, ib, 10, avg, k1, b) + part(w, ib, ia, 10, avg, k1, b);
    /* d1: distance 9 */
    double d1 = base + part(w, ia, ib / 81, 10, avg, k1, b) + part(w, ib, ia / 81, 10, avg, k1, b);
    /* d3: beta at 0, alpha at 2 (gamma is no query term) */
    double d3 = base + part(w, ia, ib / 4, 10, avg, k1, b) + part(w, ib, ia / 4, 10, avg, k1, b);
    ck_assert_double_eq_tol(by_id(h, "d0")->score, d0, 1e-9);
    ck_assert_double_eq_tol(by_id(h, "d1")->score, d1, 1e-9);
    ck_assert_double_eq_tol(by_id(h, "d3")->score, d3, 1e-9);
    ck_assert_double_eq_tol(by_id(h, "d2")->score, bm25(ia, 1, 10, avg, k1, b), 1e-9);
    ck_assert_str_eq(ls_hits_get(h, 0)->id, "d0");
    ck_assert_str_eq(ls_hits_get(h, 1)->id, "d3");
    ck_assert_str_eq(ls_hits_get(h, 2)->id, "d1");
    ck_assert_str_eq(ls_hits_get(h, 3)->id, "d2");
    ls_hits_free(h);
}
END_TEST

/* Without proximity d0, d1 and d3 tie and keep document order; with it nearness decides. */
START_TEST(proximity_decides_between_equal_bm25)
{
    ls_hits *off = search("beta alpha", 0, 0, 0);
    ck_assert_double_eq(by_id(off, "d0")->score, by_id(off, "d1")->score);
    ck_assert_str_eq(ls_hits_get(off, 0)->id, "d0");
    ck_assert_str_eq(ls_hits_get(off, 1)->id, "d1");
    ck_assert_str_eq(ls_hits_get(off, 2)->id, "d3");
    ls_hits *on = search("beta alpha", 1.0, 0, 0);
    ck_assert_uint_eq(ls_hits_total(on), ls_hits_total(off));
    ck_assert_str_eq(ls_hits_get(on, 0)->id, "d0");
    ck_assert_str_eq(ls_hits_get(on, 1)->id, "d3");
    ck_assert_str_eq(ls_hits_get(on, 2)->id, "d1");
    for (size_t i = 0; i < 3; i++)
        ck_assert(ls_hits_get(on, i)->score > ls_hits_get(off, 0)->score);
    ls_hits_free(on);
    ls_hits_free(off);
}
END_TEST

START_TEST(proximity_explained)
{
    ls_hits *h = search("alpha beta", 1.5, 0, 1);
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        double sum = 0;
        size_t prox = 0;
        for (size_t j = 0; j < hit->explain->n_terms; j++) {
            const ls_term_explain *e = &hit->explain->terms[j];
            sum += e->score;
            if (strcmp(e->field, "proximity") == 0) {
                prox++;
                ck_assert(e->tf > 0);
                ck_assert_double_eq_tol(e->weight, 1.5, 1e-12);
            }
        }
        ck_assert_double_eq_tol(sum, hit->score, 1e-9);
        /* d2 holds one query term: no pair, no bonus, no proximity entry */
        ck_assert_uint_eq(prox, strcmp(hit->id, "d2") == 0 ? 0 : 2);
    }
    ls_hits_free(h);
}
END_TEST

/* Terms of NOT clauses, phrases and field clauses take no part; a lone term gains nothing. */
START_TEST(proximity_which_terms)
{
    static const char *const same[] = {"alpha", "alpha -beta", "alpha \"beta x\"", "alpha title:beta",
                                       "alpha alpha"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        ls_hits *off = search(same[i], 0, 0, 0), *on = search(same[i], 5.0, 0, 0);
        ck_assert_uint_eq(ls_hits_total(on), ls_hits_total(off));
        ck_assert_uint_eq(ls_hits_count(on), ls_hits_count(off));
        for (size_t k = 0; k < ls_hits_count(on); k++) {
            ck_assert_str_eq(ls_hits_get(on, k)->id, ls_hits_get(off, k)->id);
            ck_assert_msg(ls_hits_get(on, k)->score == ls_hits_get(off, k)->score,
                          "'%s': proximity changed a score", same[i]);
        }
        ls_hits_free(on);
        ls_hits_free(off);
    }
    /* +alpha +beta: both required terms take part */
    ls_hits *req = search("+alpha +beta", 1.0, 0, 0), *plain = search("+alpha +beta", 0, 0, 0);
    ck_assert(by_id(req, "d0")->score > by_id(plain, "d0")->score);
    ls_hits_free(req);
    ls_hits_free(plain);
}
END_TEST

/* Depth 1: only the first-pass best (d0, first of the tie) is re-scored. */
START_TEST(proximity_depth)
{
    ls_hits *off = search("alpha beta", 0, 0, 0), *one = search("alpha beta", 1.0, 1, 0);
    ck_assert_str_eq(ls_hits_get(one, 0)->id, "d0");
    ck_assert(ls_hits_get(one, 0)->score > ls_hits_get(off, 0)->score);
    for (size_t i = 1; i < ls_hits_count(one); i++) {
        ck_assert_str_eq(ls_hits_get(one, i)->id, ls_hits_get(off, i)->id);
        ck_assert(ls_hits_get(one, i)->score == ls_hits_get(off, i)->score);
    }
    ls_hits_free(one);
    ls_hits_free(off);
}
END_TEST

START_TEST(proximity_options_checked)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    ls_hits *h = NULL;
    ls_error err;
    so.proximity = -1;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, &so, &h, &err), LS_EINVAL);
    ck_assert_ptr_null(h);
    so.proximity = NAN;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, &so, &h, &err), LS_EINVAL);
    so.proximity = 1;
    so.proximity_depth = 100001;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, &so, &h, &err), LS_EINVAL);
    ck_assert_msg(strstr(err.message, "proximity") != NULL, "%s", err.message);
}
END_TEST

/* A version-2 struct ends at feedback_widen: it is read no further (ASan checks: it lives in a
 * heap block of exactly that size) and proximity takes its default. */
START_TEST(proximity_version2_options)
{
    size_t v2_size = offsetof(ls_search_options, proximity);
    ls_search_options d = LS_SEARCH_OPTIONS_INIT;
    d.version = 2;
    d.feedback_docs = 0;
    d.syntax = LS_SYNTAX_STRICT;
    ls_search_options *v2 = malloc(v2_size);
    ck_assert_ptr_nonnull(v2);
    memcpy(v2, &d, v2_size);
    d.version = LS_SEARCH_OPTIONS_VERSION;
    ls_hits *h = NULL, *ref = NULL;
    ls_error err;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, v2, &h, &err), LS_OK);
    free(v2);
    d.feedback_docs = 0;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, &d, &ref, &err), LS_OK);
    ck_assert_uint_eq(ls_hits_count(h), ls_hits_count(ref));
    for (size_t i = 0; i < ls_hits_count(h); i++)
        ck_assert(ls_hits_get(h, i)->score == ls_hits_get(ref, i)->score);
    ls_hits_free(h);
    ls_hits_free(ref);
}
END_TEST

/* With feedback the query's own scores are scaled (query weight / its summed boosts), and the
 * bonus with them; explanations still add up. */
START_TEST(proximity_with_feedback)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.syntax = LS_SYNTAX_STRICT;
    so.feedback_docs = 2;
    so.feedback_terms = 3;
    so.feedback_weight = 0.6;
    so.proximity = 2.0;
    so.explain = 1;
    so.snippets = 0;
    ls_hits *h = NULL;
    ls_error err;
    ck_assert_int_eq(ls_search(g_reader, "alpha beta", 10, &so, &h, &err), LS_OK);
    size_t prox = 0, expansions = 0;
    for (size_t i = 0; i < ls_hits_count(h); i++) {
        const ls_hit *hit = ls_hits_get(h, i);
        double sum = 0;
        for (size_t j = 0; j < hit->explain->n_terms; j++) {
            const ls_term_explain *e = &hit->explain->terms[j];
            sum += e->score;
            if (strcmp(e->field, "proximity") == 0) {
                prox++;
                ck_assert_double_eq_tol(e->weight, 2.0 * 0.6 / 2, 1e-12);
            } else if (strcmp(e->term, "alpha") == 0 || strcmp(e->term, "beta") == 0) {
                ck_assert_double_eq_tol(e->weight, 0.6 / 2, 1e-12);
            } else {
                expansions++;
            }
        }
        ck_assert_double_eq_tol(sum, hit->score, 1e-9);
    }
    ck_assert_uint_gt(prox, 0);
    ck_assert_uint_gt(expansions, 0); /* feedback did expand the query */
    ls_hits_free(h);
}
END_TEST

/* A query word found nowhere takes no place among the terms (regression: 63 unknown words
 * beside two real ones crowded them out of the LS_PROXIMITY_MAX_TERMS). */
START_TEST(proximity_ignores_absent_terms)
{
    char q[4096] = "alpha beta";
    for (int i = 0; i < 70; i++) {
        char w[16];
        snprintf(w, sizeof w, " zz%dq", i);
        strcat(q, w);
    }
    ls_hits *off = search(q, 0, 0, 0), *on = search(q, 1.0, 0, 0);
    ck_assert(by_id(on, "d0")->score > by_id(off, "d0")->score);
    ck_assert_str_eq(ls_hits_get(on, 0)->id, "d0");
    ls_hits_free(on);
    ls_hits_free(off);
}
END_TEST

Suite *ls_suite_proximity(void)
{
    Suite *s = suite_create("proximity");
    TCase *tc = tcase_create("hand_made");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, proximity_scores_by_hand);
    tcase_add_test(tc, proximity_decides_between_equal_bm25);
    tcase_add_test(tc, proximity_explained);
    tcase_add_test(tc, proximity_which_terms);
    tcase_add_test(tc, proximity_depth);
    tcase_add_test(tc, proximity_options_checked);
    tcase_add_test(tc, proximity_version2_options);
    tcase_add_test(tc, proximity_with_feedback);
    tcase_add_test(tc, proximity_ignores_absent_terms);
    suite_add_tcase(s, tc);
    return s;
}
