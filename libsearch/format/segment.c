/* SPDX-License-Identifier: MIT */
/*
 * segment.c - opening a segment's files and checking that they agree.
 */
#include "format/segment.h"

#include <string.h>

#include "format/doclens.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

static int open_one(ls_ifile *f, const char *dir, uint32_t id, ls_segfile kind, ls_error *err)
{
    char *p = ls_segfile_path(dir, id, kind);
    if (p == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_ifile_open(f, p, ls_segfile_kinds[kind].magic, err);
    if (rc == LS_ENOTFOUND)
        rc = ls_error_set(err, LS_ECORRUPT, "segment file '%s' is missing", p);
    ls_free(p);
    return rc;
}

int ls_segment_open(ls_segment *s, const char *dir, const ls_seg_info *info, ls_error *err)
{
    memset(s, 0, sizeof *s);
    s->info = *info;
    int rc;
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        LS_TRY(open_one(&s->files[k], dir, info->id, (ls_segfile)k, err));
    if (ls_termdict_open(&s->dict, s->tid.body, s->tid.body_len) != LS_OK) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged dictionary trailer", s->tid.path);
        goto fail;
    }
    if (ls_stored_open(&s->stored, s->fdt.body, s->fdt.body_len) != LS_OK ||
        s->stored.ndocs != info->ndocs) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged stored-field index", s->fdt.path);
        goto fail;
    }
    if (s->len.body_len != (uint64_t)info->ndocs * LS_DOCLEN_ENTRY) {
        rc = ls_error_set(err, LS_ECORRUPT, "'%s' has %zu bytes for %u documents", s->len.path,
                          s->len.body_len, info->ndocs);
        goto fail;
    }
    return LS_OK;
fail:
    ls_segment_close(s);
    return rc;
}

void ls_segment_close(ls_segment *s)
{
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        ls_ifile_close(&s->files[k]);
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
    if (ls_postings_view_init(v, meta, s->doc.body, s->doc.body_len, s->pos.body,
                              s->pos.body_len) != LS_OK)
        return ls_error_set(err, LS_ECORRUPT, "'%s': dictionary entry points outside postings",
                            s->tid.path);
    return LS_OK;
}
