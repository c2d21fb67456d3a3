/* SPDX-License-Identifier: MIT */
/*
 * options.c - the search options a caller gives, read by version and checked once for every
 * entry point that takes them (ls_search, ls_query_stats, the feedback of shards).
 */
#include "query/options.h"

#include <stddef.h>
#include <string.h>

#include "util/error.h"

/* Copies the caller's options (version 1 ends at `explain`, version 2 at `feedback_widen`,
 * version 3 at `proximity_depth`, version 4 at `count_limit`, version 5 at `n_expansion`;
 * later fields keep their defaults; NULL: the defaults). */
static int copy_options(const ls_search_options *in, ls_search_options *o, ls_error *err)
{
    static const ls_search_options defaults = LS_SEARCH_OPTIONS_INIT;
    *o = defaults;
    if (in == NULL)
        return LS_OK;
    if (in->version == 1)
        memcpy(o, in, offsetof(ls_search_options, feedback_docs));
    else if (in->version == 2)
        memcpy(o, in, offsetof(ls_search_options, proximity));
    else if (in->version == 3)
        memcpy(o, in, offsetof(ls_search_options, count_limit));
    else if (in->version == 4)
        memcpy(o, in, offsetof(ls_search_options, stats));
    else if (in->version == 5)
        memcpy(o, in, offsetof(ls_search_options, title_weight));
    else if (in->version == LS_SEARCH_OPTIONS_VERSION)
        *o = *in;
    else
        return ls_error_set(err, LS_EINVAL, "ls_search_options.version %u is not 1..%u",
                            in->version, LS_SEARCH_OPTIONS_VERSION);
    o->version = LS_SEARCH_OPTIONS_VERSION;
    return LS_OK;
}

/* Checks the options a caller gave (copied by copy_options). */
static int check_options(ls_search_options *o, ls_error *err)
{
    if (o->limit == 0)
        o->count_limit = LS_COUNT_ALL; /* nothing is returned: the count is the answer */
    if (o->syntax < LS_SYNTAX_STRICT || o->syntax > LS_SYNTAX_PLAIN)
        return ls_error_set(err, LS_EINVAL, "unknown syntax %d", o->syntax);
    if (!(o->k1 >= 0 && o->k1 < 1e6) || !(o->b >= 0 && o->b <= 1))
        return ls_error_set(err, LS_EINVAL, "BM25 needs k1 >= 0 and 0 <= b <= 1");
    if (o->limit > LS_MAX_LIMIT || o->offset > LS_MAX_LIMIT)
        return ls_error_set(err, LS_ELIMIT, "limit and offset are capped at %u", LS_MAX_LIMIT);
    if (o->feedback_docs > 0 &&
        (o->feedback_docs > 1000 || o->feedback_terms < 1 || o->feedback_terms > 1000 ||
         !(o->feedback_weight >= 0 && o->feedback_weight <= 1)))
        return ls_error_set(err, LS_EINVAL,
                            "feedback needs 1..1000 documents, 1..1000 terms and a weight "
                            "in 0..1");
    if (!(o->proximity >= 0 && o->proximity <= LS_MAX_PROXIMITY_WEIGHT) ||
        o->proximity_depth > LS_MAX_PROXIMITY_DEPTH)
        return ls_error_set(err, LS_EINVAL,
                            "proximity needs a weight in 0..%g and a depth of at most %u",
                            LS_MAX_PROXIMITY_WEIGHT, LS_MAX_PROXIMITY_DEPTH);
    if (!(o->title_weight >= 0 && o->title_weight <= LS_MAX_TITLE_WEIGHT))
        return ls_error_set(err, LS_EINVAL, "title weighting needs a weight in 0..%g",
                            LS_MAX_TITLE_WEIGHT);
    if (o->n_expansion > 0 && (o->expansion == NULL || o->stats == NULL || o->feedback_docs == 0))
        return ls_error_set(err, LS_EINVAL,
                            "an expansion needs its terms, the statistics it was made with "
                            "and feedback on");
    if (o->stats != NULL && o->feedback_docs > 0 && o->n_expansion == 0)
        return ls_error_set(err, LS_EINVAL,
                            "feedback with statistics given needs the collection's expansion "
                            "(ls_feedback_terms; none: search with feedback off)");
    if (o->stats != NULL && o->proximity > 0)
        return ls_error_set(err, LS_EINVAL,
                            "proximity re-ranking is not available with statistics given "
                            "(shards): it re-ranks the collection's best hits, which no one "
                            "shard knows");
    for (size_t i = 0; i < o->n_expansion; i++)
        if (o->expansion[i].term == NULL || o->expansion[i].len == 0 ||
            o->expansion[i].len > LS_MAX_TERM_BYTES || !(o->expansion[i].weight >= 0))
            return ls_error_set(err, LS_EINVAL, "expansion term %zu: empty, longer than %u "
                                "bytes or of a negative weight", i, LS_MAX_TERM_BYTES);
    return LS_OK;
}

int ls_search_read_options(const ls_search_options *in, ls_search_options *o, ls_error *err)
{
    int rc = copy_options(in, o, err);
    return rc != LS_OK || in == NULL ? rc : check_options(o, err);
}

int ls_search_read_own_options(const ls_search_options *in, ls_search_options *o,
                               ls_error *err)
{
    int rc = copy_options(in, o, err);
    o->stats = NULL;
    o->expansion = NULL;
    o->n_expansion = 0;
    return rc != LS_OK || in == NULL ? rc : check_options(o, err);
}
