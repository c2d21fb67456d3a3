/* SPDX-License-Identifier: MIT */
/*
 * impacts.c - FORMAT.md "Postings", Impacts (see impacts.h). After the "impacts" of Lucene's
 * skip data: the (tf, length) pairs that may score best, so that a block's bound follows its
 * best posting rather than the corner of its largest tf and shortest document.
 */
#include "format/impacts.h"

#include "codec/bitpack.h"
#include "util/buf.h"

/* BM25's tf part with k1 = 1.2, b = 0.75 (constant factors left out): for choosing merges. */
static double merge_score(uint32_t tf, uint32_t len, double avglen)
{
    return tf / (tf + 1.2 * 0.25 + 1.2 * 0.75 * len / avglen);
}

uint32_t ls_impacts_build(const uint32_t *tfs, const uint32_t *lens, uint32_t n, double avglen,
                          ls_impact out[LS_IMPACTS])
{
    /* the frontier so far, tf and len both strictly descending; it stays small (a handful of
     * points) on real lists, so inserting by scanning is cheap */
    ls_impact f[LS_BLOCK];
    uint32_t nf = 0;
    if (avglen <= 0)
        avglen = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = tfs[i], l = lens[i], j = 0;
        while (j < nf && f[j].tf > t) /* the points with a larger tf come first */
            j++;
        /* f[j - 1] has a larger tf: it covers (t, l) when it is no longer */
        if ((j > 0 && f[j - 1].len <= l) || (j < nf && f[j].tf == t && f[j].len <= l))
            continue;
        /* (t, l) covers the points from j on that are no shorter (tf <= t there) */
        uint32_t k = j;
        while (k < nf && f[k].len >= l)
            k++;
        /* f[j..k) go, (t, l) comes in at j */
        uint32_t removed = k - j;
        if (removed == 0) {
            for (uint32_t m = nf; m > j; m--)
                f[m] = f[m - 1];
            nf++;
        } else {
            for (uint32_t m = k; m < nf; m++)
                f[m - removed + 1] = f[m];
            nf = nf - removed + 1;
        }
        f[j] = (ls_impact){t, l};
    }
    while (nf > LS_IMPACTS) {
        uint32_t best = 0;
        double best_score = 0;
        for (uint32_t j = 0; j + 1 < nf; j++) {
            double s = merge_score(f[j].tf, f[j + 1].len, avglen);
            if (j == 0 || s < best_score) {
                best = j;
                best_score = s;
            }
        }
        f[best].len = f[best + 1].len;
        for (uint32_t m = best + 1; m + 1 < nf; m++)
            f[m] = f[m + 1];
        nf--;
    }
    for (uint32_t j = 0; j < nf; j++)
        out[j] = f[j];
    return nf;
}

void ls_impacts_put(uint8_t *p, const ls_impact *im, uint32_t n)
{
    for (uint32_t j = 0; j < LS_IMPACTS; j++, p += 3) {
        if (j >= n) {
            p[0] = p[1] = p[2] = 0;
            continue;
        }
        p[0] = (uint8_t)(im[j].tf > LS_IMPACT_TF_MAX ? 255 : im[j].tf);
        ls_put_u16le(p + 1, (uint16_t)(im[j].len > LS_IMPACT_LEN_MAX ? LS_IMPACT_LEN_MAX
                                                                     : im[j].len));
    }
}

uint32_t ls_impacts_get(const uint8_t *p, uint32_t max_tf, ls_impact out[LS_IMPACTS])
{
    uint32_t n = 0;
    for (; n < LS_IMPACTS && p[3 * n] != 0; n++) {
        out[n].tf = p[3 * n] == 255 ? max_tf : p[3 * n];
        out[n].len = ls_get_u16le(p + 3 * n + 1);
    }
    return n;
}

int ls_impacts_cover(const ls_impact *im, uint32_t n, uint32_t tf, uint32_t len)
{
    for (uint32_t j = 0; j < n; j++)
        if (im[j].tf >= tf && im[j].len <= len)
            return 1;
    return 0;
}
