/* SPDX-License-Identifier: MIT */
/*
 * topk.c - bounded min-heap of results.
 */
#include "query/topk.h"

#include <math.h>
#include <stdlib.h>

#include "libsearch.h"
#include "util/alloc.h"

/* a is worse than b */
static int worse(const ls_scored *a, const ls_scored *b)
{
    return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}

int ls_topk_init(ls_topk *t, size_t k)
{
    t->n = 0;
    t->k = k;
    t->heap = ls_calloc(k ? k : 1, sizeof *t->heap);
    return t->heap ? LS_OK : LS_ENOMEM;
}

void ls_topk_free(ls_topk *t)
{
    ls_free(t->heap);
    t->heap = NULL;
}

static void sift_down(ls_scored *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&h[l], &h[m]))
            m = l;
        if (r < n && worse(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        ls_scored tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

void ls_topk_push(ls_topk *t, double score, uint64_t doc)
{
    ls_scored s = {score, doc};
    if (t->k == 0)
        return;
    if (t->n < t->k) {
        size_t i = t->n++;
        t->heap[i] = s;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!worse(&t->heap[i], &t->heap[p]))
                break;
            ls_scored tmp = t->heap[i];
            t->heap[i] = t->heap[p];
            t->heap[p] = tmp;
            i = p;
        }
        return;
    }
    if (!worse(&t->heap[0], &s))
        return;
    t->heap[0] = s;
    sift_down(t->heap, t->n, 0);
}

double ls_topk_threshold(const ls_topk *t)
{
    return t->n < t->k || t->k == 0 ? -INFINITY : t->heap[0].score;
}

int ls_scored_cmp_best_first(const void *a, const void *b)
{
    const ls_scored *x = a, *y = b;
    if (worse(x, y))
        return 1;
    if (worse(y, x))
        return -1;
    return 0;
}

void ls_topk_sort(ls_topk *t)
{
    /* Heapsort in place: the root (the worst left) goes to the end, so the best ends up first;
     * no comparator calls through a pointer, no scratch memory. The order is total (score,
     * then document), so it is the order a comparison sort gives. */
    for (size_t n = t->n; n > 1; n--) {
        ls_scored tmp = t->heap[0];
        t->heap[0] = t->heap[n - 1];
        t->heap[n - 1] = tmp;
        sift_down(t->heap, n - 1, 0);
    }
}
