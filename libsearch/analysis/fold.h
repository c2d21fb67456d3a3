/* SPDX-License-Identifier: MIT */
/*
 * fold.h - normalization of one word, internal to analysis/: NFKC, Unicode case folding,
 * accent (mark) stripping and apostrophe removal, into a caller-owned bounded buffer.
 * Does not find words (words.h) nor remove possessives (the caller passes the word without).
 */
#ifndef LS_ANALYSIS_FOLD_H
#define LS_ANALYSIS_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"

/* Code points kept while folding one word. After marks are stripped, the only compositions
 * left are Hangul jamo (at most 3 code points into 1), so more than 3 * LS_MAX_TERM_BYTES
 * code points can never compose to LS_MAX_TERM_BYTES bytes or fewer. */
#define LS_FOLD_MAX_CODEPOINTS (3 * LS_MAX_TERM_BYTES)
/* Scratch length in int32s: utf8proc_reencode needs one byte beyond the code points. */
#define LS_FOLD_SCRATCH_LEN (LS_FOLD_MAX_CODEPOINTS + 1)
/* Returned when the folded word would exceed LS_MAX_TERM_BYTES. */
#define LS_FOLD_TOO_LONG ((size_t)-1)

/**
 * Folds w[0..len), a word of ASCII letters, digits and apostrophes (U+0027 or U+2019), into
 * out (LS_MAX_TERM_BYTES + 1 bytes): lower case, apostrophes dropped, NUL-terminated.
 * @return bytes written (0 when nothing is left) or LS_FOLD_TOO_LONG.
 */
size_t ls_fold_ascii(const char *w, size_t len, char *out);

/**
 * Folds w[0..len), valid UTF-8 (a word as words.h finds it), into out (LS_MAX_TERM_BYTES + 1
 * bytes): NFKC + case fold, marks stripped, apostrophes and anything that is not a letter or
 * number after decomposition (spaces and punctuation from compatibility forms) dropped.
 * scratch holds LS_FOLD_SCRATCH_LEN int32s. Stops reading as soon as the word is known too long.
 * @return bytes written (0 when nothing is left) or LS_FOLD_TOO_LONG.
 */
size_t ls_fold_utf8(int32_t *scratch, const char *w, size_t len, char *out);

#endif
