/* SPDX-License-Identifier: MIT */
/*
 * deletes.c - deletions files, writer and reader (FORMAT.md "Deletions", see deletes.h).
 */
#include "format/deletes.h"

#include <string.h>

#include "codec/blockcheck.h"
#include "codec/vbyte.h"
#include "format/filenames.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

static uint32_t popcount_bytes(const uint8_t *p, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint32_t)__builtin_popcount(p[i]);
    return c;
}

uint64_t ls_deletes_tag(uint64_t seg_tag, uint64_t gen)
{
    return seg_tag ^ (gen * 0x9E3779B97F4A7C15ull);
}

int ls_deletes_open(ls_deletes *d, const char *dir, uint32_t seg, uint64_t gen, uint32_t ndocs,
                    uint64_t seg_tag, ls_error *err)
{
    memset(d, 0, sizeof *d);
    char name[LS_FILENAME_MAX];
    ls_delfile_name(name, seg, gen);
    char *path = ls_path_join(dir, name);
    if (path == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_ifile_open(&d->file, path, LS_MAGIC_DELETES, err);
    ls_free(path);
    if (rc != LS_OK)
        return rc;
    const uint8_t *b = d->file.body;
    size_t n = d->file.body_len, bm = ls_bitmap_bytes(ndocs);
    if (d->file.tag != ls_deletes_tag(seg_tag, gen)) {
        rc = ls_error_set(err, LS_ECORRUPT,
                          "'%s' belongs to another segment, generation or index (renamed in?)",
                          d->file.path);
        ls_deletes_close(d);
        return rc;
    }
    if (n < 12 + bm || ls_get_u32le(b) != ndocs) /* written for this segment */
        goto corrupt;
    d->count = ls_get_u32le(b + 4);
    d->bitmap = b + 12;
    /* Bits past the last document must be clear, so counts and checks agree. */
    if (ls_blockcheck(d->bitmap, bm) != ls_get_u32le(b + 8) || d->count > ndocs ||
        popcount_bytes(d->bitmap, bm) != d->count ||
        (ndocs % 8 && bm > 0 && d->bitmap[bm - 1] >> (ndocs % 8) != 0))
        goto corrupt;
    if (ls_keyblocks_open(&d->corr, b + 12 + bm, n - 12 - bm) != LS_OK)
        goto corrupt;
    return LS_OK;
corrupt:
    rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged deletions", d->file.path);
    ls_deletes_close(d);
    return rc;
}

void ls_deletes_close(ls_deletes *d)
{
    ls_ifile_close(&d->file);
    d->bitmap = NULL;
    d->count = 0;
}

static int decode_count(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    (void)first;
    return ls_vbyte_get(p, end, state) == 0 ? LS_OK : LS_ECORRUPT;
}

void ls_corr_iter_init(ls_corr_iter *it, const ls_deletes *d)
{
    it->n = 0;
    ls_keyblocks_iter_init(&it->kb, &d->corr, decode_count, &it->n);
}

int ls_corr_iter_next(ls_corr_iter *it) { return ls_keyblocks_next(&it->kb); }

int ls_deletes_correction(const ls_deletes *d, const uint8_t *key, size_t len, uint32_t *n,
                          ls_error *err)
{
    ls_corr_iter it;
    *n = 0;
    if (d->count == 0)
        return LS_OK;
    ls_corr_iter_init(&it, d);
    int rc = ls_keyblocks_find(&it.kb, key, len);
    if (rc < 0)
        return ls_error_set(err, LS_ECORRUPT, "'%s': damaged deletions", d->file.path);
    if (rc == 1)
        *n = it.n;
    return LS_OK;
}

int ls_deletes_writer_open(ls_deletes_writer *dw, const char *dir, uint32_t seg, uint64_t gen,
                           uint64_t seg_tag, const uint8_t *bitmap, uint32_t ndocs,
                           uint32_t count, ls_error *err)
{
    memset(dw, 0, sizeof *dw);
    dw->w.fd = -1;
    char name[LS_FILENAME_MAX];
    ls_delfile_name(name, seg, gen);
    char *path = ls_path_join(dir, name);
    if (path == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = ls_fwriter_open(&dw->w, path, err);
    ls_free(path);
    size_t bm = ls_bitmap_bytes(ndocs);
    dw->w.tag = ls_deletes_tag(seg_tag, gen);
    if (rc == LS_OK)
        rc = ls_header_write(&dw->w, LS_MAGIC_DELETES, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(&dw->w, ndocs, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(&dw->w, count, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(&dw->w, ls_blockcheck(bitmap, bm), err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(&dw->w, bitmap, bm, err);
    if (rc == LS_OK) {
        rc = ls_keyblock_writer_init(&dw->kw, &dw->w);
        if (rc != LS_OK)
            rc = ls_error_set(err, rc, "out of memory");
        dw->kw_open = rc == LS_OK;
    }
    if (rc != LS_OK)
        ls_deletes_writer_abort(dw);
    return rc;
}

int ls_deletes_writer_add(ls_deletes_writer *dw, const uint8_t *key, size_t len, uint32_t n,
                          ls_error *err)
{
    uint8_t v[LS_VBYTE_MAX32];
    size_t k = ls_vbyte_put(v, n);
    return ls_keyblock_add(&dw->kw, key, len, v, k, err);
}

int ls_deletes_writer_finish(ls_deletes_writer *dw, ls_error *err)
{
    int rc = ls_keyblock_finish(&dw->kw, err);
    dw->kw_open = 0;
    if (rc != LS_OK) {
        ls_fwriter_abort(&dw->w);
        return rc;
    }
    return ls_footer_finish(&dw->w, err);
}

void ls_deletes_writer_abort(ls_deletes_writer *dw)
{
    if (dw->kw_open)
        ls_keyblock_writer_free(&dw->kw);
    dw->kw_open = 0;
    ls_fwriter_abort(&dw->w);
}
