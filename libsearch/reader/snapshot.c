/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - ls_reader_open/reopen/close/stats and lookups by id: the newest commit, its
 * segments acquired from the process's registry (shared, format/segment.h), this commit's
 * deletions, and live statistics summed. Reads no postings.
 *
 * A writer may supersede a commit and remove its files while a reader of another process is
 * opening it: a file that vanished is then no damage, and the open starts again on the
 * newer commit (a bounded number of times).
 */
#include "reader/snapshot.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "format/fields.h"
#include "libsearch.h"
#include "reader/anpool.h"
#include "reader/multi.h"
#include "util/alloc.h"
#include "util/error.h"

#define OPEN_RETRIES 32

uint32_t ls_reader_segment_of(const ls_reader *r, uint64_t doc)
{
    uint32_t lo = 0, hi = r->nsegs;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->segs[mid].base <= doc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void ls_doc_fetcher_free(ls_doc_fetcher *f) { ls_stored_cache_free(&f->cache); }

int ls_reader_fetch(const ls_reader *r, ls_doc_fetcher *f, uint64_t doc,
                    const char *fields[4], size_t lens[4], ls_error *err)
{
    const ls_snapseg *ss = &r->segs[ls_reader_segment_of(r, doc)];
    const ls_segment *s = ss->seg;
    uint32_t local = (uint32_t)(doc - ss->base);
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

int ls_reader_fetch_meta(const ls_reader *r, uint64_t doc, const char *fields[4],
                         size_t lens[4], ls_error *err)
{
    const ls_snapseg *ss = &r->segs[ls_reader_segment_of(r, doc)];
    const ls_segment *s = ss->seg;
    uint32_t local = (uint32_t)(doc - ss->base);
    const char *f[3];
    size_t l[3];
    int rc = ls_stored_meta(&s->stored, local, f, l);
    if (rc != LS_OK)
        return ls_error_set(err, LS_ECORRUPT, "'%s': cannot read stored document %u",
                            s->fdt.path, local);
    static const int meta_field[3] = LS_STORED_META_FIELDS;
    fields[2] = "", lens[2] = 0; /* the body, the one field Meta does not repeat */
    for (int i = 0; i < 3; i++) {
        fields[meta_field[i]] = f[i];
        lens[meta_field[i]] = l[i];
    }
    return LS_OK;
}

static void close_segs(ls_reader *r)
{
    for (uint32_t i = 0; r->parts == NULL && i < r->nsegs; i++) {
        ls_deletes_close(&r->segs[i].del);
        ls_segment_release(r->segs[i].seg);
    }
    ls_free(r->segs);
    r->segs = NULL;
    r->nsegs = 0;
}

LS_API void ls_reader_close(ls_reader *r)
{
    if (r == NULL)
        return;
    close_segs(r);
    for (uint32_t i = 0; i < r->n_parts; i++)
        ls_reader_close(r->parts[i]);
    ls_free(r->parts);
    ls_anpool_free(r->analyzers);
    ls_manifest_free(&r->m);
    ls_free(r->dir);
    ls_free(r);
}

/* Opens segment i of r->m. */
static int open_seg(ls_reader *r, uint32_t i, ls_error *err)
{
    const ls_seg_info *info = &r->m.segs[i];
    ls_snapseg *ss = &r->segs[i];
    memset(ss, 0, sizeof *ss);
    ss->info = *info;
    int rc = ls_segment_acquire(r->dir, info->id, info->ndocs, info->tag, &ss->seg, err);
    if (rc == LS_OK && info->del_gen > 0) {
        rc = ls_deletes_open(&ss->del, r->dir, info->id, info->del_gen, info->ndocs, info->tag,
                             err);
        if (rc == LS_OK && ss->del.count != info->del_count)
            rc = ls_error_set(err, LS_ECORRUPT, "'%s' holds %u deletions; the manifest says %u",
                              ss->del.file.path, ss->del.count, info->del_count);
        if (rc != LS_OK) {
            ls_deletes_close(&ss->del);
            ls_segment_release(ss->seg);
            ss->seg = NULL;
        }
    }
    return rc;
}

static int open_segs(ls_reader *r, ls_error *err)
{
    if (r->m.nsegs > LS_MAX_SEGMENTS)
        return ls_error_set(err, LS_ELIMIT, "'%s' has %u segments (at most %u)", r->dir,
                            r->m.nsegs, LS_MAX_SEGMENTS);
    r->segs = ls_calloc(r->m.nsegs ? r->m.nsegs : 1, sizeof *r->segs);
    if (r->segs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < r->m.nsegs; i++) {
        int rc = open_seg(r, i, err);
        if (rc != LS_OK)
            return rc;
        const ls_seg_info *info = &r->m.segs[i];
        r->nsegs++;
        r->segs[i].base = r->doc_space;
        r->doc_space += info->ndocs;
        r->ndocs += info->ndocs - info->del_count;
        r->tokens_all += info->tokens_all;
        r->tokens_title += info->tokens_title;
        if (r->doc_space > LS_MAX_INDEX_DOCS)
            return ls_error_set(err, LS_ELIMIT, "'%s' holds over %llu documents", r->dir,
                                (unsigned long long)LS_MAX_INDEX_DOCS);
    }
    return LS_OK;
}

/* One attempt at opening the newest commit. *again: a file vanished because a writer
 * superseded the commit meanwhile; the caller tries again. */
static int open_once(const char *dir, int recover, ls_reader **out, int *again, ls_error *err)
{
    int rc;
    ls_reader *r = ls_calloc(1, sizeof *r);
    LS_CHECK_ALLOC(r, err);
    r->dir = ls_strndup(dir, strlen(dir));
    LS_CHECK_ALLOC(r->dir, err);
    LS_TRY(ls_manifest_load(dir, recover, &r->m, &r->skipped_gen, err));
    r->analyzers = ls_anpool_new(r->m.language);
    LS_CHECK_ALLOC(r->analyzers, err);
    rc = open_segs(r, err);
    if (rc == LS_ENOTFOUND) {
        /* A newer manifest name means a writer superseded this commit (its own newer manifests
         * may already be pruned again while we look: the name is enough to try again). */
        ls_manifest_survey sv;
        if (ls_manifest_survey_dir(dir, &sv, NULL) == LS_OK && sv.newest > r->m.gen)
            *again = 1;
        else
            rc = ls_error_append(err, LS_ECORRUPT, " (the commit needs it)");
    }
    if (rc != LS_OK)
        goto fail;
    *out = r;
    return LS_OK;
fail:
    ls_reader_close(r);
    return rc;
}

LS_API int ls_reader_open_opts(const char *dir, const ls_open_options *opts, ls_reader **out,
                               ls_error *err)
{
    ls_error_clear(err);
    if (out == NULL || dir == NULL || !*dir)
        return ls_error_set(err, LS_EINVAL, "ls_reader_open: no directory given");
    *out = NULL;
    if (opts != NULL && opts->version != LS_OPEN_OPTIONS_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_open_options.version %u is not %u",
                            opts->version, LS_OPEN_OPTIONS_VERSION);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ls_error_set(err, LS_ENOTFOUND, "no index at '%s' (no such directory)", dir);
    int rc = LS_OK;
    for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        int again = 0;
        rc = open_once(dir, opts != NULL && opts->recover, out, &again, err);
        if (!again)
            return rc;
    }
    return rc;
}

LS_API int ls_reader_open(const char *dir, ls_reader **out, ls_error *err)
{
    return ls_reader_open_opts(dir, NULL, out, err);
}

LS_API int ls_reader_reopen(const ls_reader *r, ls_reader **out, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_reader_reopen: NULL argument");
    *out = NULL;
    if (r->parts != NULL)
        return ls_reader_reopen_many(r, out, err);
    ls_manifest_survey sv;
    int rc = ls_manifest_survey_dir(r->dir, &sv, err);
    if (rc != LS_OK)
        return rc;
    if (sv.newest <= r->m.gen)
        return LS_OK; /* unchanged: keep r */
    ls_open_options o = LS_OPEN_OPTIONS_INIT;
    o.recover = r->skipped_gen != 0;
    ls_reader *nr;
    rc = ls_reader_open_opts(r->dir, &o, &nr, err);
    if (rc != LS_OK)
        return rc;
    if (nr->m.gen == r->m.gen) {
        ls_reader_close(nr);
        return LS_OK;
    }
    *out = nr;
    return LS_OK;
}
