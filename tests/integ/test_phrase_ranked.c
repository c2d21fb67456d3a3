/* SPDX-License-Identifier: MIT */
/*
 * test_phrase_ranked.c - phrases under a pruning search against the same search counting
 * every match (LS_COUNT_ALL: no document passed over, every match's positions read in
 * document order): the same hits in the same order with the same scores, and a count that
 * is exact or a lower bound of at least count_limit. The corpus makes the phrase's words
 * common enough to pair (format/pairs.h), says the phrase many times in some documents and
 * its pairs apart in many more (so that the pairs' bounds are loose), and has more candidate
 * documents than one window of ranked mode (cur_phrase.c) holds, in two segments, with
 * deletions; some documents say nothing but the phrase, whose bounds are their scores, and
 * half of them are deleted (a deleted one must not raise the bar the live ones must pass). Phrases of one pair (read as that pair's postings, by block) are held to the
 * same rule.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsearch.h"
#include "testutil.h"

#define N_DOCS 11000

/* Appends word w to body b (of capacity cap) with a space. */
static void put(char *b, size_t cap, size_t *len, const char *w)
{
    if (*len > 0)
        ls_test_str_append(b, cap, len, " ");
    ls_test_str_append(b, cap, len, w);
}

/* Document i's body: filler words, the phrase "alpha beta gamma" 0 to many times, and its
 * pairs "alpha beta" and "beta gamma" apart; or, for one in 40 (*pure set), the phrase alone
 * 1 to 40 times. */
static void make_body(ls_rng *r, char *b, size_t cap, size_t *len, int *pure)
{
    static const char *const filler[] = {"one", "two", "three", "four", "five", "six",
                                         "seven", "eight", "nine", "ten", "gamma", "alpha"};
    *len = 0;
    b[0] = '\0';
    *pure = ls_rng_below(r, 40) == 0;
    if (*pure) {
        for (uint32_t m = 1 + ls_rng_below(r, 40); m > 0; m--)
            put(b, cap, len, "alpha beta gamma");
        return;
    }
    uint32_t n = 3 + ls_rng_below(r, 60);
    uint32_t phrase = ls_rng_below(r, 4) == 0 ? 1 + ls_rng_below(r, ls_rng_below(r, 3) ? 3 : 30)
                                              : 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t what = ls_rng_below(r, 16);
        if (what == 0 && phrase > 0) {
            put(b, cap, len, "alpha beta gamma");
            phrase--;
        } else if (what == 1) {
            put(b, cap, len, "alpha beta");
        } else if (what == 2) {
            put(b, cap, len, "beta gamma");
        } else {
            put(b, cap, len, filler[ls_rng_below(r, sizeof filler / sizeof filler[0])]);
        }
    }
    while (phrase-- > 0)
        put(b, cap, len, "alpha beta gamma");
}

static char *build_index(void)
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
        ls_document d = LS_DOCUMENT_INIT;
        d.id = id;
        d.id_len = strlen(id);
        d.body = body;
        d.body_len = len;
        ck_assert_int_eq(ls_writer_add(w, &d, &err), LS_OK);
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
    }
    ck_assert_int_eq(ls_writer_commit(w, &err), LS_OK);
    ls_writer_close(w);
    return dir;
}

static ls_hits *search(const ls_reader *rd, const char *q, size_t limit, uint64_t count_limit)
{
    ls_search_options so = LS_SEARCH_OPTIONS_INIT;
    so.limit = limit;
    so.count_limit = count_limit;
    ls_hits *h = NULL;
    ls_error err;
    ck_assert_msg(ls_search(rd, q, strlen(q), &so, &h, &err) == LS_OK, "%s: %s", q, err.message);
    return h;
}

START_TEST(pruned_phrases_rank_as_every_match)
{
    char *dir = build_index();
    ls_reader *rd;
    ls_error err;
    ck_assert_int_eq(ls_reader_open(dir, &rd, &err), LS_OK);
    static const char *const queries[] = {
        "\"alpha beta gamma\"", "\"alpha beta\"",       "\"beta gamma\"",
        "\"gamma alpha beta\"", "\"beta gamma alpha\"", "\"alpha beta gamma alpha beta\"",
        "\"gamma alpha\"",      "\"one two three\"",    "\"alpha beta beta\"",
    };
    static const size_t limits[] = {1, 3, 10, 57};
    static const uint64_t count_limits[] = {0, 1, 37, LS_DEFAULT_COUNT_LIMIT};
    size_t lower = 0, compared = 0;
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        const char *q = queries[qi];
        for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
            ls_hits *all = search(rd, q, limits[li], LS_COUNT_ALL);
            ck_assert(ls_hits_total_exact(all));
            for (size_t ci = 0; ci < sizeof count_limits / sizeof count_limits[0]; ci++) {
                ls_hits *h = search(rd, q, limits[li], count_limits[ci]);
                ck_assert_uint_eq(ls_hits_count(h), ls_hits_count(all));
                for (size_t i = 0; i < ls_hits_count(h); i++) {
                    const ls_hit *a = ls_hits_get(all, i), *b = ls_hits_get(h, i);
                    ck_assert_msg(a->doc == b->doc && fabs(a->score - b->score) <= 1e-9,
                                  "%s, limit %zu, count_limit %llu: hit %zu is %s (%.17g), "
                                  "every match gives %s (%.17g)",
                                  q, limits[li], (unsigned long long)count_limits[ci], i,
                                  b->id, b->score, a->id, a->score);
                }
                uint64_t t = ls_hits_total(h), exact = ls_hits_total(all);
                if (ls_hits_total_exact(h)) {
                    ck_assert_uint_eq(t, exact);
                } else {
                    ck_assert_uint_le(t, exact);
                    ck_assert_uint_ge(t, count_limits[ci]);
                    lower++;
                }
                compared++;
                ls_hits_free(h);
            }
            ls_hits_free(all);
        }
    }
    /* the pruning took part (totals became lower bounds), in most of the searches */
    ck_assert_uint_gt(lower, compared / 2);
    ls_reader_close(rd);
    ls_test_rmtree(dir);
    free(dir);
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
