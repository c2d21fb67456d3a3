/* SPDX-License-Identifier: MIT */
/*
 * oracle_corpus.h - random corpora and random queries for comparing the engine with the naive
 * BM25 oracle (oracle.h), shared by the oracle and lifecycle suites: a Zipf-distributed
 * vocabulary of generated stems, documents drawn from it, query generators that render query
 * text and build the oracle tree of the same meaning from one random choice, and the
 * comparison of an engine page with the oracle's full ranking. It does not write indexes:
 * each suite adds the drawn documents to its writer and to the oracle itself.
 */
#ifndef LS_TESTS_ORACLE_CORPUS_H
#define LS_TESTS_ORACLE_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"
#include "oracle.h"
#include "oracle_rm3.h"
#include "testutil.h"

#define CORPUS_QMAX 1024 /* query text */
#define CORPUS_WMAX 160  /* one word */
/* Scores within this (absolute) of the oracle's agree, unless corpus.score_rel is set. */
#define CORPUS_SCORE_EPS 1e-4
/* Oracle scores closer than this (relative) may come out in either order: equal in real
 * arithmetic (with b = 1, tf 1 at length L scores exactly as tf 2 at length 2L) they differ in
 * the last bits depending on how the formula is folded. Ties in the engine's own scores must
 * still be ordered by document (checked separately). */
#define CORPUS_NEAR_TIE 1e-9

typedef struct corpus_params {
    size_t n_docs;
    size_t n_bases;     /* generated stems */
    int all_forms;      /* each stem also as -s, -ing, -ed */
    size_t n_compounds; /* hyphenated pairs of vocabulary words */
    int with_stop;      /* a few frequent stop words */
    unsigned max_title, max_body;
    size_t commits; /* the corpus is committed in this many parts */
    size_t ram_budget;
    uint64_t stream;
} corpus_params;

/* A drawn document, by its oracle document number. */
typedef struct corpus_doc {
    uint16_t *title, *body; /* vocabulary indices */
    uint32_t n_title, n_body;
    int deleted; /* deleted in the oracle: query generators look elsewhere for words */
} corpus_doc;

typedef struct corpus corpus;

/** Maps an engine hit to its oracle document number; -1 when it is none (unknown id, or not
 *  the version the oracle holds). */
typedef long (*corpus_hit_fn)(const corpus *c, const ls_hit *h);

struct corpus {
    char **vocab; /* surface forms, lowercase; Zipf rank = index */
    ls_zipf zipf; /* word ranks */
    size_t n_vocab;
    corpus_doc *docs; /* by oracle document number */
    size_t n_docs, cap_docs;
    char *dir;
    ls_reader *reader;     /* what the comparisons search */
    ls_oracle *oracle;     /* owned, or borrowed from rm3 */
    ls_rm3_oracle *rm3;    /* when not NULL: owns oracle, and documents go to both */
    corpus_hit_fn hit_doc; /* NULL: ids are "d<oracle document number>" */
    void *payload;         /* for hit_doc */
    double score_rel;      /* > 0: scores must agree to this relative, not CORPUS_SCORE_EPS */
    int ties_any_order;    /* equal scores may come in any document order (index threads
                              order documents by batch, not by the order added) */
};

/** Builds the vocabulary and its Zipf ranks from p (n_bases, all_forms, n_compounds,
 *  with_stop). */
void ls_corpus_vocab(corpus *c, const corpus_params *p, ls_rng *r);

/** A drawn document's text: title and body rendered with capitalised variants, possessives
 *  and punctuation. */
typedef struct corpus_text {
    char *title, *body; /* malloc'd, NUL-terminated */
    size_t title_len, body_len;
} corpus_text;

/**
 * Draws the next document (number c->n_docs, which it takes): words from the Zipf vocabulary
 * (max_title / max_body of p; now and then an empty field), rendered into *out.
 * @return its number. Free *out with ls_corpus_text_free().
 */
uint32_t ls_corpus_draw(corpus *c, ls_rng *r, const corpus_params *p, corpus_text *out);
void ls_corpus_text_free(corpus_text *t);
/** Adds a drawn document's text to the oracle (and to rm3 when set); checks that it gets the
 *  number ls_corpus_draw gave. */
void ls_corpus_oracle_add(corpus *c, uint32_t doc, const corpus_text *t);
/** Deletes oracle document doc (from rm3 too when set). */
void ls_corpus_oracle_delete(corpus *c, uint32_t doc);
/** Closes the reader, frees the oracles, documents and vocabulary, removes dir. */
void ls_corpus_free(corpus *c);

/* ---- query generation ---- */

/* One random query: its text and the oracle tree meaning the same. */
typedef struct qcase {
    char text[CORPUS_QMAX];
    size_t len;
    oracle_q *tree;
    int syntax, default_and;
} qcase;

/** Starts an empty query: strict syntax, an empty BOOL tree. */
void ls_qcase_init(qcase *q, int default_and);
/** Applies the engine's reading of the finished query to its oracle tree: in strict and
 *  lenient syntax, bare stop words leave groups that have another positive clause. */
void ls_qcase_finish(qcase *q);
/** Appends printf-style text to the query (fails the test when it does not fit). */
void ls_qcase_put(qcase *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef void (*gen_fn)(const corpus *c, ls_rng *r, qcase *q);

/* Generators: each fills q (after ls_qcase_init) with one random query of its kind. */
void ls_gen_term(const corpus *c, ls_rng *r, qcase *q);     /* one word, default OR or AND */
void ls_gen_or(const corpus *c, ls_rng *r, qcase *q);       /* words, implicit or "OR" */
void ls_gen_and(const corpus *c, ls_rng *r, qcase *q);      /* words, implicit or "AND" */
void ls_gen_not(const corpus *c, ls_rng *r, qcase *q);      /* "-w", "NOT w", only negative */
void ls_gen_required(const corpus *c, ls_rng *r, qcase *q); /* "+r s -n" */
void ls_gen_phrase(const corpus *c, ls_rng *r, qcase *q);   /* quoted phrases, compounds */
void ls_gen_phrase_repeat(const corpus *c, ls_rng *r, qcase *q); /* a word twice or more */
void ls_gen_field(const corpus *c, ls_rng *r, qcase *q);    /* title: and body: */
void ls_gen_mixed(const corpus *c, ls_rng *r, qcase *q);    /* parentheses */
void ls_gen_plain(const corpus *c, ls_rng *r, qcase *q);    /* LS_SYNTAX_PLAIN */
void ls_gen_prefix(const corpus *c, ls_rng *r, qcase *q);   /* "pre*", title:pre*, with others */
/** One of term, or, and, not, required, phrase, field, mixed, plain (not prefix). */
void ls_gen_any(const corpus *c, ls_rng *r, qcase *q);

/* ---- comparison ---- */

/** asprintf that fails the test on out-of-memory; free the result. */
char *ls_corpus_msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Everything needed to repeat a failing query (malloc'd). */
char *ls_qcase_describe(const qcase *q, const ls_search_options *so);
/** Compares one engine page with the oracle's full ranking: the total, the number of hits,
 *  ids at every rank (near ties may swap), scores, the engine's own order. @return NULL when
 *  they agree, else a malloc'd reason. */
char *ls_corpus_compare_page(const corpus *c, const ls_hits *h, const oracle_result *want,
                             const ls_search_options *so);
/** Runs q on c->reader with so and compares with want; NULL or a malloc'd reason with the
 *  query's description. */
char *ls_corpus_compare_query(const corpus *c, const qcase *q, const oracle_result *want,
                              const ls_search_options *so);

/* Tally of a test's queries: the first failure is kept for the assertion message. */
typedef struct tally {
    int queries, failures, with_hits;
    char *first;
} tally;

/** Pages whose count the engine marked a lower bound (it pruned), since the process began. */
extern unsigned long ls_corpus_pruned;

/** Counts one query with `total` oracle matches; takes m (a failure reason or NULL). */
void ls_tally_add(tally *t, char *m, size_t total);
/** Fails the test on any failure, or when under a third of the queries had hits. */
void ls_tally_assert(tally *t, const char *what);

/** n random queries from gen (5n under ls_test_long()), each compared at a random page, with
 *  feedback off, BM25 k1 and b, title weighting off, at its default or at 1.5 (drawn). */
void ls_corpus_run_queries(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1, double b,
                           const char *what);
/** As ls_corpus_run_queries, with proximity re-ranking of a random weight and depth, compared
 *  with ls_oracle_proximity. */
void ls_corpus_run_proximity(const corpus *c, uint64_t stream, int n, gen_fn gen, double k1,
                             double b, const char *what);
/** Pages of random sizes over the first 120 hits of nq queries: each page compared with the
 *  oracle and with the engine's own longer ranking; a page past the end is empty. */
void ls_corpus_run_paging(const corpus *c, uint64_t stream, int nq, gen_fn gen, double k1, double b,
                          const char *what);

#endif
