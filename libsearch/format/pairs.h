/* SPDX-License-Identifier: MIT */
/*
 * pairs.h - word pairs (FORMAT.md "Word pairs"): a segment indexes, as keys of their own,
 * the pairs of adjacent words of the all field whose two words are both common in it, so
 * that a phrase of common words reads the short list of its pair instead of walking the
 * long position lists of its words.
 *
 * A key of the all field that is "paired" (its TermInfo says so) promises: for every other
 * paired key b of the segment (or itself), every document where the word is at position p
 * and b's word at p + 1 is in the list of the pair key, LS_KEY_PAIR + word + ' ' + b's word,
 * whose tf counts those p (a pair's list has no positions: a phrase of two words needs only
 * the count, a longer one reads its words' positions in the documents that hold all its
 * pairs). A segment of N live documents, new or merged, pairs the words in at least
 * ls_pairs_min_df(N) of them (index/pairer.h finds their pairs from their positions); words
 * longer than LS_PAIR_WORD_MAX bytes are never paired (a pair key fits LS_MAX_KEY_BYTES).
 */
#ifndef LS_FORMAT_PAIRS_H
#define LS_FORMAT_PAIRS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/fields.h"
#include "format/termdict.h"

#define LS_KEY_PAIR ((uint8_t)'w') /* after 'a' and 't': pair keys end a dictionary */
#define LS_PAIR_SEP ((uint8_t)' ') /* below every byte a word holds */
#define LS_PAIR_WORD_MAX ((LS_MAX_KEY_BYTES - 2) / 2)

/** @return nonzero when the key (key byte + word) may be paired: the all field, short. */
static inline int ls_pairs_eligible(const uint8_t *key, size_t len)
{
    return len >= 2 && key[0] == LS_KEY_ALL && len - 1 <= LS_PAIR_WORD_MAX;
}

/** The fewest documents a word of a segment of n live documents is in to be paired: 1/8 of
 *  them, and at least 2. */
static inline uint32_t ls_pairs_min_df(uint32_t n) { return n / 8 > 2 ? n / 8 : 2; }

/** Writes the pair key of words a and b (without their key bytes; each at most
 *  LS_PAIR_WORD_MAX bytes) into out (LS_MAX_KEY_BYTES). @return its length. */
static inline size_t ls_pair_key(uint8_t *out, const uint8_t *a, size_t alen, const uint8_t *b,
                                 size_t blen)
{
    out[0] = LS_KEY_PAIR;
    memcpy(out + 1, a, alen);
    out[1 + alen] = LS_PAIR_SEP;
    memcpy(out + 2 + alen, b, blen);
    return 2 + alen + blen;
}

/** Splits a pair key into its two words' all-field keys (LS_KEY_ALL + word) in a and b
 *  (LS_PAIR_WORD_MAX + 1 bytes each). @return 0, or -1 when key is no well-formed pair key. */
int ls_pair_key_split(const uint8_t *key, size_t len, uint8_t *a, size_t *alen, uint8_t *b,
                      size_t *blen);

#endif
