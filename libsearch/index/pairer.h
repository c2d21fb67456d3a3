/* SPDX-License-Identifier: MIT */
/*
 * pairer.h - the word pairs of a segment being written (format/pairs.h), found from its
 * common words' position lists: each document's common-word positions are laid out by
 * position, and two common words at p and p + 1 count one occurrence of their pair. A new
 * segment reads the lists from its inverter, a merge from its sources (every pair of the
 * merged segment is found again, so a word common there is paired whatever its sources
 * paired). Only the common words' lists are read, a window of documents at a time.
 */
#ifndef LS_INDEX_PAIRER_H
#define LS_INDEX_PAIRER_H

#include <stddef.h>
#include <stdint.h>

#include "index/inverter.h"

/** Gives a word's postings in ascending document order: @return 1 with the next one's
 *  document, tf and position bytes (format/positions.h), 0 after the last, or LS_ECORRUPT. */
typedef int (*ls_pair_next_fn)(void *state, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                               size_t *pos_len);

/** One common word: its all-field key (key byte + word, borrowed) and its postings. */
typedef struct ls_pair_word {
    const uint8_t *key;
    size_t key_len;
    ls_pair_next_fn next;
    void *state;
} ls_pair_word;

/**
 * Inverts the pairs of the words w[0..nw) (every one paired, ls_pairs_eligible) in documents
 * [0, ndocs), whose lengths entries are lens (format/doclens.h), into out, an empty inverter
 * made with ls_inverter_init_counts (its documents are the segment's).
 * @return LS_OK, LS_ENOMEM or LS_ECORRUPT (a word's postings).
 */
int ls_pairs_invert(ls_pair_word *w, uint32_t nw, uint32_t ndocs, const uint8_t *lens,
                    ls_inverter *out);

/** The words of inv a new segment pairs (format/pairs.h): paired[id] (one byte per key of inv,
 *  zeroed by the caller) set, and their pairs inverted into out. @return LS_OK or LS_ENOMEM. */
int ls_pairs_invert_new(const ls_inverter *inv, uint8_t *paired, ls_inverter *out);

#endif
