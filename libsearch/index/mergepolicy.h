/* SPDX-License-Identifier: MIT */
/*
 * mergepolicy.h - which adjacent segments to merge (DESIGN.md §4), as pure functions of the
 * segments' sizes, so the policy is tested alone. Only adjacent segments are merged, so that
 * document order, and with it every tie between equal scores, never changes.
 *
 * A segment's level is floor(log_F(live documents)) for the merge factor F. A commit merges
 * F adjacent segments of one level (a log-structured policy, like Lucene's LogMergePolicy);
 * rewrites alone a segment of which a third or more is deleted; and, should unequal levels
 * interleave, merges the F adjacent segments of the smallest total once there are more than
 * F * (top level + 2) segments. Segment counts thus stay logarithmic in the index size.
 */
#ifndef LS_INDEX_MERGEPOLICY_H
#define LS_INDEX_MERGEPOLICY_H

#include <stddef.h>
#include <stdint.h>

#define LS_DEFAULT_MERGE_FACTOR 10u

/** A run of adjacent segments [start, start + count) to merge into one. */
typedef struct ls_merge_run {
    uint32_t start, count;
} ls_merge_run;

/** A segment as the policy sees it. */
typedef struct ls_merge_seg {
    uint64_t docs;    /* in its files */
    uint64_t deleted; /* of them deleted */
} ls_merge_seg;

/** The next merge for segs[0..n) with merge factor `factor` (>= 2). @return 1 (*out set) or
 *  0 when nothing needs merging. */
int ls_merge_policy_next(const ls_merge_seg *segs, uint32_t n, unsigned factor,
                         ls_merge_run *out);

/** The merges that leave at most max_segments (>= 1) segments without deletions: contiguous
 *  groups of balanced sizes. out has room for n runs. @return the number of runs. */
uint32_t ls_merge_policy_optimize(const ls_merge_seg *segs, uint32_t n, uint32_t max_segments,
                                  ls_merge_run *out);

#endif
