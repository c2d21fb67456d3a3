/* SPDX-License-Identifier: MIT */
/*
 * bulk_or.c - window-at-a-time scoring of term disjunctions (see bulk_or.h).
 *
 * Shapes taken (no NOT clauses, every scoring clause a single term):
 *   (a b c)            an OR of terms: a document matches when any term does;
 *   (+(a b c) x y)     a required OR (or a required single term) with optional terms: a
 *   (+a x y)           document matches when the required part does.
 * A group of one clause (not NOT) is that clause: its cursor scores alone.
 * Each window of WINDOW documents has a score accumulator and a flag per document (REQUIRED:
 * a term of the required part matched; ANY: some term matched). Terms are added in clause
 * order, required part first, as the boolean cursor sums them.
 *
 * Once the collector may skip (collector.h), windows are PRUNE_WINDOW documents from the
 * first posting, and a window whose score bound (the terms' block maxima summed in clause
 * order, which bounds every sum of their scores as computed) cannot beat the floor is passed
 * over without decoding: block-max pruning, exact in the results.
 */
#include "query/bulk_or.h"

#include <math.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

#define WINDOW 2048u
#define PRUNE_WINDOW 512u
#define F_ANY 1u
#define F_REQUIRED 2u

static int is_term(const ls_plan_node *n) { return n->kind == LS_Q_TERM; }

/* An OR of terms (at least one kid, all SHOULD terms). */
static int is_term_or(const ls_plan_node *n)
{
    if (n->kind != LS_Q_BOOL || n->n_kids == 0 || n->all_mode)
        return 0;
    for (size_t i = 0; i < n->n_kids; i++)
        if (n->occur[i] != LS_OCCUR_SHOULD || !is_term(&n->kids[i]))
            return 0;
    return 1;
}

int ls_bulk_or_applies(const ls_plan_node *n)
{
    n = ls_plan_unwrap(n);
    if (is_term_or(n))
        return n->n_kids > 1;
    if (n->kind != LS_Q_BOOL || n->n_kids < 2 || n->all_mode || n->occur[0] != LS_OCCUR_MUST ||
        !(is_term(&n->kids[0]) || is_term_or(&n->kids[0])))
        return 0;
    for (size_t i = 1; i < n->n_kids; i++)
        if (n->occur[i] != LS_OCCUR_SHOULD || !is_term(&n->kids[i]))
            return 0;
    return 1;
}

typedef struct bulk_term {
    ls_cursor *c;
    ls_term_cursor *t; /* the same cursor, for its block bounds */
    unsigned flag;     /* F_ANY, plus F_REQUIRED for the required part */
} bulk_term;

typedef struct bulk_state {
    bulk_term *terms;
    size_t n;
    unsigned need; /* flag a document must carry to match */
    double score[WINDOW];
    uint8_t flags[WINDOW];
} bulk_state;

static int add_term(const ls_plan *p, size_t leaf, uint32_t si, unsigned flag, bulk_state *b,
                    ls_error *err)
{
    ls_term_cursor *t;
    int rc = ls_plan_leaf_term_cursor(p, leaf, si, &t, err);
    if (rc == LS_OK && t != NULL)
        b->terms[b->n++] = (bulk_term){ls_term_cursor_base(t), t, flag};
    return rc;
}

/* Cursors in clause order; returns with b->n == 0 when nothing can match in s. */
static int open_terms(const ls_plan *p, const ls_plan_node *n, uint32_t si, bulk_state *b,
                      ls_error *err)
{
    const ls_plan_node *req = is_term_or(n) ? n : &n->kids[0];
    size_t n_req = is_term(req) ? 1 : req->n_kids;
    int rc = LS_OK;
    for (size_t i = 0; rc == LS_OK && i < n_req; i++)
        rc = add_term(p, is_term(req) ? req->leaves[0] : req->kids[i].leaves[0], si,
                      F_ANY | F_REQUIRED, b, err);
    if (rc != LS_OK || b->n == 0)
        return rc; /* no required term here: nothing matches */
    for (size_t i = 1; rc == LS_OK && req != n && i < n->n_kids; i++)
        rc = add_term(p, n->kids[i].leaves[0], si, F_ANY, b, err);
    b->need = req == n ? F_ANY : F_REQUIRED;
    return rc;
}

/* Count only: the flags of the window, no score (run_window's loop without the scoring, kept
 * apart so that the ranked loop has no branch per posting). */
static int count_window(bulk_state *b, uint32_t from, uint32_t to, ls_collector *col)
{
    memset(b->flags, 0, sizeof b->flags);
    for (size_t k = 0; k < b->n; k++) {
        ls_cursor *c = b->terms[k].c;
        uint8_t flag = (uint8_t)b->terms[k].flag;
        while (c->doc < to) {
            b->flags[c->doc - from] |= flag;
            int rc = ls_cursor_next(c);
            if (rc != LS_OK)
                return rc;
        }
    }
    for (uint32_t i = 0; i < to - from; i++)
        if (b->flags[i] & b->need)
            ls_collector_collect(col, from + i, 0);
    return LS_OK;
}

static int run_window(bulk_state *b, uint32_t from, uint32_t to, ls_collector *col)
{
    if (ls_collector_counts_only(col))
        return count_window(b, from, to, col);
    memset(b->flags, 0, sizeof b->flags);
    for (size_t k = 0; k < b->n; k++) {
        ls_cursor *c = b->terms[k].c;
        unsigned flag = b->terms[k].flag;
        int rc = ls_term_cursor_add_window(b->terms[k].t, from, to, b->score, b->flags,
                                           (uint8_t)flag);
        if (rc < 0)
            return rc;
        while (rc == 0 && c->doc < to) {
            uint32_t i = c->doc - from;
            double sc = ls_cursor_score(c);
            if (b->flags[i] == 0)
                b->score[i] = sc; /* = 0 + sc, the boolean cursor's first addition */
            else
                b->score[i] += sc;
            b->flags[i] |= (uint8_t)flag;
            int nrc = ls_cursor_next(c);
            if (nrc != LS_OK)
                return nrc;
        }
    }
    for (uint32_t i = 0; i < to - from; i++) {
        if (b->flags[i] & b->need)
            ls_collector_collect(col, from + i, b->score[i]);
    }
    return LS_OK;
}

/* With the collector skipping: the window [from, to) is passed over (every cursor moved to
 * `to`) when no document in it can match or enter. @return 1 passed over, 0 to be run, or a
 * (negative) LS_E* code. */
static int pass_over(bulk_state *b, uint32_t to, ls_collector *col)
{
    double bound = 0;
    int required = 0;
    for (size_t k = 0; k < b->n; k++) {
        if (b->terms[k].c->doc >= to)
            continue;
        required |= (b->terms[k].flag & b->need) != 0;
        bound += ls_term_cursor_max_score(b->terms[k].t, to);
    }
    if (required && !ls_collector_cannot_enter(col, bound))
        return 0;
    for (size_t k = 0; k < b->n; k++) {
        int rc = ls_cursor_advance(b->terms[k].c, to);
        if (rc != LS_OK)
            return rc;
    }
    if (required)
        ls_collector_skipped(col);
    return 1;
}

int ls_bulk_or_run(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_collector *col,
                   ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    n = ls_plan_unwrap(n);
    bulk_state *b = ls_malloc(sizeof *b);
    size_t cap = n->n_kids + n->kids[0].n_kids + 1; /* an OR's kids, or required + optional */
    if (b != NULL)
        b->terms = ls_calloc(cap, sizeof *b->terms);
    if (b == NULL || b->terms == NULL) {
        ls_free(b);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    b->n = 0;
    int rc = open_terms(p, n, si, b, err);
    while (rc == LS_OK && b->n > 0) {
        uint32_t first = LS_DOC_END; /* windows without postings are skipped */
        for (size_t k = 0; k < b->n; k++)
            first = b->terms[k].c->doc < first ? b->terms[k].c->doc : first;
        if (first >= s->ndocs)
            break;
        uint32_t from = first - first % WINDOW;
        uint32_t to = s->ndocs - from < WINDOW ? s->ndocs : from + WINDOW;
        if (ls_collector_floor(col) > -INFINITY) {
            from = first;
            to = s->ndocs - from < PRUNE_WINDOW ? s->ndocs : from + PRUNE_WINDOW;
            rc = pass_over(b, to, col);
            if (rc == 1) {
                rc = LS_OK;
                continue;
            }
        }
        if (rc == LS_OK)
            rc = run_window(b, from, to, col);
        if (rc != LS_OK)
            rc = rc == LS_ENOMEM ? ls_error_set(err, rc, "out of memory")
                                 : ls_error_set(err, rc, "'%s' or '%s': damaged postings while "
                                                "searching", s->doc.path, s->pos.path);
    }
    for (size_t k = 0; k < b->n; k++)
        ls_cursor_free(b->terms[k].c);
    ls_free(b->terms);
    ls_free(b);
    return rc;
}
