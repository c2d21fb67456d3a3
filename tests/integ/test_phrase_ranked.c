/* SPDX-License-Identifier: MIT */
/*
 * test_phrase_ranked.c - phrases under a pruning search (ranked mode and one-pair phrases,
 * cur_phrase.c and search.c) against the naive oracle (tests/oracle.h: every document scored,
 * no index): the same hits in the same order with the same scores, and a count that is exact
 * or a lower bound of at least count_limit. The corpus makes the phrase's words common
 * enough to pair (format/pairs.h), says the phrase many times in some documents and its
 * pairs apart in many more (so that the pairs' bounds are loose), and has more candidate
 * documents than one window of ranked mode holds, in two segments, with deletions; some
 * documents say nothing but the phrase, whose bounds are their scores, and half of them
 * are deleted (a deleted one must not raise the bar the live ones must pass).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "oracle.h"
#include "testutil.h"

#define N_DOCS 11000

/* Appends word w to body b (of capacity cap) with a space. */
static void put(char *b, size_t cap, size_t *len, const char *w)
{
    if (*len > 0)
        ls_test_str_append(b, cap, len, " ");
    ls_test_str_append(b, cap, len, w);
}

/* Document i's body, of one of four kinds: for one in 40 (*pure set), the phrase "alpha
 * beta gamma" alone 1 to 40 times; for one in 6, the phrase 1 to 8 times among words apart
 * from its own (its pairs' tf is its pf: bounds that are scores, spread by length); for one
 * in 5, its pairs "alpha beta" and "beta gamma" apart among other words, and the phrase 0 to
 * many times (loose bounds); else other words only. */
static void make_body(ls_rng *r, char *b, size_t cap, size_t *len, int *pure)
{
    static const char *const filler[] = {"one", "two",   "three", "four", "five",
                                         "six", "seven", "eight", "nine", "ten"};
    *len = 0;
    b[0] = '\0';
    uint32_t kind = ls_rng_below(r, 120); /* 0..2 pure, 3..22 tight, 23..46 loose */
    *pure = kind < 3;
    if (*pure) {
        for (uint32_t m = 1 + ls_rng_below(r, 40); m > 0; m--)
            put(b, cap, len, "alpha beta gamma");
        return;
    }
    if (kind < 23) {
        uint32_t m = 1 + ls_rng_below(r, 8), n = ls_rng_below(r, 120);
        for (uint32_t k = 0; k < n + m; k++)
            put(b, cap, len, ls_rng_below(r, n + m) < m ? "alpha beta gamma"
                                                       : filler[ls_rng_below(r, 10)]);
        return;
    }
    uint32_t n = 3 + ls_rng_below(r, 60);
    if (kind >= 47) {
        while (n-- > 0)
            put(b, cap, len, filler[ls_rng_below(r, 10)]);
        return;
    }
    uint32_t phrase = ls_rng_below(r, 3) == 0 ? ls_rng_below(r, ls_rng_below(r, 3) ? 3 : 30) : 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t what = ls_rng_below(r, 6);
        if (what == 0 && phrase > 0) {
            put(b, cap, len, "alpha beta gamma");
            phrase--;
        } else if (what == 1) {
            put(b, cap, len, "alpha beta");
        } else if (what == 2) {
            put(b, cap, len, "beta gamma");
        } else {
            put(b, cap, len, filler[ls_rng_below(r, 10)]);
        }
    }
    while (phrase-- > 0)
        put(b, cap, len, "alpha beta gamma");
}

static char *build_index(ls_oracle *o)
{
    char *dir = ls_test_tmpdir();
    ls_writer_options wo = LS_WRITER_OPTIONS_INIT;
    wo.language = "none";
    wo.no_auto_merge = 1;
    ls_writer *w;
    ls_error err;
    ck_assert_int_eq(ls_writer_open(dir, &wo, &w, &err), LS_OK);
    ls_rng r;
    ls_rng_init(&r, ls_test_seed() ^ 0x9a5e);
    static char body[8192];
    static uint8_t pure[N_DOCS];
    for (uint32_t i = 0; i < N_DOCS; i++) {
        char id[32];
        size_t len;
        int p;
        snprintf(id, sizeof id, "d%u", i);
        make_body(&r, body, sizeof body, &len, &p);
        pure[i] = (uint8_t)p;
        ck_assert_int_eq(ls_test_add_body(w, id, strlen(id), body, len, &err), LS_OK);
        ck_assert_uint_eq(ls_oracle_add(o, "", 0, body, len), i);
        if (i == N_DOCS * 3 / 4)
            ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK); /* a second segment after */
    }
    for (uint32_t i = 0, next = 0; i < N_DOCS; i++) {
        if (i == next)
            next += 1 + ls_rng_below(&r, 9);
        else if (!pure[i] || ls_rng_below(&r, 2))
            continue;
        char id[32];
        snprintf(id, sizeof id, "d%u", i);
        ck_assert_int_eq(ls_writer_delete(w, id, strlen(id), &err), LS_OK);
        ls_oracle_delete(o, i);
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    return dir;
}

static ls_hits *search(const ls_reader *rd, const char *q, size_t limit, uint64_t count_limit)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT; /* the oracle's default title weighting */
    so.limit = limit;
    so.count_limit = count_limit;
    ls_hits *h = NULL;
    ls_error err;
    ck_assert_msg(ls_search(rd, q, strlen(q), &so, &h, &err) == LS_OK, "%s: %s", q, err.message);
    return h;
}

START_TEST(pruned_phrases_rank_as_every_match)
{
    ls_oracle *o = ls_oracle_new("none");
    char *dir = build_index(o);
    ls_reader *rd;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(dir, &rd, &err), LS_OK);
    static const char *const queries[] = {
        "alpha beta gamma", "alpha beta",       "beta gamma",
        "gamma alpha beta", "beta gamma alpha", "alpha beta gamma alpha beta",
        "gamma alpha",      "one two three",    "alpha beta beta", "beta gamma one",
    };
    static const size_t limits[] = {1, 2, 3, 5, 10, 20, 57, 150, 400};
    static const uint64_t count_limits[] = {0, 1, 37, LS_DEFAULT_COUNT_LIMIT, LS_COUNT_ALL};
    size_t lower = 0, compared = 0;
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        char q[128];
        snprintf(q, sizeof q, "\"%s\"", queries[qi]);
        oracle_q *tree = ls_oracle_phrase(o, ORACLE_FIELD_ALL, queries[qi]);
        oracle_result want;
        ls_oracle_search(o, tree, LS_DEFAULT_K1, LS_DEFAULT_B, &want);
        ck_assert_msg(want.n > 0, "%s matches nothing", q);
        for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
            for (size_t ci = 0; ci < sizeof count_limits / sizeof count_limits[0]; ci++) {
                ls_hits *h = search(rd, q, limits[li], count_limits[ci]);
                size_t n = want.n < limits[li] ? want.n : limits[li];
                ck_assert_uint_eq(ls_hits_count(h), n);
                for (size_t i = 0; i < n; i++) {
                    const ls_hit *b = ls_hits_get(h, i);
                    const oracle_hit *a = &want.hits[i];
                    char id[32];
                    snprintf(id, sizeof id, "d%u", a->doc);
                    ck_assert_msg(strcmp(b->id, id) == 0 && fabs(a->score - b->score) <= 1e-9,
                                  "%s, limit %zu, count_limit %llu: hit %zu is %s (%.17g), "
                                  "the oracle's %s (%.17g)",
                                  q, limits[li], (unsigned long long)count_limits[ci], i,
                                  b->id, b->score, id, a->score);
                }
                uint64_t t = ls_hits_total(h);
                if (ls_hits_total_exact(h)) {
                    ck_assert_uint_eq(t, want.n);
                } else {
                    ck_assert_uint_le(t, want.n);
                    ck_assert_uint_ge(t, count_limits[ci]);
                    lower++;
                }
                compared++;
                ls_hits_free(h);
            }
        }
        oracle_result_free(&want);
        oracle_q_free(tree);
    }
    /* the pruning took part (totals became lower bounds) in many of the searches */
    ck_assert_uint_gt(lower, compared / 4);
    ls_reader_close(rd);
    ls_test_rmtree(dir);
    free(dir);
    ls_oracle_free(o);
}
END_TEST

Suite *ls_suite_phrase_ranked(void)
{
    Suite *s = suite_create("phrase_ranked");
    TCase *tc = tcase_create("phrase_ranked");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pruned_phrases_rank_as_every_match);
    suite_add_tcase(s, tc);
    return s;
}
