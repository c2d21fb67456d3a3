/* SPDX-License-Identifier: MIT */
/*
 * oracle_rm3.h - the naive RM3 pseudo-relevance feedback oracle, on top of the naive BM25 oracle
 * (oracle.h): it keeps every document's title and body tokens, and expands a query tree exactly
 * as the engine's definition says (libsearch/include/libsearch.h, feedback_*; the relevance model
 * of Lavrenko & Croft interpolated as in Abdul-Jaleel et al.), by loops over the documents and
 * their tokens: no term vectors, no hashing of scores, no shared code with query/feedback.c.
 * It also says when the outcome hangs on a floating-point near tie, so tests can skip that case.
 */
#ifndef LS_TESTS_ORACLE_RM3_H
#define LS_TESTS_ORACLE_RM3_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

/** Relative gap below which two first-pass scores or two term probabilities are a near tie. */
#define RM3_NEAR_TIE 1e-9
/** A term is evidence only when at most this share of the documents hold it. */
#define RM3_MAX_DF_SHARE 0.1

/** The settings (the engine's ls_search_options.feedback_*). */
typedef struct rm3_params {
    unsigned docs;  /* feedback documents D (> 0) */
    unsigned terms; /* expansion terms kept (> 0) */
    double weight;  /* alpha: the original query's share, 0..1 */
    int widen;      /* a bag of terms becomes one weighted bag */
    double title_weight; /* both passes' title weighting (ls_oracle_search_titled) */
} rm3_params;

typedef struct rm3_term {
    char *term; /* analyzed, owned */
    double p;   /* relevance-model probability, normalized over the kept terms */
} rm3_term;

/* What an expansion did: enough to explain a mismatch and to check the engine's explain. */
typedef struct rm3_expansion {
    oracle_q *query;    /* the second pass's query (owned; the original's copy when unexpanded) */
    int expanded;       /* 0: nothing learned, the query runs unchanged */
    int widened;        /* the query was a bag and widen was asked: one bag */
    int ambiguous;      /* a near tie (not an exact one of identical inputs) decides the result */
    char why[160];      /* when ambiguous: which tie */
    size_t n_matches;   /* documents the query itself matches (the first pass's total) */
    uint32_t *fb_docs;  /* the feedback documents, best first */
    double *fb_scores;  /* their first-pass scores */
    size_t n_fb_docs;
    rm3_term *terms;    /* the kept expansion terms, p descending then bytes ascending */
    size_t n_terms;
} rm3_expansion;

typedef struct ls_rm3_oracle ls_rm3_oracle;

/** An empty RM3 oracle over its own BM25 oracle (english analyzer). Aborts on failure. */
ls_rm3_oracle *ls_rm3_oracle_new(void);
void ls_rm3_oracle_free(ls_rm3_oracle *rm);
/** The BM25 oracle holding the same documents, for building query trees. Borrowed. */
ls_oracle *ls_rm3_oracle_bm25(ls_rm3_oracle *rm);

/** Adds a document to both oracles; @return its index (0, 1, ...). */
uint32_t ls_rm3_oracle_add(ls_rm3_oracle *rm, const char *title, size_t title_len,
                           const char *body, size_t body_len);

/** Deletes document doc from both oracles (see ls_oracle_delete): its tokens leave the
 *  document frequencies and N, and it is never a feedback document. */
void ls_rm3_oracle_delete(ls_rm3_oracle *rm, uint32_t doc);

/** @return df of an analyzed term over title and body ("all") of the live documents, counting
 *  every token. */
size_t ls_rm3_oracle_df(ls_rm3_oracle *rm, const char *term);

/**
 * Runs the first pass of q (BM25 with k1, b) and builds the expanded query into *out (q itself is
 * not changed; its scratch fields are). Free *out with rm3_expansion_free().
 */
void ls_rm3_expand(ls_rm3_oracle *rm, const oracle_q *q, double k1, double b,
                   const rm3_params *p, rm3_expansion *out);

/** ls_rm3_expand then the second pass: *res is the ranked result (oracle_result_free). */
void ls_rm3_search(ls_rm3_oracle *rm, const oracle_q *q, double k1, double b,
                   const rm3_params *p, rm3_expansion *exp_out, oracle_result *res);

void rm3_expansion_free(rm3_expansion *e);

/** A deep copy of a query tree (scratch fields not copied). Aborts on out-of-memory. */
oracle_q *oracle_q_clone(const oracle_q *q);

#endif
