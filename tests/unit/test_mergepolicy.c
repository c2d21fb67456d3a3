/* SPDX-License-Identifier: MIT */
/*
 * test_mergepolicy.c - the merge policy suite (index/mergepolicy.h), pure functions driven by
 * simulations: segment counts stay logarithmic while single documents or random batches
 * arrive and are deleted, every merge is a run of adjacent segments (document order never
 * changes), a third deleted rewrites a segment alone, and optimize leaves at most
 * max_segments; plus table-driven edge cases of both functions.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/mergepolicy.h"
#include "libsearch.h"
#include "testutil.h"

/* A simulated index: segments in document order, each covering the additions [lo, hi]. */
typedef struct sim {
    ls_merge_seg *segs;
    uint64_t *lo, *hi;
    uint32_t n, cap;
    uint64_t added;  /* documents added so far */
    uint64_t merges; /* runs applied */
} sim;

static void sim_init(sim *s, uint32_t cap)
{
    memset(s, 0, sizeof *s);
    s->cap = cap;
    s->segs = malloc(cap * sizeof *s->segs);
    s->lo = malloc(cap * sizeof *s->lo);
    s->hi = malloc(cap * sizeof *s->hi);
    ck_assert(s->segs && s->lo && s->hi);
}

static void sim_free(sim *s)
{
    free(s->segs);
    free(s->lo);
    free(s->hi);
}

static void sim_add(sim *s, uint64_t docs)
{
    ck_assert_uint_lt(s->n, s->cap);
    s->segs[s->n] = (ls_merge_seg){docs, 0};
    s->lo[s->n] = s->added;
    s->added += docs;
    s->hi[s->n] = s->added - 1;
    s->n++;
}

static uint64_t live(const ls_merge_seg *g) { return g->docs - g->deleted; }

static unsigned level_of(uint64_t docs, unsigned factor)
{
    unsigned l = 0;
    for (; docs >= factor; docs /= factor)
        l++;
    return l;
}

static unsigned top_level(const sim *s, unsigned factor)
{
    unsigned top = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        unsigned l = level_of(live(&s->segs[i]), factor);
        top = l > top ? l : top;
    }
    return top;
}

/* Merges run into one segment of its live documents (the deleted ones are dropped). */
static void sim_apply(sim *s, ls_merge_run run)
{
    uint64_t docs = 0;
    for (uint32_t k = run.start; k < run.start + run.count; k++)
        docs += live(&s->segs[k]);
    s->segs[run.start] = (ls_merge_seg){docs, 0};
    s->hi[run.start] = s->hi[run.start + run.count - 1];
    uint32_t gone = run.count - 1;
    memmove(&s->segs[run.start + 1], &s->segs[run.start + run.count],
            (s->n - run.start - run.count) * sizeof *s->segs);
    memmove(&s->lo[run.start + 1], &s->lo[run.start + run.count],
            (s->n - run.start - run.count) * sizeof *s->lo);
    memmove(&s->hi[run.start + 1], &s->hi[run.start + run.count],
            (s->n - run.start - run.count) * sizeof *s->hi);
    s->n -= gone;
    s->merges++;
}

/* Asks the policy until it has nothing to merge, checking and applying each run. */
static void sim_settle(sim *s, unsigned factor)
{
    ls_merge_run run;
    unsigned f = factor < 2 ? 2 : factor;
    for (int guard = 0; ls_merge_policy_next(s->segs, s->n, factor, &run); guard++) {
        if (guard > 100000)
            ck_abort_msg("the policy does not settle (%u segments)", s->n);
        if (run.count == 0 || run.start >= s->n || run.count > s->n - run.start)
            ck_abort_msg("run [%u, +%u) outside %u segments", run.start, run.count, s->n);
        if (run.count == 1) { /* a rewrite alone: only for a third or more deleted */
            const ls_merge_seg *g = &s->segs[run.start];
            if (!(g->deleted > 0 && g->deleted * 3 >= g->docs))
                ck_abort_msg("segment %u (%llu docs, %llu deleted) rewritten alone", run.start,
                             (unsigned long long)g->docs, (unsigned long long)g->deleted);
        } else if (run.count != f) {
            ck_abort_msg("a run of %u segments with merge factor %u", run.count, f);
        }
        uint64_t total = 0;
        for (uint32_t k = run.start; k < run.start + run.count; k++)
            total += live(&s->segs[k]);
        if (total > LS_MAX_SEGMENT_DOCS)
            ck_abort_msg("a merge into %llu documents", (unsigned long long)total);
        sim_apply(s, run);
    }
}

/* Segments cover the additions in order, with nothing lost or duplicated. */
static void sim_check_order(const sim *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->lo[i] > s->hi[i] + 1 || (i > 0 && s->lo[i] != s->hi[i - 1] + 1))
            ck_abort_msg("segment %u covers [%llu, %llu] after %llu", i,
                         (unsigned long long)s->lo[i], (unsigned long long)s->hi[i],
                         i ? (unsigned long long)s->hi[i - 1] : 0ull);
    }
    if (s->n > 0 && (s->lo[0] != 0 || s->hi[s->n - 1] + 1 != s->added))
        ck_abort_msg("segments do not cover the %llu documents added",
                     (unsigned long long)s->added);
}

START_TEST(mergepolicy_single_documents_stay_logarithmic)
{
    static const unsigned factors[] = {2, 3, 4, 10, 100};
    uint32_t steps = ls_test_long() ? 30000 : 4000;
    for (size_t f = 0; f < sizeof factors / sizeof factors[0]; f++) {
        unsigned F = factors[f];
        sim s;
        sim_init(&s, steps + 1);
        uint32_t peak = 0;
        for (uint32_t t = 0; t < steps; t++) {
            sim_add(&s, 1);
            sim_settle(&s, F);
            unsigned top = top_level(&s, F);
            if (s.n > F * (top + 2))
                ck_abort_msg("F=%u step %u: %u segments, top level %u", F, t, s.n, top);
            /* pure additions: levels never rise along the index and each holds < F
             * segments, so at most (F - 1) per level */
            unsigned per = 0;
            for (uint32_t i = 0; i < s.n; i++) {
                unsigned l = level_of(live(&s.segs[i]), F);
                per = i > 0 && l == level_of(live(&s.segs[i - 1]), F) ? per + 1 : 1;
                if ((i > 0 && l > level_of(live(&s.segs[i - 1]), F)) || per >= F)
                    ck_abort_msg("F=%u step %u: segment %u of level %u out of place", F, t, i, l);
            }
            peak = s.n > peak ? s.n : peak;
        }
        sim_check_order(&s);
        ck_assert_uint_eq(s.added, steps);
        uint64_t total = 0;
        for (uint32_t i = 0; i < s.n; i++)
            total += s.segs[i].docs;
        ck_assert_uint_eq(total, steps);
        /* the bound is not vacuous: merges happened and segments piled up to it */
        ck_assert_uint_gt(s.merges, steps / (2 * F));
        ck_assert_uint_ge(peak, F - 1 < 3 ? F - 1 : 3);
        sim_free(&s);
    }
}
END_TEST

START_TEST(mergepolicy_random_batches_and_deletions)
{
    static const unsigned factors[] = {0, 2, 5, 10};
    ls_rng r;
    ls_rng_init(&r, 1200);
    uint32_t steps = ls_test_long() ? 20000 : 3000;
    for (size_t f = 0; f < sizeof factors / sizeof factors[0]; f++) {
        unsigned F = factors[f] < 2 ? 2 : factors[f];
        sim s;
        sim_init(&s, steps + 1);
        uint64_t live_total = 0;
        for (uint32_t t = 0; t < steps; t++) {
            if (s.n > 0 && ls_rng_below(&r, 3) == 0) { /* delete some of a segment */
                ls_merge_seg *g = &s.segs[ls_rng_below(&r, s.n)];
                uint64_t k = ls_rng_below(&r, (uint32_t)(live(g) < 1000 ? live(g) + 1 : 1000));
                g->deleted += k;
                live_total -= k;
            } else {
                uint32_t x = ls_rng_below(&r, 10);
                uint64_t docs = x == 0 ? 100000 + ls_rng_below(&r, 1000000)
                                       : 1 + ls_rng_below(&r, x < 5 ? 10 : 2000);
                sim_add(&s, docs);
                live_total += docs;
            }
            sim_settle(&s, factors[f]);
            unsigned top = top_level(&s, F);
            if (s.n > F * (top + 2))
                ck_abort_msg("F=%u step %u: %u segments, top level %u", F, t, s.n, top);
            uint64_t sum = 0;
            for (uint32_t i = 0; i < s.n; i++) {
                const ls_merge_seg *g = &s.segs[i];
                if (g->deleted > 0 && g->deleted * 3 >= g->docs)
                    ck_abort_msg("F=%u step %u: segment %u is a third deleted and stays", F, t, i);
                sum += live(g);
            }
            if (sum != live_total)
                ck_abort_msg("F=%u step %u: %llu live documents, want %llu", F, t,
                             (unsigned long long)sum, (unsigned long long)live_total);
        }
        sim_check_order(&s);
        sim_free(&s);
    }
}
END_TEST

START_TEST(mergepolicy_next_edges)
{
    ls_merge_run run = {77, 77};
    ls_merge_seg segs[32] = {{0, 0}};
    /* nothing, one segment, a segment a bit under a third deleted */
    ck_assert_int_eq(ls_merge_policy_next(segs, 0, 10, &run), 0);
    segs[0] = (ls_merge_seg){1, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 1, 10, &run), 0);
    segs[0] = (ls_merge_seg){0, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 1, 10, &run), 0);
    segs[0] = (ls_merge_seg){4, 1};
    ck_assert_int_eq(ls_merge_policy_next(segs, 1, 10, &run), 0);
    /* a third deleted, and all deleted: rewritten alone */
    segs[0] = (ls_merge_seg){3, 1};
    ck_assert_int_eq(ls_merge_policy_next(segs, 1, 10, &run), 1);
    ck_assert(run.start == 0 && run.count == 1);
    segs[1] = (ls_merge_seg){5, 0};
    segs[2] = (ls_merge_seg){9, 9};
    segs[0] = (ls_merge_seg){9, 2};
    ck_assert_int_eq(ls_merge_policy_next(segs, 3, 10, &run), 1);
    ck_assert(run.start == 2 && run.count == 1);
    /* F - 1 single documents wait; F merge; F + 1: the first F (all totals equal) */
    for (uint32_t i = 0; i < 11; i++)
        segs[i] = (ls_merge_seg){1, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 9, 10, &run), 0);
    ck_assert_int_eq(ls_merge_policy_next(segs, 10, 10, &run), 1);
    ck_assert(run.start == 0 && run.count == 10);
    ck_assert_int_eq(ls_merge_policy_next(segs, 11, 10, &run), 1);
    ck_assert(run.start == 0 && run.count == 10);
    /* factors 0 and 1 mean 2 */
    ck_assert_int_eq(ls_merge_policy_next(segs, 2, 0, &run), 1);
    ck_assert(run.start == 0 && run.count == 2);
    ck_assert_int_eq(ls_merge_policy_next(segs, 2, 1, &run), 1);
    ck_assert(run.start == 0 && run.count == 2);
    /* a big segment, then ten small ones: the small ones */
    segs[0] = (ls_merge_seg){100, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 11, 10, &run), 1);
    ck_assert(run.start == 1 && run.count == 10);
    /* two windows of one level each: the smaller total */
    for (uint32_t i = 0; i < 20; i++)
        segs[i] = (ls_merge_seg){i < 10 ? 1000 : 10, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 20, 10, &run), 1);
    ck_assert(run.start == 10 && run.count == 10);
    /* levels count live documents: 10000 documents of which 9000 deleted are of the level
     * of 1000, so the ten make a window (which goes before the rewrite of a third deleted) */
    segs[0] = segs[5] = (ls_merge_seg){10000, 9000};
    ck_assert_int_eq(ls_merge_policy_next(segs, 10, 10, &run), 1);
    ck_assert(run.start == 0 && run.count == 10);
    /* merges never exceed LS_MAX_SEGMENT_DOCS */
    segs[0] = (ls_merge_seg){1u << 30, 0};
    segs[1] = (ls_merge_seg){1u << 30, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 2, 2, &run), 0);
    segs[0] = segs[1] = (ls_merge_seg){(1u << 30) - 1, 0};
    ck_assert_int_eq(ls_merge_policy_next(segs, 2, 2, &run), 1);
    ck_assert(run.start == 0 && run.count == 2);
    /* interleaved levels with too many segments: the smallest adjacent window of any level */
    for (uint32_t i = 0; i < 32; i++)
        segs[i] = (ls_merge_seg){i % 2 ? 1 : 10, 0}; /* levels 1, 0, 1, 0, ... (F = 10) */
    ck_assert_int_eq(ls_merge_policy_next(segs, 20, 10, &run), 0); /* 20 <= 10 * (1 + 2) */
    ck_assert_int_eq(ls_merge_policy_next(segs, 31, 10, &run), 1);
    ck_assert(run.count == 10 && run.start == 0); /* every window holds 55: the first */
}
END_TEST

/* Checks runs from ls_merge_policy_optimize and applies them. @return segments left. */
static uint32_t check_optimize(const ls_merge_seg *segs, uint32_t n, uint32_t max_segments,
                               uint32_t *nruns_out)
{
    ls_merge_run *runs = malloc((n ? n : 1) * sizeof *runs);
    ck_assert_ptr_nonnull(runs);
    uint32_t nr = ls_merge_policy_optimize(segs, n, max_segments, runs);
    ck_assert_uint_le(nr, n);
    uint32_t left = n, next_free = 0;
    uint8_t *in_run = calloc(n ? n : 1, 1);
    ck_assert_ptr_nonnull(in_run);
    for (uint32_t i = 0; i < nr; i++) {
        /* ascending, disjoint, inside, worth doing, never over the segment limit */
        ck_assert_uint_ge(runs[i].start, next_free);
        ck_assert(runs[i].count >= 1 && runs[i].count <= n - runs[i].start);
        uint64_t total = 0, deleted = 0;
        for (uint32_t k = runs[i].start; k < runs[i].start + runs[i].count; k++) {
            total += live(&segs[k]);
            deleted += segs[k].deleted;
            in_run[k] = 1;
        }
        ck_assert(runs[i].count > 1 || deleted > 0);
        ck_assert_uint_le(total, LS_MAX_SEGMENT_DOCS);
        next_free = runs[i].start + runs[i].count;
        left -= runs[i].count - 1;
    }
    for (uint32_t k = 0; k < n; k++) /* nothing deleted is left behind */
        ck_assert(segs[k].deleted == 0 || in_run[k]);
    free(in_run);
    free(runs);
    if (nruns_out != NULL)
        *nruns_out = nr;
    return left;
}

START_TEST(mergepolicy_optimize_edges)
{
    ls_merge_seg segs[100] = {{0, 0}};
    uint32_t nr;
    ck_assert_uint_eq(check_optimize(segs, 0, 1, &nr), 0);
    ck_assert_uint_eq(nr, 0);
    segs[0] = (ls_merge_seg){50, 0}; /* one clean segment: nothing to do */
    ck_assert_uint_eq(check_optimize(segs, 1, 1, &nr), 1);
    ck_assert_uint_eq(nr, 0);
    segs[0] = (ls_merge_seg){50, 1}; /* one segment with deletions: rewritten */
    ck_assert_uint_eq(check_optimize(segs, 1, 1, &nr), 1);
    ck_assert_uint_eq(nr, 1);
    segs[0] = (ls_merge_seg){50, 50}; /* all deleted */
    ck_assert_uint_eq(check_optimize(segs, 1, 1, &nr), 1);
    ck_assert_uint_eq(nr, 1);
    /* max_segments 0 means 1 */
    for (uint32_t i = 0; i < 7; i++)
        segs[i] = (ls_merge_seg){1 + i, 0};
    ck_assert_uint_eq(check_optimize(segs, 7, 0, &nr), 1);
    ck_assert_uint_eq(check_optimize(segs, 7, 1, &nr), 1);
    ck_assert_uint_eq(nr, 1);
    /* 100 equal segments into 10: ten runs of ten */
    ls_merge_run runs[100];
    for (uint32_t i = 0; i < 100; i++)
        segs[i] = (ls_merge_seg){10, 0};
    ck_assert_uint_eq(ls_merge_policy_optimize(segs, 100, 10, runs), 10);
    for (uint32_t i = 0; i < 10; i++)
        ck_assert(runs[i].start == 10 * i && runs[i].count == 10);
    ck_assert_uint_eq(check_optimize(segs, 100, 10, NULL), 10);
    /* more room than segments, one of them with deletions: that one at least */
    segs[3].deleted = 2;
    ck_assert_uint_le(check_optimize(segs, 5, 10, &nr), 5);
    ck_assert_uint_ge(nr, 1);
    /* too big to become one: every run stays under the segment limit */
    for (uint32_t i = 0; i < 3; i++)
        segs[i] = (ls_merge_seg){1u << 30, 0};
    ck_assert_uint_eq(check_optimize(segs, 3, 1, &nr), 3);
}
END_TEST

START_TEST(mergepolicy_optimize_random)
{
    ls_rng r;
    ls_rng_init(&r, 1300);
    ls_merge_seg segs[300];
    int rounds = ls_test_long() ? 20000 : 2000;
    for (int t = 0; t < rounds; t++) {
        uint32_t n = ls_rng_below(&r, 300) + 1, max = ls_rng_below(&r, 20);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t x = ls_rng_below(&r, 8);
            uint64_t docs = x == 0   ? 1
                            : x == 1 ? 1000000 + ls_rng_below(&r, 1000000)
                                     : 1 + ls_rng_below(&r, 5000);
            uint64_t del = ls_rng_below(&r, 4) == 0 ? ls_rng_below(&r, (uint32_t)docs + 1) : 0;
            segs[i] = (ls_merge_seg){docs, del};
        }
        uint32_t left = check_optimize(segs, n, max, NULL);
        ck_assert_msg(left <= (max ? max : 1), "round %d: %u segments of %u left, max %u", t, left,
                      n, max);
    }
}
END_TEST

Suite *ls_suite_mergepolicy(void)
{
    Suite *s = suite_create("mergepolicy");
    TCase *tc = tcase_create("policy");
    tcase_set_timeout(tc, ls_test_long() ? 600 : 60);
    tcase_add_test(tc, mergepolicy_single_documents_stay_logarithmic);
    tcase_add_test(tc, mergepolicy_random_batches_and_deletions);
    tcase_add_test(tc, mergepolicy_next_edges);
    tcase_add_test(tc, mergepolicy_optimize_edges);
    tcase_add_test(tc, mergepolicy_optimize_random);
    suite_add_tcase(s, tc);
    return s;
}
