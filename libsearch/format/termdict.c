/* SPDX-License-Identifier: MIT */
/*
 * termdict.c - the term dictionary's payload (FORMAT.md "TermDictionary") over keyblocks.c.
 */
#include "format/termdict.h"

#include <string.h>

#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/error.h"

int ls_termdict_writer_init(ls_termdict_writer *tw, ls_fwriter *w)
{
    memset(&tw->prev, 0, sizeof tw->prev);
    return ls_keyblock_writer_init(&tw->kw, w);
}

int ls_termdict_add(ls_termdict_writer *tw, const uint8_t *key, size_t len,
                    const ls_term_meta *m, ls_error *err)
{
    if (len == 0 || len > LS_MAX_KEY_BYTES)
        return ls_error_set(err, LS_ELIMIT, "term of %zu bytes", len);
    int first = ls_keyblock_starts_run(&tw->kw);
    const ls_term_meta *p = &tw->prev;
    if (!first && (m->doc_off != p->doc_off + p->doc_bytes || m->pos_off != p->pos_off + p->pos_bytes))
        return ls_error_set(err, LS_EINVAL, "a term's lists do not follow the previous term's");
    uint8_t e[9 * LS_VBYTE_MAX64];
    size_t n = 0;
    n += ls_vbyte_put64(e + n, (uint64_t)m->df << 1 | (m->paired != 0));
    n += ls_vbyte_put64(e + n, m->cf - m->df);
    if (first)
        n += ls_vbyte_put64(e + n, m->doc_off);
    n += ls_vbyte_put64(e + n, m->doc_bytes);
    if (first)
        n += ls_vbyte_put64(e + n, m->pos_off);
    n += ls_vbyte_put64(e + n, m->pos_bytes);
    n += ls_vbyte_put(e + n, m->max_tf);
    n += ls_vbyte_put(e + n, m->min_len);
    int rc = ls_keyblock_add(&tw->kw, key, len, e, n, err);
    if (rc == LS_OK)
        tw->prev = *m;
    return rc;
}

int ls_termdict_finish(ls_termdict_writer *tw, ls_error *err)
{
    return ls_keyblock_finish(&tw->kw, err);
}

void ls_termdict_writer_free(ls_termdict_writer *tw) { ls_keyblock_writer_free(&tw->kw); }

int ls_termdict_open(ls_termdict *d, const uint8_t *body, size_t body_len)
{
    return ls_keyblocks_open(&d->kb, body, body_len);
}

/* The offset where an entry's list starts: read at a run's first entry, else where the
 * previous entry's ends (off, len). @return 0, or -1 on bad bytes or a sum past 64 bits. */
static int list_start(const uint8_t **p, const uint8_t *end, int first, uint64_t off,
                      uint64_t len, uint64_t *out)
{
    if (first)
        return ls_vbyte_get64(p, end, out);
    if (len > UINT64_MAX - off)
        return -1;
    *out = off + len;
    return 0;
}

/* Decodes a TermInfo into the iterator's meta (the previous entry's, in a run). */
static int decode_meta(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    ls_term_meta *m = state;
    uint32_t max_tf, min_len;
    uint64_t dfp, cfx, doff, dbytes, poff, pbytes;
    if (ls_vbyte_get64(p, end, &dfp) || ls_vbyte_get64(p, end, &cfx) ||
        list_start(p, end, first, m->doc_off, m->doc_bytes, &doff) ||
        ls_vbyte_get64(p, end, &dbytes) ||
        list_start(p, end, first, m->pos_off, m->pos_bytes, &poff) ||
        ls_vbyte_get64(p, end, &pbytes) || ls_vbyte_get(p, end, &max_tf) ||
        ls_vbyte_get(p, end, &min_len))
        return LS_ECORRUPT;
    uint64_t df = dfp >> 1;
    if (df > UINT32_MAX || cfx > UINT64_MAX - df)
        return LS_ECORRUPT;
    m->df = (uint32_t)df;
    m->paired = (int)(dfp & 1);
    m->cf = cfx + df;
    m->doc_off = doff;
    m->doc_bytes = dbytes;
    m->pos_off = poff;
    m->pos_bytes = pbytes;
    m->max_tf = max_tf;
    m->min_len = min_len;
    return LS_OK;
}

/* Passes over n variable-byte numbers. */
static int skip_vbytes(const uint8_t **p, const uint8_t *end, int n)
{
    const uint8_t *q = *p;
    for (int i = 0; i < n; i++) {
        const uint8_t *stop = q + LS_VBYTE_MAX64 < end ? q + LS_VBYTE_MAX64 : end;
        while (q < stop && *q >= 0x80)
            q++;
        if (q == stop)
            return -1;
        q++;
    }
    *p = q;
    return 0;
}

/* What a seek reads of a TermInfo it passes over: where its lists start and their lengths,
 * which the next entry's offsets build on (decode_meta reads, and checks, the entry it stops
 * at). */
static int skip_meta(void *state, const uint8_t **p, const uint8_t *end, int first)
{
    ls_term_meta *m = state;
    uint64_t doff, dbytes, poff, pbytes;
    if (skip_vbytes(p, end, 2) || list_start(p, end, first, m->doc_off, m->doc_bytes, &doff) ||
        ls_vbyte_get64(p, end, &dbytes) ||
        list_start(p, end, first, m->pos_off, m->pos_bytes, &poff) ||
        ls_vbyte_get64(p, end, &pbytes) || skip_vbytes(p, end, 2))
        return LS_ECORRUPT;
    m->doc_off = doff;
    m->doc_bytes = dbytes;
    m->pos_off = poff;
    m->pos_bytes = pbytes;
    return LS_OK;
}

static void iter_init(const ls_termdict *d, ls_termdict_iter *it)
{
    memset(&it->meta, 0, sizeof it->meta);
    ls_keyblocks_iter_init(&it->kb, &d->kb, decode_meta, &it->meta);
    ls_keyblocks_iter_skip(&it->kb, skip_meta);
}

int ls_termdict_seek(const ls_termdict *d, const uint8_t *key, size_t len, ls_termdict_iter *it)
{
    iter_init(d, it);
    return ls_keyblocks_seek(&it->kb, key, len);
}

int ls_termdict_next(ls_termdict_iter *it) { return ls_keyblocks_next(&it->kb); }

int ls_termdict_find(const ls_termdict *d, const uint8_t *key, size_t len, ls_term_meta *meta)
{
    ls_termdict_iter it;
    iter_init(d, &it);
    int rc = ls_keyblocks_find(&it.kb, key, len);
    if (rc == 1)
        *meta = it.meta;
    return rc;
}
