/* SPDX-License-Identifier: MIT */
/*
 * snippet.h - the best window of a stored text around the query's terms (DESIGN.md §5):
 * re-analyzes the text, finds the window of `window` tokens holding the most distinct query
 * terms (then the most matches, then the earliest), centres it on its matches, and returns
 * it as data: text, match spans and fragments.
 */
#ifndef LS_HIGHLIGHT_SNIPPET_H
#define LS_HIGHLIGHT_SNIPPET_H

#include "analysis/analyzer.h"
#include "libsearch.h"
#include "util/arena.h"
#include "util/hashmap.h"

/** terms: the analyzed (stemmed) query terms to mark. Everything returned lives in arena. */
int ls_snippet_build(ls_analyzer *an, const char *text, size_t len, const ls_strtab *terms,
                     unsigned window, int field, ls_arena *arena, ls_snippet *out,
                     ls_error *err);

#endif
