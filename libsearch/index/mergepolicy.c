/* SPDX-License-Identifier: MIT */
/*
 * mergepolicy.c - the log-structured merge policy (see mergepolicy.h).
 */
#include "index/mergepolicy.h"

#include "libsearch.h"

static uint64_t live(const ls_merge_seg *s) { return s->docs - s->deleted; }

static unsigned level(uint64_t docs, unsigned factor)
{
    unsigned l = 0;
    while (docs >= factor) {
        docs /= factor;
        l++;
    }
    return l;
}

/* The smallest-total window of `factor` adjacent segments; `same`: all of one level. */
static int best_window(const ls_merge_seg *segs, uint32_t n, unsigned factor, int same,
                       ls_merge_run *out)
{
    int found = 0;
    uint64_t best = 0;
    for (uint32_t i = 0; i + factor <= n; i++) {
        uint64_t total = 0;
        unsigned l0 = level(live(&segs[i]), factor);
        int ok = 1;
        for (uint32_t k = i; k < i + factor; k++) {
            total += live(&segs[k]);
            ok &= !same || level(live(&segs[k]), factor) == l0;
        }
        if (!ok || total > LS_MAX_SEGMENT_DOCS || (found && total >= best))
            continue;
        found = 1;
        best = total;
        out->start = i;
        out->count = factor;
    }
    return found;
}

int ls_merge_policy_next(const ls_merge_seg *segs, uint32_t n, unsigned factor,
                         ls_merge_run *out)
{
    if (factor < 2)
        factor = 2;
    if (best_window(segs, n, factor, 1, out))
        return 1;
    for (uint32_t i = 0; i < n; i++) {
        if (segs[i].deleted > 0 && segs[i].deleted * 3 >= segs[i].docs) {
            out->start = i;
            out->count = 1;
            return 1;
        }
    }
    unsigned top = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned l = level(live(&segs[i]), factor);
        top = l > top ? l : top;
    }
    if ((uint64_t)n > (uint64_t)factor * (top + 2))
        return best_window(segs, n, factor, 0, out);
    return 0;
}

/* Cuts segs into contiguous groups of at most `target` live documents (a segment larger than
 * that is a group alone). Writes the groups worth merging to out (when not NULL): more than
 * one segment, or one with deletions. @return the number of groups. */
static uint32_t cut(const ls_merge_seg *segs, uint32_t n, uint64_t target, ls_merge_run *out,
                    uint32_t *runs)
{
    uint32_t groups = 0, i = 0;
    *runs = 0;
    while (i < n) {
        uint32_t start = i;
        uint64_t size = live(&segs[i++]);
        while (i < n && size + live(&segs[i]) <= target)
            size += live(&segs[i++]);
        groups++;
        if (out != NULL && (i - start > 1 || segs[start].deleted > 0))
            out[(*runs)++] = (ls_merge_run){start, i - start};
    }
    return groups;
}

uint32_t ls_merge_policy_optimize(const ls_merge_seg *segs, uint32_t n, uint32_t max_segments,
                                  ls_merge_run *out)
{
    uint64_t total = 0;
    int deletions = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += live(&segs[i]);
        deletions |= segs[i].deleted > 0;
    }
    if (max_segments < 1)
        max_segments = 1;
    if (n <= max_segments && !deletions)
        return 0; /* nothing to do */
    /* Groups of about total / max_segments live documents, widened until there are few
     * enough, but never over the segment limit. */
    uint64_t target = (total + max_segments - 1) / max_segments, runs;
    if (target == 0)
        target = 1;
    uint32_t r;
    while (target < LS_MAX_SEGMENT_DOCS && cut(segs, n, target, NULL, &r) > max_segments)
        target += target / 4 + 1;
    if (target > LS_MAX_SEGMENT_DOCS)
        target = LS_MAX_SEGMENT_DOCS;
    cut(segs, n, target, out, &r);
    runs = r;
    return (uint32_t)runs;
}
