/* SPDX-License-Identifier: MIT */
/*
 * writer.c - the public ls_writer: open (lock, last commit, its segments), add (replacing a
 * document with the same id), delete by id or id prefix, close (DESIGN.md §4). Documents are
 * inverted in RAM; when the RAM budget is reached a segment is written (not yet visible).
 * Commits, deletions files and merges are commit.c's.
 *
 * Ids are keys: adding an id deletes its live version first. An id is found through the RAM
 * segment's table or each segment's id dictionary (format/ids.h), never by scanning stored
 * fields. Deletions are fresh until the next commit writes them.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/ids.h"
#include "index/pool.h"
#include "index/segwriter.h"
#include "index/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

#define DEFAULT_RAM_BUDGET ((size_t)256 << 20)

void ls_wseg_free(ls_wseg *s)
{
    ls_deletes_close(&s->del);
    ls_segment_release(s->seg);
    ls_free(s->bitmap);
    ls_free(s->fresh);
    memset(s, 0, sizeof *s);
}

int ls_wseg_delete(ls_wseg *s, uint32_t doc)
{
    if (s->bitmap == NULL) {
        s->bitmap = ls_calloc(ls_bitmap_bytes(s->info.ndocs) ? ls_bitmap_bytes(s->info.ndocs) : 1,
                              1);
        if (s->bitmap == NULL)
            return LS_ENOMEM;
    }
    if (ls_grow(&s->fresh, &s->fresh_cap, s->n_fresh + 1, sizeof *s->fresh) != LS_OK)
        return LS_ENOMEM;
    ls_bitmap_set(s->bitmap, doc);
    s->fresh[s->n_fresh++] = doc;
    return LS_OK;
}

void ls_wseg_abandon(const char *dir, ls_wseg *s)
{
    uint32_t id = s->info.id;
    ls_wseg_free(s);
    ls_segment_remove_unused(dir, id);
}

int ls_writer_push_seg(ls_writer *w, ls_wseg *s)
{
    if (ls_grow(&w->segs, &w->segs_cap, (size_t)w->nsegs + 1, sizeof *w->segs) != LS_OK)
        return LS_ENOMEM;
    w->segs[w->nsegs++] = *s;
    return LS_OK;
}

/* Opens the last commit's segments with their committed deletions. */
static int open_committed(ls_writer *w, ls_error *err)
{
    for (uint32_t i = 0; i < w->m.nsegs; i++) {
        ls_wseg s;
        memset(&s, 0, sizeof s);
        s.info = w->m.segs[i];
        int rc = ls_segment_acquire(w->dir, s.info.id, s.info.ndocs, s.info.tag, &s.seg, err);
        if (rc == LS_ENOTFOUND)
            rc = ls_error_append(err, LS_ECORRUPT, " (the last commit needs it)");
        if (rc == LS_OK && s.info.del_gen > 0) {
            rc = ls_deletes_open(&s.del, w->dir, s.info.id, s.info.del_gen, s.info.ndocs,
                                 s.info.tag, err);
            if (rc == LS_ENOTFOUND)
                rc = ls_error_append(err, LS_ECORRUPT, " (the last commit needs it)");
            size_t bytes = ls_bitmap_bytes(s.info.ndocs);
            if (rc == LS_OK && (s.bitmap = ls_malloc(bytes ? bytes : 1)) == NULL)
                rc = ls_error_set(err, LS_ENOMEM, "out of memory");
            if (rc == LS_OK)
                memcpy(s.bitmap, s.del.bitmap, bytes);
        }
        if (rc == LS_OK && ls_writer_push_seg(w, &s) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        if (rc != LS_OK) {
            ls_wseg_free(&s);
            return rc;
        }
        w->doc_space += s.info.ndocs;
    }
    return LS_OK;
}

/* The next segment number: past the last commit's and past every segment file present (a
 * damaged newer manifest may name segments the last valid one does not). */
static uint32_t next_segment(const ls_writer *w)
{
    uint32_t next = w->m.next_seg;
    DIR *d = opendir(w->dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        uint32_t id;
        ls_file_class c = ls_file_classify(e->d_name, &id, NULL, NULL);
        if ((c == LS_FILE_SEGMENT || c == LS_FILE_DELETES) && id >= next && id < UINT32_MAX)
            next = id + 1;
    }
    if (d != NULL)
        closedir(d);
    return next;
}

static int load_or_create(ls_writer *w, const char *language, int recover, ls_error *err)
{
    ls_manifest_survey sv;
    int rc = ls_manifest_survey_dir(w->dir, &sv, err);
    if (rc != LS_OK)
        return rc;
    w->keep_files = sv.damaged > 0;
    w->next_gen = sv.newest + 1;
    uint64_t skipped = 0;
    rc = ls_manifest_load(w->dir, recover, &w->m, &skipped, err);
    if (rc == LS_ENOTFOUND && sv.newest == 0) {
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

static int read_options(const ls_writer_options *in, ls_writer_options *o, ls_error *err)
{
    static const ls_writer_options defaults = LS_WRITER_OPTIONS_INIT;
    *o = defaults;
    if (in == NULL)
        return LS_OK;
    if (in->version == 1)
        memcpy(o, in, offsetof(ls_writer_options, merge_factor));
    else if (in->version == 2)
        memcpy(o, in, offsetof(ls_writer_options, threads));
    else if (in->version == LS_WRITER_OPTIONS_VERSION)
        *o = *in;
    else
        return ls_error_set(err, LS_EINVAL, "ls_writer_options.version %u is not 1..%u",
                            in->version, LS_WRITER_OPTIONS_VERSION);
    o->version = LS_WRITER_OPTIONS_VERSION;
    if (o->merge_factor == 1 || o->merge_factor > 100)
        return ls_error_set(err, LS_EINVAL, "merge_factor must be 0 (default) or 2..100");
    if (o->threads > LS_MAX_WRITER_THREADS)
        return ls_error_set(err, LS_EINVAL, "threads must be 0..%u", LS_MAX_WRITER_THREADS);
    return LS_OK;
}

LS_API int ls_writer_open(const char *dir, const ls_writer_options *opts, ls_writer **out,
                          ls_error *err)
{
    int rc;
    ls_error_clear(err);
    if (out == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_writer_open: NULL out");
    *out = NULL;
    if (dir == NULL || !*dir)
        return ls_error_set(err, LS_EINVAL, "no index directory given");
    ls_writer_options o;
    rc = read_options(opts, &o, err);
    if (rc != LS_OK)
        return rc;
    ls_writer *w = ls_calloc(1, sizeof *w);
    LS_CHECK_ALLOC(w, err);
    w->lock_fd = -1;
    w->ram.fdt.fd = -1;
    pthread_mutex_init(&w->seg_lock, NULL);
    w->dir = ls_strndup(dir, strlen(dir));
    LS_CHECK_ALLOC(w->dir, err);
    LS_TRY(ls_mkdir(dir, err));
    LS_TRY(ls_lock_dir(dir, &w->lock_fd, err));
    LS_TRY(load_or_create(w, o.language, o.recover, err));
    LS_TRY(ls_analyzer_new(w->m.language, &w->an, err));
    w->ram_budget = o.ram_budget ? o.ram_budget : DEFAULT_RAM_BUDGET;
    w->merge_factor = o.merge_factor ? o.merge_factor : 10;
    w->auto_merge = !o.no_auto_merge;
    LS_TRY(open_committed(w, err));
    w->next_seg = next_segment(w);
    ls_writer_cleanup(w, 1);
    w->threads = o.threads;
    if (o.threads > 1)
        LS_TRY(ls_pool_new(w, o.threads, err));
    *out = w;
    return LS_OK;
fail:
    ls_writer_close(w);
    return rc;
}

/* ---- the RAM segment ---- */

int ls_ramseg_start(ls_writer *w, ls_ramseg *r, ls_error *err)
{
    pthread_mutex_lock(&w->seg_lock);
    uint32_t id = w->next_seg;
    if (id != UINT32_MAX)
        w->next_seg++;
    pthread_mutex_unlock(&w->seg_lock);
    if (id == UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "segment numbers exhausted");
    memset(r, 0, sizeof *r);
    r->fdt.fd = -1;
    r->id = id;
    r->tag = ls_new_tag();
    char *p = ls_segfile_path(w->dir, r->id, LS_SEGFILE_FDT);
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_fwriter_open(&r->fdt, p, err);
    ls_free(p);
    r->fdt.tag = r->tag;
    if (rc == LS_OK)
        rc = ls_header_write(&r->fdt, LS_MAGIC_STORED, err);
    if (rc != LS_OK) {
        ls_fwriter_abort(&r->fdt);
        return rc;
    }
    ls_inverter_init(&r->inv);
    ls_stored_writer_init(&r->sw, &r->fdt);
    r->open = 1;
    return LS_OK;
}

static void free_ram(ls_ramseg *r)
{
    ls_stored_writer_free(&r->sw);
    ls_inverter_free(&r->inv);
    ls_strtab_free(&r->ids);
    ls_free(r->id_doc);
    ls_free(r->id_stamp);
    ls_buf_free(&r->stamps);
    ls_free(r->deleted);
    ls_free(r->seq);
    int fd = r->fdt.fd;
    memset(r, 0, sizeof *r);
    r->fdt.fd = fd;
}

void ls_ramseg_drop(ls_writer *w, ls_ramseg *r)
{
    if (!r->open)
        return;
    ls_fwriter_abort(&r->fdt);
    uint32_t id = r->id;
    free_ram(r);
    r->fdt.fd = -1;
    ls_segfiles_remove(w->dir, id);
}

/* Records that the RAM document doc has external id id and stamp. */
static int ram_register(ls_ramseg *r, const char *id, size_t len, const void *stamp,
                        size_t stamp_len, uint32_t doc)
{
    uint32_t e;
    if (ls_strtab_intern(&r->ids, id, len, &e, NULL) != LS_OK)
        return LS_ENOMEM;
    size_t cap_stamp = r->id_cap; /* the two arrays grow together */
    if (ls_grow(&r->id_stamp, &cap_stamp, (size_t)e + 1, sizeof *r->id_stamp) != LS_OK ||
        ls_grow(&r->id_doc, &r->id_cap, (size_t)e + 1, sizeof *r->id_doc) != LS_OK)
        return LS_ENOMEM;
    r->id_doc[e] = doc;
    r->id_stamp[e] = (uint64_t)r->stamps.len << 8 | stamp_len;
    return ls_buf_append(&r->stamps, stamp, stamp_len);
}

static int cmp_entries(const void *a, const void *b)
{
    const ls_id_entry *x = a, *y = b;
    return ls_key_cmp(x->id, x->len, y->id, y->len);
}

/* The RAM segment's live ids, sorted: its id dictionary. */
static int ram_id_entries(const ls_ramseg *r, ls_id_entry **out, size_t *n_out)
{
    ls_id_entry *v = ls_calloc(r->ids.count ? r->ids.count : 1, sizeof *v);
    if (v == NULL)
        return LS_ENOMEM;
    size_t n = 0;
    for (uint32_t e = 0; e < r->ids.count; e++) {
        if (r->id_doc[e] == UINT32_MAX)
            continue;
        v[n].id = ls_strtab_key(&r->ids, e, &v[n].len);
        v[n].doc = r->id_doc[e];
        v[n].stamp = r->stamps.data ? r->stamps.data + (r->id_stamp[e] >> 8) : NULL;
        v[n].stamp_len = (size_t)(r->id_stamp[e] & 0xff);
        n++;
    }
    qsort(v, n, sizeof *v, cmp_entries);
    *out = v;
    *n_out = n;
    return LS_OK;
}

int ls_ramseg_write(ls_writer *w, ls_ramseg *r, ls_wseg *s, ls_error *err)
{
    memset(s, 0, sizeof *s);
    ls_id_entry *ids = NULL;
    size_t n_ids = 0;
    int rc = ls_stored_finish(&r->sw, err);
    if (rc == LS_OK)
        rc = ls_footer_finish(&r->fdt, err);
    else
        ls_fwriter_abort(&r->fdt);
    r->fdt.fd = -1; /* closed by finish/abort */
    if (rc == LS_OK && ram_id_entries(r, &ids, &n_ids) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    if (rc == LS_OK)
        rc = ls_segment_write(w->dir, r->id, r->tag, &r->inv, ids, n_ids, &s->info, err);
    ls_free(ids);
    if (rc == LS_OK)
        rc = ls_segment_acquire(w->dir, s->info.id, s->info.ndocs, s->info.tag, &s->seg, err);
    for (size_t i = 0; rc == LS_OK && i < r->n_deleted; i++)
        if (ls_wseg_delete(s, r->deleted[i]) != LS_OK)
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    s->pending = 1;
    if (rc != LS_OK) {
        ls_wseg_free(s);
        return rc;
    }
    r->open = 0;
    free_ram(r);
    r->fdt.fd = -1;
    return LS_OK;
}

int ls_writer_flush(ls_writer *w, ls_error *err)
{
    if (w->pool != NULL)
        return ls_pool_sync(w, err);
    ls_ramseg *r = &w->ram;
    if (!r->open)
        return LS_OK;
    ls_wseg s;
    uint32_t ndocs = r->inv.ndocs;
    int rc = ls_ramseg_write(w, r, &s, err);
    if (rc != LS_OK) {
        w->doc_space -= ndocs;
        ls_ramseg_drop(w, r);
        return rc;
    }
    if (ls_writer_push_seg(w, &s) != LS_OK) {
        w->doc_space -= ndocs;
        ls_wseg_abandon(w->dir, &s);
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    }
    return LS_OK;
}

/* ---- deleting by id ---- */

int ls_writer_delete_id(ls_writer *w, const char *id, size_t len, int *found, ls_error *err)
{
    *found = 0;
    if (w->pool != NULL) {
        int known = 0; /* added since the pool's last sync: its segment may be in no list yet */
        int rc = ls_pool_delete(w, id, len, found, &known, err);
        if (rc != LS_OK || known)
            return rc;
    }
    ls_ramseg *r = &w->ram;
    if (r->open) {
        int64_t e = ls_strtab_find(&r->ids, id, len);
        if (e >= 0 && r->id_doc[e] != UINT32_MAX) {
            if (ls_grow(&r->deleted, &r->deleted_cap, r->n_deleted + 1, sizeof *r->deleted))
                return ls_error_set(err, LS_ENOMEM, "out of memory");
            r->deleted[r->n_deleted++] = r->id_doc[e];
            r->id_doc[e] = UINT32_MAX;
            *found = 1;
            return LS_OK; /* ids are unique among live documents */
        }
    }
    for (uint32_t i = w->nsegs; i-- > 0;) {
        ls_wseg *s = &w->segs[i];
        ls_ids_iter it;
        int rc = ls_ids_find(&s->seg->iddict, (const uint8_t *)id, len, &it);
        if (rc < 0 || (rc == 1 && it.doc >= s->info.ndocs))
            return ls_error_set(err, LS_ECORRUPT, "'%s': damaged id dictionary",
                                s->seg->ids.path);
        if (rc == 0 || (s->bitmap != NULL && ls_bitmap_get(s->bitmap, it.doc)))
            continue;
        if (ls_wseg_delete(s, it.doc) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        *found = 1;
        return LS_OK;
    }
    return LS_OK;
}

static int check_usable(ls_writer *w, ls_error *err)
{
    if (w == NULL)
        return ls_error_set(err, LS_EINVAL, "NULL writer");
    if (w->failed)
        return ls_error_set(err, LS_EINVAL, "the writer failed earlier; close it and reopen");
    int rc = w->pool != NULL ? ls_pool_check(w, err) : LS_OK; /* an index thread's failure */
    if (rc != LS_OK)
        w->failed = 1;
    return rc;
}

LS_API int ls_writer_delete(ls_writer *w, const char *id, size_t id_len, ls_error *err)
{
    ls_error_clear(err);
    int rc = check_usable(w, err);
    if (rc != LS_OK)
        return rc;
    if (id == NULL || id_len == 0 || id_len > LS_MAX_ID_BYTES)
        return ls_error_set(err, LS_EINVAL, "ls_writer_delete: an id of 1..%u bytes is needed",
                            LS_MAX_ID_BYTES);
    int found;
    rc = ls_writer_delete_id(w, id, id_len, &found, err);
    if (rc != LS_OK) {
        w->failed = 1;
        return rc;
    }
    if (!found)
        return ls_error_set(err, LS_ENOTFOUND, "no document with id '%.*s'",
                            id_len > 64 ? 64 : (int)id_len, id);
    return LS_OK;
}

static int has_prefix(const uint8_t *k, size_t kl, const char *prefix, size_t len)
{
    return kl >= len && memcmp(k, prefix, len) == 0;
}

/* Deletes the prefix's documents of segment s. */
static int delete_prefix_in(ls_wseg *s, const char *prefix, size_t len, uint64_t *count,
                            ls_error *err)
{
    ls_ids_iter it;
    int rc = ls_ids_seek(&s->seg->iddict, (const uint8_t *)prefix, len, &it);
    while (rc == 1 && has_prefix(it.kb.key, it.kb.key_len, prefix, len)) {
        if (it.doc >= s->info.ndocs)
            break;
        if (s->bitmap == NULL || !ls_bitmap_get(s->bitmap, it.doc)) {
            if (ls_wseg_delete(s, it.doc) != LS_OK)
                return ls_error_set(err, LS_ENOMEM, "out of memory");
            (*count)++;
        }
        rc = ls_ids_next(&it);
    }
    if (rc < 0 || (rc == 1 && has_prefix(it.kb.key, it.kb.key_len, prefix, len)))
        return ls_error_set(err, LS_ECORRUPT, "'%s': damaged id dictionary", s->seg->ids.path);
    return LS_OK;
}

LS_API int ls_writer_delete_prefix(ls_writer *w, const char *prefix, size_t len,
                                   uint64_t *count_out, ls_error *err)
{
    ls_error_clear(err);
    int rc = check_usable(w, err);
    if (rc != LS_OK)
        return rc;
    if (prefix == NULL && len > 0)
        return ls_error_set(err, LS_EINVAL, "ls_writer_delete_prefix: NULL prefix");
    if (prefix == NULL)
        prefix = ""; /* every id */
    uint64_t count = 0;
    if (w->pool != NULL)
        LS_TRY(ls_pool_delete_prefix(w, prefix, len, &count, err));
    ls_ramseg *r = &w->ram;
    for (uint32_t e = 0; r->open && e < r->ids.count; e++) {
        size_t kl;
        const uint8_t *k = ls_strtab_key(&r->ids, e, &kl);
        if (r->id_doc[e] == UINT32_MAX || !has_prefix(k, kl, prefix, len))
            continue;
        int found;
        rc = ls_writer_delete_id(w, (const char *)k, kl, &found, err);
        if (rc != LS_OK)
            goto fail;
        count += (uint64_t)found;
    }
    for (uint32_t i = 0; i < w->nsegs; i++)
        LS_TRY(delete_prefix_in(&w->segs[i], prefix, len, &count, err));
    if (count_out != NULL)
        *count_out = count;
    return LS_OK;
fail:
    w->failed = 1;
    return rc;
}

/* ---- adding ---- */

static int check_document(const ls_document *doc, const char *f[4], size_t l[4],
                          const void **stamp, size_t *stamp_len, ls_error *err)
{
    if (doc == NULL || (doc->version != 1 && doc->version != LS_DOCUMENT_VERSION))
        return ls_error_set(err, LS_EINVAL, "ls_writer_add: NULL document or bad version");
    f[0] = doc->id ? doc->id : "";
    f[1] = doc->title ? doc->title : "";
    f[2] = doc->body ? doc->body : "";
    f[3] = doc->path ? doc->path : "";
    l[0] = doc->id ? doc->id_len : 0;
    l[1] = doc->title ? doc->title_len : 0;
    l[2] = doc->body ? doc->body_len : 0;
    l[3] = doc->path ? doc->path_len : 0;
    *stamp = doc->version >= 2 && doc->stamp ? doc->stamp : NULL;
    *stamp_len = *stamp ? doc->stamp_len : 0;
    if (l[0] == 0)
        return ls_error_set(err, LS_EINVAL, "a document needs a non-empty id");
    if (l[0] > LS_MAX_ID_BYTES)
        return ls_error_set(err, LS_ELIMIT, "document id of %zu bytes (at most %u)", l[0],
                            LS_MAX_ID_BYTES);
    if (*stamp_len > LS_MAX_STAMP_BYTES)
        return ls_error_set(err, LS_ELIMIT, "stamp of %zu bytes (at most %u)", *stamp_len,
                            LS_MAX_STAMP_BYTES);
    size_t total = 0;
    for (int i = 0; i < 4; i++) {
        if (l[i] > LS_MAX_DOCUMENT_BYTES - total)
            return ls_error_set(err, LS_ELIMIT, "document '%.*s' is over 2 GiB",
                                (int)(l[0] > 64 ? 64 : l[0]), f[0]);
        total += l[i];
    }
    return LS_OK;
}

int ls_ramseg_add(ls_ramseg *r, ls_analyzer *an, const char *const f[4], const size_t l[4],
                  const void *stamp, size_t stamp_len, ls_error *err)
{
    uint32_t local = r->inv.ndocs;
    int rc = ls_inverter_add(&r->inv, an, f[1], l[1], f[2], l[2], err);
    if (rc == LS_OK)
        rc = ls_stored_add(&r->sw, f, l, err);
    if (rc == LS_OK && ram_register(r, f[0], l[0], stamp, stamp_len, local) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    return rc;
}

int ls_ramseg_full(const ls_ramseg *r, size_t budget)
{
    return ls_inverter_memory(&r->inv) >= budget || r->inv.ndocs >= LS_MAX_SEGMENT_DOCS;
}

LS_API int ls_writer_add(ls_writer *w, const ls_document *doc, ls_error *err)
{
    ls_error_clear(err);
    int rc = check_usable(w, err);
    if (rc != LS_OK)
        return rc;
    const char *f[4];
    size_t l[4], stamp_len = 0;
    const void *stamp = NULL;
    rc = check_document(doc, f, l, &stamp, &stamp_len, err);
    if (rc != LS_OK)
        return rc;
    if (w->doc_space >= LS_MAX_INDEX_DOCS)
        return ls_error_set(err, LS_ELIMIT, "the index holds %llu documents (the limit)",
                            (unsigned long long)LS_MAX_INDEX_DOCS);
    if (w->pool != NULL) {
        LS_TRY(ls_pool_add(w, f, l, stamp, stamp_len, err));
        return LS_OK;
    }
    int found;
    LS_TRY(ls_writer_delete_id(w, f[0], l[0], &found, err));
    if (!w->ram.open)
        LS_TRY(ls_ramseg_start(w, &w->ram, err));
    ls_ramseg *r = &w->ram;
    LS_TRY(ls_ramseg_add(r, w->an, f, l, stamp, stamp_len, err));
    w->doc_space++;
    if (ls_ramseg_full(r, w->ram_budget))
        LS_TRY(ls_writer_flush(w, err));
    return LS_OK;
fail:
    w->failed = 1;
    return rc;
}

LS_API void ls_writer_close(ls_writer *w)
{
    if (w == NULL)
        return;
    ls_pool_free(w);
    ls_ramseg_drop(w, &w->ram);
    /* Pending segments were never committed: release and remove them. */
    for (uint32_t i = 0; i < w->nsegs; i++) {
        if (w->segs[i].pending)
            ls_wseg_abandon(w->dir, &w->segs[i]);
        else
            ls_wseg_free(&w->segs[i]);
    }
    w->nsegs = 0;
    if (w->lock_fd >= 0 && !w->failed)
        ls_writer_cleanup(w, 0);
    ls_free(w->segs);
    ls_manifest_free(&w->m);
    ls_analyzer_free(w->an);
    ls_unlock_dir(w->lock_fd);
    pthread_mutex_destroy(&w->seg_lock);
    ls_free(w->dir);
    ls_free(w);
}
