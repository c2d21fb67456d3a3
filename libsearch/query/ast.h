/* SPDX-License-Identifier: MIT */
/*
 * ast.h - the parsed query: a tree of analyzed terms, phrases, prefixes and boolean clauses.
 * The parser (parser.c) builds it; the planner turns it into cursors. Terms in the tree are
 * already analyzed (normalized and stemmed), so the planner looks them up as they are.
 */
#ifndef LS_QUERY_AST_H
#define LS_QUERY_AST_H

#include <stddef.h>

#include "format/fields.h"
#include "libsearch.h"


typedef enum ls_qkind {
    LS_Q_TERM,   /* text = one analyzed term */
    LS_Q_PHRASE, /* kids = LS_Q_TERM nodes at consecutive positions (kid i at offset i) */
    LS_Q_PREFIX, /* text = normalized, unstemmed prefix */
    LS_Q_BOOL,   /* kids with occur[]; see below */
    LS_Q_ALL,    /* every document (used for purely negative queries) */
} ls_qkind;

/* How a clause of a LS_Q_BOOL takes part. */
#define LS_OCCUR_SHOULD 0 /* optional, scores when it matches */
#define LS_OCCUR_MUST 1   /* required, scores */
#define LS_OCCUR_NOT 2    /* excluded, never scores */

/*
 * LS_Q_BOOL semantics: a document matches when every MUST kid matches, no NOT kid matches, and,
 * when there is no MUST kid, at least one SHOULD kid matches. A BOOL with only NOT kids matches
 * every document that no NOT kid matches (score 0). An empty BOOL matches nothing.
 * Score = sum of the scores of the matching MUST and SHOULD kids.
 */
typedef struct ls_qnode {
    ls_qkind kind;
    int field;          /* LS_FIELD_* of format/fields.h (TERM, PHRASE, PREFIX) */
    char *text;         /* TERM, PREFIX: NUL-terminated, owned */
    size_t len;
    struct ls_qnode **kids; /* PHRASE, BOOL: owned */
    int *occur;             /* BOOL: LS_OCCUR_* per kid, owned */
    size_t n_kids;
    size_t source_offset;   /* byte offset in the query text where this node starts */
    double boost;           /* TERM, PHRASE, PREFIX: multiplies the node's score; 1 by default */
    int stop;               /* TERM: a bare word that is a stop word (the parser may drop it) */
} ls_qnode;

/** Frees a node and everything below it. Accepts NULL. */
void ls_qnode_free(ls_qnode *n);

/** Allocation helpers for the parser and for tests building trees by hand. NULL on ENOMEM. */
ls_qnode *ls_qnode_term(int field, const char *text, size_t len);
ls_qnode *ls_qnode_prefix(int field, const char *text, size_t len);
ls_qnode *ls_qnode_new(ls_qkind kind); /* empty PHRASE / BOOL / ALL; boost 1 */
/** Appends kid (taking ownership, also on failure) with occur (ignored unless parent is a
 *  BOOL). A NULL kid (a failed allocation passed straight in) gives LS_ENOMEM, so
 *  ls_qnode_add(b, ls_qnode_term(...), occ) needs no separate check. @return LS_OK or LS_ENOMEM. */
int ls_qnode_add(ls_qnode *parent, ls_qnode *kid, int occur);

/** Writes a readable form, e.g. (+all:iran all:china -title:"a b" all:pre*), for tests and
 *  debugging: BOOL in parentheses, + MUST, - NOT, nothing for SHOULD; field then ':'; phrases
 *  in double quotes; prefixes end in '*'; ALL is *:*; a boost other than 1 follows as ^%g.
 *  Term text is not escaped.
 *  @return the length it would have (snprintf rules: out may be NULL when cap is 0). */
size_t ls_qnode_format(const ls_qnode *n, char *out, size_t cap);

#endif
