/* SPDX-License-Identifier: MIT */
/*
 * term_run.c - one term, ranked, with block-max pruning (see term_run.h).
 */
#include "query/term_run.h"

#include "libsearch.h"
#include "util/error.h"

int ls_term_run_applies(const ls_plan_node *n) { return ls_plan_unwrap(n)->kind == LS_Q_TERM; }

int ls_term_run(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_collector *col,
                ls_error *err)
{
    const ls_segment *s = p->r->segs[si].seg;
    ls_term_cursor *t;
    int rc = ls_plan_leaf_term_cursor(p, ls_plan_unwrap(n)->leaves[0], si, &t, err);
    if (rc != LS_OK || t == NULL)
        return rc;
    ls_cursor *c = ls_term_cursor_base(t);
    uint32_t last = 0;    /* last document of the block whose bound is known */
    double bound = -1;    /* that bound; < 0: none known */
    while (c->doc != LS_DOC_END) {
        if (ls_collector_floor(col) > -INFINITY) {
            if (bound < 0 || c->doc > last)
                last = ls_term_cursor_block_bound(t, &bound);
            if (ls_collector_cannot_enter(col, bound)) {
                ls_collector_skipped(col);
                if (last == LS_DOC_END)
                    break; /* the tail: nothing after it */
                rc = ls_cursor_advance(c, last + 1);
                bound = -1;
                if (rc != LS_OK)
                    break;
                continue;
            }
        }
        ls_collector_collect(col, c->doc, ls_collector_counts_only(col) ? 0 : ls_cursor_score(c));
        rc = ls_cursor_next(c);
        if (rc != LS_OK)
            break;
    }
    ls_cursor_free(c);
    if (rc != LS_OK)
        return ls_error_set(err, rc, "'%s': damaged postings while searching", s->doc.path);
    return LS_OK;
}
