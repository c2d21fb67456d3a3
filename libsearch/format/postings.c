/* SPDX-License-Identifier: MIT */
/*
 * postings.c - writer and decoders of FORMAT.md "Postings" and the position block checks (see
 * postings.h). Bit packing after Lemire & Boytsov (codec/bitpack.c); a skip table per
 * 128-posting block with block-max inputs (impacts) for MaxScore / Block-Max WAND (Ding & Suel
 * 2011).
 */
#include "format/postings.h"

#include <string.h>

#include "codec/vbyte.h"
#include "format/positions.h"
#include "libsearch.h"
#include "util/error.h"

static int write_blocks(ls_buf *blk, const ls_term_input *in, ls_buf *skip)
{
    /* the list's mean length, for choosing which impacts to merge (format/impacts.h) */
    uint64_t len_sum = 0;
    for (uint32_t i = 0; i < in->n; i++)
        len_sum += in->lens[i];
    double avglen = in->n ? (double)len_sum / in->n : 1;
    uint32_t gaps[LS_BLOCK], tfm1[LS_BLOCK];
    uint32_t nblocks = in->n / LS_BLOCK;
    uint32_t prev = UINT32_MAX;
    for (uint32_t b = 0; b < nblocks; b++) {
        uint32_t max_tf = 0;
        for (uint32_t j = 0; j < LS_BLOCK; j++) {
            uint32_t i = b * LS_BLOCK + j;
            gaps[j] = in->docs[i] - prev - 1;
            prev = in->docs[i];
            tfm1[j] = in->tfs[i] - 1;
            if (in->tfs[i] > max_tf)
                max_tf = in->tfs[i];
        }
        ls_impact im[LS_IMPACTS];
        uint32_t nim = ls_impacts_build(in->tfs + b * LS_BLOCK, in->lens + b * LS_BLOCK,
                                        LS_BLOCK, avglen, im);
        unsigned wd = ls_bp128_width(gaps), wt = ls_bp128_width(tfm1);
        if (ls_buf_reserve(blk, 2 + ls_bp128_size(wd) + ls_bp128_size(wt)) != LS_OK)
            return LS_ENOMEM;
        blk->data[blk->len++] = (uint8_t)wd;
        blk->data[blk->len++] = (uint8_t)wt;
        ls_bp128_pack(gaps, wd, blk->data + blk->len);
        blk->len += ls_bp128_size(wd);
        ls_bp128_pack(tfm1, wt, blk->data + blk->len);
        blk->len += ls_bp128_size(wt);
        uint8_t e[LS_SKIP_ENTRY_SIZE];
        ls_put_u32le(e, prev);
        ls_put_u32le(e + 4, (uint32_t)blk->len);
        ls_put_u64le(e + 8, in->pos_end[(b + 1) * LS_BLOCK - 1]);
        ls_put_u32le(e + 16, max_tf);
        ls_impacts_put(e + 20, im, nim);
        if (ls_buf_append(skip, e, sizeof e) != LS_OK)
            return LS_ENOMEM;
    }
    for (uint32_t i = nblocks * LS_BLOCK; i < in->n; i++) {
        uint32_t gap = in->docs[i] - prev - 1;
        prev = in->docs[i];
        if (ls_buf_put_vbyte64(blk, (uint64_t)gap << 1 | (in->tfs[i] == 1)) != LS_OK)
            return LS_ENOMEM;
        if (in->tfs[i] != 1 && ls_buf_put_vbyte(blk, in->tfs[i]) != LS_OK)
            return LS_ENOMEM;
    }
    return LS_OK;
}

int ls_postings_write(ls_fwriter *docw, ls_fwriter *posw, const ls_term_input *in,
                      ls_buf *scratch, ls_term_meta *meta, ls_error *err)
{
    /* scratch holds the skip table; the blocks go to their own buffer. */
    ls_buf skip = *scratch, blk = LS_BUF_INIT;
    skip.len = 0;
    int rc = LS_OK;
    memset(meta, 0, sizeof *meta);
    meta->df = in->n;
    meta->min_len = UINT32_MAX;
    for (uint32_t i = 0; i < in->n; i++) {
        meta->cf += in->tfs[i];
        if (in->tfs[i] > meta->max_tf)
            meta->max_tf = in->tfs[i];
        if (in->lens[i] < meta->min_len)
            meta->min_len = in->lens[i];
    }
    if (write_blocks(&blk, in, &skip) != LS_OK) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory writing postings");
        goto done;
    }
    if (blk.len > UINT32_MAX) {
        rc = ls_error_set(err, LS_ELIMIT, "postings of one term exceed 4 GiB");
        goto done;
    }
    meta->doc_off = docw->offset - docw->paged_from;
    meta->pos_off = posw->offset - posw->paged_from;
    meta->pos_bytes = in->n ? in->pos_end[in->n - 1] : 0;
    rc = ls_fwriter_write(docw, skip.data, skip.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(docw, blk.data, blk.len, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(posw, in->pos, (size_t)meta->pos_bytes, err);
    meta->doc_bytes = skip.len + blk.len;
done:
    *scratch = skip;
    ls_buf_free(&blk);
    return rc;
}

int ls_postings_view_init(ls_postings_view *v, const ls_term_meta *m, const ls_pages *docs,
                          const ls_pages *pos)
{
    if (m->df == 0 || m->doc_off > docs->len || m->doc_bytes > docs->len - m->doc_off ||
        m->pos_off > pos->len || m->pos_bytes > pos->len - m->pos_off)
        return LS_ECORRUPT;
    v->df = m->df;
    v->nblocks = m->df / LS_BLOCK;
    if ((uint64_t)v->nblocks * LS_SKIP_ENTRY_SIZE > m->doc_bytes)
        return LS_ECORRUPT;
    v->doc_pages = docs;
    v->pos_pages = pos;
    v->skip = docs->data + m->doc_off;
    v->blocks = v->skip + (size_t)v->nblocks * LS_SKIP_ENTRY_SIZE;
    v->end = docs->data + m->doc_off + m->doc_bytes;
    v->pos = pos->data + m->pos_off;
    v->pos_end = v->pos + m->pos_bytes;
    return LS_OK;
}

/* The base of block i: the last document before it (-1 for the first). */
static int block_base(const ls_postings_view *v, uint32_t i, uint32_t *prev)
{
    if (i == 0) {
        *prev = UINT32_MAX;
        return LS_OK;
    }
    if (!ls_skip_entry_ok(v, i - 1))
        return LS_ECORRUPT;
    *prev = ls_skip_last_doc(v, i - 1);
    return LS_OK;
}

int ls_postings_decode_block(const ls_postings_view *v, uint32_t i, uint32_t *docs,
                             uint32_t *tfs)
{
    uint32_t prev;
    if (!ls_skip_entry_ok(v, i) || block_base(v, i, &prev) != LS_OK)
        return LS_ECORRUPT;
    size_t start = i ? ls_skip_block_end(v, i - 1) : 0;
    size_t stop = ls_skip_block_end(v, i);
    size_t avail = (size_t)(v->end - v->blocks);
    if (start + 2 > stop || stop > avail)
        return LS_ECORRUPT;
    const uint8_t *p = v->blocks + start;
    if (ls_pages_ok(v->doc_pages, p, stop - start) != LS_OK)
        return LS_ECORRUPT;
    unsigned wd = p[0], wt = p[1];
    if (wd > 32 || wt > 32 || 2 + ls_bp128_size(wd) + ls_bp128_size(wt) != stop - start)
        return LS_ECORRUPT;
    ls_bp128_unpack(p + 2, wd, docs);
    ls_bp128_unpack(p + 2 + ls_bp128_size(wd), wt, tfs);
    uint32_t d = prev;
    for (uint32_t j = 0; j < LS_BLOCK; j++) {
        d += docs[j] + 1;
        docs[j] = d;
        tfs[j] += 1;
    }
    if (d != ls_skip_last_doc(v, i))
        return LS_ECORRUPT;
    return LS_OK;
}

int ls_postings_decode_tail(const ls_postings_view *v, uint32_t *docs, uint32_t *tfs)
{
    uint32_t n = v->df % LS_BLOCK, prev;
    if (n == 0)
        return 0;
    if (block_base(v, v->nblocks, &prev) != LS_OK)
        return LS_ECORRUPT;
    size_t start = v->nblocks ? ls_skip_block_end(v, v->nblocks - 1) : 0;
    if (start > (size_t)(v->end - v->blocks))
        return LS_ECORRUPT;
    const uint8_t *p = v->blocks + start, *end = v->end;
    if (ls_pages_ok(v->doc_pages, p, (size_t)(end - p)) != LS_OK)
        return LS_ECORRUPT;
    uint64_t d = (uint64_t)prev + 1; /* wraps -1 to 0 */
    d &= 0xffffffffu;
    for (uint32_t j = 0; j < n; j++) {
        uint64_t x;
        uint32_t tf = 1;
        if (end - p >= 3 && (p[0] & p[1] & p[2] & 0x80) == 0) {
            /* one to three bytes (nearly every gap of a tail), inline */
            if (p[0] < 0x80) {
                x = p[0];
                p += 1;
            } else if (p[1] < 0x80) {
                x = (uint64_t)(p[0] & 0x7F) | (uint64_t)p[1] << 7;
                p += 2;
            } else {
                x = (uint64_t)(p[0] & 0x7F) | (uint64_t)(p[1] & 0x7F) << 7 | (uint64_t)p[2] << 14;
                p += 3;
            }
        } else {
            const uint8_t *r = p; /* p's address stays private: it can live in a register */
            if (ls_vbyte_get64(&r, end, &x) != 0)
                return LS_ECORRUPT;
            p = r;
        }
        if (!(x & 1)) {
            if (p < end && *p < 0x80) {
                tf = *p++;
            } else {
                const uint8_t *r = p;
                uint32_t t;
                if (ls_vbyte_get_slow(&r, end, &t) != 0)
                    return LS_ECORRUPT;
                p = r;
                tf = t;
            }
            if (tf < 2)
                return LS_ECORRUPT;
        }
        d += (x >> 1) + (j ? 1 : 0);
        if (d >= LS_DOC_END)
            return LS_ECORRUPT;
        docs[j] = (uint32_t)d;
        tfs[j] = tf;
    }
    if (p != end)
        return LS_ECORRUPT;
    return (int)n;
}

int ls_postings_block_positions(const ls_postings_view *v, uint32_t i, const uint8_t **p,
                                const uint8_t **end)
{
    uint64_t start = 0, stop = (uint64_t)(v->pos_end - v->pos);
    if (i > 0) {
        if (!ls_skip_entry_ok(v, i - 1))
            return LS_ECORRUPT;
        start = ls_skip_pos_end(v, i - 1);
    }
    if (i < v->nblocks) {
        if (!ls_skip_entry_ok(v, i))
            return LS_ECORRUPT;
        stop = ls_skip_pos_end(v, i);
    } else if (v->df % LS_BLOCK == 0) {
        return LS_ECORRUPT;
    }
    if (start > stop || stop > (uint64_t)(v->pos_end - v->pos) ||
        ls_pages_ok(v->pos_pages, v->pos + start, (size_t)(stop - start)) != LS_OK)
        return LS_ECORRUPT;
    *p = v->pos + start;
    *end = v->pos + stop;
    return LS_OK;
}

static int iter_load(ls_postings_iter *it, uint32_t b)
{
    const ls_postings_view *v = &it->v;
    it->block = b;
    it->i = 0;
    int rc;
    if (b < v->nblocks) {
        it->n = LS_BLOCK;
        rc = ls_postings_decode_block(v, b, it->docs, it->tfs);
    } else {
        int n = ls_postings_decode_tail(v, it->docs, it->tfs);
        it->n = n < 0 ? 0 : (uint32_t)n;
        rc = n < 0 ? LS_ECORRUPT : LS_OK;
    }
    if (rc == LS_OK && it->positions && it->n > 0)
        rc = ls_postings_block_positions(v, b, &it->pos_p, &it->pos_stop);
    return rc;
}

int ls_postings_iter_init(ls_postings_iter *it, const ls_postings_view *v, int positions)
{
    it->v = *v;
    it->positions = positions;
    it->pos_p = it->pos_stop = NULL;
    return iter_load(it, 0);
}

int ls_postings_iter_next(ls_postings_iter *it, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                          size_t *pos_len)
{
    while (it->i >= it->n) {
        if (it->positions && it->n > 0 && it->pos_p != it->pos_stop)
            return LS_ECORRUPT; /* the block's positions did not add up */
        if (it->block >= it->v.nblocks)
            return 0;
        int rc = iter_load(it, it->block + 1);
        if (rc != LS_OK)
            return rc;
    }
    const uint8_t *start = it->pos_p;
    if (it->positions && ls_positions_skip(&it->pos_p, it->pos_stop, it->tfs[it->i]) != LS_OK)
        return LS_ECORRUPT;
    *doc = it->docs[it->i];
    *tf = it->tfs[it->i];
    if (pos != NULL)
        *pos = start;
    if (pos_len != NULL)
        *pos_len = it->positions ? (size_t)(it->pos_p - start) : 0;
    it->i++;
    return 1;
}
