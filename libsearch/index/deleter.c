/* SPDX-License-Identifier: MIT */
/*
 * deleter.c - deletion files with exact df corrections (see deleter.h).
 */
#include "index/deleter.h"

#include <stdlib.h>
#include <string.h>

#include "format/doclens.h"
#include "format/pairs.h"
#include "index/inverter.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"

/* Distinct keys of the fresh documents with the number of them holding each. */
typedef struct corr_count {
    const ls_segment *s;
    ls_strtab keys;
    uint32_t *count, *last_doc; /* by key id */
    int8_t *paired;             /* by key id: the segment pairs the word (format/pairs.h) */
    size_t cap;
    uint32_t doc; /* the document being analyzed, + 1 */
    /* the all-field word before, for the word pairs: its key id and position */
    uint32_t prev_id, prev_pos, prev_doc;
} corr_count;

/* Counts key once per document; *id_out gets its id. */
static int count_once(corr_count *c, const uint8_t *key, size_t len, uint32_t *id_out)
{
    uint32_t id;
    int is_new;
    if (ls_strtab_intern(&c->keys, key, len, &id, &is_new) != LS_OK)
        return LS_ENOMEM;
    size_t cap_last = c->cap, cap_paired = c->cap; /* the arrays grow together */
    if (ls_grow(&c->last_doc, &cap_last, (size_t)id + 1, sizeof *c->last_doc) != LS_OK ||
        ls_grow(&c->paired, &cap_paired, (size_t)id + 1, sizeof *c->paired) != LS_OK ||
        ls_grow(&c->count, &c->cap, (size_t)id + 1, sizeof *c->count) != LS_OK)
        return LS_ENOMEM;
    if (is_new) {
        c->count[id] = 0;
        c->last_doc[id] = 0;
        ls_term_meta m;
        c->paired[id] = key[0] == LS_KEY_ALL &&
                        ls_termdict_find(&c->s->dict, key, len, &m) == 1 && m.paired;
    }
    if (c->last_doc[id] != c->doc) { /* once per document */
        c->last_doc[id] = c->doc;
        c->count[id]++;
    }
    *id_out = id;
    return LS_OK;
}

/* A key of the document; with the word before it, it may make a word pair, which the
 * segment indexed too and whose count drops as well. */
static int count_key(const uint8_t *key, size_t len, uint32_t pos, void *payload)
{
    corr_count *c = payload;
    uint32_t id;
    if (count_once(c, key, len, &id) != LS_OK)
        return LS_ENOMEM;
    if (key[0] != LS_KEY_ALL || !c->paired[id])
        return LS_OK;
    uint32_t prev = c->prev_id;
    int adjacent = c->prev_doc == c->doc && pos > 0 && c->prev_pos == pos - 1;
    c->prev_id = id;
    c->prev_pos = pos;
    c->prev_doc = c->doc;
    if (!adjacent)
        return LS_OK;
    uint8_t pk[LS_MAX_KEY_BYTES]; /* built before interning can move the keys */
    size_t la, lb;
    const uint8_t *a = ls_strtab_key(&c->keys, prev, &la);
    const uint8_t *b = ls_strtab_key(&c->keys, id, &lb);
    size_t klen = ls_pair_key(pk, a + 1, la - 1, b + 1, lb - 1);
    uint32_t pid;
    return count_once(c, pk, klen, &pid);
}

static void corr_free(corr_count *c)
{
    ls_strtab_free(&c->keys);
    ls_free(c->count);
    ls_free(c->last_doc);
    ls_free(c->paired);
}

/* Analyzes the fresh documents' stored text; subtracts their lengths from *info. */
static int count_fresh(const ls_segment *s, const uint32_t *fresh, uint32_t n, ls_analyzer *an,
                       corr_count *c, ls_seg_info *info, ls_error *err)
{
    ls_stored_cache cache = LS_STORED_CACHE_INIT;
    int rc = ls_segment_lens_ok(s, err);
    for (uint32_t i = 0; i < n && rc == LS_OK; i++) {
        uint32_t d = fresh[i];
        const char *f[4];
        size_t l[4];
        rc = ls_stored_get(&s->stored, d, &cache, f, l);
        if (rc != LS_OK) {
            rc = ls_error_set(err, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
                              "'%s': cannot read stored document %u", s->fdt.path, d);
            break;
        }
        c->doc = d + 1;
        ls_doc_counts dc;
        rc = ls_doc_keys(an, f[1], l[1], f[2], l[2], count_key, c, &dc);
        if (rc != LS_OK) {
            rc = ls_error_set(err, rc == LS_ENOMEM ? rc : LS_ECORRUPT,
                              "cannot analyze deleted document %u of '%s'", d, s->fdt.path);
            break;
        }
        uint32_t all = ls_doclen_all(s->len.body, d), title = ls_doclen_title(s->len.body, d);
        if (dc.tokens_all != all || dc.tokens_title != title || all > info->tokens_all ||
            title > info->tokens_title)
            rc = ls_error_set(err, LS_ECORRUPT,
                              "'%s': document %u's text no longer gives its indexed lengths "
                              "(was the analyzer changed?)",
                              s->len.path, d);
        info->tokens_all -= all;
        info->tokens_title -= title;
    }
    ls_stored_cache_free(&cache);
    return rc;
}

static int cmp_keys(const void *a, const void *b, void *payload)
{
    const ls_strtab *t = payload;
    size_t la, lb;
    const uint8_t *ka = ls_strtab_key(t, *(const uint32_t *)a, &la);
    const uint8_t *kb = ls_strtab_key(t, *(const uint32_t *)b, &lb);
    return ls_key_cmp(ka, la, kb, lb);
}

/* Writes old corrections merged with the fresh counts, both in key order. */
static int write_corrections(ls_deletes_writer *dw, const ls_deletes *old, corr_count *c,
                             ls_error *err)
{
    size_t n = c->keys.count;
    uint32_t *order = ls_calloc(n ? n : 1, sizeof *order);
    if (order == NULL)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_keys, &c->keys);
    ls_corr_iter it;
    int more = 0, rc = LS_OK;
    if (old != NULL) {
        ls_corr_iter_init(&it, old);
        more = ls_corr_iter_next(&it);
    }
    size_t i = 0;
    while (rc == LS_OK && (more == 1 || i < n)) {
        size_t klen = 0;
        const uint8_t *key = i < n ? ls_strtab_key(&c->keys, order[i], &klen) : NULL;
        int cmp = more != 1 ? 1 : i >= n ? -1 : ls_key_cmp(it.kb.key, it.kb.key_len, key, klen);
        if (cmp < 0) {
            rc = ls_deletes_writer_add(dw, it.kb.key, it.kb.key_len, it.n, err);
            more = ls_corr_iter_next(&it);
        } else if (cmp > 0) {
            rc = ls_deletes_writer_add(dw, key, klen, c->count[order[i++]], err);
        } else {
            rc = ls_deletes_writer_add(dw, key, klen, it.n + c->count[order[i++]], err);
            more = ls_corr_iter_next(&it);
        }
        if (rc == LS_OK && more < 0)
            rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged deletions", old->file.path);
    }
    if (rc == LS_OK && more < 0)
        rc = ls_error_set(err, LS_ECORRUPT, "'%s': damaged deletions", old->file.path);
    ls_free(order);
    return rc;
}

int ls_deleter_write(const char *dir, const ls_segment *s, const ls_deletes *old,
                     const uint8_t *bitmap, const uint32_t *fresh, uint32_t n_fresh,
                     ls_analyzer *an, uint64_t gen, ls_seg_info *info, ls_error *err)
{
    corr_count c;
    memset(&c, 0, sizeof c);
    c.s = s;
    ls_seg_info next = *info;
    int rc = count_fresh(s, fresh, n_fresh, an, &c, &next, err);
    next.del_count = info->del_count + n_fresh;
    next.del_gen = gen;
    ls_deletes_writer dw;
    if (rc == LS_OK)
        rc = ls_deletes_writer_open(&dw, dir, s->id, gen, s->tag, bitmap, s->ndocs,
                                    next.del_count, err);
    if (rc == LS_OK) {
        rc = write_corrections(&dw, old, &c, err);
        if (rc == LS_OK)
            rc = ls_deletes_writer_finish(&dw, err);
        else
            ls_deletes_writer_abort(&dw);
    }
    corr_free(&c);
    if (rc == LS_OK)
        *info = next;
    return rc;
}
