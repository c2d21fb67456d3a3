/* SPDX-License-Identifier: MIT */
/*
 * cursor.h - document-at-a-time iterators over one segment (DESIGN.md §5).
 * A cursor is created positioned on its first matching document (doc = LS_DOC_END when there
 * is none) and only moves forward. next/advance return LS_OK or an error (LS_ECORRUPT on bad
 * bytes, LS_ENOMEM); on error the cursor is at LS_DOC_END.
 */
#ifndef LS_QUERY_CURSOR_H
#define LS_QUERY_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "format/fields.h"
#include "format/postings.h"
#include "query/bm25.h"
#include "query/collector.h"
#include "format/segment.h"

typedef struct ls_cursor ls_cursor;

typedef struct ls_cursor_ops {
    int (*next)(ls_cursor *c);
    /* Moves to the first document >= target (stays when already there). */
    int (*advance)(ls_cursor *c, uint32_t target);
    /* Score of the current document. */
    double (*score)(ls_cursor *c);
    void (*free)(ls_cursor *c);
} ls_cursor_ops;

struct ls_cursor {
    const ls_cursor_ops *ops;
    uint32_t doc;
};

static inline int ls_cursor_next(ls_cursor *c) { return c->ops->next(c); }
static inline int ls_cursor_advance(ls_cursor *c, uint32_t t) { return c->ops->advance(c, t); }
static inline double ls_cursor_score(ls_cursor *c) { return c->ops->score(c); }
static inline void ls_cursor_free(ls_cursor *c)
{
    if (c != NULL)
        c->ops->free(c);
}

/* ---- term cursor (cur_term.c) ---- */

typedef struct ls_term_cursor ls_term_cursor;

/** Creates a cursor over meta's postings in seg for field (LS_FIELD_*: the body field reads the
 *  all-field postings through the body-position filter, format/fields.h), scoring with sc (sc
 *  may be NULL: no scoring, e.g. for phrases and NOT). need_positions: keep positions
 *  available via ls_term_cursor_positions. */
int ls_term_cursor_new(const ls_segment *seg, const ls_term_meta *meta, int field,
                       const ls_bm25_term *sc, int need_positions, ls_term_cursor **out,
                       ls_error *err);
ls_cursor *ls_term_cursor_base(ls_term_cursor *t);
/** Term frequency in the document (the filtered count for body). */
uint32_t ls_term_cursor_tf(const ls_term_cursor *t);
/** Positions of the current document (filtered for body), ascending. Borrowed until the
 *  cursor moves. @return LS_OK or LS_ECORRUPT. */
int ls_term_cursor_positions(ls_term_cursor *t, const uint32_t **pos_out, uint32_t *n_out);
/** The current document's positions undecoded, for a caller that reads only as many as it
 *  needs (ls_positions_next from *p, at most *n of them, never at or past *end): 1 when given,
 *  0 when the caller is to take ls_term_cursor_positions instead (a filtered field, or the
 *  positions are decoded already), LS_ECORRUPT. Borrowed until the cursor moves. */
int ls_term_cursor_position_bytes(ls_term_cursor *t, const uint8_t **p, const uint8_t **end,
                                  uint32_t *n);
/** For an unfiltered field: scores every posting from the current one up to `to` into
 *  score[doc - from] (the first term of a document sets it, the next ones add, in order),
 *  ORs flag into flags[doc - from], sets bit (doc - from) / 8 of the bitmap `used` (a group
 *  of eight flags touched), and stops on the first posting >= to; the window
 *  executor's loop without a call per posting. With `passed` (not NULL), only documents
 *  whose flags are set already are scored, and *passed counts the postings left out.
 *  @return 1 done, 0 when the field is filtered (the caller goes posting by posting), or
 *  LS_ECORRUPT. */
int ls_term_cursor_add_window(ls_term_cursor *t, uint32_t from, uint32_t to, double *score,
                              uint8_t *flags, uint64_t *used, uint8_t flag, uint64_t *passed);
/** Marks slot w of a window in the bitmap `used` of ls_term_cursor_add_window: bit w / 8
 *  (64 per word), a group of eight flags touched. */
static inline void ls_window_touch(uint64_t *used, uint32_t w)
{
    used[w >> 9] |= 1ull << (w >> 3 & 63);
}
/** Length of the current document in the cursor's field. */
uint32_t ls_term_cursor_doclen(const ls_term_cursor *t);
/** For an unfiltered field: hands every posting from the current one to the end of its block
 *  to col with its score, then moves to the next block's first posting (the one-term
 *  executor's loop without calls per posting). @return LS_OK, LS_EINVAL (a filtered field)
 *  or LS_ECORRUPT. */
int ls_term_cursor_collect_block(ls_term_cursor *t, ls_collector *col);
/** For an unfiltered field: adds the frequency of every posting from the current one to the
 *  list's end into acc[doc] (acc holds the segment's documents), *last getting the last
 *  document added, and leaves the cursor at LS_DOC_END (a prefix's merge without a call per
 *  posting). @return 1 done, 0 when the field is filtered (the caller goes posting by
 *  posting), or LS_ECORRUPT (a document past the segment's). */
int ls_term_cursor_add_counts(ls_term_cursor *t, uint32_t *acc, uint32_t *last);
/** Moves the cursor back to its list's first document (as when it was made).
 *  @return LS_OK or LS_ECORRUPT. */
int ls_term_cursor_rewind(ls_term_cursor *t);
/** The cursor's field (LS_FIELD_*). */
int ls_term_cursor_field(const ls_term_cursor *t);
/** An upper bound of the score of every posting of the cursor's list (its maximum tf and
 *  minimum length over the whole list, as the block bounds). */
double ls_term_cursor_list_bound(const ls_term_cursor *t);
/** An upper bound of the score of every posting of the cursor in [doc, to) (0 when there is
 *  none), from the block maxima of the skip table (FORMAT.md "Postings") and, for the tail,
 *  the list's; +inf where a skip entry's page fails its check. Not below any score the
 *  cursor returns there, as computed (BM25 rounds monotonically in tf and length). */
double ls_term_cursor_max_score(const ls_term_cursor *t, uint32_t to);
/** The last document of the current block (LS_DOC_END in the tail) and, in *max_score, the
 *  most any of its postings scores. */
uint32_t ls_term_cursor_block_bound(const ls_term_cursor *t, double *max_score);
/** ls_term_cursor_block_bound scored with sc instead of the cursor's own (a phrase's, whose
 *  frequency is at most each of its lists'). */
uint32_t ls_term_cursor_block_bound_as(const ls_term_cursor *t, const ls_bm25_term *sc,
                                       double *max_score);

/* ---- phrase cursor (cur_phrase.c) ---- */

/** Takes ownership of terms[0..n) and filters[0..nfilters) (also on failure): a document
 *  matches where each terms[k] stands at start + k for one start, and it is in every
 *  filter's list. The terms are the phrase's words (a word said twice may be given as one
 *  cursor at each of its places: decoded and moved once, owned once), or one word pair
 *  (format/pairs.h) whose tf is the phrase's; the filters are word pairs of the phrase (read
 *  without positions), distinct cursors, and `covered` says that every word is in one of
 *  them (so that the filters alone find every match: ranked mode, cur_phrase.c). Scores
 *  with sc (idf = sum of the words'). */
int ls_phrase_cursor_new(ls_term_cursor **terms, size_t n,
                         ls_term_cursor **filters, size_t nfilters, int covered,
                         const ls_bm25_term *sc, ls_cursor **out, ls_error *err);
/** Frees each distinct cursor of terms[0..n) once (a phrase's cursors before they are handed
 *  to ls_phrase_cursor_new; NULL entries are passed over). */
void ls_phrase_terms_free(ls_term_cursor **terms, size_t n);
/** From the next move on, passes over documents that cannot enter col (collector.h), which
 *  the phrase's matches go to and which outlives the cursor's use; when col only counts, the
 *  phrase frequency is 1 for every match (positions are read up to the first occurrence).
 *  When col ranks, a covered phrase reads its candidates' positions best bound first and
 *  counts into col some matches it does not return (ranked mode, cur_phrase.c): it is then
 *  to be moved only by an executor that hands every match it returns to col. */
void ls_phrase_cursor_prune(ls_cursor *c, ls_collector *col);
/** The one list a phrase reads when it is a word pair alone (its tf the phrase's, its
 *  scores the phrase's: planner.c) and unfiltered, owned by the phrase cursor; NULL when
 *  the phrase reads positions. */
ls_term_cursor *ls_phrase_cursor_pair(ls_cursor *c);
/** Phrase frequency of the current document (1 under a collector that only counts). */
uint32_t ls_phrase_cursor_freq(const ls_cursor *c);
/** Field length of the current document. */
uint32_t ls_phrase_cursor_doclen(const ls_cursor *c);

/* ---- list cursor (cur_list.c) ---- */

/** A cursor over n (document, frequency) pairs sorted by document, borrowed for the cursor's
 *  life (a prefix's merged postings: planner.c), scoring BM25 of the frequency with sc by
 *  the lengths of field in seg. */
int ls_list_cursor_new(const ls_segment *seg, int field, const uint32_t *docs,
                       const uint32_t *freqs, uint32_t n, const ls_bm25_term *sc,
                       ls_cursor **out, ls_error *err);
/** Frequency of the current document. */
uint32_t ls_list_cursor_freq(const ls_cursor *c);
/** Field length of the current document. */
uint32_t ls_list_cursor_doclen(const ls_cursor *c);

/* ---- boolean cursor (cur_bool.c) ---- */

/** Leapfrog intersection: advances cs[0..n) (n >= 1) until all stand on one document >= target;
 *  *out is that document or LS_DOC_END. @return LS_OK or the first cursor error. */
int ls_cursor_intersect(ls_cursor *const *cs, size_t n, uint32_t target, uint32_t *out);

/** Takes ownership of the children arrays' cursors (also on failure). With no must and no
 *  should cursors it matches every document of [0, ndocs) that no not-cursor matches.
 *  Arrays are copied. */
int ls_bool_cursor_new(ls_cursor **must, size_t n_must, ls_cursor **should, size_t n_should,
                       ls_cursor **nots, size_t n_not, uint32_t ndocs, ls_cursor **out,
                       ls_error *err);

#endif
