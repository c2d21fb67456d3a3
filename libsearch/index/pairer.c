/* SPDX-License-Identifier: MIT */
/*
 * pairer.c - a segment's word pairs (index/pairer.h). Documents are taken in windows of at
 * most WINDOW documents and about WINDOW_TOKENS positions (the window's memory stays
 * bounded). Each common word's postings in the window are decoded into (document, position,
 * word) triples, which are then written into a table with one slot per position of each
 * document (1 + the common word there, 0 for none): a pass along a document's slots meets
 * its pairs in position order, with no sorting. A pair's key id comes from a table indexed by
 * the two word numbers (dense when the words are few, hashed beyond), so no key is hashed
 * per occurrence.
 */
#include "index/pairer.h"

#include <string.h>

#include "format/doclens.h"
#include "format/pairs.h"
#include "format/positions.h"
#include "libsearch.h"
#include "util/alloc.h"

#define WINDOW 256u               /* documents, at most */
#define WINDOW_TOKENS (1u << 20) /* and about as many positions */
#define DENSE_WORDS 1024u         /* up to this many words: a nw x nw table of pair ids */

typedef struct word {
    ls_pair_word src;
    uint32_t doc, tf; /* the next posting, when more */
    const uint8_t *pos;
    size_t plen;
    int more; /* 1, 0 after the last, or LS_ECORRUPT */
} word;

typedef struct pairer {
    ls_inverter *out;
    word *w;
    uint32_t nw;
    uint32_t *tdoc, *tpos, *tword; /* the window's triples, word by word */
    size_t nt, tcap;
    uint32_t maxpos[WINDOW];   /* a window document's last common-word position */
    uint64_t base[WINDOW + 1]; /* where its slots start; base[d + 1] - base[d] = 0: none */
    uint32_t *slot;            /* zero between windows */
    size_t slot_cap;
    uint32_t *dec; /* one posting's positions */
    size_t dec_cap;
    uint32_t *dense; /* a * nw + b -> 1 + pair key id, or 0 (nw <= DENSE_WORDS) */
    uint64_t *hkeys; /* else (a + 1) << 32 | b -> hids: the pair's key id */
    uint32_t *hids;
    size_t hcap, hcount;
} pairer;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int hash_grow(pairer *p)
{
    size_t cap = p->hcap ? p->hcap * 2 : 4096;
    uint64_t *k = ls_calloc(cap, sizeof *k);
    uint32_t *v = ls_calloc(cap, sizeof *v);
    if (k == NULL || v == NULL) {
        ls_free(k);
        ls_free(v);
        return LS_ENOMEM;
    }
    for (size_t i = 0; i < p->hcap; i++) {
        if (p->hkeys[i] == 0)
            continue;
        size_t j = mix(p->hkeys[i]) & (cap - 1);
        while (k[j] != 0)
            j = (j + 1) & (cap - 1);
        k[j] = p->hkeys[i];
        v[j] = p->hids[i];
    }
    ls_free(p->hkeys);
    ls_free(p->hids);
    p->hkeys = k;
    p->hids = v;
    p->hcap = cap;
    return LS_OK;
}

/* Interns the key of the pair of words a and b in out. */
static int intern_pair(pairer *p, uint32_t a, uint32_t b, uint32_t *id)
{
    uint8_t k[LS_MAX_KEY_BYTES];
    const ls_pair_word *wa = &p->w[a].src, *wb = &p->w[b].src;
    size_t klen = ls_pair_key(k, wa->key + 1, wa->key_len - 1, wb->key + 1, wb->key_len - 1);
    return ls_inverter_intern(p->out, k, klen, id);
}

/* The key id in out of the pair of words a and b, interned on first sight. */
static inline int pair_id(pairer *p, uint32_t a, uint32_t b, uint32_t *id)
{
    if (p->dense != NULL) {
        uint32_t *cell = &p->dense[(size_t)a * p->nw + b];
        if (*cell != 0) {
            *id = *cell - 1;
            return LS_OK;
        }
        if (intern_pair(p, a, b, id) != LS_OK)
            return LS_ENOMEM;
        *cell = *id + 1;
        return LS_OK;
    }
    if (2 * (p->hcount + 1) > p->hcap && hash_grow(p) != LS_OK)
        return LS_ENOMEM;
    uint64_t key = (uint64_t)(a + 1) << 32 | b;
    size_t j = mix(key) & (p->hcap - 1);
    while (p->hkeys[j] != 0) {
        if (p->hkeys[j] == key) {
            *id = p->hids[j];
            return LS_OK;
        }
        j = (j + 1) & (p->hcap - 1);
    }
    if (intern_pair(p, a, b, id) != LS_OK)
        return LS_ENOMEM;
    p->hkeys[j] = key;
    p->hids[j] = *id;
    p->hcount++;
    return LS_OK;
}

static void next_posting(word *w)
{
    w->more = w->src.next(w->src.state, &w->doc, &w->tf, &w->pos, &w->plen);
}

static int grow_triples(pairer *p, size_t need)
{
    if (need <= p->tcap)
        return LS_OK;
    size_t cap = p->tcap ? p->tcap : 4096;
    while (cap < need)
        cap *= 2;
    uint32_t **arrs[3] = {&p->tdoc, &p->tpos, &p->tword};
    for (int k = 0; k < 3; k++) {
        uint32_t *n = ls_reallocarray(*arrs[k], cap, sizeof **arrs[k]);
        if (n == NULL)
            return LS_ENOMEM;
        *arrs[k] = n;
    }
    p->tcap = cap;
    return LS_OK;
}

/* Decodes every common word's postings of documents [d0, d1) into the triples, and lays out
 * the documents' slots. */
static int gather_window(pairer *p, uint32_t d0, uint32_t d1)
{
    uint32_t nd = d1 - d0;
    uint8_t any[WINDOW] = {0};
    p->nt = 0;
    memset(p->maxpos, 0, nd * sizeof *p->maxpos);
    for (uint32_t k = 0; k < p->nw; k++) {
        word *w = &p->w[k];
        for (; w->more == 1 && w->doc < d1; next_posting(w)) {
            if (w->doc < d0 || w->tf == 0)
                return LS_ECORRUPT; /* documents out of order */
            if (ls_grow(&p->dec, &p->dec_cap, w->tf, sizeof *p->dec) != LS_OK ||
                grow_triples(p, p->nt + w->tf) != LS_OK)
                return LS_ENOMEM;
            const uint8_t *q = w->pos;
            if (ls_positions_decode(&q, w->pos + w->plen, w->tf, p->dec) != LS_OK ||
                p->dec[w->tf - 1] == UINT32_MAX)
                return LS_ECORRUPT;
            uint32_t dl = w->doc - d0;
            for (uint32_t i = 0; i < w->tf; i++) {
                p->tdoc[p->nt] = dl;
                p->tpos[p->nt] = p->dec[i];
                p->tword[p->nt++] = k;
            }
            any[dl] = 1;
            if (p->dec[w->tf - 1] > p->maxpos[dl])
                p->maxpos[dl] = p->dec[w->tf - 1];
        }
        if (w->more < 0)
            return LS_ECORRUPT;
    }
    p->base[0] = 0;
    for (uint32_t d = 0; d < nd; d++) /* slots 0..maxpos and one zero after */
        p->base[d + 1] = p->base[d] + (any[d] ? (uint64_t)p->maxpos[d] + 2 : 0);
    if (p->base[nd] > p->slot_cap) {
        size_t old = p->slot_cap;
        if (ls_grow(&p->slot, &p->slot_cap, p->base[nd], sizeof *p->slot) != LS_OK)
            return LS_ENOMEM;
        memset(p->slot + old, 0, (p->slot_cap - old) * sizeof *p->slot);
    }
    for (size_t i = 0; i < p->nt; i++)
        p->slot[p->base[p->tdoc[i]] + p->tpos[i]] = p->tword[i] + 1;
    return LS_OK;
}

/* Adds the pairs of the window's document dl (document doc) to the output and clears its
 * slots. */
static int pair_document(pairer *p, uint32_t dl, uint32_t doc)
{
    uint32_t *s = p->slot + p->base[dl];
    size_t n = p->base[dl + 1] - p->base[dl] - 1; /* s[n] is the zero after the last */
    int rc = LS_OK;
    for (size_t i = 0; i < n && rc == LS_OK; i++) {
        if (s[i] == 0 || s[i + 1] == 0)
            continue;
        uint32_t id;
        rc = pair_id(p, s[i] - 1, s[i + 1] - 1, &id);
        if (rc == LS_OK)
            rc = ls_inverter_occur(p->out, id, (uint32_t)i);
    }
    memset(s, 0, (n + 1) * sizeof *s);
    return rc == LS_OK ? ls_inverter_end_doc(p->out, doc) : rc;
}

static int run(pairer *p, uint32_t ndocs, const uint8_t *lens)
{
    for (uint32_t d0 = 0, d1; d0 < ndocs; d0 = d1) {
        uint64_t tokens = ls_doclen_all(lens, d0);
        for (d1 = d0 + 1; d1 < ndocs && d1 - d0 < WINDOW && tokens < WINDOW_TOKENS; d1++)
            tokens += ls_doclen_all(lens, d1);
        int rc = gather_window(p, d0, d1);
        for (uint32_t d = 0; rc == LS_OK && d < d1 - d0; d++)
            if (p->base[d + 1] > p->base[d])
                rc = pair_document(p, d, d0 + d);
        if (rc != LS_OK)
            return rc;
    }
    for (uint32_t k = 0; k < p->nw; k++) /* postings past the last document */
        if (p->w[k].more != 0)
            return LS_ECORRUPT;
    return LS_OK;
}

int ls_pairs_invert(ls_pair_word *words, uint32_t nw, uint32_t ndocs, const uint8_t *lens,
                    ls_inverter *out)
{
    if (nw == 0)
        return LS_OK;
    pairer p;
    memset(&p, 0, sizeof p);
    p.out = out;
    p.w = ls_calloc(nw, sizeof *p.w);
    if (nw <= DENSE_WORDS)
        p.dense = ls_calloc((size_t)nw * nw, sizeof *p.dense);
    int rc = p.w != NULL && (nw > DENSE_WORDS || p.dense != NULL) ? LS_OK : LS_ENOMEM;
    for (uint32_t k = 0; rc == LS_OK && k < nw; k++) {
        word *w = &p.w[p.nw++];
        w->src = words[k];
        next_posting(w);
    }
    if (rc == LS_OK)
        rc = run(&p, ndocs, lens);
    ls_free(p.w);
    ls_free(p.tdoc);
    ls_free(p.tpos);
    ls_free(p.tword);
    ls_free(p.slot);
    ls_free(p.dec);
    ls_free(p.dense);
    ls_free(p.hkeys);
    ls_free(p.hids);
    return rc;
}

static int inverter_next(void *state, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                         size_t *pos_len)
{
    return ls_inverter_iter_next(state, doc, tf, pos, pos_len);
}

int ls_pairs_invert_new(const ls_inverter *inv, uint8_t *paired, ls_inverter *out)
{
    uint32_t min_df = ls_pairs_min_df(inv->ndocs), nw = 0;
    for (size_t id = 0; id < inv->keys.count; id++) {
        size_t len;
        const uint8_t *key = ls_strtab_key(&inv->keys, (uint32_t)id, &len);
        paired[id] = ls_pairs_eligible(key, len) && inv->lists[id].df >= min_df;
        nw += paired[id];
    }
    if (nw == 0)
        return LS_OK;
    ls_pair_word *w = ls_calloc(nw, sizeof *w);
    ls_inverter_iter *its = ls_calloc(nw, sizeof *its);
    int rc = w != NULL && its != NULL ? LS_OK : LS_ENOMEM;
    for (size_t id = 0, k = 0; rc == LS_OK && id < inv->keys.count; id++) {
        if (!paired[id])
            continue;
        w[k].key = ls_strtab_key(&inv->keys, (uint32_t)id, &w[k].key_len);
        ls_inverter_iter_init(inv, (uint32_t)id, &its[k]);
        w[k].next = inverter_next;
        w[k].state = &its[k];
        k++;
    }
    if (rc == LS_OK)
        rc = ls_pairs_invert(w, nw, inv->ndocs, inv->lens.data, out);
    ls_free(w);
    ls_free(its);
    return rc;
}
