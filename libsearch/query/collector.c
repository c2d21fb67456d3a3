/* SPDX-License-Identifier: MIT */
/*
 * collector.c - the shared end of every executor (see collector.h).
 */
#include "query/collector.h"

void ls_collector_init(ls_collector *c, ls_topk *top, uint64_t count_limit)
{
    c->top = top;
    c->total = 0;
    c->base = 0;
    c->deleted = NULL;
    c->count_limit = count_limit;
    c->exact = 1;
}

void ls_collector_segment(ls_collector *c, const ls_reader *r, uint32_t i)
{
    c->base = r->segs[i].base;
    c->deleted = r->segs[i].del.bitmap;
}
