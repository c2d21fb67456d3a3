/* SPDX-License-Identifier: MIT */
/*
 * bm25.h - Okapi BM25 (Robertson et al.; the form of DESIGN.md §5) with the non-negative idf
 * ln(1 + (N - df + 0.5) / (df + 0.5)). A term's query-time constants are folded once so the
 * per-document cost is one division.
 */
#ifndef LS_QUERY_BM25_H
#define LS_QUERY_BM25_H

#include <math.h>
#include <stdint.h>

typedef struct ls_bm25_term {
    double idf;     /* idf (a phrase: the sum of its terms' idf) */
    double weight;  /* query-side weight */
    double k1, b;
    double avglen;
    /* folded: */
    double wk;      /* weight * idf * (k1 + 1) */
    double k1a;     /* k1 * (1 - b) */
    double k1b;     /* k1 * b / avglen (0 when avglen is 0) */
} ls_bm25_term;

static inline double ls_bm25_idf(double n_docs, double df)
{
    return log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
}

static inline void ls_bm25_prepare(ls_bm25_term *t, double idf, double weight, double k1,
                                   double b, double avglen)
{
    t->idf = idf;
    t->weight = weight;
    t->k1 = k1;
    t->b = b;
    t->avglen = avglen;
    t->wk = weight * idf * (k1 + 1.0);
    if (avglen > 0) {
        t->k1a = k1 * (1.0 - b);
        t->k1b = k1 * b / avglen;
    } else { /* no tokens in the field: length normalization is neutral */
        t->k1a = k1;
        t->k1b = 0;
    }
}

static inline double ls_bm25_score(const ls_bm25_term *t, double tf, double len)
{
    return t->wk * tf / (tf + t->k1a + t->k1b * len);
}

#endif
