/* SPDX-License-Identifier: MIT */
/*
 * multi.c - ls_reader_open_many: one reader per index, their segments listed in order under
 * one snapshot (see reader/snapshot.h), statistics summed.
 */
#include "reader/multi.h"

#include <stdio.h>
#include <string.h>

#include "reader/anpool.h"
#include "reader/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"

/* Lists the parts' segments in order, numbering documents on from part to part. */
static int join_parts(ls_reader *r, ls_error *err)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < r->n_parts; p++) {
        if (r->parts[p]->nsegs > LS_MAX_SEGMENTS - n)
            return ls_error_set(err, LS_ELIMIT, "the indexes hold over %u segments together",
                                LS_MAX_SEGMENTS);
        n += r->parts[p]->nsegs;
    }
    r->segs = ls_calloc(n ? n : 1, sizeof *r->segs);
    if (r->segs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t p = 0; p < r->n_parts; p++) {
        const ls_reader *q = r->parts[p];
        for (uint32_t i = 0; i < q->nsegs; i++) {
            ls_snapseg *ss = &r->segs[r->nsegs++];
            *ss = q->segs[i];
            ss->base = r->doc_space + q->segs[i].base;
            ss->part = p;
        }
        if (q->doc_space > LS_MAX_INDEX_DOCS - r->doc_space)
            return ls_error_set(err, LS_ELIMIT, "the indexes hold over %llu documents together",
                                (unsigned long long)LS_MAX_INDEX_DOCS);
        r->doc_space += q->doc_space;
        r->ndocs += q->ndocs;
        r->tokens_all += q->tokens_all;
        r->tokens_title += q->tokens_title;
        r->m.file_bytes += q->m.file_bytes;
    }
    return LS_OK;
}

LS_API int ls_reader_open_many(const char *const *dirs, size_t n, const ls_open_options *opts,
                               ls_reader **out, ls_error *err)
{
    ls_error_clear(err);
    if (out == NULL || dirs == NULL || n == 0)
        return ls_error_set(err, LS_EINVAL, "ls_reader_open_many: no directories given");
    *out = NULL;
    if (n > LS_MAX_SEGMENTS)
        return ls_error_set(err, LS_ELIMIT, "%zu indexes (at most %u)", n, LS_MAX_SEGMENTS);
    ls_reader *r = ls_calloc(1, sizeof *r);
    int rc = LS_OK;
    if (r == NULL || (r->parts = ls_calloc(n, sizeof *r->parts)) == NULL) {
        ls_free(r);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == LS_OK; i++) {
        rc = ls_reader_open_opts(dirs[i], opts, &r->parts[i], err);
        if (rc == LS_OK)
            r->n_parts++;
        else if (err != NULL && strstr(err->message, dirs[i]) == NULL) {
            char where[64]; /* the message names the index only through its files */
            snprintf(where, sizeof where, " (index %zu of %zu)", i + 1, n);
            rc = ls_error_append(err, rc, where);
        }
        if (rc == LS_OK && strcmp(r->parts[i]->m.language, r->parts[0]->m.language) != 0)
            rc = ls_error_set(err, LS_EINVAL,
                              "'%s' is analyzed as %s and '%s' as %s: indexes searched together "
                              "need one language",
                              dirs[0], r->parts[0]->m.language, dirs[i],
                              r->parts[i]->m.language);
    }
    if (rc == LS_OK) {
        memcpy(r->m.language, r->parts[0]->m.language, sizeof r->m.language);
        r->dir = ls_strndup(dirs[0], strlen(dirs[0]));
        r->analyzers = ls_anpool_new(r->m.language);
        rc = r->dir == NULL || r->analyzers == NULL ? ls_error_set(err, LS_ENOMEM, "out of memory")
                                                     : join_parts(r, err);
    }
    if (rc != LS_OK) {
        ls_reader_close(r);
        return rc;
    }
    *out = r;
    return LS_OK;
}

int ls_reader_reopen_many(const ls_reader *r, ls_reader **out, ls_error *err)
{
    *out = NULL;
    int changed = 0;
    for (uint32_t i = 0; i < r->n_parts && !changed; i++) {
        ls_reader *nr = NULL;
        int rc = ls_reader_reopen(r->parts[i], &nr, err);
        if (rc != LS_OK)
            return rc;
        changed = nr != NULL;
        ls_reader_close(nr); /* only asked whether it moved: the new reader opens all again */
    }
    if (!changed)
        return LS_OK;
    const char **dirs = ls_calloc(r->n_parts, sizeof *dirs);
    if (dirs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < r->n_parts; i++)
        dirs[i] = r->parts[i]->dir;
    ls_open_options o = LS_OPEN_OPTIONS_INIT;
    int rc = ls_reader_open_many(dirs, r->n_parts, &o, out, err);
    ls_free(dirs);
    return rc;
}
