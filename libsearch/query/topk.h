/* SPDX-License-Identifier: MIT */
/*
 * topk.h - the k best (score, document) pairs in a min-heap whose root is the worst kept
 * result: lower score, or equal score and later document (ties go to document order).
 */
#ifndef LS_QUERY_TOPK_H
#define LS_QUERY_TOPK_H

#include <stddef.h>
#include <stdint.h>

typedef struct ls_scored {
    double score;
    uint64_t doc; /* global document number */
} ls_scored;

typedef struct ls_topk {
    ls_scored *heap;
    size_t n, k;
} ls_topk;

/** @return LS_OK or LS_ENOMEM. k may be 0 (keeps nothing). */
int ls_topk_init(ls_topk *t, size_t k);
void ls_topk_free(ls_topk *t);
/** Offers a result; kept when among the k best so far. */
void ls_topk_push(ls_topk *t, double score, uint64_t doc);
/** Nonzero when ls_topk_push would drop any result of this score (the heap is full and its
 *  worst scores more; k = 0 keeps nothing): the test inline, before the call. */
static inline int ls_topk_rejects(const ls_topk *t, double score)
{
    return t->n == t->k && (t->k == 0 || score < t->heap[0].score);
}
/** The score a new result must beat to enter (−inf until k are held). */
double ls_topk_threshold(const ls_topk *t);
/** qsort comparator of ls_scored: better first (higher score, then earlier document). */
int ls_scored_cmp_best_first(const void *a, const void *b);
/** Sorts the kept results best first (destroys the heap order). */
void ls_topk_sort(ls_topk *t);

#endif
