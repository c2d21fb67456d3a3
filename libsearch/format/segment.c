/* SPDX-License-Identifier: MIT */
/*
 * segment.c - opening a segment's files and checking that they agree; the process-wide
 * registry of open segments (see segment.h).
 */
#include "format/segment.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "format/doclens.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static ls_segment *registry; /* open segments of every index of the process */

static int open_one(ls_ifile *f, const char *dir, uint32_t id, uint64_t tag, ls_segfile kind,
                    ls_error *err)
{
    char *p = ls_segfile_path(dir, id, kind);
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_ifile_open(f, p, ls_segfile_kinds[kind].magic, err);
    if (rc == LS_ENOTFOUND) /* the caller tells a removed commit from damage */
        rc = ls_error_set(err, LS_ENOTFOUND, "segment file '%s' is missing", p);
    if (rc == LS_OK && f->tag != tag) {
        rc = ls_error_set(err, LS_ECORRUPT,
                          "'%s' belongs to another segment or index (copied or renamed in?)", p);
        ls_ifile_close(f);
    }
    ls_free(p);
    return rc;
}

static void close_files(ls_segment *s)
{
    ls_pages_close(&s->doc_pages);
    ls_pages_close(&s->pos_pages);
    ls_stored_close(&s->stored);
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        ls_ifile_close(&s->files[k]);
}

static int open_files(ls_segment *s, const char *dir, ls_error *err)
{
    int rc;
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        LS_TRY(open_one(&s->files[k], dir, s->id, s->tag, (ls_segfile)k, err));
    rc = ls_pages_open(&s->doc_pages, s->doc.body, s->doc.body_len);
    if (rc == LS_OK)
        rc = ls_pages_open(&s->pos_pages, s->pos.body, s->pos.body_len);
    if (rc != LS_OK) {
        rc = ls_error_set(err, rc, rc == LS_ENOMEM ? "out of memory" : "'%s': damaged page table",
                          s->doc_pages.ok ? s->pos.path : s->doc.path);
        goto fail;
    }
    if (ls_termdict_open(&s->dict, s->tid.body, s->tid.body_len) != LS_OK) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary trailer", s->tid.path);
        goto fail;
    }
    rc = ls_stored_open(&s->stored, s->fdt.body, s->fdt.body_len);
    if (rc == LS_ENOMEM) {
        rc = ls_error_set(err, rc, "out of memory");
        goto fail;
    }
    if (rc != LS_OK || s->stored.ndocs != s->ndocs) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged stored-field index", s->fdt.path);
        goto fail;
    }
    if (ls_ids_open(&s->iddict, s->ids.body, s->ids.body_len) != LS_OK ||
        s->iddict.kb.count > s->ndocs) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged id dictionary trailer", s->ids.path);
        goto fail;
    }
    if (s->len.body_len != (uint64_t)s->ndocs * LS_DOCLEN_ENTRY) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s' has %zu bytes for %u documents", s->len.path,
                          s->len.body_len, s->ndocs);
        goto fail;
    }
    atomic_init(&s->len_state, 0);
    return LS_OK;
fail:
    close_files(s);
    return rc;
}

int ls_segment_acquire(const char *dir, uint32_t id, uint32_t ndocs, uint64_t tag,
                       ls_segment **out, ls_error *err)
{
    struct stat st;
    *out = NULL;
    if (stat(dir, &st) != 0)
        return ls_error_io(err, errno, "cannot stat index directory", dir);
    /* A directory removed and created again may reuse its inode number: the segment's tag
     * tells whether an entry is this very segment. */
    pthread_mutex_lock(&registry_lock);
    ls_segment *s;
    for (s = registry; s != NULL; s = s->next)
        if (s->id == id && s->tag == tag && s->dev == st.st_dev && s->ino == st.st_ino)
            break;
    int rc = LS_OK;
    if (s != NULL && s->ndocs != ndocs) {
        rc = ls_error_set(err, LS_ECORRUPT, "segment %u of '%s' holds %u documents, not %u", id,
                          dir, s->ndocs, ndocs);
    } else if (s != NULL) {
        s->refs++;
    } else {
        s = ls_calloc(1, sizeof *s);
        if (s == NULL) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        } else {
            s->id = id;
            s->ndocs = ndocs;
            s->tag = tag;
            s->dev = st.st_dev;
            s->ino = st.st_ino;
            rc = open_files(s, dir, err);
            if (rc == LS_OK) {
                s->refs = 1;
                s->next = registry;
                registry = s;
            } else {
                ls_free(s);
                s = NULL;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    if (rc == LS_OK)
        *out = s;
    return rc;
}

void ls_segment_release(ls_segment *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&registry_lock);
    int last = --s->refs == 0;
    if (last) {
        ls_segment **pp = &registry;
        while (*pp != s)
            pp = &(*pp)->next;
        *pp = s->next;
    }
    pthread_mutex_unlock(&registry_lock);
    if (last) {
        close_files(s);
        ls_free(s);
    }
}

int ls_segment_remove_unused(const char *dir, uint32_t id)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    pthread_mutex_lock(&registry_lock);
    int busy = 0;
    for (ls_segment *s = registry; s != NULL && !busy; s = s->next)
        busy = s->id == id && s->dev == st.st_dev && s->ino == st.st_ino;
    if (!busy)
        ls_segfiles_remove(dir, id); /* under the lock: no reader of ours opens it meanwhile */
    pthread_mutex_unlock(&registry_lock);
    return !busy;
}

int ls_segment_check(const ls_segment *s, ls_error *err)
{
    for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
        int rc = ls_ifile_verify(&s->files[k], err);
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
}

int ls_segment_lens_ok(const ls_segment *s, ls_error *err)
{
    ls_segment *m = (ls_segment *)s; /* the state caches a verification: atomic */
    int st = atomic_load_explicit(&m->len_state, memory_order_acquire);
    if (st == 0) {
        st = ls_ifile_verify(&s->len, NULL) == LS_OK ? 1 : -1;
        atomic_store_explicit(&m->len_state, st, memory_order_release);
    }
    if (st == 1)
        return LS_OK;
    return ls_error_set(err, LS_ECORRUPT, "'%s' fails its checksum", s->len.path);
}

int ls_segment_lookup(const ls_segment *s, const uint8_t *key, size_t len, ls_term_meta *meta,
                      ls_error *err)
{
    int rc = ls_termdict_find(&s->dict, key, len, meta);
    if (rc < 0)
        return ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary block", s->tid.path);
    return rc;
}

int ls_segment_view(const ls_segment *s, const ls_term_meta *meta, ls_postings_view *v,
                    ls_error *err)
{
    /* Whoever reads postings reads document lengths too: verified here, once. */
    if (ls_segment_lens_ok(s, err) != LS_OK)
        return LS_ECORRUPT;
    if (ls_postings_view_init(v, meta, &s->doc_pages, &s->pos_pages) != LS_OK)
        return ls_error_set(err, LS_ECORRUPT, "'%s': dictionary entry points outside postings",
                            s->tid.path);
    return LS_OK;
}
