/* SPDX-License-Identifier: MIT */
/*
 * test_impacts.c - the impacts suite (format/impacts.h): the frontier of a block against a
 * brute-force one, every posting covered after writing and reading (tf above 254, lengths
 * above 65535), the bound never below a posting's BM25 score for random k1, b and average
 * length, and equal to the block's best score where the frontier fits.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "codec/bitpack.h"
#include "format/impacts.h"
#include "query/bm25.h"
#include "testutil.h"

/* A random block: tf mostly small (or large, kind 1), lengths short to very long. */
static void make_block(ls_rng *r, uint32_t n, int kind, uint32_t *tfs, uint32_t *lens)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t u = ls_rng_below(r, 100);
        tfs[i] = kind == 1 ? 1 + ls_rng_below(r, 1000) : u < 70 ? 1 : 1 + ls_rng_below(r, 12);
        lens[i] = kind == 2 ? 60000 + ls_rng_below(r, 20000)
                            : tfs[i] + ls_rng_below(r, u < 50 ? 40 : 3000);
    }
}

/* The brute-force frontier: postings that no other beats in tf and length (one of each
 * equal pair), as a count. */
static uint32_t frontier_size(const uint32_t *tfs, const uint32_t *lens, uint32_t n)
{
    uint32_t size = 0;
    for (uint32_t i = 0; i < n; i++) {
        int beaten = 0;
        for (uint32_t j = 0; j < n && !beaten; j++) {
            int covers = tfs[j] >= tfs[i] && lens[j] <= lens[i];
            int strictly = tfs[j] > tfs[i] || lens[j] < lens[i];
            beaten = j != i && covers && (strictly || j < i);
        }
        size += !beaten;
    }
    return size;
}

static double best_score(const ls_bm25_term *sc, const uint32_t *tfs, const uint32_t *lens,
                         uint32_t n)
{
    double best = 0;
    for (uint32_t i = 0; i < n; i++) {
        double s = ls_bm25_score(sc, tfs[i], lens[i]);
        best = s > best ? s : best;
    }
    return best;
}

static double impacts_bound(const ls_bm25_term *sc, const ls_impact *im, uint32_t n)
{
    double best = 0;
    for (uint32_t j = 0; j < n; j++) {
        double s = ls_bm25_score(sc, im[j].tf, im[j].len);
        best = s > best ? s : best;
    }
    return best;
}

/* Random blocks of 1..128 postings: the points are ordered, cover every posting after a
 * round trip through their bytes, bound every score for random BM25 parameters, and, where
 * the frontier has at most LS_IMPACTS points and nothing was rounded, are that frontier and
 * give the block's best score exactly. */
START_TEST(impacts_random_blocks)
{
    ls_rng r;
    ls_rng_init(&r, 910);
    uint32_t tfs[LS_BLOCK], lens[LS_BLOCK];
    int exact_seen = 0, merged_seen = 0;
    for (int round = 0; round < 3000; round++) {
        uint32_t n = round % 4 == 0 ? LS_BLOCK : 1 + ls_rng_below(&r, LS_BLOCK);
        int kind = round % 10 == 1 ? 1 : round % 10 == 2 ? 2 : 0;
        make_block(&r, n, kind, tfs, lens);
        ls_impact built[LS_IMPACTS], got[LS_IMPACTS];
        uint32_t nb = ls_impacts_build(tfs, lens, n, 1 + ls_rng_below(&r, 500), built);
        ck_assert_uint_ge(nb, 1);
        ck_assert_uint_le(nb, LS_IMPACTS);
        for (uint32_t j = 1; j < nb; j++)
            ck_assert(built[j].tf < built[j - 1].tf && built[j].len < built[j - 1].len);
        uint32_t max_tf = 0;
        for (uint32_t i = 0; i < n; i++)
            max_tf = tfs[i] > max_tf ? tfs[i] : max_tf;
        ck_assert_uint_eq(built[0].tf, max_tf);
        uint8_t bytes[LS_IMPACTS_SIZE];
        memset(bytes, 0xEE, sizeof bytes);
        ls_impacts_put(bytes, built, nb);
        uint32_t ng = ls_impacts_get(bytes, max_tf, got);
        ck_assert_uint_eq(ng, nb);
        for (uint32_t i = 0; i < n; i++)
            ck_assert_msg(ls_impacts_cover(got, ng, tfs[i], lens[i]),
                          "round %d: posting %u (tf %u, len %u) not covered", round, i, tfs[i],
                          lens[i]);
        for (int p = 0; p < 4; p++) {
            ls_bm25_term sc;
            ls_bm25_prepare(&sc, 0.1 + 5 * ls_rng_unit(&r), 1, 3 * ls_rng_unit(&r),
                            ls_rng_unit(&r), 1 + 2000 * ls_rng_unit(&r));
            double bound = impacts_bound(&sc, got, ng), best = best_score(&sc, tfs, lens, n);
            ck_assert_msg(bound >= best, "round %d: bound %.17g below best %.17g", round, bound,
                          best);
            int rounded = max_tf > LS_IMPACT_TF_MAX;
            for (uint32_t i = 0; i < n; i++)
                rounded |= lens[i] > LS_IMPACT_LEN_MAX;
            if (frontier_size(tfs, lens, n) <= LS_IMPACTS && !rounded) {
                ck_assert_msg(bound == best, "round %d: bound %.17g, best %.17g", round, bound,
                              best);
                exact_seen++;
            } else if (!rounded) {
                merged_seen++;
            }
        }
    }
    ck_assert_int_gt(exact_seen, 100); /* both cases were reached */
    ck_assert_int_gt(merged_seen, 100);
}
END_TEST

/* The frontier of a known block; the merge that costs least goes first. */
START_TEST(impacts_known_frontier)
{
    /* (5, 900) (3, 100) (1, 10) are the frontier; (2, 500) and (1, 50) are beaten */
    static const uint32_t tfs[] = {2, 5, 1, 3, 1, 3}, lens[] = {500, 900, 50, 100, 10, 100};
    ls_impact im[LS_IMPACTS];
    ck_assert_uint_eq(ls_impacts_build(tfs, lens, 6, 100, im), 3);
    ck_assert(im[0].tf == 5 && im[0].len == 900);
    ck_assert(im[1].tf == 3 && im[1].len == 100);
    ck_assert(im[2].tf == 1 && im[2].len == 10);
    /* FORMAT.md "Postings": its bytes */
    uint8_t b[LS_IMPACTS_SIZE];
    ls_impacts_put(b, im, 3);
    static const uint8_t want[LS_IMPACTS_SIZE] = {0x05, 0x84, 0x03, 0x03, 0x64, 0x00,
                                                  0x01, 0x0A, 0x00, 0x00, 0x00, 0x00};
    ck_assert(memcmp(b, want, sizeof want) == 0);
    /* six points in a row, tf 6..1, lengths 600, 500, ... 100: two merges */
    static const uint32_t t6[] = {1, 2, 3, 4, 5, 6}, l6[] = {100, 200, 300, 400, 500, 600};
    uint32_t n = ls_impacts_build(t6, l6, 6, 100, im);
    ck_assert_uint_eq(n, LS_IMPACTS);
    ck_assert(im[0].tf == 6 && im[n - 1].len == 100);
    for (uint32_t i = 0; i < 6; i++)
        ck_assert(ls_impacts_cover(im, n, t6[i], l6[i]));
    /* one posting */
    static const uint32_t one_tf = 7, one_len = 70;
    ck_assert_uint_eq(ls_impacts_build(&one_tf, &one_len, 1, 50, im), 1);
    ck_assert(im[0].tf == 7 && im[0].len == 70);
}
END_TEST

/* Bytes: tf up to 254 as itself, above as 255 (read as MaxTf); lengths above 65535 as
 * 65535; unused points are zero and stop the reading; no used point is damage. */
START_TEST(impacts_bytes)
{
    ls_impact im[2] = {{300, 70000}, {254, 65535}}, got[LS_IMPACTS];
    uint8_t b[LS_IMPACTS_SIZE];
    ls_impacts_put(b, im, 2);
    static const uint8_t want[LS_IMPACTS_SIZE] = {0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF};
    ck_assert(memcmp(b, want, sizeof want) == 0);
    ck_assert_uint_eq(ls_impacts_get(b, 300, got), 2);
    ck_assert(got[0].tf == 300 && got[0].len == 65535);
    ck_assert(got[1].tf == 254 && got[1].len == 65535);
    ck_assert(ls_impacts_cover(got, 2, 300, 70000));
    ck_assert(!ls_impacts_cover(got, 2, 300, 60000)); /* shorter than any point covers */
    memset(b, 0, sizeof b);
    ck_assert_uint_eq(ls_impacts_get(b, 5, got), 0);
    ck_assert(!ls_impacts_cover(got, 0, 1, 1));
}
END_TEST

Suite *ls_suite_impacts(void)
{
    Suite *s = suite_create("impacts");
    TCase *tc = tcase_create("impacts");
    tcase_add_test(tc, impacts_random_blocks);
    tcase_add_test(tc, impacts_known_frontier);
    tcase_add_test(tc, impacts_bytes);
    suite_add_tcase(s, tc);
    return s;
}
