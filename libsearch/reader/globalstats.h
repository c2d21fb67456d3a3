/* SPDX-License-Identifier: MIT */
/*
 * globalstats.h - statistics supplied from outside a reader (ls_stats of libsearch.h): named
 * figures (N, the fields' token totals, terms' df, prefixes' union df and expansion counts)
 * that add up over disjoint indexes, so that shards searched apart (on several machines)
 * score with the figures of their union. The planner asks here first when a search is given
 * them (ls_search_options.stats).
 *
 * Names, one per figure (fields: all, title, body; terms as analyzed, never holding a NUL):
 *   "N"                       live documents
 *   "tokens all", "tokens title"  tokens of the live documents in the field
 *   "df FIELD TERM"           live documents holding TERM in FIELD
 *   "prefix FIELD TEXT"       live documents holding any term starting with TEXT (a prefix
 *                             query scored as one term)
 *   "expansions FIELD TEXT"   dictionary terms starting with TEXT (LS_MAX_PREFIX_TERMS caps
 *                             it); over shards this is the size of the union of their
 *                             expansions, not a sum (ls_stats_expansions lists a shard's)
 */
#ifndef LS_READER_GLOBALSTATS_H
#define LS_READER_GLOBALSTATS_H

#include <stddef.h>

#include "libsearch.h"
#include "format/termdict.h"
#include "util/buf.h"
#include "util/hashmap.h"

struct ls_stats {
    ls_strtab names; /* name -> entry id, in insertion order */
    double *values;
    size_t values_cap;
    ls_buf *expansions; /* by entry: an "expansions" entry's keys, NUL-separated (else empty) */
    size_t expansions_cap;
};

/** Longest name: "expansions " + field + ' ' + term. */
#define LS_STATS_MAX_NAME (16 + LS_MAX_KEY_BYTES)

/** Writes the name of a figure ("df", "prefix", "expansions" with field and text) into buf
 *  (LS_STATS_MAX_NAME bytes). @return its length. */
size_t ls_stats_name_of(char *buf, const char *kind, int field, const void *text, size_t len);

/** Adds (or finds) the entry `name` with value v; when it is new and expansions is not NULL,
 *  keeps that list too. @return its id (>= 0) or -1 out of memory. */
long ls_stats_put(ls_stats *s, const char *name, size_t len, double v, const ls_buf *expansions);

/** @return nonzero and *v the figure of `name` when s has it; 0 when not. */
int ls_stats_get(const ls_stats *s, const char *name, size_t len, double *v);

/** The figure of kind/field/text from s, or LS_EINVAL naming what is missing. */
int ls_stats_need(const ls_stats *s, const char *kind, int field, const void *text, size_t len,
                  double *v, ls_error *err);

/** N and average field length as a reader of the union would give them (0 when N is 0). */
int ls_stats_collection(const ls_stats *s, double *n_docs, double avglen[3], ls_error *err);

/** Adds N and the token totals of r. @return LS_OK or LS_ENOMEM. */
int ls_stats_put_collection(ls_stats *s, const ls_reader *r);

#endif
