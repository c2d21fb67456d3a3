/* SPDX-License-Identifier: MIT */
/*
 * stored.c - zlib-compressed stored-field chunks, writer and reader (FORMAT.md "StoredFields").
 */
#include "format/stored.h"

#include <string.h>

#include "codec/vbyte.h"
#include "codec/zchunk.h"
#include "libsearch.h"
#include "util/error.h"

void ls_stored_writer_init(ls_stored_writer *sw, ls_fwriter *w)
{
    memset(sw, 0, sizeof *sw);
    sw->w = w;
}

static int flush_chunk(ls_stored_writer *sw, ls_error *err)
{
    if (sw->raw.len == 0)
        return LS_OK;
    if (sw->raw.len > UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "stored chunk over 4 GiB");
    size_t bound = ls_zchunk_bound(sw->raw.len), clen = 0;
    sw->comp.len = 0;
    if (ls_buf_reserve(&sw->comp, bound) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory compressing stored fields");
    int rc = ls_zchunk_compress(sw->raw.data, sw->raw.len, sw->comp.data, &clen);
    if (rc != LS_OK)
        return ls_error_set(err, rc, "cannot compress stored fields");
    if (clen > UINT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "compressed chunk over 4 GiB");
    if (ls_buf_put_u32(&sw->index, sw->chunk_first) != LS_OK ||
        ls_buf_put_u64(&sw->index, sw->w->offset - 8) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    rc = ls_fwriter_put_u32(sw->w, (uint32_t)sw->raw.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(sw->w, (uint32_t)clen, err);
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

int ls_stored_add(ls_stored_writer *sw, const char *const fields[4], const size_t lens[4],
                  ls_error *err)
{
    for (int i = 0; i < 4; i++) {
        if (lens[i] > UINT32_MAX)
            return ls_error_set(err, LS_ELIMIT, "a stored field is over 4 GiB");
        if (ls_buf_put_vbyte(&sw->raw, (uint32_t)lens[i]) != LS_OK ||
            ls_buf_append(&sw->raw, fields[i], lens[i]) != LS_OK)
            return ls_error_set(err, LS_ENOMEM, "out of memory storing a document");
    }
    sw->ndocs++;
    if (sw->raw.len >= LS_STORED_CHUNK)
        return flush_chunk(sw, err);
    return LS_OK;
}

int ls_stored_finish(ls_stored_writer *sw, ls_error *err)
{
    int rc = flush_chunk(sw, err);
    uint64_t index_off = sw->w->offset - 8;
    if (rc == LS_OK)
        rc = ls_fwriter_write(sw->w, sw->index.data, sw->index.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u64(sw->w, index_off, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(sw->w, (uint32_t)(sw->index.len / 12), err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(sw->w, sw->ndocs, err);
    ls_stored_writer_free(sw);
    return rc;
}

void ls_stored_writer_free(ls_stored_writer *sw)
{
    ls_buf_free(&sw->raw);
    ls_buf_free(&sw->comp);
    ls_buf_free(&sw->index);
}

int ls_stored_open(ls_stored *s, const uint8_t *body, size_t body_len)
{
    if (body_len < 16)
        return LS_ECORRUPT;
    const uint8_t *t = body + body_len - 16;
    uint64_t index_off = ls_get_u64le(t);
    s->nchunks = ls_get_u32le(t + 8);
    s->ndocs = ls_get_u32le(t + 12);
    if (index_off > body_len - 16 || (uint64_t)s->nchunks * 12 != body_len - 16 - index_off)
        return LS_ECORRUPT;
    s->body = body;
    s->body_len = (size_t)index_off;
    s->index = body + index_off;
    return LS_OK;
}

void ls_stored_cache_free(ls_stored_cache *c)
{
    ls_buf_free(&c->raw);
    c->chunk = UINT32_MAX;
}

static uint32_t chunk_first(const ls_stored *s, uint32_t c)
{
    return ls_get_u32le(s->index + (size_t)c * 12);
}

static int load_chunk(const ls_stored *s, uint32_t c, ls_stored_cache *cache)
{
    uint64_t off = ls_get_u64le(s->index + (size_t)c * 12 + 4);
    if (off > s->body_len || s->body_len - off < 8)
        return LS_ECORRUPT;
    uint32_t raw_len = ls_get_u32le(s->body + off), comp_len = ls_get_u32le(s->body + off + 4);
    if (comp_len > s->body_len - off - 8)
        return LS_ECORRUPT;
    cache->chunk = UINT32_MAX;
    cache->raw.len = 0;
    if (ls_buf_reserve(&cache->raw, raw_len) != LS_OK)
        return LS_ENOMEM;
    int rc = ls_zchunk_decompress(s->body + off + 8, comp_len, cache->raw.data, raw_len);
    if (rc != LS_OK)
        return rc;
    cache->raw.len = raw_len;
    cache->chunk = c;
    return LS_OK;
}

int ls_stored_get(const ls_stored *s, uint32_t doc, ls_stored_cache *cache,
                  const char *fields_out[4], size_t lens_out[4])
{
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
    for (uint32_t d = first; d <= doc; d++) {
        for (int i = 0; i < 4; i++) {
            uint32_t n;
            if (ls_vbyte_get(&p, end, &n) != 0 || n > (size_t)(end - p))
                return LS_ECORRUPT;
            fields_out[i] = (const char *)p;
            lens_out[i] = n;
            p += n;
        }
    }
    return LS_OK;
}
