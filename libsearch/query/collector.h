/* SPDX-License-Identifier: MIT */
/*
 * collector.h - where every executor hands its matches (DESIGN.md §8): the collector owns the
 * top-k heap, the hit count and the live-documents filter, so that deleted documents are left
 * out in one place, whatever executor found them. An executor calls ls_collector_segment once
 * per segment, then ls_collector_collect for each matching document in that segment.
 */
#ifndef LS_QUERY_COLLECTOR_H
#define LS_QUERY_COLLECTOR_H

#include <math.h>
#include <stdint.h>

#include "query/topk.h"
#include "reader/snapshot.h"

typedef struct ls_collector {
    ls_topk *top;
    uint64_t total;         /* matching live documents so far */
    uint64_t base;          /* global number of the current segment's first document */
    const uint8_t *deleted; /* the current segment's deletion bitmap, NULL when it has none */
    uint64_t count_limit;   /* matches counted before any may be skipped */
    int exact;              /* nonzero while no match was skipped: total is the exact count */
} ls_collector;

/** Starts collecting into top (which the caller owns); matches may be skipped once
 *  count_limit of them are counted (UINT64_MAX: never). */
void ls_collector_init(ls_collector *c, ls_topk *top, uint64_t count_limit);

/** Relative slack added to a score bound before it is compared with the floor. */
#define LS_PRUNE_SLACK 1e-12

/**
 * The score a document must beat to change the results: -inf until count_limit matches are
 * counted and the top-k is full (k = 0 never prunes), then the worst kept score. Documents
 * arrive in order and ties go to the earlier one, so a document whose score bound is at or
 * below the floor cannot enter; an executor that skips such documents calls
 * ls_collector_skipped.
 */
static inline double ls_collector_floor(const ls_collector *c)
{
    return c->total < c->count_limit ? -INFINITY : ls_topk_threshold(c->top);
}

/** @return nonzero when a score bound shows that no document under it can enter. */
static inline int ls_collector_cannot_enter(const ls_collector *c, double bound)
{
    double floor = ls_collector_floor(c);
    return floor > -INFINITY && bound * (1 + LS_PRUNE_SLACK) <= floor;
}

/** @return nonzero when only the count is wanted (a top-k of 0): scores need not be computed. */
static inline int ls_collector_counts_only(const ls_collector *c) { return c->top->k == 0; }

/** Records that matches were skipped: the total becomes a lower bound. */
static inline void ls_collector_skipped(ls_collector *c) { c->exact = 0; }
/** Switches to segment i of snapshot r. */
void ls_collector_segment(ls_collector *c, const ls_reader *r, uint32_t i);

/** @return nonzero when local document doc of the current segment is live. */
static inline int ls_collector_live(const ls_collector *c, uint32_t doc)
{
    return c->deleted == NULL || !(c->deleted[doc >> 3] >> (doc & 7) & 1u);
}

/** Counts a match without offering it: one whose score bound shows that it cannot enter
 *  (ignored when the document is deleted). */
static inline void ls_collector_count(ls_collector *c, uint32_t doc)
{
    c->total += ls_collector_live(c, doc);
}

/** Counts and offers a match (ignored when the document is deleted). */
static inline void ls_collector_collect(ls_collector *c, uint32_t doc, double score)
{
    if (!ls_collector_live(c, doc))
        return;
    c->total++;
    if (!ls_topk_rejects(c->top, score))
        ls_topk_push(c->top, score, c->base + doc);
}

#endif
