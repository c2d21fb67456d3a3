/* SPDX-License-Identifier: MIT */
/*
 * collector.h - where every executor hands its matches (DESIGN.md §8): the collector owns the
 * top-k heap, the hit count and the live-documents filter, so that deleted documents are left
 * out in one place, whatever executor found them. An executor calls ls_collector_segment once
 * per segment, then ls_collector_collect for each matching document in that segment.
 */
#ifndef LS_QUERY_COLLECTOR_H
#define LS_QUERY_COLLECTOR_H

#include <stdint.h>

#include "query/topk.h"
#include "reader/snapshot.h"

typedef struct ls_collector {
    ls_topk *top;
    uint64_t total;         /* matching live documents so far */
    uint64_t base;          /* global number of the current segment's first document */
    const uint8_t *deleted; /* the current segment's deletion bitmap, NULL when it has none */
} ls_collector;

/** Starts collecting into top (which the caller owns). */
void ls_collector_init(ls_collector *c, ls_topk *top);
/** Switches to segment i of snapshot r. */
void ls_collector_segment(ls_collector *c, const ls_reader *r, uint32_t i);

/** @return nonzero when local document doc of the current segment is live. */
static inline int ls_collector_live(const ls_collector *c, uint32_t doc)
{
    return c->deleted == NULL || !(c->deleted[doc >> 3] >> (doc & 7) & 1u);
}

/** Counts and offers a match (ignored when the document is deleted). */
static inline void ls_collector_collect(ls_collector *c, uint32_t doc, double score)
{
    if (!ls_collector_live(c, doc))
        return;
    c->total++;
    ls_topk_push(c->top, score, c->base + doc);
}

#endif
