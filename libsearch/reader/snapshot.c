/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - ls_reader_open/close/check/stats: the newest valid commit, its segments
 * mapped, global statistics summed. Reads no postings.
 */
#include "reader/snapshot.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

const ls_segment *ls_reader_segment_of(const ls_reader *r, uint64_t doc)
{
    uint32_t lo = 0, hi = r->nsegs;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->segs[mid].base <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return &r->segs[lo];
}

void ls_doc_fetcher_free(ls_doc_fetcher *f) { ls_stored_cache_free(&f->cache); }

int ls_reader_fetch(const ls_reader *r, ls_doc_fetcher *f, uint64_t doc,
                    const char *fields[4], size_t lens[4], ls_error *err)
{
    const ls_segment *s = ls_reader_segment_of(r, doc);
    uint32_t local = (uint32_t)(doc - s->base);
    if (f->seg != s) {
        f->cache.chunk = UINT32_MAX;
        f->seg = s;
    }
    int rc = ls_stored_get(&s->stored, local, &f->cache, fields, lens);
    if (rc != LS_OK)
        return ls_error_set(err, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
                            "'%s': cannot read stored document %u", s->fdt.path, local);
    return LS_OK;
}

LS_API int ls_reader_open(const char *dir, ls_reader **out, ls_error *err)
{
    int rc;
    ls_error_clear(err);
    if (out == NULL || dir == NULL || !*dir)
        return ls_error_set(err, LS_EINVAL, "ls_reader_open: no directory given");
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ls_error_set(err, LS_ENOTFOUND, "no index at '%s' (no such directory)", dir);
    ls_reader *r = ls_calloc(1, sizeof *r);
    LS_CHECK_ALLOC(r, err);
    r->dir = ls_strndup(dir, strlen(dir));
    LS_CHECK_ALLOC(r->dir, err);
    LS_TRY(ls_manifest_load(dir, &r->m, err));
    r->segs = ls_calloc(r->m.nsegs ? r->m.nsegs : 1, sizeof *r->segs);
    LS_CHECK_ALLOC(r->segs, err);
    for (uint32_t i = 0; i < r->m.nsegs; i++) {
        LS_TRY(ls_segment_open(&r->segs[i], dir, &r->m.segs[i], err));
        r->nsegs++;
        r->segs[i].base = r->ndocs;
        r->ndocs += r->m.segs[i].ndocs;
        r->tokens_all += r->m.segs[i].tokens_all;
        r->tokens_title += r->m.segs[i].tokens_title;
    }
    *out = r;
    return LS_OK;
fail:
    ls_reader_close(r);
    return rc;
}

LS_API void ls_reader_close(ls_reader *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < r->nsegs; i++)
        ls_segment_close(&r->segs[i]);
    ls_free(r->segs);
    ls_manifest_free(&r->m);
    ls_free(r->dir);
    ls_free(r);
}

LS_API int ls_reader_check(const ls_reader *r, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_reader_check: NULL reader");
    for (uint32_t i = 0; i < r->nsegs; i++) {
        int rc = ls_segment_check(&r->segs[i], err);
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
}

LS_API int ls_reader_stats(const ls_reader *r, ls_index_stats *out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || out->version != LS_INDEX_STATS_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_reader_stats: NULL argument or bad version");
    memset(out, 0, sizeof *out);
    out->version = LS_INDEX_STATS_VERSION;
    out->generation = r->m.gen;
    out->segments = r->nsegs;
    out->documents = r->ndocs;
    out->tokens = r->tokens_all;
    out->bytes_manifest = r->m.file_bytes;
    snprintf(out->language, sizeof out->language, "%s", r->m.language);
    for (uint32_t i = 0; i < r->nsegs; i++) {
        const ls_segment *s = &r->segs[i];
        out->terms += s->dict.nterms;
        out->bytes_dictionary += s->tid.map.size;
        out->bytes_postings += s->doc.map.size;
        out->bytes_positions += s->pos.map.size;
        out->bytes_doclens += s->len.map.size;
        out->bytes_stored += s->fdt.map.size;
        /* postings = sum of df: walk the dictionary (cheap: no postings are read) */
        ls_termdict_iter it;
        int rc = ls_termdict_seek(&s->dict, (const uint8_t *)"", 0, &it);
        while (rc == 1) {
            out->postings += it.meta.df;
            rc = ls_termdict_next(&it);
        }
        if (rc < 0)
            return ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary", s->tid.path);
    }
    return LS_OK;
}
