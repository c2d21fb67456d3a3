/* SPDX-License-Identifier: MIT */
/*
 * pool.h - index threads (ls_writer_options threads >= 2). ls_writer_add copies each document
 * into a batch; batches go to N lanes in turn (batch b to lane b mod N), each lane's documents
 * analyzed, inverted and stored in order into segments of its own, written when its share of
 * the RAM budget is reached. N threads do the work, each taking the next batch of its own lane
 * or, when that one is held or empty, of any other lane no thread holds; a full segment is
 * written apart (one at a time) while the lane goes on with the next. Which documents share a
 * segment depends on the calls alone. The caller's thread keeps what ids need: every id
 * added since the last sync with its add sequence number, and which of those numbers are
 * deleted; a written segment is adopted into the writer's list (w->segs) by the caller's
 * thread, its deleted documents marked then. A sync (each commit) hands out the last batch,
 * has every lane's segment written, adopts them all and sorts them by their first document,
 * so the index is the same on every run of the same calls. Internal to index/.
 */
#ifndef LS_INDEX_POOL_H
#define LS_INDEX_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"

/** Starts n (2..LS_MAX_WRITER_THREADS) index threads for w (w->pool). */
int ls_pool_new(ls_writer *w, unsigned n, ls_error *err);
/** Stops the threads, abandons what they built since the last sync (files removed), frees
 *  w->pool (NULL: nothing). */
void ls_pool_free(ls_writer *w);
/** @return LS_OK, or the error an index thread met (the writer has then failed). Every call
 *  on the writer asks it first (its usability check; a commit after the threads are idle),
 *  so the functions below do not. */
int ls_pool_check(ls_writer *w, ls_error *err);
/** Adds a document (fields id, title, body, path; checked by the caller): its older version
 *  deleted, then queued. When what the pool keeps per document since the last sync (ids,
 *  sequence numbers) reaches 1/8 of the RAM budget, syncs (the threads write their segments). */
int ls_pool_add(ls_writer *w, const char *const f[4], const size_t l[4], const void *stamp,
                size_t stamp_len, ls_error *err);
/** Deletes id's version added since the last sync. *known: the id was added since then (so
 *  no older version is live elsewhere); *found: a live version was deleted. */
int ls_pool_delete(ls_writer *w, const char *id, size_t len, int *found, int *known,
                   ls_error *err);
/** Deletes the documents added since the last sync whose ids start with prefix; adds their
 *  number to *count. */
int ls_pool_delete_prefix(ls_writer *w, const char *prefix, size_t len, uint64_t *count,
                          ls_error *err);
/** Every document given so far written into segments in w->segs (pending, in add order of
 *  their first documents), every deletion marked. */
int ls_pool_sync(ls_writer *w, ls_error *err);

#endif
