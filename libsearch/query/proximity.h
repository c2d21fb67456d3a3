/* SPDX-License-Identifier: MIT */
/*
 * proximity.h - term-proximity re-ranking: BM25TP (Büttcher, Clarke & Lushman, "Term proximity
 * scoring for ad-hoc retrieval on very large text collections", SIGIR 2006). Over the
 * positions the index already stores, every pair of neighbouring occurrences of two different
 * query terms at distance d adds idf(other term) / d^2 to each term's accumulator acc(t); a
 * document then gains
 *
 *     weight * sum over query terms t of  w(t) * min(1, idf(t)) * acc(t) (k1 + 1) / (acc(t) + K)
 *
 * with K = k1 ((1 - b) + b |d| / avg|d|) as in BM25 and w(t) the summed weights (boosts) of
 * the term's clauses. The query terms are those of the all-field TERM clauses under positive
 * clauses that occur in the index (phrases, prefixes and field terms are left to their own
 * scoring). Only the best `depth` results of the ranking so far (the feedback pass's when
 * feedback ran) are re-scored; a bonus never lowers a score, so the re-scored head stays above
 * the rest and paging stays stable.
 */
#ifndef LS_QUERY_PROXIMITY_H
#define LS_QUERY_PROXIMITY_H

#include "libsearch.h"
#include "query/planner.h"
#include "query/topk.h"

/** Query terms considered at most (the strongest by idf * weight when a query has more). */
#define LS_PROXIMITY_MAX_TERMS 64

/** One query term's share of a document's proximity bonus. */
typedef struct ls_proximity_term {
    size_t leaf;  /* index into the plan's leaves (of the term's first clause) */
    double w;     /* the term's summed clause weights */
    double acc;   /* the accumulator: sum of idf(other) / d^2 over neighbouring pairs */
    double score; /* its part of the bonus (weight included) */
    uint32_t doc_len; /* the document's all-field length */
} ls_proximity_term;

typedef struct ls_proximity ls_proximity;

/** Prepares proximity scoring of plan p's query terms (see above). *out is NULL when the query
 *  has fewer than two distinct such terms or weight is 0 (nothing to score).
 *  @return LS_OK or LS_ENOMEM. */
int ls_proximity_new(const ls_plan *p, double weight, ls_proximity **out, ls_error *err);
void ls_proximity_free(ls_proximity *x);
/** Changes the bonus's weight (> 0). */
void ls_proximity_set_weight(ls_proximity *x, double weight);

/** Re-scores the first min(depth, top->n) results of top (sorted best first) with their
 *  proximity bonus and sorts them again. @return LS_OK, LS_ECORRUPT or LS_ENOMEM. */
int ls_proximity_rerank(ls_proximity *x, ls_topk *top, size_t depth, ls_error *err);

/** The bonus of document doc (global number) and, when terms is not NULL, each term's part
 *  (*n_terms entries with acc > 0, at most LS_PROXIMITY_MAX_TERMS). */
int ls_proximity_doc(ls_proximity *x, uint64_t doc, double *bonus, ls_proximity_term *terms,
                     size_t *n_terms, ls_error *err);

#endif
