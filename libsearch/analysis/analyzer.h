/* SPDX-License-Identifier: MIT */
/*
 * analyzer.h - text to tokens, shared by indexing and querying so both read text alike.
 *
 * Pipeline: UTF-8 decoding (invalid bytes are separators) -> words (runs of Unicode letters,
 * digits and marks; an apostrophe between letters stays inside a word) -> NFKC case folding and
 * accent stripping (utf8proc) -> English possessive removal ("iran's", "iran’s" -> "iran") ->
 * remaining apostrophes dropped ("don't" -> "dont") -> Snowball stemming (libstemmer).
 * Hyphens, slashes, dots and all other punctuation separate words, so "25-year" gives "25" and
 * "year" at adjacent positions. Every word takes one position, even one dropped for length.
 * Terms hold only letters and digits: a compatibility form that decomposes to spaces or
 * punctuation ("⑴" -> "1") keeps its letters and digits. Scripts written without spaces (CJK,
 * Thai) are not segmented further: a run of their letters is one word.
 *
 * An ls_analyzer owns a stemmer and scratch buffers: it is NOT thread-safe; use one per thread.
 */
#ifndef LS_ANALYSIS_ANALYZER_H
#define LS_ANALYSIS_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "libsearch.h"

/** Longest language name accepted. */
#define LS_LANGUAGE_MAX 31

typedef struct ls_analyzer ls_analyzer;

typedef struct ls_token {
    const char *text; /**< normalized (and, unless LS_ANALYZE_NOSTEM, stemmed) term, NUL-
                           terminated; borrowed: valid only during the callback */
    size_t len;       /**< bytes, 1..LS_MAX_TERM_BYTES */
    uint32_t pos;     /**< position: first_pos + index of the word in the text */
    size_t start;     /**< byte offset of the word in the input */
    size_t end;       /**< byte offset just past the word (possessive 's included) */
    int stop;         /**< nonzero when the unstemmed normalized word is an English stop word
                           (0 under LS_ANALYZE_NOSTOP) */
} ls_token;

/** Called for each token; a nonzero return stops analysis and is returned by ls_analyze. */
typedef int (*ls_token_fn)(const ls_token *tok, void *payload);

/** Analyze flags. */
#define LS_ANALYZE_NOSTEM 1u /**< skip stemming (prefix queries) */
#define LS_ANALYZE_NOSTOP 2u /**< skip the stop-word test (indexing, which keeps every word) */

/**
 * Makes an analyzer for a Snowball language ("english", "french", ... as libstemmer names them,
 * or "none" for no stemming). NULL means "english".
 * @return LS_OK, LS_EINVAL (unknown language, message lists how to name one), LS_ENOMEM.
 */
int ls_analyzer_new(const char *language, ls_analyzer **out, ls_error *err);
void ls_analyzer_free(ls_analyzer *a);
/** @return the language name (borrowed). */
const char *ls_analyzer_language(const ls_analyzer *a);

/**
 * Analyzes s[0..len), calling fn for every token in order.
 * @param first_pos position of the first word.
 * @param[out] next_pos_out when not NULL: first_pos + number of words seen (even when stopped).
 * @return LS_OK, LS_ENOMEM, or the callback's nonzero return.
 */
int ls_analyze(ls_analyzer *a, const char *s, size_t len, uint32_t first_pos, unsigned flags,
               ls_token_fn fn, void *payload, uint32_t *next_pos_out);

/** @return nonzero when the normalized (unstemmed) word w[0..len) is an English stop word. */
int ls_stopword_is(const char *w, size_t len);

#endif
