/* SPDX-License-Identifier: MIT */
/*
 * idlookup.c - ls_reader_get and ls_reader_ids: documents by external id, through each
 * segment's id dictionary (format/ids.h). An id may sit in several segments (an updated
 * document's old versions), but only one of its entries is live.
 */
#include <string.h>

#include "format/ids.h"
#include "libsearch.h"
#include "reader/snapshot.h"
#include "util/alloc.h"
#include "util/error.h"

static int damaged(const ls_segment *s, ls_error *err)
{
    return ls_error_set(err, LS_ECORRUPT, "'%s': damaged id dictionary", s->ids.path);
}

LS_API int ls_reader_get(const ls_reader *r, const char *id, size_t len, ls_doc_info *out,
                         ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || out == NULL || (id == NULL && len > 0) || out->version != LS_DOC_INFO_VERSION)
        return ls_error_set(err, LS_EINVAL, "ls_reader_get: NULL argument or bad version");
    if (len == 0 || len > LS_MAX_ID_BYTES)
        return ls_error_set(err, LS_ENOTFOUND, "no document with that id");
    for (uint32_t i = r->nsegs; i-- > 0;) { /* newest first: updates go to the end */
        const ls_segment *s = r->segs[i].seg;
        ls_ids_iter it;
        int rc = ls_ids_find(&s->iddict, (const uint8_t *)id, len, &it);
        if (rc < 0)
            return damaged(s, err);
        if (rc == 0)
            continue;
        if (it.doc >= s->ndocs)
            return damaged(s, err);
        if (ls_reader_deleted(r, i, it.doc))
            continue;
        out->doc = r->segs[i].base + it.doc;
        out->stamp = it.stamp;
        out->stamp_len = it.stamp_len;
        return LS_OK;
    }
    return ls_error_set(err, LS_ENOTFOUND, "no document with id '%.*s'", len > 64 ? 64 : (int)len,
                        id);
}

/* One segment's iterator over ids with the prefix, parked on a live entry. */
typedef struct id_cursor {
    ls_ids_iter it;
    uint32_t seg;
    int on; /* 1 on an entry, 0 exhausted */
} id_cursor;

static int in_prefix(const ls_ids_iter *it, const char *prefix, size_t len)
{
    return it->kb.key_len >= len && memcmp(it->kb.key, prefix, len) == 0;
}

/* Moves c to its next live entry with the prefix (rc: 1 from a seek or next). */
static int settle(const ls_reader *r, id_cursor *c, int rc, const char *prefix, size_t len,
                  ls_error *err)
{
    const ls_segment *s = r->segs[c->seg].seg;
    for (;;) {
        if (rc < 0)
            return damaged(s, err);
        if (rc == 0 || !in_prefix(&c->it, prefix, len)) {
            c->on = 0;
            return LS_OK;
        }
        if (c->it.doc >= s->ndocs)
            return damaged(s, err);
        if (!ls_reader_deleted(r, c->seg, c->it.doc)) {
            c->on = 1;
            return LS_OK;
        }
        rc = ls_ids_next(&c->it);
    }
}

LS_API int ls_reader_ids(const ls_reader *r, const char *prefix, size_t len, ls_id_fn fn,
                         void *payload, ls_error *err)
{
    ls_error_clear(err);
    if (r == NULL || fn == NULL || (prefix == NULL && len > 0))
        return ls_error_set(err, LS_EINVAL, "ls_reader_ids: NULL argument");
    if (prefix == NULL)
        prefix = ""; /* every id (memcmp with NULL is undefined, even for 0 bytes) */
    id_cursor *cs = ls_calloc(r->nsegs ? r->nsegs : 1, sizeof *cs);
    if (cs == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = LS_OK;
    for (uint32_t i = 0; i < r->nsegs && rc == LS_OK; i++) {
        cs[i].seg = i;
        int more = ls_ids_seek(&r->segs[i].seg->iddict, (const uint8_t *)prefix, len, &cs[i].it);
        rc = settle(r, &cs[i], more, prefix, len, err);
    }
    /* Merge the segments' sorted lists: live ids are unique, so no duplicates arise. */
    while (rc == LS_OK) {
        id_cursor *best = NULL;
        for (uint32_t i = 0; i < r->nsegs; i++)
            if (cs[i].on && (best == NULL || ls_key_cmp(cs[i].it.kb.key, cs[i].it.kb.key_len,
                                                         best->it.kb.key, best->it.kb.key_len) < 0))
                best = &cs[i];
        if (best == NULL)
            break;
        if (fn((const char *)best->it.kb.key, best->it.kb.key_len, best->it.stamp,
               best->it.stamp_len, payload) != 0)
            break;
        rc = settle(r, best, ls_ids_next(&best->it), prefix, len, err);
    }
    ls_free(cs);
    return rc;
}
