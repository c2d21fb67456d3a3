/* SPDX-License-Identifier: MIT */
/*
 * mergepairs.c - the word pairs of a merged segment (index/mergepairs.h).
 *
 * The merged segment pairs the eligible words in at least T = ls_pairs_min_df(N) of its N
 * documents. A word in D >= T of them is, in one source at least, in ceil(T / n) (the n
 * sources' shares of D cannot all be smaller), and a source's df counts its deleted documents
 * too, so the candidates are the words with that df somewhere: their D is then counted
 * exactly, from every source's df, the postings of a source with deletions walked (document
 * numbers only). The merge of the postings decides the same words on its own (its live df)
 * and compares the two choices (ls_merge_pairs_crc).
 */
#include "index/mergepairs.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "format/fields.h"
#include "format/pairs.h"
#include "index/pairer.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"

/* A paired word: its postings in the sources that hold it, read in source order. */
typedef struct word {
    const ls_merge_source *src;
    const ls_merge_doc *const *map;
    const uint8_t *key;
    size_t key_len;
    uint32_t nsrc, at; /* the sources holding it; the one being read */
    uint32_t *srcs;    /* [nsrc] */
    ls_term_meta *meta;
    int open;
    ls_postings_iter it;
} word;

uint32_t ls_merge_pairs_crc(uint32_t crc, const uint8_t *key, size_t len)
{
    uint8_t l = (uint8_t)len;
    crc = (uint32_t)crc32(crc, &l, 1);
    return (uint32_t)crc32(crc, key, (uInt)len);
}

/* Gives the word's next live posting, renumbered (ls_pair_next_fn). */
static int word_next(void *state, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                     size_t *pos_len)
{
    word *w = state;
    for (;;) {
        if (!w->open) {
            if (w->at == w->nsrc)
                return 0;
            ls_postings_view v;
            ls_error e;
            if (ls_segment_view(w->src[w->srcs[w->at]].seg, &w->meta[w->at], &v, &e) != LS_OK ||
                ls_postings_iter_init(&w->it, &v, 1) != LS_OK)
                return LS_ECORRUPT;
            w->open = 1;
        }
        uint32_t d;
        int more = ls_postings_iter_next(&w->it, &d, tf, pos, pos_len);
        if (more < 0)
            return LS_ECORRUPT;
        if (more == 0) {
            w->open = 0;
            w->at++;
            continue;
        }
        uint32_t k = w->srcs[w->at];
        if (d >= w->src[k].seg->ndocs)
            return LS_ECORRUPT;
        uint32_t nd = w->map[k][d].nd;
        if (nd != UINT32_MAX) {
            *doc = nd;
            return 1;
        }
    }
}

/* The candidates: every eligible all-field word with at least thr postings in a source. */
static int candidates(const ls_merge_source *src, uint32_t n, uint32_t thr, ls_strtab *keys,
                      ls_error *err)
{
    const uint8_t first = LS_KEY_ALL;
    for (uint32_t k = 0; k < n; k++) {
        ls_termdict_iter it;
        int rc = ls_termdict_seek(&src[k].seg->dict, &first, 1, &it);
        for (; rc == 1 && it.kb.key_len > 0 && it.kb.key[0] == LS_KEY_ALL;
             rc = ls_termdict_next(&it)) {
            uint32_t id;
            int is_new;
            if (it.meta.df >= thr && ls_pairs_eligible(it.kb.key, it.kb.key_len) &&
                ls_strtab_intern(keys, it.kb.key, it.kb.key_len, &id, &is_new) != LS_OK)
                return ls_error_set(err, LS_ENOMEM, "out of memory");
        }
        if (rc < 0)
            return ls_merge_damaged(&src[k].seg->tid, err);
    }
    return LS_OK;
}

typedef struct cand {
    const uint8_t *key;
    size_t len;
} cand;

static int by_key(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* The live documents of source k that the list meta holds. */
static int live_df(const ls_merge_source *s, const ls_merge_doc *map, const ls_term_meta *meta,
                   uint32_t *df)
{
    if (s->deleted == NULL) {
        *df = meta->df;
        return LS_OK;
    }
    ls_postings_view v;
    ls_postings_iter it;
    ls_error e;
    if (ls_segment_view(s->seg, meta, &v, &e) != LS_OK || ls_postings_iter_init(&it, &v, 0) != LS_OK)
        return LS_ECORRUPT;
    uint32_t d, tf, live = 0;
    int more;
    while ((more = ls_postings_iter_next(&it, &d, &tf, NULL, NULL)) == 1) {
        if (d >= s->seg->ndocs)
            return LS_ECORRUPT;
        live += map[d].nd != UINT32_MAX;
    }
    *df = live;
    return more < 0 ? LS_ECORRUPT : LS_OK;
}

/* Fills w with the candidate key's lists in the sources; sets *paired when its live df
 * reaches min_df. */
static int count_word(const ls_merge_source *src, const ls_merge_doc *const *map, uint32_t n,
                      uint32_t min_df, word *w, int *paired, ls_error *err)
{
    uint64_t df = 0;
    w->nsrc = 0;
    for (uint32_t k = 0; k < n; k++) {
        int found = ls_termdict_find(&src[k].seg->dict, w->key, w->key_len, &w->meta[w->nsrc]);
        if (found < 0)
            return ls_merge_damaged(&src[k].seg->tid, err);
        if (found == 0)
            continue;
        uint32_t live;
        if (live_df(&src[k], map[k], &w->meta[w->nsrc], &live) != LS_OK)
            return ls_merge_damaged(&src[k].seg->tid, err);
        df += live;
        w->srcs[w->nsrc++] = k;
    }
    *paired = df >= min_df;
    return LS_OK;
}

int ls_merge_pairs_find(const ls_merge_source *src, const ls_merge_doc *const *map, uint32_t n,
                        uint32_t ndocs, const uint8_t *lens, ls_merge_pairs *out,
                        ls_error *err)
{
    ls_inverter_init_counts(&out->inv);
    out->nwords = 0;
    out->words_crc = (uint32_t)crc32(0, NULL, 0);
    if (n == 0 || ndocs == 0)
        return LS_OK;
    uint32_t min_df = ls_pairs_min_df(ndocs), thr = (min_df + n - 1) / n;
    ls_strtab keys = LS_STRTAB_INIT;
    int rc = candidates(src, n, thr, &keys, err);
    size_t nc = keys.count;
    cand *order = rc == LS_OK ? ls_calloc(nc ? nc : 1, sizeof *order) : NULL;
    word *w = order != NULL ? ls_calloc(nc ? nc : 1, sizeof *w) : NULL;
    uint32_t *srcs = w != NULL ? ls_calloc(nc * n + 1, sizeof *srcs) : NULL;
    ls_term_meta *metas = srcs != NULL ? ls_calloc(nc * n + 1, sizeof *metas) : NULL;
    ls_pair_word *pw = metas != NULL ? ls_calloc(nc ? nc : 1, sizeof *pw) : NULL;
    if (rc == LS_OK && pw == NULL)
        rc = ls_error_set(err, LS_ENOMEM, "out of memory");
    uint32_t nw = 0;
    if (rc == LS_OK) {
        for (uint32_t i = 0; i < nc; i++)
            order[i].key = ls_strtab_key(&keys, i, &order[i].len);
        qsort(order, nc, sizeof *order, by_key);
    }
    for (size_t i = 0; rc == LS_OK && i < nc; i++) {
        word *x = &w[nw];
        x->src = src;
        x->map = map;
        x->key = order[i].key;
        x->key_len = order[i].len;
        x->srcs = srcs + (size_t)nw * n;
        x->meta = metas + (size_t)nw * n;
        int paired = 0;
        rc = count_word(src, map, n, min_df, x, &paired, err);
        if (rc != LS_OK || !paired)
            continue;
        out->words_crc = ls_merge_pairs_crc(out->words_crc, x->key, x->key_len);
        pw[nw] = (ls_pair_word){x->key, x->key_len, word_next, x};
        nw++;
    }
    out->nwords = nw;
    if (rc == LS_OK) {
        rc = ls_pairs_invert(pw, nw, ndocs, lens, &out->inv);
        if (rc == LS_ECORRUPT)
            rc = ls_error_set(err, rc, "damaged positions while merging");
        else if (rc != LS_OK)
            rc = ls_error_set(err, rc, "out of memory");
    }
    ls_free(pw);
    ls_free(metas);
    ls_free(srcs);
    ls_free(w);
    ls_free(order);
    ls_strtab_free(&keys);
    return rc;
}

void ls_merge_pairs_free(ls_merge_pairs *mp) { ls_inverter_free(&mp->inv); }
