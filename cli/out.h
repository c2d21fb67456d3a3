/* SPDX-License-Identifier: MIT */
/*
 * out.h - the output formats of `cisearch search` (text, json, trec, ids) and the snippet
 * flattening they share: whitespace collapsed, invalid UTF-8 replaced, match spans remapped.
 */
#ifndef CISEARCH_OUT_H
#define CISEARCH_OUT_H

#include <stdio.h>

#include "cbuf.h"
#include "libsearch.h"

/** One query's results, as the formatters see them: an ls_hits, or hits merged from shards
 *  searched apart (cisearch-mpi). */
typedef struct cli_result {
    const char *qid;   /* batch query id; NULL for a single command-line query */
    const char *query; /* the query text */
    size_t query_len;
    const ls_hits *hits; /* NULL when `list` holds the hits */
    size_t offset; /* --offset: rank of the first hit is offset + 1 */
    const ls_hit *list; /* merged hits, n_list of them, best first */
    size_t n_list;
    uint64_t list_total; /* their count over every shard */
    int list_exact;      /* nonzero: list_total is every match */
    const char *partial; /* non-NULL: shards left out (--allow-partial), told by the output */
} cli_result;

static inline size_t cli_result_count(const cli_result *r)
{
    return r->hits ? ls_hits_count(r->hits) : r->n_list;
}
static inline const ls_hit *cli_result_hit(const cli_result *r, size_t i)
{
    return r->hits ? ls_hits_get(r->hits, i) : &r->list[i];
}
static inline uint64_t cli_result_total(const cli_result *r)
{
    return r->hits ? ls_hits_total(r->hits) : r->list_total;
}
static inline int cli_result_exact(const cli_result *r)
{
    return r->hits ? ls_hits_total_exact(r->hits) : r->list_exact;
}

typedef struct cli_out_opts {
    int color;   /* text: bold matches with ANSI escapes */
    int explain; /* print the per-term score explanations */
    int batch;   /* several queries: json one line each, ids and text labelled */
    const char *const *indexes; /* several indexes searched as one: their directories, by
                                   ls_hit.index (hits name theirs); NULL for one */
    size_t n_indexes;
} cli_out_opts;

int cli_out_text(FILE *f, const cli_result *r, const cli_out_opts *o);
int cli_out_json(FILE *f, const cli_result *r, const cli_out_opts *o);
int cli_out_trec(FILE *f, const cli_result *r, const cli_out_opts *o);
int cli_out_ids(FILE *f, const cli_result *r, const cli_out_opts *o);

/** Text made safe to show: whitespace and control runs collapsed to one space, trimmed,
 *  invalid UTF-8 as U+FFFD; `spans` are the given matches in its coordinates. */
typedef struct cli_flat {
    cli_buf text;
    ls_span *spans;
    size_t n_spans;
} cli_flat;

/**
 * Flattens s[0..len) into `out` (zeroed by the caller), remapping `matches` (ascending byte
 * ranges of s; invalid or overlapping ones are dropped). @return 0, or -1 out of memory.
 */
int cli_flatten(const char *s, size_t len, const ls_span *matches, size_t n_matches,
                cli_flat *out);
void cli_flat_free(cli_flat *f);

/** Copies s[0..len) with only invalid UTF-8 replaced by U+FFFD (ids keep their spaces).
 *  @return 0, or -1 out of memory. */
int cli_utf8_fix(const char *s, size_t len, cli_buf *out);

#endif
