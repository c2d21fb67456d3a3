/* SPDX-License-Identifier: MIT */
/*
 * oracle.h - the naive BM25 oracle the engine is compared against (STYLE.md principle 5).
 * It keeps every document analyzed per field ("all", "title", "body") with positions in memory
 * and answers a query tree by looping over every document: no index, no pruning, no cleverness.
 * It owns the scoring definitions (Robertson BM25, phrase frequency, boolean MUST/SHOULD/NOT,
 * prefix expansion) and what a deletion means (the document leaves results and statistics);
 * it does not parse query syntax: tests build the tree alongside the query text they render.
 */
#ifndef LS_TESTS_ORACLE_H
#define LS_TESTS_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* Fields of a leaf (the same meaning as the engine's LS_FIELD_*). */
#define ORACLE_FIELD_ALL 0
#define ORACLE_FIELD_TITLE 1
#define ORACLE_FIELD_BODY 2

/* How a kid of an ORACLE_BOOL takes part. */
#define ORACLE_SHOULD 0
#define ORACLE_MUST 1
#define ORACLE_NOT 2

typedef enum oracle_kind {
    ORACLE_TERM,   /* terms[0] in field */
    ORACLE_PHRASE, /* terms[0..n_terms) at consecutive positions in field */
    ORACLE_BOOL,   /* kids with occur[] */
    ORACLE_SYNONYM, /* any of terms[0..n_terms) in field, scored as one term: tf = their
                       summed tf, df = documents holding any (a prefix's expansions) */
} oracle_kind;

/*
 * A query tree. A BOOL matches when every MUST kid matches, no NOT kid matches and, when it has
 * no MUST kid but has SHOULD kids, at least one SHOULD kid matches; its score is the sum of the
 * matching MUST and SHOULD kids' scores. A BOOL with only NOT kids matches every document no NOT
 * kid matches (score 0); an empty BOOL matches nothing.
 */
typedef struct oracle_q {
    oracle_kind kind;
    int field;     /* ORACLE_FIELD_* (TERM, PHRASE) */
    char **terms;  /* analyzed terms, owned (TERM: 1, PHRASE: n_terms >= 1) */
    size_t n_terms;
    struct oracle_q **kids; /* BOOL, owned */
    int *occur;             /* BOOL: ORACLE_* per kid */
    size_t n_kids;
    double weight;          /* TERM, PHRASE: multiplies the leaf's score (the engine's boost);
                               1 from every constructor */
    int stop;               /* TERM: a bare stop word (no quotes, +, -, NOT or field), which
                               ls_oracle_drop_stop removes from a group with another positive
                               clause, as the engine's strict and lenient syntax do */
    /* scratch filled by ls_oracle_search: dictionary ids of terms and the leaf's idf */
    uint32_t *ids;
    double idf;
} oracle_q;

typedef struct oracle_hit {
    uint32_t doc; /* index of the document in the order it was added */
    double score;
} oracle_hit;

typedef struct oracle_result {
    oracle_hit *hits; /* every matching document, score descending, then doc ascending */
    size_t n;         /* = the exact total number of matching documents */
} oracle_result;

typedef struct ls_oracle ls_oracle;

/** Makes an empty oracle whose analyzer uses `language` (NULL = "english"). Aborts on failure. */
ls_oracle *ls_oracle_new(const char *language);
void ls_oracle_free(ls_oracle *o);

/**
 * Adds a document: title analyzed from position 0, body from (title words + 1).
 * @return the document's index (0, 1, 2, ... in the order of adding).
 */
uint32_t ls_oracle_add(ls_oracle *o, const char *title, size_t title_len, const char *body,
                       size_t body_len);
/**
 * Deletes document doc, as the engine's ls_writer_delete does once committed: it leaves
 * matching, hit counts and every statistic (N, df, average field lengths). Its number is not
 * reused; an update is a delete and an add (the new version gets the next number). Aborts
 * when doc is no live document (a bug in the test).
 */
void ls_oracle_delete(ls_oracle *o, uint32_t doc);
/** @return nonzero when doc was added and is not deleted. */
int ls_oracle_is_live(const ls_oracle *o, uint32_t doc);
/** @return the number of documents added, deleted ones included (document numbers in use). */
size_t ls_oracle_docs(const ls_oracle *o);
/** @return the number of live documents: N (empty ones included). */
size_t ls_oracle_live_docs(const ls_oracle *o);
/** @return the number of tokens of document `doc` in `field`. */
uint32_t ls_oracle_doc_len(const ls_oracle *o, uint32_t doc, int field);

/* Tree building. Every constructor aborts on out-of-memory. */
oracle_q *oracle_q_bool(void);
/** A TERM (n == 1) or PHRASE (n > 1) leaf of already analyzed terms. */
oracle_q *oracle_q_leaf(int field, const char *const *terms, size_t n);
/** A SYNONYM of n >= 0 terms (copied); with none it matches nothing. */
oracle_q *oracle_q_synonym(int field, const char *const *terms, size_t n);
/** Appends kid to a BOOL, taking ownership. A NULL kid (a word without tokens) is ignored. */
void oracle_q_add(oracle_q *parent, oracle_q *kid, int occur);
void oracle_q_free(oracle_q *q);
/** The engine's rule for free text in strict and lenient syntax: in every BOOL that has a
 *  positive (SHOULD or MUST) kid not marked stop, the kids marked stop are removed. */
void ls_oracle_drop_stop(oracle_q *q);
/** Marks the leaf of word w, written after operator op ("", "AND ", "OR ", "+", "-", ...) in
 *  field, as a bare stop word when it is one: a stop word with no operator but AND or OR and
 *  no field. @return leaf. */
oracle_q *ls_oracle_bare_word(oracle_q *leaf, const char *op, int field, const char *w);
/** A readable form like (+all:a all:"b c"^0.5 -title:d), a weight other than 1 after '^', for
 *  failure messages (snprintf rules). */
size_t oracle_q_format(const oracle_q *q, char *out, size_t cap);

/**
 * A query word as the parser reads it: analyzed; no token -> NULL; one token -> TERM; several
 * (e.g. "25-year") -> PHRASE.
 */
oracle_q *ls_oracle_word(ls_oracle *o, int field, const char *word);
/** A quoted phrase: all tokens of `text` in order (one token: a TERM); NULL when none. */
oracle_q *ls_oracle_phrase(ls_oracle *o, int field, const char *text);
/**
 * A prefix query "text*" as the parser reads it: text analyzed without stemming; no token ->
 * NULL; the last token's expansions (every dictionary term, stemmed as indexed, that starts
 * with it) as SHOULD TERMs of a BOOL, which matches nothing when there is none; with several
 * tokens ("25-ye*") a BOOL of the earlier words as MUST stemmed TERMs and the expansions'
 * BOOL as MUST (word order not checked). Expansions are those of the documents added so far.
 */
oracle_q *ls_oracle_prefix(ls_oracle *o, int field, const char *text);
/** LS_SYNTAX_PLAIN: a BOOL with each token of `text` as its own TERM (MUST when default_and),
 *  English stop words left out unless every token is one. */
oracle_q *ls_oracle_plain(ls_oracle *o, const char *text, int default_and);

/**
 * Evaluates q over every document with BM25 parameters k1, b and the default title weighting
 * (LS_DEFAULT_TITLE_WEIGHT). Fills the scratch fields of q.
 * @param[out] out all matches, ranked; release with oracle_result_free().
 */
void ls_oracle_search(const ls_oracle *o, oracle_q *q, double k1, double b,
                      oracle_result *out);
/** The same with title weighting title_weight (0: off): every all-field TERM leaf adds
 *  title_weight times its weight times the BM25 of its tf in the title field (the title's length
 *  and average length, the term's all-field idf); matches do not change. */
void ls_oracle_search_titled(const ls_oracle *o, oracle_q *q, double k1, double b,
                             double title_weight, oracle_result *out);
void oracle_result_free(oracle_result *r);
/**
 * Proximity re-ranking (BM25TP, libsearch/query/proximity.h) of res, the ranking of q by
 * ls_oracle_search with the same k1 and b: the first min(depth, res->n) hits gain their bonus
 * and are ranked again. The query terms are the distinct terms of the all-field TERM leaves
 * under positive clauses, each weighted by the summed weights of its leaves; in every
 * document, neighbouring occurrences of two different query terms at distance d add
 * idf(other) / d^2 to each one's accumulator acc, and the bonus is
 * weight * sum_t w(t) min(1, idf(t)) acc(t) (k1 + 1) / (acc(t) + k1 (1 - b + b len / avglen)).
 */
void ls_oracle_proximity(const ls_oracle *o, oracle_q *q, double k1, double b, double weight,
                         size_t depth, oracle_result *res);
/** The inputs of a TERM or PHRASE leaf's BM25 besides the statistics: its tf (phrase: pf) in
 *  every document, into out[0..ls_oracle_docs(o)) (0 for deleted documents); the field length
 *  is ls_oracle_doc_len(). Two documents with the same inputs for every leaf score the same
 *  bits in any implementation; equal scores from other inputs need not. */
void ls_oracle_leaf_freqs(const ls_oracle *o, oracle_q *leaf, uint32_t *out);

#endif
