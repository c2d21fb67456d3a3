/* SPDX-License-Identifier: MIT */
/*
 * term_run.c - one term, ranked, with block-max pruning (see term_run.h).
 */
#include "query/term_run.h"

#include "libsearch.h"
#include "util/error.h"

int ls_term_run_applies(const ls_plan_node *n)
{
    n = ls_plan_unwrap(n);
    return n->kind == LS_Q_TERM || n->titled;
}

int ls_term_run_blocks(ls_term_cursor *t, ls_collector *col)
{
    ls_cursor *c = ls_term_cursor_base(t);
    int rc = LS_OK;
    while (ls_collector_counts_only(col) && rc == LS_OK && c->doc != LS_DOC_END) {
        ls_collector_collect(col, c->doc, 0); /* a count needs no score */
        rc = ls_cursor_next(c);
    }
    while (rc == LS_OK && c->doc != LS_DOC_END) {
        if (ls_collector_floor(col) > -INFINITY) {
            double bound;
            uint32_t last = ls_term_cursor_block_bound(t, &bound);
            if (ls_collector_cannot_enter(col, bound)) {
                ls_collector_skipped(col);
                if (last == LS_DOC_END)
                    break; /* the tail: nothing after it */
                rc = ls_cursor_advance(c, last + 1);
                continue;
            }
        }
        rc = ls_term_cursor_collect_block(t, col);
    }
    return rc;
}

/* The title term's score at doc (0 when it lacks doc), its cursor moved up to doc. */
static int title_score(ls_cursor *tc, uint32_t doc, double *score)
{
    *score = 0;
    if (tc == NULL || tc->doc > doc)
        return LS_OK;
    int rc = tc->doc < doc ? ls_cursor_advance(tc, doc) : LS_OK;
    if (rc == LS_OK && tc->doc == doc)
        *score = ls_cursor_score(tc);
    return rc;
}

int ls_term_run(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_collector *col,
                ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    n = ls_plan_unwrap(n);
    size_t word = n->titled ? n->kids[0].leaves[0] : n->leaves[0];
    ls_term_cursor *t, *tt = NULL;
    int rc = ls_plan_leaf_term_cursor(p, word, si, &t, err);
    if (rc != LS_OK || t == NULL)
        return rc;
    if (n->titled && (rc = ls_plan_leaf_term_cursor(p, n->kids[1].leaves[0], si, &tt, err)) !=
                         LS_OK) {
        ls_cursor_free(ls_term_cursor_base(t));
        return rc;
    }
    ls_cursor *c = ls_term_cursor_base(t), *tc = tt ? ls_term_cursor_base(tt) : NULL;
    uint32_t last = 0;    /* last document of the block whose bound is known */
    double bound = -1;    /* that bound; < 0: none known */
    /* a block at a time where the word scores alone, unfiltered (or a count, posting by
     * posting without scores); otherwise posting by posting below */
    int by_block = tt == NULL && !ls_field_filtered(ls_term_cursor_field(t));
    if (by_block)
        rc = ls_term_run_blocks(t, col);
    while (!by_block && rc == LS_OK && c->doc != LS_DOC_END) {
        if (ls_collector_floor(col) > -INFINITY) {
            if (bound < 0 || c->doc > last) {
                last = ls_term_cursor_block_bound(t, &bound);
                if (tt != NULL) /* summed in clause order, as the scores are */
                    bound += ls_term_cursor_max_score(tt, last == LS_DOC_END ? LS_DOC_END
                                                                                : last + 1);
            }
            if (ls_collector_cannot_enter(col, bound)) {
                ls_collector_skipped(col);
                if (last == LS_DOC_END)
                    break; /* the tail: nothing after it */
                rc = ls_cursor_advance(c, last + 1);
                if (rc == LS_OK && tc != NULL && tc->doc <= last) /* its bounds start there */
                    rc = ls_cursor_advance(tc, last + 1);
                bound = -1;
                if (rc != LS_OK)
                    break;
                continue;
            }
        }
        double score = 0, in_title = 0;
        if (!ls_collector_counts_only(col)) {
            if ((rc = title_score(tc, c->doc, &in_title)) != LS_OK)
                break;
            score = ls_cursor_score(c) + in_title; /* + 0 where the title lacks it: exact */
        }
        ls_collector_collect(col, c->doc, score);
        rc = ls_cursor_next(c);
        if (rc != LS_OK)
            break;
    }
    ls_cursor_free(c);
    if (tc != NULL)
        ls_cursor_free(tc);
    if (rc != LS_OK)
        return ls_error_set(err, rc, "'%s': damaged postings while searching", s->doc.path);
    return LS_OK;
}
