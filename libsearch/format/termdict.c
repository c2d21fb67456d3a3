/* SPDX-License-Identifier: MIT */
/*
 * termdict.c - front-coded term dictionary writer and reader (FORMAT.md "TermDictionary").
 */
#include "format/termdict.h"

#include <string.h>

#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/error.h"

void ls_termdict_writer_init(ls_termdict_writer *tw, ls_fwriter *w)
{
    memset(tw, 0, sizeof *tw);
    tw->w = w;
}

static size_t common_prefix(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

int ls_termdict_add(ls_termdict_writer *tw, const uint8_t *key, size_t len,
                    const ls_term_meta *m, ls_error *err)
{
    if (len == 0 || len > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "term of %zu bytes", len);
    int first = tw->in_block == 0;
    if (first && ls_buf_put_u64(&tw->index, tw->w->offset - 8) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    size_t shared = first ? 0 : common_prefix(tw->prev, tw->prev_len, key, len);
    const ls_term_meta *p = &tw->prev_meta;
    uint8_t e[2 * LS_VBYTE_MAX32 + LS_MAX_KEY_BYTES + 9 * LS_VBYTE_MAX64];
    size_t n = 0;
    n += ls_vbyte_put(e + n, (uint32_t)shared);
    n += ls_vbyte_put(e + n, (uint32_t)(len - shared));
    memcpy(e + n, key + shared, len - shared);
    n += len - shared;
    n += ls_vbyte_put(e + n, m->df);
    n += ls_vbyte_put64(e + n, m->cf - m->df);
    n += ls_vbyte_put64(e + n, first ? m->doc_off : m->doc_off - p->doc_off);
    n += ls_vbyte_put64(e + n, m->doc_bytes);
    n += ls_vbyte_put64(e + n, first ? m->pos_off : m->pos_off - p->pos_off);
    n += ls_vbyte_put64(e + n, m->pos_bytes);
    n += ls_vbyte_put(e + n, m->max_tf);
    n += ls_vbyte_put(e + n, m->min_len);
    int rc = ls_fwriter_write(tw->w, e, n, err);
    if (rc != LS_OK)
        return rc;
    memcpy(tw->prev, key, len);
    tw->prev_len = len;
    tw->prev_meta = *m;
    tw->in_block = (tw->in_block + 1) % LS_DICT_BLOCK_TERMS;
    tw->nterms++;
    return LS_OK;
}

int ls_termdict_finish(ls_termdict_writer *tw, ls_error *err)
{
    uint64_t index_off = tw->w->offset - 8;
    uint32_t nblocks = (uint32_t)(tw->index.len / 8);
    int rc = ls_fwriter_write(tw->w, tw->index.data, tw->index.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u64(tw->w, index_off, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u64(tw->w, tw->nterms, err);
    if (rc == LS_OK)
        rc = ls_fwriter_put_u32(tw->w, nblocks, err);
    ls_termdict_writer_free(tw);
    return rc;
}

void ls_termdict_writer_free(ls_termdict_writer *tw) { ls_buf_free(&tw->index); }

int ls_termdict_open(ls_termdict *d, const uint8_t *body, size_t body_len)
{
    if (body_len < 20)
        return LS_ECORRUPT;
    const uint8_t *t = body + body_len - 20;
    uint64_t index_off = ls_get_u64le(t);
    d->nterms = ls_get_u64le(t + 8);
    d->nblocks = ls_get_u32le(t + 16);
    if (index_off > body_len - 20 || (uint64_t)d->nblocks * 8 != body_len - 20 - index_off)
        return LS_ECORRUPT;
    if (d->nterms > (uint64_t)d->nblocks * LS_DICT_BLOCK_TERMS ||
        d->nterms + LS_DICT_BLOCK_TERMS <= (uint64_t)d->nblocks * LS_DICT_BLOCK_TERMS)
        return LS_ECORRUPT;
    d->body = body;
    d->body_len = (size_t)index_off; /* blocks only */
    d->index = body + index_off;
    return LS_OK;
}

static int load_block(ls_termdict_iter *it, uint32_t b)
{
    const ls_termdict *d = it->d;
    uint64_t off = ls_get_u64le(d->index + (size_t)b * 8);
    uint64_t end = b + 1 < d->nblocks ? ls_get_u64le(d->index + (size_t)(b + 1) * 8) : d->body_len;
    if (off >= end || end > d->body_len)
        return LS_ECORRUPT;
    it->block = b;
    it->in_block = 0;
    it->pos = d->body + off;
    it->end = d->body + end;
    it->key_len = 0;
    memset(&it->meta, 0, sizeof it->meta);
    return LS_OK;
}

/* Decodes the entry at it->pos into key/meta. @return 1, or LS_ECORRUPT. */
static int decode_entry(ls_termdict_iter *it)
{
    uint32_t shared, slen, df, max_tf, min_len;
    uint64_t cfx, doff, dbytes, poff, pbytes;
    const uint8_t **p = &it->pos, *end = it->end;
    if (ls_vbyte_get(p, end, &shared) || ls_vbyte_get(p, end, &slen) || shared > it->key_len ||
        slen > LS_MAX_KEY_BYTES - shared || slen > (size_t)(end - *p))
        return LS_ECORRUPT;
    if (it->in_block == 0 && shared != 0)
        return LS_ECORRUPT;
    memcpy(it->key + shared, *p, slen);
    *p += slen;
    it->key_len = shared + slen;
    if (ls_vbyte_get(p, end, &df) || ls_vbyte_get64(p, end, &cfx) ||
        ls_vbyte_get64(p, end, &doff) || ls_vbyte_get64(p, end, &dbytes) ||
        ls_vbyte_get64(p, end, &poff) || ls_vbyte_get64(p, end, &pbytes) ||
        ls_vbyte_get(p, end, &max_tf) || ls_vbyte_get(p, end, &min_len))
        return LS_ECORRUPT;
    ls_term_meta *m = &it->meta;
    int first = it->in_block == 0;
    m->df = df;
    m->cf = cfx + df;
    m->doc_off = first ? doff : m->doc_off + doff;
    m->doc_bytes = dbytes;
    m->pos_off = first ? poff : m->pos_off + poff;
    m->pos_bytes = pbytes;
    m->max_tf = max_tf;
    m->min_len = min_len;
    it->in_block++;
    return 1;
}

int ls_termdict_next(ls_termdict_iter *it)
{
    if (it->pos >= it->end) {
        if (it->block + 1 >= it->d->nblocks)
            return 0;
        int rc = load_block(it, it->block + 1);
        if (rc != LS_OK)
            return rc;
    }
    return decode_entry(it);
}

static int key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c != 0)
        return c;
    return al < bl ? -1 : al > bl;
}

int ls_termdict_seek(const ls_termdict *d, const uint8_t *key, size_t len, ls_termdict_iter *it)
{
    it->d = d;
    if (d->nblocks == 0)
        return 0;
    /* Find the last block whose first key <= key. */
    uint32_t lo = 0, hi = d->nblocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        int rc = load_block(it, mid);
        if (rc != LS_OK)
            return rc;
        rc = decode_entry(it);
        if (rc < 0)
            return rc;
        if (key_cmp(it->key, it->key_len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    int rc = load_block(it, lo);
    if (rc != LS_OK)
        return rc;
    for (;;) {
        rc = ls_termdict_next(it);
        if (rc <= 0)
            return rc;
        if (key_cmp(it->key, it->key_len, key, len) >= 0)
            return 1;
    }
}

int ls_termdict_find(const ls_termdict *d, const uint8_t *key, size_t len, ls_term_meta *meta)
{
    ls_termdict_iter it;
    int rc = ls_termdict_seek(d, key, len, &it);
    if (rc <= 0)
        return rc;
    if (it.key_len != len || memcmp(it.key, key, len) != 0)
        return 0;
    *meta = it.meta;
    return 1;
}
