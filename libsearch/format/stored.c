/* SPDX-License-Identifier: MIT */
/*
 * stored.c - zlib-compressed stored-field chunks, writer and reader (FORMAT.md "StoredFields").
 */
#include "format/stored.h"

#include <string.h>

#include "codec/blockcheck.h"
#include "codec/vbyte.h"
#include "codec/zchunk.h"
#include "libsearch.h"
#include "util/error.h"

#define INDEX_ENTRY 12u
#define TRAILER 28u
#define CHECKED_TRAILER 24u /* the trailer bytes IndexCheck covers */

void ls_stored_writer_init(ls_stored_writer *sw, ls_fwriter *w)
{
    memset(sw, 0, sizeof *sw);
    sw->w = w;
}

/* HeadCheck of a chunk: the block check of its other 12 header bytes and its compressed
 * bytes, as one stream. */
static uint32_t chunk_check(const uint8_t *hdr, const uint8_t *comp, size_t clen)
{
    return ls_blockcheck2(hdr + 4, LS_STORED_CHUNK_HEADER - 4, comp, clen);
}

static int index_chunk(ls_stored_writer *sw, ls_error *err)
{
    if (ls_buf_put_u32(&sw->index, sw->chunk_first) != LS_OK ||
        ls_buf_put_u64(&sw->index, sw->w->offset - 8) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    return LS_OK;
}

static int flush_chunk(ls_stored_writer *sw, ls_error *err)
{
    if (sw->raw.len == 0)
        return LS_OK;
    if (sw->raw.len > UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "stored chunk over 4 GiB");
    size_t bound = ls_zchunk_bound(sw->raw.len), clen = 0;
    sw->comp.len = 0;
    if ((sw->zw == NULL && (sw->zw = ls_zchunk_writer_new()) == NULL) ||
        ls_buf_reserve(&sw->comp, bound) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory compressing stored fields");
    int rc = ls_zchunk_compress(sw->zw, sw->raw.data, sw->raw.len, sw->comp.data, &clen);
    if (rc != LS_OK)
        return ls_error_set(err, rc, "cannot compress stored fields");
    if (clen > UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "compressed chunk over 4 GiB");
    rc = index_chunk(sw, err);
    /* HeadCheck covers the lengths and the compressed bytes: lengths are trusted before
     * anything is allocated from them. */
    uint8_t hdr[LS_STORED_CHUNK_HEADER];
    ls_put_u32le(hdr + 4, (uint32_t)sw->raw.len);
    ls_put_u32le(hdr + 8, (uint32_t)clen);
    ls_put_u32le(hdr + 12, ls_blockcheck(sw->raw.data, sw->raw.len));
    ls_put_u32le(hdr, chunk_check(hdr, sw->comp.data, clen));
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, hdr, sizeof hdr, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, sw->comp.data, clen, err);
    sw->raw.len = 0;
    sw->chunk_first = sw->ndocs;
    /* Do not keep a huge buffer around after one huge document. */
    if (sw->comp.cap > 4 * LS_STORED_CHUNK) {
        ls_buf_free(&sw->comp);
        ls_buf_free(&sw->raw);
    }
    return rc;
}

/* Appends n fields as (VByte(len), bytes). */
static int put_fields(ls_buf *b, const char *const *fields, const size_t *lens, int n,
                      ls_error *err)
{
    for (int i = 0; i < n; i++) {
        if (lens[i] > UINT32_MAX)
            return ls_error_set(err, LS_ELIMIT, "a stored field is over 4 GiB");
        if (ls_buf_put_vbyte(b, (uint32_t)lens[i]) != LS_OK ||
            ls_buf_append(b, fields[i], lens[i]) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory storing a document");
    }
    return LS_OK;
}

int ls_stored_add_meta(ls_stored_writer *sw, const char *const fields[3], const size_t lens[3],
                       ls_error *err)
{
    if (sw->nmeta >= sw->ndocs)
        return ls_error_set(err, LS_EINVAL, "stored meta given for a document not added");
    if (ls_buf_put_u64(&sw->meta_off, sw->meta.len) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory storing a document");
    int rc = put_fields(&sw->meta, fields, lens, 3, err);
    sw->nmeta += rc == LS_OK;
    return rc;
}

int ls_stored_add(ls_stored_writer *sw, const char *const fields[4], const size_t lens[4],
                  ls_error *err)
{
    int rc = put_fields(&sw->raw, fields, lens, 4, err);
    if (rc != LS_OK)
        return rc;
    sw->ndocs++;
    static const int meta_field[3] = LS_STORED_META_FIELDS;
    const char *mf[3];
    size_t ml[3];
    for (int i = 0; i < 3; i++) {
        mf[i] = fields[meta_field[i]];
        ml[i] = lens[meta_field[i]];
    }
    rc = ls_stored_add_meta(sw, mf, ml, err);
    if (rc == LS_OK && sw->raw.len >= LS_STORED_CHUNK)
        rc = flush_chunk(sw, err);
    return rc;
}

int ls_stored_add_chunk(ls_stored_writer *sw, const uint8_t *chunk, size_t len, uint32_t ndocs,
                        ls_error *err)
{
    int rc = flush_chunk(sw, err);
    if (rc == LS_OK)
        rc = index_chunk(sw, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, chunk, len, err);
    sw->ndocs += ndocs;
    sw->chunk_first = sw->ndocs;
    return rc;
}

/* Meta: the offsets (relative to the start of Meta's data), then the records, as paged data. */
static int write_meta(ls_stored_writer *sw, ls_error *err)
{
    uint64_t base = ((uint64_t)sw->ndocs + 1) * 8;
    int rc = ls_fwriter_begin_pages(sw->w, err);
    for (size_t i = 0; rc == LS_OK && i < sw->nmeta; i++)
        rc = ls_fwriter_put_u64(sw->w, base + ls_get_u64le(sw->meta_off.data + 8 * i), err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u64(sw->w, base + sw->meta.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, sw->meta.data, sw->meta.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_end_pages(sw->w, err);
    else if (sw->w->paged) { /* release the page buffers; the file is abandoned anyway */
        ls_error ignored;
        ls_fwriter_end_pages(sw->w, &ignored);
    }
    return rc;
}

int ls_stored_finish(ls_stored_writer *sw, ls_error *err)
{
    int rc = flush_chunk(sw, err);
    if (rc == LS_OK && sw->nmeta != sw->ndocs)
        rc = ls_error_set(err, LS_EINVAL, "stored meta missing for %u of %u documents",
                          sw->ndocs - sw->nmeta, sw->ndocs);
    uint64_t meta_start = sw->w->offset - 8; /* body offsets exclude the 8-byte header */
    if (rc == LS_OK)
        rc = write_meta(sw, err);
    uint8_t t[TRAILER];
    ls_put_u64le(t, sw->w->offset - 8);
    ls_put_u32le(t + 8, (uint32_t)(sw->index.len / INDEX_ENTRY));
    ls_put_u32le(t + 12, sw->ndocs);
    ls_put_u64le(t + 16, meta_start);
    if (rc == LS_OK && ls_buf_append(&sw->index, t, CHECKED_TRAILER) != LS_OK)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    if (rc == LS_OK) {
        ls_put_u32le(t + CHECKED_TRAILER, ls_blockcheck(sw->index.data, sw->index.len));
        rc = ls_fwriter_write(sw->w, sw->index.data, sw->index.len - CHECKED_TRAILER, err);
    }
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, t, sizeof t, err);
    ls_stored_writer_free(sw);
    return rc;
}

void ls_stored_writer_free(ls_stored_writer *sw)
{
    ls_buf_free(&sw->raw);
    ls_buf_free(&sw->comp);
    ls_buf_free(&sw->index);
    ls_buf_free(&sw->meta);
    ls_buf_free(&sw->meta_off);
    ls_zchunk_writer_free(sw->zw);
    sw->zw = NULL;
}

int ls_stored_open(ls_stored *s, const uint8_t *body, size_t body_len)
{
    memset(s, 0, sizeof *s);
    atomic_init(&s->index_state, 0);
    if (body_len < TRAILER)
        return LS_ECORRUPT;
    const uint8_t *t = body + body_len - TRAILER;
    uint64_t index_off = ls_get_u64le(t);
    s->nchunks = ls_get_u32le(t + 8);
    s->ndocs = ls_get_u32le(t + 12);
    uint64_t meta_start = ls_get_u64le(t + 16);
    if (index_off > body_len - TRAILER ||
        (uint64_t)s->nchunks * INDEX_ENTRY != body_len - TRAILER - index_off ||
        meta_start > index_off)
        return LS_ECORRUPT;
    s->body = body;
    s->body_len = (size_t)meta_start;
    s->index = body + index_off;
    /* The page table's own shape is checked here; the bytes when first read. */
    int rc = ls_pages_open(&s->meta, body + meta_start, (size_t)(index_off - meta_start));
    if (rc == LS_OK && s->meta.len < ((uint64_t)s->ndocs + 1) * 8)
        rc = LS_ECORRUPT;
    return rc;
}

void ls_stored_close(ls_stored *s) { ls_pages_close(&s->meta); }

static int verify_index(const ls_stored *s)
{
    ls_stored *m = (ls_stored *)s; /* a shared cache of the verification: atomic */
    size_t n = (size_t)s->nchunks * INDEX_ENTRY + CHECKED_TRAILER;
    return ls_blockcheck_once(&m->index_state, s->index, n, ls_get_u32le(s->index + n))
               ? LS_OK
               : LS_ECORRUPT;
}

void ls_stored_cache_free(ls_stored_cache *c)
{
    ls_buf_free(&c->raw);
    c->chunk = UINT32_MAX;
}

static uint32_t chunk_first(const ls_stored *s, uint32_t c)
{
    return ls_get_u32le(s->index + (size_t)c * INDEX_ENTRY);
}

/* Chunk c's bytes [off, off + header + CompLen) within the body. */
static int chunk_span(const ls_stored *s, uint32_t c, uint64_t *off, uint32_t *raw_len,
                      uint32_t *comp_len)
{
    *off = ls_get_u64le(s->index + (size_t)c * INDEX_ENTRY + 4);
    if (*off > s->body_len || s->body_len - *off < LS_STORED_CHUNK_HEADER)
        return LS_ECORRUPT;
    const uint8_t *h = s->body + *off;
    *raw_len = ls_get_u32le(h + 4);
    *comp_len = ls_get_u32le(h + 8);
    if (*comp_len > s->body_len - *off - LS_STORED_CHUNK_HEADER ||
        chunk_check(h, h + LS_STORED_CHUNK_HEADER, *comp_len) != ls_get_u32le(h))
        return LS_ECORRUPT; /* checked before anything is sized from the lengths */
    return LS_OK;
}

static int load_chunk(const ls_stored *s, uint32_t c, ls_stored_cache *cache)
{
    uint64_t off;
    uint32_t raw_len, comp_len;
    if (chunk_span(s, c, &off, &raw_len, &comp_len) != LS_OK)
        return LS_ECORRUPT;
    cache->chunk = UINT32_MAX;
    cache->raw.len = 0;
    if (ls_buf_reserve(&cache->raw, raw_len) != LS_OK)
        return LS_ENOMEM;
    const uint8_t *h = s->body + off;
    int rc = ls_zchunk_decompress(h + LS_STORED_CHUNK_HEADER, comp_len, cache->raw.data, raw_len);
    if (rc != LS_OK)
        return rc;
    if (ls_blockcheck(cache->raw.data, raw_len) != ls_get_u32le(h + 12))
        return LS_ECORRUPT;
    cache->raw.len = raw_len;
    cache->chunk = c;
    return LS_OK;
}

/* Reads n fields (VByte(len), bytes) from *p, within end. */
static int get_fields(const uint8_t **p, const uint8_t *end, int n, const char **fields,
                      size_t *lens)
{
    for (int i = 0; i < n; i++) {
        uint32_t len;
        if (ls_vbyte_get(p, end, &len) != 0 || len > (size_t)(end - *p))
            return LS_ECORRUPT;
        fields[i] = (const char *)*p;
        lens[i] = len;
        *p += len;
    }
    return LS_OK;
}

int ls_stored_get(const ls_stored *s, uint32_t doc, ls_stored_cache *cache,
                  const char *fields_out[4], size_t lens_out[4])
{
    if (verify_index(s) != LS_OK) /* it covers the document count too */
        return LS_ECORRUPT;
    if (doc >= s->ndocs || s->nchunks == 0)
        return LS_EINVAL;
    uint32_t lo = 0, hi = s->nchunks; /* last chunk with first <= doc */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (chunk_first(s, mid) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t first = chunk_first(s, lo);
    if (first > doc)
        return LS_ECORRUPT;
    if (cache->chunk != lo) {
        int rc = load_chunk(s, lo, cache);
        if (rc != LS_OK)
            return rc;
    }
    const uint8_t *p = cache->raw.data, *end = p + cache->raw.len;
    for (uint32_t d = first; d <= doc; d++)
        if (get_fields(&p, end, 4, fields_out, lens_out) != LS_OK)
            return LS_ECORRUPT;
    return LS_OK;
}

int ls_stored_meta(const ls_stored *s, uint32_t doc, const char *fields_out[3],
                   size_t lens_out[3])
{
    if (verify_index(s) != LS_OK) /* it covers the document count and MetaStart */
        return LS_ECORRUPT;
    if (doc >= s->ndocs)
        return LS_EINVAL;
    const uint8_t *o = s->meta.data + (size_t)doc * 8;
    if (ls_pages_ok(&s->meta, o, 16) != LS_OK)
        return LS_ECORRUPT;
    uint64_t from = ls_get_u64le(o), to = ls_get_u64le(o + 8);
    uint64_t base = ((uint64_t)s->ndocs + 1) * 8;
    if (from < base || from > to || to > s->meta.len)
        return LS_ECORRUPT;
    const uint8_t *p = s->meta.data + from, *end = s->meta.data + to;
    if (ls_pages_ok(&s->meta, p, (size_t)(to - from)) != LS_OK ||
        get_fields(&p, end, 3, fields_out, lens_out) != LS_OK)
        return LS_ECORRUPT;
    return p == end ? LS_OK : LS_ECORRUPT;
}

int ls_stored_chunk(const ls_stored *s, uint32_t c, const uint8_t **chunk, size_t *len,
                    uint32_t *first, uint32_t *ndocs)
{
    uint64_t off;
    uint32_t raw_len, comp_len;
    if (c >= s->nchunks || verify_index(s) != LS_OK ||
        chunk_span(s, c, &off, &raw_len, &comp_len) != LS_OK)
        return LS_ECORRUPT;
    uint32_t f = chunk_first(s, c), next = c + 1 < s->nchunks ? chunk_first(s, c + 1) : s->ndocs;
    if (f >= next || next > s->ndocs)
        return LS_ECORRUPT;
    /* Copied without inflating: chunk_span verified HeadCheck, so no damage is copied. */
    *chunk = s->body + off;
    *len = LS_STORED_CHUNK_HEADER + (size_t)comp_len;
    *first = f;
    *ndocs = next - f;
    return LS_OK;
}
