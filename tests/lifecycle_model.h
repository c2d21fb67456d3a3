/* SPDX-License-Identifier: MIT */
/*
 * lifecycle_model.h - the model the lifecycle suite runs an index against: keys (external
 * ids) with the oracle document of their live version, a writer changing both alike (adds,
 * updates, deletions by id and by prefix, commits), and the checks of a commit against the
 * model: statistics, ids and stamps, random queries against the BM25 and RM3 oracles. Also
 * saved answers, to compare the same queries across readers (merges, snapshots).
 * Test-only; everything fails the running Check test on a mismatch.
 */
#ifndef LS_TESTS_LIFECYCLE_MODEL_H
#define LS_TESTS_LIFECYCLE_MODEL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"
#include "oracle_corpus.h"
#include "testutil.h"

#define LC_ID_MAX 32 /* the model's ids, NUL included */

typedef struct lc_key {
    long doc; /* its live oracle document, -1 when none */
    uint8_t stamp[LS_MAX_STAMP_BYTES];
    size_t stamp_len;
} lc_key;

typedef struct lc_config {
    const char *name;
    size_t ram_budget;
    unsigned merge_factor;
    int no_auto_merge;
    int reopen_writer; /* close and reopen the writer after every commit */
    uint32_t ops;      /* changes per commit, on average (for the tests' rounds) */
    unsigned threads;  /* ls_writer_options threads */
} lc_config;

typedef struct lc_model {
    corpus c; /* vocabulary, documents by oracle number, oracles, dir, reader */
    corpus_params p;
    lc_config cfg;
    ls_writer *w;
    ls_rng r;
    lc_key *keys;
    size_t n_keys, cap_keys;
    size_t live;
    uint64_t gen;                             /* of c.reader */
    int changed;                              /* since the last commit */
    int fb_compared, fb_expanded, fb_skipped; /* feedback cases compared, expanded, skipped
                                                 as near ties (so far) */
} lc_model;

/** The corpus shape of the lifecycle tests: a small vocabulary, short documents. */
corpus_params ls_lc_corpus(uint64_t stream);
/** A model over a fresh index in a new temporary directory: the corpus of p, the BM25 and
 *  RM3 oracles, the writer of cfg (no reader until the first commit). */
void ls_lc_init(lc_model *m, const lc_config *cfg, const corpus_params *p);
/** Closes writer and reader, removes the directory. */
void ls_lc_free(lc_model *m);
/** Opens m->w with m->cfg's options. */
void ls_lc_writer_open(lc_model *m);

/** Writes key k's id into buf (LC_ID_MAX bytes): a group prefix ("a/", "ab/", "b", "b/",
 *  "\xc3\xa9/", "z~") and k. @return its length. */
size_t ls_lc_id(size_t k, char *buf);
/** A random id prefix: a group, or a group and one or two digits. @return its length. */
size_t ls_lc_random_prefix(ls_rng *r, char *buf);

/** Adds key k with a freshly drawn document (replacing its live version; k == n_keys: a new
 *  key), with a random stamp (sometimes none, sometimes a version-1 document). */
void ls_lc_add(lc_model *m, size_t k);
/** Deletes key k by id: LS_OK expected when it is live, else LS_ENOTFOUND. */
void ls_lc_delete(lc_model *m, size_t k);
/** ls_writer_delete_prefix, checking the count it returns. */
void ls_lc_delete_prefix(lc_model *m, const char *pre, size_t pl);
/** One random change: new keys, updates, re-adds, deletions by id and (rarely) by prefix. */
void ls_lc_random_op(lc_model *m);
/** Commits (reopening the writer when cfg says so) and picks up the commit. */
void ls_lc_commit(lc_model *m);
/** n random changes and a commit. */
void ls_lc_round(lc_model *m, size_t n);
/** Picks up the newest commit in m->c.reader (opening it when NULL): a new reader expected
 *  when expect_new is 1, none when 0, either when -1. Checks the generation grows. */
void ls_lc_refresh(lc_model *m, int expect_new);

ls_index_stats ls_lc_stats(const ls_reader *r);
/** documents and tokens of m->c.reader against the model. */
void ls_lc_check_stats(const lc_model *m);
/** ls_reader_get of every key ever used (stamps, document order) and ls_reader_ids with
 *  several prefixes (exact lists in bytewise order, stamps, stopping early). */
void ls_lc_check_ids(lc_model *m);
/** ls_reader_check. */
void ls_lc_check_structure(const lc_model *m);
/** Statistics, ids, then n_queries random BM25 queries (k1/b by stream), paging, and
 *  n_queries / 4 feedback queries against the RM3 oracle. */
void ls_lc_check_commit(lc_model *m, uint64_t stream, int n_queries);
/** The oracle suite's query mix, and prefix queries. */
void ls_gen_lifecycle(const corpus *c, ls_rng *r, qcase *q);

/** Ids (their first LC_ID_MAX bytes, and full lengths) with stamps, as ls_reader_ids gives
 *  them. */
typedef struct id_list {
    char (*id)[LC_ID_MAX];
    size_t *len;
    uint8_t (*stamp)[LS_MAX_STAMP_BYTES];
    size_t *stamp_len;
    size_t n, cap, stop_after; /* stop_after > 0: ask ls_reader_ids to stop after that many */
} id_list;

/** An ls_id_fn appending to the id_list payload. */
int ls_id_list_collect(const char *id, size_t len, const void *stamp, size_t stamp_len,
                       void *payload);
void ls_id_list_free(id_list *l);
/** Bytewise (unsigned) order; a prefix first. */
int ls_bytes_cmp(const char *a, size_t al, const char *b, size_t bl);
int ls_has_prefix(const char *id, size_t len, const char *pre, size_t pl);

/* ---- saved answers ---- */

typedef struct saved_query {
    char text[CORPUS_QMAX];
    size_t len;
    ls_search_options so;
} saved_query;

/* Every hit of one query (its limit is above the number of documents). */
typedef struct answer {
    uint64_t total;
    size_t n;
    char (*id)[LC_ID_MAX];
    size_t *id_len;
    double *score;
} answer;

/** n random queries (ls_gen_lifecycle, random k1/b), most with feedback off, a quarter with
 *  the default feedback; free with free(). */
saved_query *ls_saved_queries(lc_model *m, uint64_t stream, size_t n);
/** Asks every query on r; free with ls_answers_free(). */
answer *ls_answers_ask(const ls_reader *r, const saved_query *qs, size_t n);
void ls_answers_free(answer *a, size_t n);
/** Asks every query on r again: the same totals and hits, each id's score within rel of the
 *  saved one (0: identical bits), ranks swapped only between scores within rel. */
void ls_answers_expect(const ls_reader *r, const saved_query *qs, const answer *was, size_t n,
                       double rel, const char *what);

/* ---- merging ---- */

/** The merge policy's level of a segment of `docs` live documents: floor(log_factor(docs)). */
unsigned ls_merge_level(uint64_t docs, unsigned factor);

/** Distinct segments, deletion files and manifests in an index directory, by file name. */
typedef struct dir_census {
    size_t segments, deletions, manifests;
} dir_census;
dir_census ls_dir_census(const char *dir);

/** The concurrency test case (test_lifecycle_stress.c), added to the lifecycle suite. */
TCase *ls_lifecycle_stress_tcase(void);

#endif
