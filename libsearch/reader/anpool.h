/* SPDX-License-Identifier: MIT */
/*
 * anpool.h - analyzers kept by a reader for its searches (DESIGN.md §8 "per-query setup kept
 * by the reader"): creating one (its Snowball stemmer, its buffers) costs more than a short
 * query, so a search takes one from the pool and gives it back. Safe for concurrent searches
 * on one reader: the pool has its own lock, and each analyzer serves one search at a time.
 */
#ifndef LS_READER_ANPOOL_H
#define LS_READER_ANPOOL_H

#include "analysis/analyzer.h"
#include "libsearch.h"

/* Idle analyzers kept; more searches at once create (and then free) their own. */
#define LS_ANPOOL_KEEP 8

typedef struct ls_anpool ls_anpool;

/** @return a new, empty pool for analyzers of language, or NULL when out of memory. */
ls_anpool *ls_anpool_new(const char *language);
void ls_anpool_free(ls_anpool *p);
/** An analyzer of the pool's language: an idle one, else a new one.
 *  @return LS_OK, LS_ENOMEM or an analyzer error (err filled). */
int ls_anpool_take(ls_anpool *p, ls_analyzer **out, ls_error *err);
/** Gives an analyzer from ls_anpool_take back (an is freed when the pool is full; NULL is
 *  ignored). */
void ls_anpool_give(ls_anpool *p, ls_analyzer *an);

#endif
