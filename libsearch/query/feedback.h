/* SPDX-License-Identifier: MIT */
/*
 * feedback.h - pseudo-relevance feedback by RM3: the best documents of a first pass are taken
 * as relevant, a relevance model (Lavrenko & Croft 2001) is estimated from their terms, and
 * its strongest terms are interpolated with the query (Abdul-Jaleel et al., UMass at TREC
 * 2004). The expanded query is an ordinary query tree with boosts, planned and run like any
 * other, so explanations show every expansion term and its weight.
 */
#ifndef LS_QUERY_FEEDBACK_H
#define LS_QUERY_FEEDBACK_H

#include "analysis/analyzer.h"
#include "query/ast.h"
#include "query/topk.h"
#include "reader/snapshot.h"

typedef struct ls_feedback_params {
    unsigned docs;       /* feedback documents: the first pass's best (> 0) */
    unsigned terms;      /* expansion terms kept (> 0) */
    double query_weight; /* weight of the original query against the expansion, 0..1 */
    int widen;           /* a bag of words becomes one weighted bag (see below) */
} ls_feedback_params;

/** Bytes of a feedback document's title and body read at most (keeps huge documents cheap). */
#define LS_FEEDBACK_MAX_DOC_BYTES (256u * 1024)
/** Terms found in more than this share of all documents carry no evidence: never added. */
#define LS_FEEDBACK_MAX_DF_SHARE 0.1

/**
 * Replaces *q with its RM3 expansion, given the first pass's results best first.
 *
 * The query keeps its meaning: it becomes a required clause (its scores scaled by
 * query_weight / the summed boosts of its scoring clauses) beside the expansion terms as
 * optional clauses, each boosted (1 - query_weight) * (its relevance-model probability).
 * With widen, a query that is a bag of terms over title and body (SHOULD terms only) becomes
 * one bag instead: each term boosted query_weight * (its share of the query's boosts) +
 * (1 - query_weight) * (its probability), so expansion terms also bring in new documents.
 *
 * Leaves *q untouched when there is nothing to learn from (no first-pass hit with a positive
 * score, or no term passing the filters: stop words, one-byte terms, terms in more than
 * LS_FEEDBACK_MAX_DF_SHARE of the documents).
 * @return LS_OK, LS_ECORRUPT (stored fields or dictionary: *q untouched) or LS_ENOMEM (*q
 *         untouched, or freed and set to NULL).
 */
int ls_feedback_expand(const ls_reader *r, ls_analyzer *an, const ls_topk *first,
                       const ls_feedback_params *fp, ls_qnode **q, ls_error *err);

/** Expands *q with the given terms (a relevance model's, strongest first, weights summing to
 *  1) as ls_feedback_expand would; n = 0 leaves *q. @return LS_OK or LS_ENOMEM (*q freed and
 *  NULL). */
int ls_feedback_apply(ls_qnode **q, const ls_expansion_term *terms, size_t n,
                      const ls_feedback_params *fp);

/**
 * Feedback from documents given by their texts and first-pass scores (shards searched apart:
 * ls_feedback_candidates, ls_feedback_terms). With `candidates`, adds the "df all TERM" of
 * every term the documents could give, with r's figures, to it (those it lacks). With `out`,
 * computes the expansion: a term's df and N from `global` (NULL: from r), its terms copied
 * (ls_expansion_free).
 */
int ls_feedback_given(const ls_reader *r, ls_analyzer *an, const ls_feedback_doc *docs,
                      size_t n, const ls_stats *global, ls_stats *candidates,
                      unsigned max_terms, ls_expansion_term **out, size_t *n_out,
                      ls_error *err);

/** The factor by which an expansion scales the original query q's scores: query_weight / the
 *  summed boosts of its scoring clauses (query_weight when it has none). A bag widened into
 *  one bag gets the same factor on each of its own terms. */
double ls_feedback_query_scale(const ls_qnode *q, double query_weight);

#endif
