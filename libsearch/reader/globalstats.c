/* SPDX-License-Identifier: MIT */
/*
 * globalstats.c - the ls_stats object (libsearch.h, globalstats.h): named figures in
 * insertion order, looked up by name, and the local figures of names a caller adds.
 */
#include "reader/globalstats.h"

#include <stdio.h>
#include <string.h>

#include "format/fields.h"
#include "reader/snapshot.h"
#include "reader/stats.h"
#include "util/alloc.h"
#include "util/error.h"

/* The collection's own figures: N and the token totals, by name and from a reader. */
enum { FIG_N, FIG_TOKENS_ALL, FIG_TOKENS_TITLE, FIG_COLLECTION };
static const char *const collection_names[FIG_COLLECTION] = {"N", "tokens all",
                                                              "tokens title"};

static double collection_value(const ls_reader *r, int fig)
{
    return (double)(fig == FIG_N ? r->ndocs : fig == FIG_TOKENS_ALL ? r->tokens_all
                                                                    : r->tokens_title);
}

size_t ls_stats_name_of(char *buf, const char *kind, int field, const void *text, size_t len)
{
    int n = snprintf(buf, LS_STATS_MAX_NAME, "%s %s ", kind, ls_field_name(field));
    size_t at = n > 0 ? (size_t)n : 0;
    if (len > LS_STATS_MAX_NAME - at)
        len = LS_STATS_MAX_NAME - at;
    memcpy(buf + at, text, len);
    return at + len;
}

long ls_stats_put(ls_stats *s, const char *name, size_t len, double v, const ls_buf *expansions)
{
    uint32_t id;
    int is_new;
    if (ls_strtab_intern(&s->names, name, len, &id, &is_new) != LS_OK)
        return -1;
    if (!is_new)
        return id;
    if (ls_grow(&s->values, &s->values_cap, (size_t)id + 1, sizeof *s->values) != LS_OK)
        return -1;
    size_t old = s->expansions_cap;
    if (ls_grow(&s->expansions, &s->expansions_cap, (size_t)id + 1, sizeof *s->expansions))
        return -1;
    memset(s->expansions + old, 0, (s->expansions_cap - old) * sizeof *s->expansions);
    s->values[id] = v;
    if (expansions != NULL && expansions->len > 0 &&
        ls_buf_append(&s->expansions[id], expansions->data, expansions->len) != LS_OK)
        return -1;
    return id;
}

int ls_stats_get(const ls_stats *s, const char *name, size_t len, double *v)
{
    int64_t id = ls_strtab_find(&s->names, name, len);
    if (id < 0)
        return 0;
    *v = s->values[id];
    return 1;
}

int ls_stats_need(const ls_stats *s, const char *kind, int field, const void *text, size_t len,
                  double *v, ls_error *err)
{
    char name[LS_STATS_MAX_NAME];
    size_t n = ls_stats_name_of(name, kind, field, text, len);
    if (!ls_stats_get(s, name, n, v))
        return ls_error_set(err, LS_EINVAL, "the statistics given lack '%.*s' (they must come "
                            "from ls_query_stats for the same query and options)", (int)n, name);
    /* a count of documents is at most N; an expansion count is any count */
    double docs = 0;
    int is_docs = strcmp(kind, "expansions") != 0;
    if (!(*v >= 0 && *v <= 1e18) || (is_docs && (!ls_stats_get(s, collection_names[FIG_N], 1, &docs) || *v > docs)))
        return ls_error_set(err, LS_EINVAL, "the statistics given are impossible: '%.*s' is %g "
                            "(N %g)", (int)n, name, *v, docs);
    return LS_OK;
}

int ls_stats_collection(const ls_stats *s, double *n_docs, double avglen[3], ls_error *err)
{
    double v[FIG_COLLECTION];
    for (int f = 0; f < FIG_COLLECTION; f++)
        if (!ls_stats_get(s, collection_names[f], strlen(collection_names[f]), &v[f]))
            return ls_error_set(err, LS_EINVAL,
                                "the statistics given lack N or the token totals");
    double n = v[FIG_N], all = v[FIG_TOKENS_ALL], title = v[FIG_TOKENS_TITLE];
    if (!(n >= 0 && n <= 1e18) || !(title >= 0) || !(all >= title && all <= 1e30))
        return ls_error_set(err, LS_EINVAL, "the statistics given are inconsistent "
                            "(N %g, tokens %g, title tokens %g)", n, all, title);
    *n_docs = n;
    avglen[LS_FIELD_ALL] = n > 0 ? all / n : 0;
    avglen[LS_FIELD_TITLE] = n > 0 ? title / n : 0;
    avglen[LS_FIELD_BODY] = n > 0 ? (all - title) / n : 0;
    return LS_OK;
}

/* Adds the collection's own entries (N, token totals) with r's figures. */
int ls_stats_put_collection(ls_stats *s, const ls_reader *r)
{
    for (int f = 0; f < FIG_COLLECTION; f++)
        if (ls_stats_put(s, collection_names[f], strlen(collection_names[f]),
                         collection_value(r, f), NULL) < 0)
            return LS_ENOMEM;
    return LS_OK;
}

/* The local figure of one name: N, a token total or a df. */
static int local_value(const ls_reader *r, const char *name, size_t len, double *v,
                       ls_error *err)
{
    for (int f = 0; f < FIG_COLLECTION; f++)
        if (len == strlen(collection_names[f]) && memcmp(name, collection_names[f], len) == 0) {
            *v = collection_value(r, f);
            return LS_OK;
        }
    const char *sp = len > 3 && memcmp(name, "df ", 3) == 0 ? memchr(name + 3, ' ', len - 3)
                                                             : NULL;
    int field = sp ? ls_field_from_name(name + 3, (size_t)(sp - name - 3)) : -1;
    size_t tlen = sp ? len - (size_t)(sp + 1 - name) : 0;
    if (field < 0 || tlen == 0 || tlen > LS_MAX_TERM_BYTES)
        return ls_error_set(err, LS_EINVAL, "'%.*s' is not a statistic ls_stats_add can "
                            "compute (N, tokens all, tokens title, df FIELD TERM)",
                            (int)len, name);
    return ls_stats_term_df(r, field, sp + 1, tlen, v, err);
}

LS_API int ls_stats_add(const ls_reader *r, ls_stats *s, const char *names, size_t len,
                        ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || s == NULL || (names == NULL && len > 0))
        return ls_error_set(err, LS_EINVAL, "ls_stats_add: NULL reader, statistics or names");
    for (size_t at = 0; at < len;) {
        const char *end = memchr(names + at, '\0', len - at);
        size_t n = end ? (size_t)(end - (names + at)) : len - at;
        double v;
        if (n > 0 && !ls_stats_get(s, names + at, n, &v)) {
            int rc = local_value(r, names + at, n, &v, err);
            if (rc != LS_OK)
                return rc;
            if (ls_stats_put(s, names + at, n, v, NULL) < 0)
                return ls_error_set(err, LS_ENOMEM, "out of memory");
        }
        at += n + 1;
    }
    return LS_OK;
}

LS_API size_t ls_stats_count(const ls_stats *s) { return s ? s->names.count : 0; }

LS_API const char *ls_stats_name(const ls_stats *s, size_t i, size_t *len)
{
    if (s == NULL || i >= s->names.count) {
        if (len)
            *len = 0;
        return NULL;
    }
    size_t n;
    const char *p = (const char *)ls_strtab_key(&s->names, (uint32_t)i, &n);
    if (len)
        *len = n;
    return p;
}

LS_API double *ls_stats_values(ls_stats *s) { return s ? s->values : NULL; }

LS_API const char *ls_stats_expansions(const ls_stats *s, size_t i, size_t *len)
{
    size_t ignored;
    if (len == NULL)
        len = &ignored;
    if (s == NULL || i >= s->names.count) {
        *len = 0;
        return NULL;
    }
    *len = s->expansions[i].len;
    return (const char *)s->expansions[i].data;
}

LS_API void ls_stats_free(ls_stats *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->names.count; i++)
        ls_buf_free(&s->expansions[i]);
    ls_free(s->expansions);
    ls_free(s->values);
    ls_strtab_free(&s->names);
    ls_free(s);
}
