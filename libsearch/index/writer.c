/* SPDX-License-Identifier: MIT */
/*
 * writer.c - the public ls_writer: lock, add, commit, close (DESIGN.md §4).
 * Documents are inverted in RAM; when the RAM budget is reached a segment is written (not yet
 * visible). Commit writes the last segment, then a new manifest (the atomic commit point).
 * Files of segments no manifest names (a crashed or closed-without-commit writer) are removed
 * when the next writer opens.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/manifest.h"
#include "format/stored.h"
#include "index/inverter.h"
#include "index/segwriter.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fileio.h"

#define DEFAULT_RAM_BUDGET ((size_t)256 << 20)
#define MAX_DOC_BYTES ((size_t)2 << 30)

struct ls_writer {
    char *dir;
    int lock_fd;
    ls_manifest m;       /* last commit */
    ls_analyzer *an;
    size_t ram_budget;
    /* the segment being built */
    int seg_open;
    uint32_t seg_id;
    ls_inverter inv;
    ls_fwriter fdt;
    ls_stored_writer sw;
    /* segments written since the last commit */
    ls_seg_info *pending;
    uint32_t npending, pending_cap;
    uint32_t next_seg;
    int failed;
};

static int seg_in_manifest(const ls_manifest *m, uint32_t id)
{
    for (uint32_t i = 0; i < m->nsegs; i++)
        if (m->segs[i].id == id)
            return 1;
    return 0;
}

/* Removes segment files and temporaries that the current commit does not name. */
static void remove_orphans(ls_writer *w)
{
    DIR *d = opendir(w->dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint32_t id;
        int orphan = 0;
        ls_file_class c = ls_file_classify(e->d_name, &id, NULL, NULL);
        if (c == LS_FILE_SEGMENT)
            orphan = !seg_in_manifest(&w->m, id);
        else if (c == LS_FILE_TEMP)
            orphan = 1;
        if (orphan) {
            char *p = ls_path_join(w->dir, e->d_name);
            if (p != NULL)
                unlink(p);
            ls_free(p);
        }
    }
    closedir(d);
}

static int load_or_create(ls_writer *w, const char *language, ls_error *err)
{
    int rc = ls_manifest_load(w->dir, &w->m, err);
    if (rc == LS_ENOTFOUND) {
        memset(&w->m, 0, sizeof w->m);
        const char *lang = language ? language : "english";
        if (strlen(lang) > LS_LANGUAGE_MAX)
            return ls_error_set(err, LS_EINVAL, "language name '%s' is too long", lang);
        snprintf(w->m.language, sizeof w->m.language, "%s", lang);
        return LS_OK;
    }
    if (rc != LS_OK)
        return rc;
    if (language != NULL && strcmp(language, w->m.language) != 0)
        return ls_error_set(err, LS_EINVAL,
                            "index '%s' was built with language '%s', not '%s'", w->dir,
                            w->m.language, language);
    return LS_OK;
}

LS_API int ls_writer_open(const char *dir, const ls_writer_options *opts, ls_writer **out,
                          ls_error *err)
{
    int rc;
    ls_error_clear(err);
    *out = NULL;
    if (dir == NULL || !*dir)
        return ls_error_set(err, LS_EINVAL, "no index directory given");
    if (opts != NULL && opts->version != LS_WRITER_OPTIONS_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_writer_options.version %u is not %u",
                            opts->version, LS_WRITER_OPTIONS_VERSION);
    ls_writer *w = ls_calloc(1, sizeof *w);
    LS_CHECK_ALLOC(w, err);
    w->lock_fd = -1;
    w->fdt.fd = -1;
    w->dir = ls_strndup(dir, strlen(dir));
    LS_CHECK_ALLOC(w->dir, err);
    LS_TRY(ls_mkdir(dir, err));
    LS_TRY(ls_lock_dir(dir, &w->lock_fd, err));
    LS_TRY(load_or_create(w, opts ? opts->language : NULL, err));
    LS_TRY(ls_analyzer_new(w->m.language, &w->an, err));
    w->ram_budget = opts && opts->ram_budget ? opts->ram_budget : DEFAULT_RAM_BUDGET;
    w->next_seg = w->m.next_seg;
    remove_orphans(w);
    *out = w;
    return LS_OK;
fail:
    ls_writer_close(w);
    return rc;
}

static int start_segment(ls_writer *w, ls_error *err)
{
    if (w->next_seg == UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "segment numbers exhausted");
    w->seg_id = w->next_seg++;
    char *p = ls_segfile_path(w->dir, w->seg_id, LS_SEGFILE_FDT);
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_fwriter_open(&w->fdt, p, err);
    ls_free(p);
    if (rc == LS_OK)
        rc = ls_header_write(&w->fdt, LS_MAGIC_STORED, err);
    if (rc != LS_OK) {
        ls_fwriter_abort(&w->fdt);
        return rc;
    }
    ls_inverter_init(&w->inv);
    ls_stored_writer_init(&w->sw, &w->fdt);
    w->seg_open = 1;
    return LS_OK;
}

static void drop_segment(ls_writer *w)
{
    if (!w->seg_open)
        return;
    ls_fwriter_abort(&w->fdt);
    ls_stored_writer_free(&w->sw);
    ls_inverter_free(&w->inv);
    ls_segfiles_remove(w->dir, w->seg_id);
    w->seg_open = 0;
}

/* Writes the open segment's files and queues it for the next commit. */
static int flush_segment(ls_writer *w, ls_error *err)
{
    ls_seg_info info;
    int rc = ls_stored_finish(&w->sw, err);
    if (rc == LS_OK)
        rc = ls_footer_finish(&w->fdt, err);
    else
        ls_fwriter_abort(&w->fdt);
    if (rc == LS_OK)
        rc = ls_segment_write(w->dir, w->seg_id, &w->inv, &info, err);
    if (rc == LS_OK && w->npending == w->pending_cap) {
        uint32_t ncap = w->pending_cap ? w->pending_cap * 2 : 8;
        ls_seg_info *np = ls_reallocarray(w->pending, ncap, sizeof *np);
        if (np == NULL)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        else {
            w->pending = np;
            w->pending_cap = ncap;
        }
    }
    if (rc != LS_OK) {
        w->fdt.fd = -1; /* already closed by finish/abort */
        drop_segment(w);
        return rc;
    }
    w->pending[w->npending++] = info;
    ls_inverter_free(&w->inv);
    w->seg_open = 0;
    return LS_OK;
}

LS_API int ls_writer_add(ls_writer *w, const ls_document *doc, ls_error *err)
{
    ls_error_clear(err);
    if (w == NULL || doc == NULL || doc->version != LS_DOCUMENT_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_writer_add: NULL writer/document or bad version");
    if (w->failed)
        return ls_error_set(err, LS_EINVAL, "the writer failed earlier; close it and reopen");
    const char *f[4] = {doc->id ? doc->id : "", doc->title ? doc->title : "",
                        doc->body ? doc->body : "", doc->path ? doc->path : ""};
    size_t l[4] = {doc->id ? doc->id_len : 0, doc->title ? doc->title_len : 0,
                   doc->body ? doc->body_len : 0, doc->path ? doc->path_len : 0};
    if (l[0] > MAX_DOC_BYTES || l[1] > MAX_DOC_BYTES || l[2] > MAX_DOC_BYTES ||
        l[3] > MAX_DOC_BYTES || l[0] + l[1] + l[2] + l[3] > MAX_DOC_BYTES)
        return ls_error_set(err, LS_ELIMIT, "document '%.*s' is over 2 GiB", (int)(l[0] > 64 ? 64 : l[0]), f[0]);
    int rc;
    if (!w->seg_open)
        LS_TRY(start_segment(w, err));
    LS_TRY(ls_inverter_add(&w->inv, w->an, f[1], l[1], f[2], l[2], err));
    LS_TRY(ls_stored_add(&w->sw, f, l, err));
    if (ls_inverter_memory(&w->inv) >= w->ram_budget)
        LS_TRY(flush_segment(w, err));
    return LS_OK;
fail:
    w->failed = 1;
    return rc;
}

LS_API int ls_writer_commit(ls_writer *w, ls_error *err)
{
    ls_error_clear(err);
    if (w == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_writer_commit: NULL writer");
    if (w->failed)
        return ls_error_set(err, LS_EINVAL, "the writer failed earlier; close it and reopen");
    int rc;
    if (w->seg_open)
        LS_TRY(flush_segment(w, err));
    if (w->npending == 0 && w->m.gen > 0)
        return LS_OK;
    ls_manifest nm = w->m;
    nm.gen = w->m.gen + 1;
    nm.next_seg = w->next_seg;
    nm.nsegs = w->m.nsegs + w->npending;
    nm.segs = ls_calloc(nm.nsegs, sizeof *nm.segs);
    LS_CHECK_ALLOC(nm.segs, err);
    if (w->m.nsegs)
        memcpy(nm.segs, w->m.segs, w->m.nsegs * sizeof *nm.segs);
    if (w->npending)
        memcpy(nm.segs + w->m.nsegs, w->pending, w->npending * sizeof *nm.segs);
    rc = ls_manifest_write(w->dir, &nm, err);
    if (rc != LS_OK) {
        ls_free(nm.segs);
        goto fail;
    }
    ls_manifest_free(&w->m);
    w->m = nm;
    w->npending = 0;
    /* Keep the previous generation as a fallback should the newest ever be damaged. */
    if (w->m.gen > 2)
        ls_manifest_prune(w->dir, w->m.gen - 1);
    return LS_OK;
fail:
    w->failed = 1;
    return rc;
}

LS_API void ls_writer_close(ls_writer *w)
{
    if (w == NULL)
        return;
    drop_segment(w);
    for (uint32_t i = 0; i < w->npending; i++)
        ls_segfiles_remove(w->dir, w->pending[i].id);
    ls_free(w->pending);
    ls_manifest_free(&w->m);
    ls_analyzer_free(w->an);
    ls_unlock_dir(w->lock_fd);
    ls_free(w->dir);
    ls_free(w);
}
