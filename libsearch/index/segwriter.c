/* SPDX-License-Identifier: MIT */
/*
 * segwriter.c - sorted terms -> term dictionary, postings (with skip tables), positions;
 * document lengths. Buffers are reused across terms: no allocation per posting.
 */
#include "index/segwriter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/doclens.h"
#include "format/fileheader.h"
#include "format/filenames.h"
#include "format/postings.h"
#include "format/termdict.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

static int cmp_ids(const void *a, const void *b, void *payload)
{
    const ls_strtab *sort_keys = payload;
    size_t la, lb;
    const uint8_t *ka = ls_strtab_key(sort_keys, *(const uint32_t *)a, &la);
    const uint8_t *kb = ls_strtab_key(sort_keys, *(const uint32_t *)b, &lb);
    int c = memcmp(ka, kb, la < lb ? la : lb);
    return c ? c : (la < lb ? -1 : la > lb);
}

typedef struct term_scratch {
    uint32_t *docs, *tfs, *lens;
    uint64_t *pos_end;
    size_t cap;
    ls_buf pos;
    ls_buf skip;
} term_scratch;

static int reserve(term_scratch *s, size_t n)
{
    if (n <= s->cap)
        return LS_OK;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < n)
        cap *= 2;
    uint32_t *d = ls_reallocarray(s->docs, cap, 4), *t = NULL, *l = NULL;
    if (d)
        s->docs = d;
    t = ls_reallocarray(s->tfs, cap, 4);
    if (t)
        s->tfs = t;
    l = ls_reallocarray(s->lens, cap, 4);
    if (l)
        s->lens = l;
    uint64_t *p = ls_reallocarray(s->pos_end, cap, 8);
    if (p)
        s->pos_end = p;
    if (!d || !t || !l || !p)
        return LS_ENOMEM;
    s->cap = cap;
    return LS_OK;
}

/* Decodes one term's buffer into the scratch arrays. */
static int decode_list(const ls_inverter *inv, uint32_t id, uint8_t field, term_scratch *s)
{
    if (reserve(s, inv->lists[id].df) != LS_OK)
        return LS_ENOMEM;
    s->pos.len = 0;
    ls_inverter_iter it;
    ls_inverter_iter_init(inv, id, &it);
    uint32_t doc, tf;
    const uint8_t *ps;
    size_t plen;
    for (uint32_t i = 0; ls_inverter_iter_next(&it, &doc, &tf, &ps, &plen); i++) {
        if (ls_buf_append(&s->pos, ps, plen) != LS_OK)
            return LS_ENOMEM;
        s->docs[i] = doc;
        s->tfs[i] = tf;
        const uint8_t *le = inv->lens.data;
        s->lens[i] = field == LS_KEY_TITLE ? ls_doclen_title(le, doc) : ls_doclen_all(le, doc);
        s->pos_end[i] = s->pos.len;
    }
    return LS_OK;
}

typedef struct seg_files {
    ls_fwriter tid, doc, pos, len;
} seg_files;

static int open_files(const char *dir, uint32_t id, seg_files *f, ls_error *err)
{
    ls_fwriter *ws[4] = {&f->tid, &f->doc, &f->pos, &f->len};
    const ls_segfile kinds[4] = {LS_SEGFILE_TID, LS_SEGFILE_DOC, LS_SEGFILE_POS, LS_SEGFILE_LEN};
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 4; i++)
        ws[i]->fd = -1;
    for (int i = 0; i < 4; i++) {
        char *p = ls_segfile_path(dir, id, kinds[i]);
        if (p == NULL)
            return ls_error_set(err, LS_ENOMEM, "out of memory");
        int rc = ls_fwriter_open(ws[i], p, err);
        ls_free(p);
        if (rc == LS_OK)
            rc = ls_header_write(ws[i], ls_segfile_kinds[kinds[i]].magic, err);
        if (rc != LS_OK)
            return rc;
    }
    return LS_OK;
}

static int write_terms(const ls_inverter *inv, seg_files *f, ls_error *err)
{
    int rc = LS_OK;
    size_t n = inv->keys.count;
    uint32_t *ids = ls_calloc(n, sizeof *ids);
    term_scratch s;
    memset(&s, 0, sizeof s);
    ls_termdict_writer tw;
    ls_termdict_writer_init(&tw, &f->tid);
    if (ids == NULL) {
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)i;
    qsort_r(ids, n, sizeof *ids, cmp_ids, (void *)&inv->keys);
    for (size_t i = 0; i < n; i++) {
        size_t klen;
        const uint8_t *key = ls_strtab_key(&inv->keys, ids[i], &klen);
        if (decode_list(inv, ids[i], key[0], &s) != LS_OK) {
            rc = ls_error_set(err, LS_ENOMEM, "out of memory writing a segment");
            goto fail;
        }
        ls_term_input in = {s.docs, s.tfs, s.lens, s.pos.data, s.pos_end, inv->lists[ids[i]].df};
        ls_term_meta meta;
        LS_TRY(ls_postings_write(&f->doc, &f->pos, &in, &s.skip, &meta, err));
        LS_TRY(ls_termdict_add(&tw, key, klen, &meta, err));
    }
    rc = ls_termdict_finish(&tw, err);
fail:
    ls_termdict_writer_free(&tw);
    ls_free(ids);
    ls_free(s.docs);
    ls_free(s.tfs);
    ls_free(s.lens);
    ls_free(s.pos_end);
    ls_buf_free(&s.pos);
    ls_buf_free(&s.skip);
    return rc;
}

int ls_segment_write(const char *dir, uint32_t id, const ls_inverter *inv, ls_seg_info *info,
                     ls_error *err)
{
    seg_files f;
    int rc = open_files(dir, id, &f, err);
    if (rc == LS_OK)
        rc = write_terms(inv, &f, err);
    if (rc == LS_OK)
        rc = ls_fwriter_write(&f.len, inv->lens.data, inv->lens.len, err);
    ls_fwriter *ws[4] = {&f.tid, &f.doc, &f.pos, &f.len};
    for (int i = 0; i < 4; i++) {
        if (rc == LS_OK)
            rc = ls_footer_finish(ws[i], err);
        else
            ls_fwriter_abort(ws[i]);
    }
    if (rc != LS_OK) {
        ls_segfiles_remove(dir, id);
        return rc;
    }
    info->id = id;
    info->ndocs = inv->ndocs;
    info->tokens_all = inv->tokens_all;
    info->tokens_title = inv->tokens_title;
    info->del_gen = 0;
    return LS_OK;
}
