/* SPDX-License-Identifier: MIT */
/*
 * postings.c - writer and decoders of FORMAT.md "Postings" and "Positions" (see postings.h).
 * Bit packing after Lemire & Boytsov (codec/bitpack.c); skip table per 128-posting block with
 * block-max inputs for MaxScore / Block-Max WAND (Ding & Suel 2011).
 */
#include "format/postings.h"

#include <string.h>

#include "codec/vbyte.h"
#include "format/positions.h"
#include "libsearch.h"
#include "util/error.h"

static int write_blocks(ls_buf *blk, const ls_term_input *in, ls_buf *skip)
{
    uint32_t gaps[LS_BLOCK], tfm1[LS_BLOCK];
    uint32_t nblocks = in->n / LS_BLOCK;
    uint32_t prev = UINT32_MAX;
    for (uint32_t b = 0; b < nblocks; b++) {
        uint32_t max_tf = 0, min_len = UINT32_MAX;
        for (uint32_t j = 0; j < LS_BLOCK; j++) {
            uint32_t i = b * LS_BLOCK + j;
            gaps[j] = in->docs[i] - prev - 1;
            prev = in->docs[i];
            tfm1[j] = in->tfs[i] - 1;
            if (in->tfs[i] > max_tf)
                max_tf = in->tfs[i];
            if (in->lens[i] < min_len)
                min_len = in->lens[i];
        }
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
        ls_put_u32le(e + 20, min_len);
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
    /* scratch holds the skip table first, then the blocks from blk_start. */
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
    meta->doc_off = docw->offset - 8;
    meta->pos_off = posw->offset - 8;
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

int ls_postings_view_init(ls_postings_view *v, const ls_term_meta *m, const uint8_t *doc_body,
                          size_t doc_len, const uint8_t *pos_body, size_t pos_len)
{
    if (m->df == 0 || m->doc_off > doc_len || m->doc_bytes > doc_len - m->doc_off ||
        m->pos_off > pos_len || m->pos_bytes > pos_len - m->pos_off)
        return LS_ECORRUPT;
    v->df = m->df;
    v->nblocks = m->df / LS_BLOCK;
    if ((uint64_t)v->nblocks * LS_SKIP_ENTRY_SIZE > m->doc_bytes)
        return LS_ECORRUPT;
    v->skip = doc_body + m->doc_off;
    v->blocks = v->skip + (size_t)v->nblocks * LS_SKIP_ENTRY_SIZE;
    v->end = doc_body + m->doc_off + m->doc_bytes;
    v->pos = pos_body + m->pos_off;
    v->pos_end = v->pos + m->pos_bytes;
    return LS_OK;
}

int ls_postings_decode_block(const ls_postings_view *v, uint32_t i, uint32_t prev_doc,
                             uint32_t *docs, uint32_t *tfs)
{
    size_t start = i ? ls_skip_block_end(v, i - 1) : 0;
    size_t stop = ls_skip_block_end(v, i);
    size_t avail = (size_t)(v->end - v->blocks);
    if (start + 2 > stop || stop > avail)
        return LS_ECORRUPT;
    const uint8_t *p = v->blocks + start;
    unsigned wd = p[0], wt = p[1];
    if (wd > 32 || wt > 32 || 2 + ls_bp128_size(wd) + ls_bp128_size(wt) != stop - start)
        return LS_ECORRUPT;
    ls_bp128_unpack(p + 2, wd, docs);
    ls_bp128_unpack(p + 2 + ls_bp128_size(wd), wt, tfs);
    uint32_t d = prev_doc;
    for (uint32_t j = 0; j < LS_BLOCK; j++) {
        d += docs[j] + 1;
        docs[j] = d;
        tfs[j] += 1;
    }
    if (d != ls_skip_last_doc(v, i))
        return LS_ECORRUPT;
    return LS_OK;
}

int ls_postings_decode_tail(const ls_postings_view *v, uint32_t prev_doc, uint32_t *docs,
                            uint32_t *tfs)
{
    uint32_t n = v->df % LS_BLOCK;
    size_t start = v->nblocks ? ls_skip_block_end(v, v->nblocks - 1) : 0;
    if (start > (size_t)(v->end - v->blocks))
        return LS_ECORRUPT;
    const uint8_t *p = v->blocks + start;
    uint64_t d = (uint64_t)prev_doc + 1; /* wraps -1 to 0 */
    d &= 0xffffffffu;
    for (uint32_t j = 0; j < n; j++) {
        uint64_t x;
        uint32_t tf = 1;
        if (ls_vbyte_get64(&p, v->end, &x) != 0)
            return LS_ECORRUPT;
        if (!(x & 1) && (ls_vbyte_get(&p, v->end, &tf) != 0 || tf < 2))
            return LS_ECORRUPT;
        d += (x >> 1) + (j ? 1 : 0);
        if (d >= LS_DOC_END)
            return LS_ECORRUPT;
        docs[j] = (uint32_t)d;
        tfs[j] = tf;
    }
    return (int)n;
}

static int iter_load(ls_postings_iter *it, uint32_t b)
{
    const ls_postings_view *v = &it->v;
    uint32_t prev = b ? ls_skip_last_doc(v, b - 1) : UINT32_MAX;
    it->block = b;
    it->i = 0;
    if (b < v->nblocks) {
        it->n = LS_BLOCK;
        return ls_postings_decode_block(v, b, prev, it->docs, it->tfs);
    }
    int n = ls_postings_decode_tail(v, prev, it->docs, it->tfs);
    if (n < 0)
        return LS_ECORRUPT;
    it->n = (uint32_t)n;
    return LS_OK;
}

int ls_postings_iter_init(ls_postings_iter *it, const ls_postings_view *v)
{
    it->v = *v;
    it->pos_p = v->pos;
    return iter_load(it, 0);
}

int ls_postings_iter_next(ls_postings_iter *it, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                          size_t *pos_len)
{
    while (it->i >= it->n) {
        if (it->block >= it->v.nblocks)
            return 0;
        int rc = iter_load(it, it->block + 1);
        if (rc != LS_OK)
            return rc;
    }
    const uint8_t *start = it->pos_p;
    if (ls_positions_skip(&it->pos_p, it->v.pos_end, it->tfs[it->i]) != LS_OK)
        return LS_ECORRUPT;
    *doc = it->docs[it->i];
    *tf = it->tfs[it->i];
    if (pos != NULL)
        *pos = start;
    if (pos_len != NULL)
        *pos_len = (size_t)(it->pos_p - start);
    it->i++;
    return 1;
}
