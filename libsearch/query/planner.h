/* SPDX-License-Identifier: MIT */
/*
 * planner.h - from the parsed tree to cursors. Planning resolves every term once against
 * all segments (global df, DESIGN.md §5; prefix expansion) and prepares its BM25 constants;
 * then, per segment, ls_plan_cursor builds the cursor tree (NULL when nothing can match).
 */
#ifndef LS_QUERY_PLANNER_H
#define LS_QUERY_PLANNER_H

#include "query/ast.h"
#include "query/cursor.h"
#include "reader/snapshot.h"
#include "util/hashmap.h"

/* A prefix matching more dictionary terms than this is LS_ELIMIT (libsearch.h has the same
 * figure for users: LS_MAX_PREFIX_TERMS). */
#define LS_MAX_PREFIX_EXPANSIONS LS_MAX_PREFIX_TERMS

/** A prefix's postings in one segment: its expansions merged, one entry per live document
 *  holding any, frequencies summed (sorted by document). */
typedef struct ls_plan_merged {
    uint32_t *docs, *freqs;
    uint32_t n;
} ls_plan_merged;

typedef struct ls_plan_leaf {
    int field;            /* LS_FIELD_* */
    uint8_t *key;         /* key byte (ls_field_key) + term, owned (apart: a leaf stays small) */
    size_t key_len;
    double df;           /* scores: over the whole snapshot (reader/stats.h), or the figure of
                            the statistics the search was given (ls_plan.global) */
    double local_df;     /* over the whole snapshot: the df of df_field's term */
    int df_field;        /* whose df scores it: its own field, or LS_FIELD_ALL for the title
                            leaf of title weighting (a word's rarity is the collection's, as
                            in BM25F; part of its identity) */
    double boost;        /* its query weight (part of its identity) */
    int scored;          /* a term or phrase word of the query (not only a prefix's expansion) */
    ls_term_meta *seg_meta; /* per segment of the snapshot; df 0 where the key is absent */
    ls_bm25_term sc;
} ls_plan_leaf;

typedef struct ls_plan_node {
    ls_qkind kind;
    int field;
    size_t *leaves; /* TERM: 1; PHRASE: its terms in order; PREFIX: expansions */
    size_t n_leaves;
    ls_bm25_term sc;  /* PHRASE: idf = its terms' summed; PREFIX: one term, the union's idf */
    ls_plan_merged *merged; /* PREFIX: per segment of the snapshot */
    uint32_t n_merged;
    char *prefix;           /* PREFIX: its text, with the '*' (explanations), owned */
    double df;              /* PREFIX: live documents holding any expansion (scores: global when
                               statistics were given) */
    double local_df;        /* PREFIX: those of this snapshot */
    struct ls_plan_node *kids;
    int *occur;
    size_t n_kids;
    int all_mode; /* BOOL with only NOT kids, or ALL */
    int titled;   /* BOOL of two SHOULD terms: a word (kid 0) and its title term (kid 1), whose
                     documents are all among the word's (title weighting) */
} ls_plan_node;

typedef struct ls_plan {
    const ls_reader *r;
    ls_plan_leaf *leaves;
    size_t n_leaves, leaves_cap;
    ls_strtab leaf_ids; /* field digit + boost + key -> leaf index */
    ls_plan_node root;
    double n_docs;
    double avglen[3]; /* by LS_FIELD_* */
    double k1, b;
    double title_weight; /* ls_search_options.title_weight: 0 = off */
    const ls_stats *global; /* statistics to score with instead of the snapshot's, or NULL */
} ls_plan;

/** Plans q over r with the scoring of options o (read and checked: ls_search_read_options):
 *  BM25's k1 and b; title weighting (o->title_weight > 0: every scoring word of the default
 *  field becomes the OR of itself and its title term, weighted, with the same matches); with
 *  o->stats N, average lengths, dfs and the prefixes' expansion counts
 *  come from them (LS_EINVAL when they lack one), the postings and what counts the matches
 *  from r. */
int ls_plan_build(ls_plan *p, const ls_reader *r, const ls_qnode *q,
                  const ls_search_options *o, ls_error *err);
void ls_plan_free(ls_plan *p);
/** The clause a group of one positive clause stands for: bool_cursor gives such a group
 *  its clause's cursor, which scores the same alone. */
const ls_plan_node *ls_plan_unwrap(const ls_plan_node *n);
/** @return the dictionary entry of leaf in segment si of p->r, NULL when absent. */
const ls_term_meta *ls_plan_leaf_meta(const ls_plan *p, size_t leaf, uint32_t si);
/** The scoring cursor (no positions) of leaf over segment si (*out NULL: absent there). */
int ls_plan_leaf_cursor(const ls_plan *p, size_t leaf, uint32_t si, ls_cursor **out,
                        ls_error *err);
/** The same cursor as a term cursor (its block bounds: cursor.h). */
int ls_plan_leaf_term_cursor(const ls_plan *p, size_t leaf, uint32_t si, ls_term_cursor **out,
                             ls_error *err);
/** Builds the cursor tree of segment si of p->r for node n (*out NULL: nothing matches
 *  there). Cursors see deleted documents too: the collector leaves them out. */
int ls_plan_cursor(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_cursor **out,
                   ls_error *err);

#endif
