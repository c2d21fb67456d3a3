/* SPDX-License-Identifier: MIT */
/*
 * term_run.h - the executor of a query that is one term, alone or with its title term (title
 * weighting: planner.h's titled node): the term's postings go to the collector in order, a
 * posting's title score added when the title term has the document, and once the collector
 * may skip (collector.h) a block whose best posting (with the title term's best over the
 * block's documents) cannot beat the floor is stepped over through the skip table without
 * being decoded (block-max pruning; the results are those of every posting collected).
 */
#ifndef LS_QUERY_TERM_RUN_H
#define LS_QUERY_TERM_RUN_H

#include <stdint.h>

#include "query/collector.h"
#include "query/cursor.h"
#include "query/planner.h"

/** @return nonzero when n is one term or a titled one (after ls_plan_unwrap). */
int ls_term_run_applies(const ls_plan_node *n);

/** Hands an unfiltered term cursor's postings from its current one on to col a block at a
 *  time, a block whose bound cannot enter stepped over undecoded (the loop ls_term_run runs
 *  for a word alone, and a phrase that is one word pair), or one by one without scores when
 *  col only counts. Does not free t.
 *  @return LS_OK or LS_ECORRUPT. */
int ls_term_run_blocks(ls_term_cursor *t, ls_collector *col);

/** Runs n (ls_term_run_applies) over segment si of p->r into col, which is on that segment.
 *  @return LS_OK, LS_ECORRUPT or LS_ENOMEM (err filled). */
int ls_term_run(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_collector *col,
                ls_error *err);

#endif
