/* SPDX-License-Identifier: MIT */
/*
 * bulk_or.h - a faster exhaustive executor for the commonest query shape: an OR of terms,
 * optionally inside a required group with optional extra terms (what RM3 feedback produces:
 * (+(a b c) x y z)). Instead of finding each candidate document by asking every cursor
 * (n cursors per document), each term's postings are added into a window of score
 * accumulators (n cursors per posting only), window after window, like Lucene's
 * BooleanScorer. Scores are added in clause order from zero, as the boolean cursor adds them,
 * so results are identical to the document-at-a-time executor's, bit for bit.
 */
#ifndef LS_QUERY_BULK_OR_H
#define LS_QUERY_BULK_OR_H

#include <stdint.h>

#include "query/planner.h"
#include "query/collector.h"

/** @return nonzero when ls_bulk_or_run can execute n. */
int ls_bulk_or_applies(const ls_plan_node *n);

/** Runs n (ls_bulk_or_applies) over segment si of p->r: every match goes to the collector,
 *  which is on that segment. @return LS_OK, LS_ECORRUPT or LS_ENOMEM (err filled). */
int ls_bulk_or_run(const ls_plan *p, const ls_plan_node *n, uint32_t si, ls_collector *col,
                   ls_error *err);

#endif
