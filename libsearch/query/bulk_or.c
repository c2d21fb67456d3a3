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
    double list_bound; /* the most any of its postings scores */
    double window_bound; /* the most its postings in the window being run score */
} bulk_term;

/* Terms up to which MaxScore picks essential ones (more: window by window over all). */
#define LS_BULK_MAX_TERMS 64

typedef struct bulk_state {
    bulk_term *terms;
    size_t n;
    unsigned need; /* flag a document must carry to match */
    double score[WINDOW];
    uint8_t flags[WINDOW];          /* zero outside the window being run */
    uint64_t used[WINDOW / 512];    /* a bit per group of eight flags touched (cursor.h) */
} bulk_state;

static int add_term(const ls_plan *p, size_t leaf, uint32_t si, unsigned flag, bulk_state *b,
                    ls_error *err)
{
    ls_term_cursor *t;
    int rc = ls_plan_leaf_term_cursor(p, leaf, si, &t, err);
    if (rc == LS_OK && t != NULL)
        b->terms[b->n++] = (bulk_term){ls_term_cursor_base(t), t, flag, 0, 0};
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

/* Hands the window's matches to col in order, visiting only the groups of eight documents
 * that were touched, and leaves the flags clear for the next window: a sparse window costs
 * its postings, not its width. */
static void collect_window(bulk_state *b, uint32_t from, int scored, ls_collector *col)
{
    for (uint32_t u = 0; u < WINDOW / 512; u++) {
        uint64_t bits = b->used[u];
        b->used[u] = 0;
        while (bits != 0) {
            uint32_t g = (u * 64 + (uint32_t)__builtin_ctzll(bits)) * 8;
            bits &= bits - 1;
            for (uint32_t j = g; j < g + 8; j++)
                if (b->flags[j] & b->need)
                    ls_collector_collect(col, from + j, scored ? b->score[j] : 0);
            memset(b->flags + g, 0, 8);
        }
    }
}

/* Count only: the flags of the window, no score (run_window's loop without the scoring, kept
 * apart so that the ranked loop has no branch per posting). */
static int count_window(bulk_state *b, uint32_t from, uint32_t to, ls_collector *col)
{
    for (size_t k = 0; k < b->n; k++) {
        ls_cursor *c = b->terms[k].c;
        uint8_t flag = (uint8_t)b->terms[k].flag;
        while (c->doc < to) {
            b->flags[c->doc - from] |= flag;
            ls_window_touch(b->used, c->doc - from);
            int rc = ls_cursor_next(c);
            if (rc != LS_OK)
                return rc;
        }
    }
    collect_window(b, from, 0, col);
    return LS_OK;
}

/* Whether the window may score the essential terms first and the others only where an
 * essential one matched: the sums are then those of clause order (two terms commute; else
 * every essential term comes before every non-essential one), and unfiltered fields. */
static int essential_first_exact(const bulk_state *b, const int *essential)
{
    if (essential == NULL)
        return 0;
    int some = 0, after = 0;
    for (size_t k = 0; k < b->n; k++) {
        if (ls_field_filtered(ls_term_cursor_field(b->terms[k].t)))
            return 0;
        some |= !essential[k];
        after |= essential[k] && some; /* an essential term after a non-essential one */
    }
    return some && (b->n == 2 || !after);
}

static int run_window(bulk_state *b, uint32_t from, uint32_t to, const int *essential,
                      ls_collector *col)
{
    if (ls_collector_counts_only(col))
        return count_window(b, from, to, col);
    if (essential_first_exact(b, essential)) {
        /* non-essential terms cannot lift a document in alone: scored where others matched */
        uint64_t passed = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < b->n; k++) {
                if (essential[k] != !pass)
                    continue;
                int rc = ls_term_cursor_add_window(b->terms[k].t, from, to, b->score,
                                                   b->flags, b->used, (uint8_t)b->terms[k].flag,
                                                   pass ? &passed : NULL);
                if (rc < 0)
                    return rc;
            }
        if (passed > 0)
            ls_collector_skipped(col);
        collect_window(b, from, 1, col);
        return LS_OK;
    }
    for (size_t k = 0; k < b->n; k++) {
        ls_cursor *c = b->terms[k].c;
        unsigned flag = b->terms[k].flag;
        int rc = ls_term_cursor_add_window(b->terms[k].t, from, to, b->score, b->flags,
                                           b->used, (uint8_t)flag, NULL);
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
            ls_window_touch(b->used, i);
            int nrc = ls_cursor_next(c);
            if (nrc != LS_OK)
                return nrc;
        }
    }
    collect_window(b, from, 1, col);
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
        b->terms[k].window_bound = 0;
        if (b->terms[k].c->doc >= to)
            continue;
        required |= (b->terms[k].flag & b->need) != 0;
        b->terms[k].window_bound = ls_term_cursor_max_score(b->terms[k].t, to);
        bound += b->terms[k].window_bound;
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

/* MaxScore (Turtle & Flood 1995): with the floor known, the terms of smallest bounds whose
 * bounds summed cannot enter are non-essential, so a document can enter only through an
 * essential term; essential[k] set for each. window: the bounds of the window being run,
 * else of the whole lists. */
static void mark_essential(const bulk_state *b, ls_collector *col, int window, int *essential)
{
    size_t order[LS_BULK_MAX_TERMS];
    double bound[LS_BULK_MAX_TERMS];
    for (size_t k = 0; k < b->n; k++) {
        bound[k] = window ? b->terms[k].window_bound : b->terms[k].list_bound;
        size_t j = k;
        for (; j > 0 && bound[order[j - 1]] > bound[k]; j--)
            order[j] = order[j - 1];
        order[j] = k;
        essential[k] = 1;
    }
    double sum = 0;
    for (size_t r = 0; r < b->n; r++) {
        size_t k = order[r];
        if (!ls_collector_cannot_enter(col, sum + bound[k]))
            break;
        sum += bound[k];
        essential[k] = 0;
    }
}

/* @return the first document of an essential term by the lists' bounds (LS_DOC_END when none
 * is left), essential[k] set as mark_essential does. */
static uint32_t essential_first(const bulk_state *b, ls_collector *col, int *essential)
{
    mark_essential(b, col, 0, essential);
    uint32_t first = LS_DOC_END;
    for (size_t k = 0; k < b->n; k++)
        if (essential[k] && b->terms[k].c->doc < first)
            first = b->terms[k].c->doc;
    return first;
}

/* Where a pruning window from `from` ends: where the first of the essential terms' current
 * blocks ends (its block bound then covers one block), within PRUNE_WINDOW .. WINDOW
 * documents: sparse lists make wide windows, dense ones narrow. */
static uint32_t prune_window_end(const bulk_state *b, const int *essential, uint32_t from,
                                 uint32_t ndocs)
{
    uint64_t to = (uint64_t)from + WINDOW;
    for (size_t k = 0; k < b->n; k++) {
        if ((essential != NULL && !essential[k]) || b->terms[k].c->doc >= ndocs)
            continue; /* (an ended cursor's block is its last one, before `from`) */
        double unused;
        uint32_t last = ls_term_cursor_block_bound(b->terms[k].t, &unused);
        if ((uint64_t)last + 1 < to)
            to = (uint64_t)last + 1;
    }
    if (to < (uint64_t)from + PRUNE_WINDOW)
        to = (uint64_t)from + PRUNE_WINDOW;
    return to > ndocs ? ndocs : (uint32_t)to;
}

/* Moves the non-essential cursors up to `from`; a posting passed over is a match that may
 * have been skipped. */
static int catch_up(bulk_state *b, const int *essential, uint32_t from, ls_collector *col)
{
    for (size_t k = 0; k < b->n; k++) {
        ls_cursor *c = b->terms[k].c;
        if (essential[k] || c->doc >= from)
            continue;
        ls_collector_skipped(col);
        int rc = ls_cursor_advance(c, from);
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
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
    memset(b->flags, 0, sizeof b->flags);
    memset(b->used, 0, sizeof b->used);
    int rc = open_terms(p, n, si, b, err);
    int essential[LS_BULK_MAX_TERMS];
    for (size_t k = 0; k < b->n; k++)
        b->terms[k].list_bound = ls_term_cursor_list_bound(b->terms[k].t);
    while (rc == LS_OK && b->n > 0) {
        uint32_t first = LS_DOC_END; /* windows without postings are skipped */
        for (size_t k = 0; k < b->n; k++)
            first = b->terms[k].c->doc < first ? b->terms[k].c->doc : first;
        if (first >= s->ndocs)
            break;
        uint32_t from = first - first % WINDOW;
        uint32_t to = s->ndocs - from < WINDOW ? s->ndocs : from + WINDOW;
        int pruning = ls_collector_floor(col) > -INFINITY && b->n <= LS_BULK_MAX_TERMS;
        if (ls_collector_floor(col) > -INFINITY) {
            from = pruning ? essential_first(b, col, essential) : first;
            if (from >= s->ndocs) { /* no essential term left: nothing more can enter */
                ls_collector_skipped(col);
                break;
            }
            if (from > first && (rc = catch_up(b, essential, from, col)) != LS_OK)
                break;
            to = prune_window_end(b, pruning ? essential : NULL, from, s->ndocs);
            rc = pass_over(b, to, col);
            if (rc == 1) {
                rc = LS_OK;
                continue;
            }
            if (rc == LS_OK && pruning) /* the window's own bounds may leave fewer essential */
                mark_essential(b, col, 1, essential);
        }
        if (rc == LS_OK)
            rc = run_window(b, from, to, pruning ? essential : NULL, col);
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
