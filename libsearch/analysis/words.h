/* SPDX-License-Identifier: MIT */
/*
 * words.h - word segmentation of UTF-8 text, internal to analysis/: which byte ranges are
 * words, where a trailing possessive "'s" starts, and whether a word may take the ASCII
 * fast path of folding. Knows nothing of normalization, stemming or positions.
 */
#ifndef LS_ANALYSIS_WORDS_H
#define LS_ANALYSIS_WORDS_H

#include <stddef.h>

typedef struct ls_word {
    size_t start;    /* byte offset of the first code point of the word */
    size_t end;      /* byte offset just past the word, possessive "'s" included */
    size_t core_end; /* end without a trailing possessive "'s" (== end when there is none) */
    int ascii;       /* nonzero when every code point of the word is ASCII or U+2019 */
} ls_word;

/**
 * Finds the first word starting at or after byte *at of s[0..len) and moves *at past it.
 * A word is a maximal run of code points of Unicode category L*, N* or M*, where an apostrophe
 * (U+0027, U+2019) followed by a letter or digit continues the run. Everything else, and every
 * byte that is not part of a valid UTF-8 sequence, separates words.
 * @return 1 and fills out, or 0 when no word is left.
 */
int ls_words_next(const char *s, size_t len, size_t *at, ls_word *out);

#endif
