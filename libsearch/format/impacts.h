/* SPDX-License-Identifier: MIT */
/*
 * impacts.h - a block's score frontier (FORMAT.md "Postings", Impacts): at most LS_IMPACTS
 * points (tf, len) such that every posting of the block has a point with tf >= the posting's
 * and len <= its length. BM25 rises with tf and falls with length, so the most any posting of
 * the block scores, whatever k1, b and average length, is the most one of its points scores:
 * a bound as tight as the block's best posting where its frontier has LS_IMPACTS points or
 * fewer. (The corner of MaxTf and MinLen, the one point of format 6, is often far looser: the
 * largest tf and the shortest document seldom meet in one posting.)
 *
 *   Impacts --> (Tf u8, Len u16)^LS_IMPACTS
 *
 * Points come by tf descending; Tf 0 marks an unused point (only after the used ones), Tf 255
 * stands for the block's MaxTf (a tf above 254), and a length above 65535 is written as
 * 65535: rounding only up in tf and down in length keeps every bound valid.
 */
#ifndef LS_FORMAT_IMPACTS_H
#define LS_FORMAT_IMPACTS_H

#include <stdint.h>

#define LS_IMPACTS 4
#define LS_IMPACTS_SIZE (3u * LS_IMPACTS)
#define LS_IMPACT_TF_MAX 254u   /* larger: written as 255, read as the block's MaxTf */
#define LS_IMPACT_LEN_MAX 65535u /* larger: written as this, which is below the length */

typedef struct ls_impact {
    uint32_t tf, len;
} ls_impact;

/**
 * The frontier of n postings (1 <= n <= LS_BLOCK) (tfs[i], lens[i]) into out (tf descending, length
 * descending): the postings no other one beats in both, reduced to at most LS_IMPACTS points
 * by merging two neighbours (i, i + 1) into (tf_i, len_{i+1}), which covers both, where the
 * merged point scores least under BM25 k1 = 1.2, b = 0.75 and average length avglen (the
 * choice only makes the bound tighter or looser, never wrong). @return the number of points.
 */
uint32_t ls_impacts_build(const uint32_t *tfs, const uint32_t *lens, uint32_t n, double avglen,
                          ls_impact out[LS_IMPACTS]);

/** Writes n (1..LS_IMPACTS) points in LS_IMPACTS_SIZE bytes, rounded as the file comment says. */
void ls_impacts_put(uint8_t *p, const ls_impact *im, uint32_t n);

/** Reads the points at p (max_tf: the block's MaxTf, for Tf 255) into out.
 *  @return the number used, 0 when none is (damage: the caller gives no bound). */
uint32_t ls_impacts_get(const uint8_t *p, uint32_t max_tf, ls_impact out[LS_IMPACTS]);

/** @return nonzero when one of im[0..n) covers a posting of tf in a document of length len. */
int ls_impacts_cover(const ls_impact *im, uint32_t n, uint32_t tf, uint32_t len);

#endif
