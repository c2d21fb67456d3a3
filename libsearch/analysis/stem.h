/* SPDX-License-Identifier: MIT */
/*
 * stem.h - the Snowball stemmer of an analyzer (libstemmer), internal to analysis/: choosing
 * a language by name, "none" for no stemming, and stemming one normalized word.
 */
#ifndef LS_ANALYSIS_STEM_H
#define LS_ANALYSIS_STEM_H

#include <stddef.h>

#include "libsearch.h"

typedef struct ls_stemmer ls_stemmer;

/**
 * Makes the stemmer for a libstemmer language name ("english", "french", or an alias such as
 * "en"); "none" gives *out = NULL, which ls_stemmer_stem treats as the identity.
 * @return LS_OK, LS_EINVAL (unknown language; the message lists the known ones), LS_ENOMEM.
 */
int ls_stemmer_new(const char *language, ls_stemmer **out, ls_error *err);
void ls_stemmer_free(ls_stemmer *st);

/**
 * Stems w[0..len) (UTF-8). The result is borrowed, valid until the next call on st, and not
 * necessarily NUL-terminated. With st NULL ("none") the result is w itself.
 * @return the stem, with its length in *len_out, or NULL when out of memory.
 */
const char *ls_stemmer_stem(ls_stemmer *st, const char *w, size_t len, size_t *len_out);

#endif
