/* SPDX-License-Identifier: MIT */
/*
 * stats.h - collection statistics behind one interface (DESIGN.md §5 and §8): N, the average
 * length of each field and a term's document frequency, over every live document of a reader
 * snapshot. The planner and feedback ask here instead of walking segments, so that other
 * snapshots (several indexes searched as one) can answer with the same global figures.
 */
#ifndef LS_READER_STATS_H
#define LS_READER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "format/postings.h"
#include "reader/snapshot.h"

/** @return N, the live documents of the snapshot. */
double ls_stats_ndocs(const ls_reader *r);
/** @return the average length in tokens of `field` (LS_FIELD_*) over live documents (0 when
 *  there are none). */
double ls_stats_avglen(const ls_reader *r, int field);

/**
 * Looks up key (key byte + term) in every segment for `field` (the body field counts only
 * documents with the term in the body, by a filtered scan).
 * @param[out] seg_meta when not NULL, r->nsegs entries: segment i's dictionary entry, df 0 when
 *             the segment lacks the key. Planning keeps them, so cursors need no second lookup.
 * @param[out] df the term's document frequency over live documents.
 * @return LS_OK, LS_ECORRUPT (naming the file) or LS_ENOMEM.
 */
int ls_stats_term(const ls_reader *r, int field, const uint8_t *key, size_t len,
                  ls_term_meta *seg_meta, double *df, ls_error *err);

/** ls_stats_term of an analyzed term of `field` (its key made here; no per-segment entries).
 *  @return as ls_stats_term, or LS_ELIMIT for a term longer than a key holds. */
int ls_stats_term_df(const ls_reader *r, int field, const void *term, size_t len, double *df,
                     ls_error *err);

#endif
