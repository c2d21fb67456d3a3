/* SPDX-License-Identifier: MIT */
/*
 * segwriter.c - segment file sets, term lists, and a new segment from an inverter: sorted
 * terms -> term dictionary, postings (with skip tables), positions; document lengths; the id
 * dictionary. Buffers are reused across terms: no allocation per posting.
 */
#include "index/segwriter.h"

#include <stdlib.h>
#include <string.h>

#include "format/doclens.h"
#include "format/fileheader.h"
#include "format/ids.h"
#include "format/postings.h"
#include "format/pairs.h"
#include "index/pairer.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

int ls_seg_out_open(ls_seg_out *o, const char *dir, uint32_t id, uint64_t tag, unsigned mask,
                    ls_error *err)
{
    memset(o, 0, sizeof *o);
    o->id = id;
    o->tag = tag;
    o->dir = dir;
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        o->f[k].fd = -1;
    for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
        if (!(mask & LS_SEGFILE_BIT(k)))
            continue;
        char *p = ls_segfile_path(dir, id, (ls_segfile)k);
        int rc = p ? ls_fwriter_open(&o->f[k], p, err) : ls_error_set(err, LS_ENOMEM, "out of memory");
        ls_free(p);
        if (rc == LS_OK) {
            o->open |= LS_SEGFILE_BIT(k);
            o->f[k].tag = tag;
            rc = ls_header_write(&o->f[k], ls_segfile_kinds[k].magic, err);
        }
        if (rc == LS_OK && ls_segfile_kinds[k].paged)
            rc = ls_fwriter_begin_pages(&o->f[k], err);
        if (rc != LS_OK) {
            ls_seg_out_abort(o);
            return rc;
        }
    }
    return LS_OK;
}

int ls_seg_out_finish(ls_seg_out *o, ls_error *err)
{
    int rc = LS_OK;
    for (int k = 0; k < LS_SEGFILE_COUNT; k++) {
        if (!(o->open & LS_SEGFILE_BIT(k)))
            continue;
        o->open &= ~LS_SEGFILE_BIT(k);
        if (rc == LS_OK && ls_segfile_kinds[k].paged)
            rc = ls_fwriter_end_pages(&o->f[k], err);
        if (rc == LS_OK)
            rc = ls_footer_finish(&o->f[k], err);
        else
            ls_fwriter_abort(&o->f[k]);
    }
    if (rc != LS_OK)
        ls_segfiles_remove(o->dir, o->id);
    return rc;
}

void ls_seg_out_abort(ls_seg_out *o)
{
    for (int k = 0; k < LS_SEGFILE_COUNT; k++)
        if (o->open & LS_SEGFILE_BIT(k))
            ls_fwriter_abort(&o->f[k]);
    o->open = 0;
    ls_segfiles_remove(o->dir, o->id);
}

/* ---- term lists ---- */

void ls_term_list_reset(ls_term_list *l)
{
    l->n = 0;
    l->pos.len = 0;
    l->paired = 0;
}

static int grow(ls_term_list *l)
{
    size_t cap = l->cap ? l->cap * 2 : 256;
    uint32_t *d = ls_reallocarray(l->docs, cap, 4);
    if (d)
        l->docs = d;
    uint32_t *t = ls_reallocarray(l->tfs, cap, 4);
    if (t)
        l->tfs = t;
    uint32_t *n = ls_reallocarray(l->lens, cap, 4);
    if (n)
        l->lens = n;
    uint64_t *p = ls_reallocarray(l->pos_end, cap, 8);
    if (p)
        l->pos_end = p;
    if (!d || !t || !n || !p)
        return LS_ENOMEM;
    l->cap = cap;
    return LS_OK;
}

int ls_term_list_push(ls_term_list *l, uint32_t doc, uint32_t tf, uint32_t len,
                      const uint8_t *pos, size_t pos_len)
{
    if (l->n == l->cap && grow(l) != LS_OK)
        return LS_ENOMEM;
    if (ls_buf_append(&l->pos, pos, pos_len) != LS_OK)
        return LS_ENOMEM;
    l->docs[l->n] = doc;
    l->tfs[l->n] = tf;
    l->lens[l->n] = len;
    l->pos_end[l->n] = l->pos.len;
    l->n++;
    return LS_OK;
}

int ls_term_list_write(ls_term_list *l, ls_seg_out *o, ls_termdict_writer *tw,
                       const uint8_t *key, size_t klen, ls_error *err)
{
    if (l->n > LS_MAX_SEGMENT_DOCS)
        return ls_error_set(err, LS_ELIMIT, "a term's list exceeds the segment limit");
    ls_term_input in = {l->docs, l->tfs, l->lens, l->pos.data, l->pos_end, (uint32_t)l->n};
    ls_term_meta meta;
    int rc = ls_postings_write(&o->f[LS_SEGFILE_DOC], &o->f[LS_SEGFILE_POS], &in, &l->skip,
                               &meta, err);
    meta.paired = l->paired;
    if (rc == LS_OK)
        rc = ls_termdict_add(tw, key, klen, &meta, err);
    return rc;
}

void ls_term_list_free(ls_term_list *l)
{
    ls_free(l->docs);
    ls_free(l->tfs);
    ls_free(l->lens);
    ls_free(l->pos_end);
    ls_buf_free(&l->pos);
    ls_buf_free(&l->skip);
    memset(l, 0, sizeof *l);
}

/* ---- a segment from an inverter ---- */

static int cmp_ids(const void *a, const void *b, void *payload)
{
    const ls_strtab *sort_keys = payload;
    size_t la, lb;
    const uint8_t *ka = ls_strtab_key(sort_keys, *(const uint32_t *)a, &la);
    const uint8_t *kb = ls_strtab_key(sort_keys, *(const uint32_t *)b, &lb);
    return ls_key_cmp(ka, la, kb, lb);
}

/* Gathers one key's in-RAM postings into l (the documents' lengths from lens: word pairs
 * keep none of their own, and are written without positions). */
static int gather(const ls_inverter *inv, const uint8_t *lens, uint32_t id, uint8_t field,
                  ls_term_list *l)
{
    ls_term_list_reset(l);
    ls_inverter_iter it;
    ls_inverter_iter_init(inv, id, &it);
    uint32_t doc, tf;
    const uint8_t *ps;
    size_t plen;
    const uint8_t *le = lens;
    while (ls_inverter_iter_next(&it, &doc, &tf, &ps, &plen)) {
        uint32_t len = field == LS_KEY_TITLE ? ls_doclen_title(le, doc) : ls_doclen_all(le, doc);
        if (ls_term_list_push(l, doc, tf, len, ps, field == LS_KEY_PAIR ? 0 : plen) != LS_OK)
            return LS_ENOMEM;
    }
    return LS_OK;
}

/* Writes the lists of inv's keys in key order; paired (per key id, or NULL) marks them. */
static int write_keys(const ls_inverter *inv, const uint8_t *lens, const uint8_t *paired,
                      ls_seg_out *o, ls_termdict_writer *tw, ls_term_list *l, ls_error *err)
{
    size_t n = inv->keys.count;
    uint32_t *ids = ls_calloc(n ? n : 1, sizeof *ids);
    if (ids == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)i;
    qsort_r(ids, n, sizeof *ids, cmp_ids, (void *)&inv->keys);
    int rc = LS_OK;
    for (size_t i = 0; i < n && rc == LS_OK; i++) {
        size_t klen;
        const uint8_t *key = ls_strtab_key(&inv->keys, ids[i], &klen);
        if (gather(inv, lens, ids[i], key[0], l) != LS_OK) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory writing a segment");
            break;
        }
        l->paired = paired != NULL && paired[ids[i]];
        rc = ls_term_list_write(l, o, tw, key, klen, err);
    }
    ls_free(ids);
    return rc;
}

int ls_pairs_write(const ls_inverter *pairs, const uint8_t *lens, ls_seg_out *o,
                   ls_termdict_writer *tw, ls_term_list *l, ls_error *err)
{
    return write_keys(pairs, lens, NULL, o, tw, l, err);
}

/* The words' lists, then their pairs' (whose keys sort after every word's). */
static int write_terms(const ls_inverter *inv, ls_seg_out *o, ls_error *err)
{
    ls_term_list l;
    memset(&l, 0, sizeof l);
    ls_inverter pairs;
    ls_inverter_init_counts(&pairs);
    uint8_t *paired = ls_calloc(inv->keys.count ? inv->keys.count : 1, 1);
    ls_termdict_writer tw;
    int rc = ls_termdict_writer_init(&tw, &o->f[LS_SEGFILE_TID]);
    if (rc != LS_OK || paired == NULL || ls_pairs_invert_new(inv, paired, &pairs) != LS_OK) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory writing a segment");
        goto done;
    }
    rc = write_keys(inv, inv->lens.data, paired, o, &tw, &l, err);
    if (rc == LS_OK)
        rc = ls_pairs_write(&pairs, inv->lens.data, o, &tw, &l, err);
    if (rc == LS_OK)
        rc = ls_termdict_finish(&tw, err);
done:
    ls_termdict_writer_free(&tw);
    ls_inverter_free(&pairs);
    ls_free(paired);
    ls_term_list_free(&l);
    return rc;
}

static int write_ids(ls_fwriter *w, const ls_id_entry *ids, size_t n, ls_error *err)
{
    ls_ids_writer iw;
    if (ls_ids_writer_init(&iw, w) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    int rc = LS_OK;
    for (size_t i = 0; i < n && rc == LS_OK; i++)
        rc = ls_ids_add(&iw, ids[i].id, ids[i].len, ids[i].doc, ids[i].stamp, ids[i].stamp_len,
                        err);
    if (rc == LS_OK)
        return ls_ids_finish(&iw, err);
    ls_ids_writer_free(&iw);
    return rc;
}

int ls_segment_write(const char *dir, uint32_t id, uint64_t tag, const ls_inverter *inv,
                     const ls_id_entry *ids, size_t n_ids, ls_seg_info *info, ls_error *err)
{
    ls_seg_out o;
    unsigned mask = LS_SEGFILE_BIT(LS_SEGFILE_TID) | LS_SEGFILE_BIT(LS_SEGFILE_DOC) |
                    LS_SEGFILE_BIT(LS_SEGFILE_POS) | LS_SEGFILE_BIT(LS_SEGFILE_LEN) |
                    LS_SEGFILE_BIT(LS_SEGFILE_IDS);
    int rc = ls_seg_out_open(&o, dir, id, tag, mask, err);
    if (rc != LS_OK)
        return rc;
    rc = write_terms(inv, &o, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(&o.f[LS_SEGFILE_LEN], inv->lens.data, inv->lens.len, err);
    if (rc == LS_OK)
        rc = write_ids(&o.f[LS_SEGFILE_IDS], ids, n_ids, err);
    if (rc != LS_OK) {
        ls_seg_out_abort(&o);
        return rc;
    }
    rc = ls_seg_out_finish(&o, err);
    if (rc != LS_OK)
        return rc;
    memset(info, 0, sizeof *info);
    info->id = id;
    info->tag = tag;
    info->ndocs = inv->ndocs;
    info->tokens_all = inv->tokens_all;
    info->tokens_title = inv->tokens_title;
    return LS_OK;
}
