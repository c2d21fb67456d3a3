/* SPDX-License-Identifier: MIT */
/*
 * qstats.c - the statistics of one query on one reader (ls_query_stats), and RM3 feedback
 * for shards searched apart (ls_feedback_candidates, ls_feedback_terms): see libsearch.h.
 * A query's figures are read off its plan, so they are exactly what its scores use.
 */
#include <string.h>

#include "libsearch.h"
#include "query/feedback.h"
#include "query/options.h"
#include "query/parser.h"
#include "query/planner.h"
#include "reader/anpool.h"
#include "reader/globalstats.h"
#include "util/alloc.h"
#include "util/error.h"

/* Puts the figures of node n: its scored terms' df, a prefix's union df and expansions. */
static int put_node(ls_stats *s, const ls_plan *p, const ls_plan_node *n)
{
    char name[LS_STATS_MAX_NAME];
    size_t len;
    if (n->kind == LS_Q_PREFIX) {
        size_t text = strlen(n->prefix) - 1; /* without its '*' */
        len = ls_stats_name_of(name, "prefix", n->field, n->prefix, text);
        if (ls_stats_put(s, name, len, n->local_df, NULL) < 0)
            return LS_ENOMEM;
        ls_buf keys = LS_BUF_INIT;
        int rc = LS_OK;
        for (size_t i = 0; rc == LS_OK && i < n->n_leaves; i++) {
            const ls_plan_leaf *l = &p->leaves[n->leaves[i]];
            rc = ls_buf_append(&keys, l->key + 1, l->key_len - 1);
            if (rc == LS_OK)
                rc = ls_buf_put_u8(&keys, 0);
        }
        len = ls_stats_name_of(name, "expansions", n->field, n->prefix, text);
        if (rc == LS_OK && ls_stats_put(s, name, len, (double)n->n_leaves, &keys) < 0)
            rc = LS_ENOMEM;
        ls_buf_free(&keys);
        return rc;
    }
    for (size_t i = 0; n->kind != LS_Q_BOOL && i < n->n_leaves; i++) {
        const ls_plan_leaf *l = &p->leaves[n->leaves[i]];
        len = ls_stats_name_of(name, "df", l->df_field, l->key + 1, l->key_len - 1);
        if (ls_stats_put(s, name, len, l->local_df, NULL) < 0)
            return LS_ENOMEM;
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        int rc = put_node(s, p, &n->kids[i]);
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
}

LS_API int ls_query_stats(const ls_reader *r, const char *query, size_t query_len,
                          const ls_search_options *opts, ls_stats **out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || (query == NULL && query_len > 0))
        return ls_error_set(err, LS_EINVAL, "ls_query_stats: NULL reader, query or out");
    *out = NULL;
    ls_search_options o;
    int rc = ls_search_read_own_options(opts, &o, err);
    if (rc != LS_OK)
        return rc;
    if (o.proximity > 0) /* refused now, not after a round of statistics */
        return ls_error_set(err, LS_EINVAL, "proximity re-ranking is not available over "
                            "shards searched apart: it re-ranks the collection's best hits, "
                            "which no one shard knows");
    ls_stats *s = ls_calloc(1, sizeof *s);
    ls_analyzer *an = NULL;
    ls_qnode *q = NULL;
    ls_plan plan;
    memset(&plan, 0, sizeof plan);
    LS_CHECK_ALLOC(s, err);
    LS_TRY(ls_anpool_take(r->analyzers, &an, err));
    ls_parse_options po = {o.syntax, o.default_and, 1};
    LS_TRY(ls_query_parse(query ? query : "", query_len, &po, an, &q, err));
    LS_TRY(ls_plan_build(&plan, r, q, &o, err)); /* o has no statistics */
    if (ls_stats_put_collection(s, r) != LS_OK || put_node(s, &plan, &plan.root) != LS_OK) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        goto fail;
    }
    *out = s;
    s = NULL;
fail:
    ls_plan_free(&plan);
    ls_qnode_free(q);
    ls_anpool_give(r->analyzers, an);
    ls_stats_free(s);
    return rc;
}

/* Runs ls_feedback_given with a pooled analyzer of r. */
static int given(const ls_reader *r, const ls_feedback_doc *docs, size_t n,
                 const ls_stats *global, ls_stats *candidates, unsigned terms,
                 ls_expansion_term **out, size_t *n_out, ls_error *err)
{
    if (r == NULL || (docs == NULL && n > 0))
        return ls_error_set(err, LS_EINVAL, "feedback over shards: NULL reader or documents");
    for (size_t i = 0; i < n; i++)
        if ((docs[i].title == NULL && docs[i].title_len > 0) ||
            (docs[i].body == NULL && docs[i].body_len > 0))
            return ls_error_set(err, LS_EINVAL, "feedback document %zu: NULL text", i);
    ls_analyzer *an = NULL;
    int rc = ls_anpool_take(r->analyzers, &an, err);
    if (rc == LS_OK)
        rc = ls_feedback_given(r, an, docs, n, global, candidates, terms, out, n_out, err);
    ls_anpool_give(r->analyzers, an);
    return rc;
}

LS_API int ls_feedback_candidates(const ls_reader *r, const ls_feedback_doc *docs, size_t n,
                                  ls_stats *s, ls_error *err)
{
    ls_error_clear(err);
    if (s == NULL || r == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_feedback_candidates: NULL reader or statistics");
    if (ls_stats_put_collection(s, r) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    return given(r, docs, n, NULL, s, 0, NULL, NULL, err);
}

LS_API int ls_feedback_terms(const ls_reader *r, const ls_feedback_doc *docs, size_t n,
                             const ls_stats *global, const ls_search_options *opts,
                             ls_expansion_term **out, size_t *n_out, ls_error *err)
{
    ls_error_clear(err);
    if (global == NULL || out == NULL || n_out == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_feedback_terms: NULL statistics or out");
    *out = NULL;
    *n_out = 0;
    ls_search_options o;
    int rc = ls_search_read_own_options(opts, &o, err);
    if (rc != LS_OK)
        return rc;
    unsigned terms = o.feedback_terms ? o.feedback_terms : LS_DEFAULT_FEEDBACK_TERMS;
    size_t keep = o.feedback_docs && n > o.feedback_docs ? o.feedback_docs : n;
    return given(r, docs, keep, global, NULL, terms, out, n_out, err);
}
