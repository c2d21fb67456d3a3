/* SPDX-License-Identifier: MIT */
/*
 * test_bulk_or.c - the window-at-a-time disjunction executor (query/bulk_or.c) against the
 * document-at-a-time cursors it replaces: on random multi-segment indexes, for random OR
 * queries and (+(a b) x y) shapes with random boosts and fields, both must produce the same
 * matches with bit-identical scores (same count, same (score, document) list), and the shape
 * test must accept exactly the shapes the executor handles.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "query/ast.h"
#include "query/bulk_or.h"
#include "query/planner.h"
#include "reader/snapshot.h"
#include "testutil.h"

#define VOCAB 60

static void word(uint32_t i, char *out) { snprintf(out, 16, "w%uq", i); }

/* Zipf-ish pick: small ids are frequent. */
static uint32_t pick(ls_rng *r)
{
    double u = ls_rng_unit(r);
    return (uint32_t)(u * u * u * VOCAB) % VOCAB;
}

static char *random_text(ls_rng *r, uint32_t n)
{
    char *s = malloc((size_t)n * 16 + 1), w[16];
    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        word(pick(r), w);
        strcat(s, w);
        strcat(s, " ");
    }
    return s;
}

/* Writes n_docs documents in several commits (segments of uneven size, some > 2048 docs so
 * windows are crossed). */
static void build_index(const char *dir, ls_rng *r, uint32_t n_docs)
{
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, NULL, &w, &err), LS_OK);
    uint32_t next_commit = 1 + ls_rng_below(r, n_docs);
    for (uint32_t i = 0; i < n_docs; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%u", i);
        char *title = random_text(r, ls_rng_below(r, 4));
        char *body = random_text(r, ls_rng_below(r, 30));
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = strlen(id);
        d.title = title;
        d.title_len = strlen(title);
        d.body = body;
        d.body_len = strlen(body);
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
        free(title);
        free(body);
        if (i == next_commit) {
            ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
            next_commit += 1 + ls_rng_below(r, n_docs);
        }
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
}

static ls_qnode *random_term(ls_rng *r)
{
    char w[16];
    word(ls_rng_below(r, VOCAB + 5), w); /* a few words occur nowhere */
    ls_qnode *t = ls_qnode_term((int)ls_rng_below(r, 3), w, strlen(w));
    ck_assert_ptr_nonnull(t);
    t->boost = ls_rng_below(r, 3) == 0 ? 0.05 + ls_rng_unit(r) : 1.0;
    return t;
}

static ls_qnode *random_or(ls_rng *r, uint32_t n)
{
    ls_qnode *b = ls_qnode_new(LS_Q_BOOL);
    ck_assert_ptr_nonnull(b);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_int_eq(ls_qnode_add(b, random_term(r), LS_OCCUR_SHOULD), LS_OK);
    return b;
}

/* (a b c ...), (+(a b) x y ...), (+a x y ...), or one of them as the only clause of a
 * group. */
static ls_qnode *random_query(ls_rng *r)
{
    uint32_t shape = ls_rng_below(r, 4);
    if (shape == 0)
        return random_or(r, 2 + ls_rng_below(r, 12));
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    ck_assert_ptr_nonnull(root);
    if (shape == 3) { /* a group of one clause */
        ck_assert_int_eq(ls_qnode_add(root, random_or(r, 2 + ls_rng_below(r, 5)),
                                      ls_rng_below(r, 2) ? LS_OCCUR_MUST : LS_OCCUR_SHOULD),
                         LS_OK);
        return root;
    }
    ls_qnode *req = shape == 1 ? random_or(r, 1 + ls_rng_below(r, 6)) : random_term(r);
    ck_assert_int_eq(ls_qnode_add(root, req, LS_OCCUR_MUST), LS_OK);
    uint32_t n = 1 + ls_rng_below(r, 10);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_int_eq(ls_qnode_add(root, random_term(r), LS_OCCUR_SHOULD), LS_OK);
    return root;
}

static int cmp_scored(const void *a, const void *b)
{
    const ls_scored *x = a, *y = b;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Every match of the plan, by both executors, sorted by document. */
static void run_both(const ls_reader *rd, const ls_plan *plan, ls_topk *daat, uint64_t *n_daat,
                     ls_topk *bulk, uint64_t *n_bulk)
{
    ls_error err;
    *n_daat = 0;
    ls_collector col;
    ls_collector_init(&col, bulk, UINT64_MAX);
    for (uint32_t i = 0; i < rd->nsegs; i++) {
        ls_collector_segment(&col, rd, i);
        ls_cursor *c;
        ck_assert_int_eq(ls_plan_cursor(plan, &plan->root, i, &c, &err), LS_OK);
        while (c != NULL && c->doc != LS_DOC_END) {
            (*n_daat)++;
            ls_topk_push(daat, ls_cursor_score(c), rd->segs[i].base + c->doc);
            ck_assert_int_eq(ls_cursor_next(c), LS_OK);
        }
        ls_cursor_free(c);
        ck_assert_int_eq(ls_bulk_or_run(plan, &plan->root, i, &col, &err), LS_OK);
    }
    *n_bulk = col.total;
    qsort(daat->heap, daat->n, sizeof *daat->heap, cmp_scored);
    qsort(bulk->heap, bulk->n, sizeof *bulk->heap, cmp_scored);
}

START_TEST(bulk_or_equals_document_at_a_time)
{
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0xb01c);
    char *dir = ls_test_tmpdir();
    build_index(dir, &r, 6000);
    ls_reader *rd;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(dir, &rd, &err), LS_OK);
    ck_assert_uint_gt(rd->nsegs, 1);
    size_t nonempty = 0;
    for (int q = 0; q < 300; q++) {
        ls_qnode *tree = random_query(&r);
        ls_plan plan;
        ls_search_options o = LS_SEARCH_OPTIONS_INIT;
        o.k1 = q % 2 ? 1.8 : LS_DEFAULT_K1;
        o.b = q % 3 ? 0.85 : 0.3;
        ck_assert_int_eq(ls_plan_build(&plan, rd, tree, &o, &err), LS_OK);
        ck_assert_msg(ls_bulk_or_applies(&plan.root), "query %d: shape not taken", q);
        ls_topk daat, bulk;
        ck_assert_int_eq(ls_topk_init(&daat, rd->ndocs), LS_OK);
        ck_assert_int_eq(ls_topk_init(&bulk, rd->ndocs), LS_OK);
        uint64_t n_daat, n_bulk;
        run_both(rd, &plan, &daat, &n_daat, &bulk, &n_bulk);
        char text[512];
        ls_qnode_format(tree, text, sizeof text);
        ck_assert_msg(n_daat == n_bulk && daat.n == bulk.n, "%s: %llu vs %llu matches", text,
                      (unsigned long long)n_daat, (unsigned long long)n_bulk);
        for (size_t i = 0; i < daat.n; i++)
            ck_assert_msg(daat.heap[i].doc == bulk.heap[i].doc &&
                              daat.heap[i].score == bulk.heap[i].score,
                          "%s: doc %llu score %.17g vs doc %llu score %.17g", text,
                          (unsigned long long)daat.heap[i].doc, daat.heap[i].score,
                          (unsigned long long)bulk.heap[i].doc, bulk.heap[i].score);
        nonempty += n_daat > 0;
        ls_topk_free(&daat);
        ls_topk_free(&bulk);
        ls_plan_free(&plan);
        ls_qnode_free(tree);
    }
    ck_assert_uint_gt(nonempty, 200); /* the comparison was about something */
    ls_reader_close(rd);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

static int applies(const char *what, ls_qnode *tree, const ls_reader *rd)
{
    ls_plan plan;
    ls_error err;
    ls_search_options o = LS_SEARCH_OPTIONS_INIT;
    o.title_weight = 0; /* the shapes as written (title weighting makes a word an OR) */
    ck_assert_int_eq(ls_plan_build(&plan, rd, tree, &o, &err), LS_OK);
    int a = ls_bulk_or_applies(&plan.root);
    ls_plan_free(&plan);
    ls_qnode_free(tree);
    (void)what;
    return a;
}

START_TEST(bulk_or_takes_only_its_shapes)
{
    ls_rng r;
    ls_rng_init(&r, 7);
    char *dir = ls_test_tmpdir();
    build_index(dir, &r, 50);
    ls_reader *rd;
    ls_error err;
    ls_qnode *q;
    ck_assert_int_eq(ls_reader_open(dir, &rd, &err), LS_OK);
    /* taken */
    ck_assert(applies("a b", random_or(&r, 2), rd));
    /* not taken: a prefix (one term of merged postings, planner.c) */
    ck_assert(!applies("w1*", ls_qnode_prefix(0, "w1", 2), rd));
    /* not taken: single term, NOT kid, MUST kids only, phrase kid, nested SHOULD group */
    ck_assert(!applies("a", random_term(&r), rd));
    q = random_or(&r, 2);
    ck_assert_int_eq(ls_qnode_add(q, random_term(&r), LS_OCCUR_NOT), LS_OK);
    ck_assert(!applies("a b -c", q, rd));
    q = ls_qnode_new(LS_Q_BOOL);
    ck_assert_int_eq(ls_qnode_add(q, random_term(&r), LS_OCCUR_MUST), LS_OK);
    ck_assert_int_eq(ls_qnode_add(q, random_term(&r), LS_OCCUR_MUST), LS_OK);
    ck_assert(!applies("+a +b", q, rd));
    q = random_or(&r, 1);
    ls_qnode *ph = ls_qnode_new(LS_Q_PHRASE);
    ck_assert_int_eq(ls_qnode_add(ph, random_term(&r), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(ph, random_term(&r), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(q, ph, LS_OCCUR_SHOULD), LS_OK);
    ck_assert(!applies("a \"b c\"", q, rd));
    q = random_or(&r, 1);
    ck_assert_int_eq(ls_qnode_add(q, random_or(&r, 2), LS_OCCUR_SHOULD), LS_OK);
    ck_assert(!applies("a (b c)", q, rd));
    ls_reader_close(rd);
    ls_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *ls_suite_bulk_or(void)
{
    Suite *s = suite_create("bulk_or");
    TCase *tc = tcase_create("equivalence");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bulk_or_equals_document_at_a_time);
    tcase_add_test(tc, bulk_or_takes_only_its_shapes);
    suite_add_tcase(s, tc);
    return s;
}
