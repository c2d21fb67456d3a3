/* SPDX-License-Identifier: MIT */
/*
 * inverter.c - builds per-term posting buffers from analyzed documents.
 * Per document: every token is interned (key = field byte + term) and its (id, position)
 * pair collected in position order; the pairs are grouped by id with a counting pass (no
 * sort: positions stay ascending within each group), then each id's group is appended to its
 * buffer as VByte(doc gap), VByte(tf), VByte(position delta)^tf.
 * Keys are looked up in a small direct-mapped table of recent keys (their bytes inline, 128
 * KiB: it stays in cache) before the term table, whose slots, entries and key bytes are three
 * cache misses apart once a segment has many terms: text says its common words again and
 * again.
 */
#include "index/inverter.h"

#include <stdlib.h>
#include <string.h>

#include "codec/vbyte.h"
#include "format/doclens.h"
#include "format/positions.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"

/* The recent-keys table: LS_RECENT_KEYS entries of 32 bytes, keys of up to RECENT_KEY_MAX
 * bytes held, the others always looked up in the term table. */
#define LS_RECENT_KEYS 4096
#define RECENT_KEY_MAX 23

struct ls_recent_key {
    uint32_t hash, id;
    uint8_t len; /* 0: empty */
    uint8_t key[RECENT_KEY_MAX];
};

void ls_inverter_init(ls_inverter *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->keys.first_cap = 1024; /* a segment's terms: start roomy (RAM accounting counts it) */
}

void ls_inverter_init_counts(ls_inverter *inv)
{
    ls_inverter_init(inv);
    inv->counts_only = 1;
}

void ls_inverter_free(ls_inverter *inv)
{
    for (size_t i = 0; i < inv->keys.count; i++)
        ls_buf_free(&inv->lists[i].buf);
    ls_free(inv->lists);
    ls_strtab_free(&inv->keys);
    ls_buf_free(&inv->lens);
    ls_free(inv->pairs);
    ls_free(inv->group);
    ls_free(inv->recent);
    memset(inv, 0, sizeof *inv);
}

size_t ls_inverter_memory(const ls_inverter *inv)
{
    /* (the recent keys' fixed 128 KiB are left out: the budget is what grows with a
     * segment, and a small budget, as tests set, would otherwise be spent on them) */
    return inv->postings_bytes + ls_strtab_memory(&inv->keys) +
           inv->lists_cap * sizeof *inv->lists + inv->lens.cap + inv->pairs_cap * 16;
}

/* ---- a document's keys: the one definition of what a document indexes ---- */

typedef struct keys_ctx {
    ls_doc_key_fn fn;
    void *payload;
    int title;
    uint32_t count;
} keys_ctx;

static int emit_keys(const ls_token *tok, void *payload)
{
    keys_ctx *c = payload;
    uint8_t key[LS_MAX_TERM_BYTES + 1];
    key[0] = LS_KEY_ALL;
    memcpy(key + 1, tok->text, tok->len);
    int rc = c->fn(key, tok->len + 1, tok->pos, c->payload);
    if (rc == LS_OK && c->title) {
        key[0] = LS_KEY_TITLE;
        rc = c->fn(key, tok->len + 1, tok->pos, c->payload);
    }
    c->count++;
    return rc;
}

int ls_doc_keys(ls_analyzer *an, const char *title, size_t title_len, const char *body,
                size_t body_len, ls_doc_key_fn fn, void *payload, ls_doc_counts *out)
{
    keys_ctx c = {fn, payload, 1, 0};
    uint32_t title_words = 0, end_pos = 0;
    int rc = ls_analyze(an, title, title_len, 0, LS_ANALYZE_NOSTOP, emit_keys, &c, &title_words);
    uint32_t ntitle = c.count;
    c.title = 0;
    if (rc == LS_OK && title_words > UINT32_MAX - 2)
        rc = LS_ELIMIT;
    if (rc == LS_OK)
        rc = ls_analyze(an, body, body_len, title_words + 1, LS_ANALYZE_NOSTOP, emit_keys, &c,
                        &end_pos);
    if (rc == LS_OK && end_pos < title_words + 1)
        rc = LS_ELIMIT; /* positions wrapped */
    out->tokens_all = c.count;
    out->tokens_title = ntitle;
    out->body_start = title_words + 1;
    return rc;
}

/* ---- inverting ---- */

int ls_inverter_intern(ls_inverter *inv, const uint8_t *key, size_t len, uint32_t *id)
{
    uint32_t h = ls_hash_bytes(key, len);
    struct ls_recent_key *r = NULL;
    if (len <= RECENT_KEY_MAX && !inv->counts_only) { /* (word pairs: the pairer has its ids) */
        if (inv->recent == NULL &&
            (inv->recent = ls_calloc(LS_RECENT_KEYS, sizeof *inv->recent)) == NULL)
            return LS_ENOMEM;
        r = &inv->recent[h & (LS_RECENT_KEYS - 1)];
        if (r->hash == h && r->len == len && memcmp(r->key, key, len) == 0) {
            *id = r->id;
            return LS_OK;
        }
    }
    if (inv->keys.count >= inv->lists_cap) {
        size_t ncap = inv->lists_cap ? inv->lists_cap * 2 : 1024;
        ls_plist *nl = ls_reallocarray(inv->lists, ncap, sizeof *nl);
        if (nl == NULL)
            return LS_ENOMEM;
        inv->lists = nl;
        inv->lists_cap = ncap;
    }
    int is_new;
    if (ls_strtab_intern_hashed(&inv->keys, key, len, h, id, &is_new) != LS_OK)
        return LS_ENOMEM;
    if (is_new)
        memset(&inv->lists[*id], 0, sizeof inv->lists[*id]);
    if (r != NULL) { /* the key takes the entry */
        r->hash = h;
        r->id = *id;
        r->len = (uint8_t)len;
        memcpy(r->key, key, len);
    }
    return LS_OK;
}

int ls_inverter_occur(ls_inverter *inv, uint32_t id, uint32_t pos)
{
    if (inv->npairs == inv->pairs_cap) {
        size_t ncap = inv->pairs_cap ? inv->pairs_cap * 2 : 4096;
        uint64_t *np = ls_reallocarray(inv->pairs, ncap, sizeof *np);
        if (np == NULL)
            return LS_ENOMEM;
        inv->pairs = np;
        uint32_t *ng = ls_reallocarray(inv->group, ncap, 2 * sizeof *ng);
        if (ng == NULL)
            return LS_ENOMEM;
        inv->group = ng;
        inv->pairs_cap = ncap;
    }
    inv->pairs[inv->npairs++] = (uint64_t)id << 32 | pos;
    return LS_OK;
}

static int push_pair(const uint8_t *key, size_t len, uint32_t pos, void *payload)
{
    ls_inverter *inv = payload;
    uint32_t id;
    if (ls_inverter_intern(inv, key, len, &id) != LS_OK)
        return LS_ENOMEM;
    return ls_inverter_occur(inv, id, pos);
}

/* Appends this document's postings to each term's buffer. */
static int emit(ls_inverter *inv, uint32_t doc)
{
    uint32_t *ids = inv->group, *pos = inv->group + inv->pairs_cap;
    size_t n_ids = 0;
    for (size_t i = 0; i < inv->npairs; i++) { /* count per id, ids in first-seen order */
        ls_plist *pl = &inv->lists[inv->pairs[i] >> 32];
        if (pl->in_doc++ == 0)
            ids[n_ids++] = (uint32_t)(inv->pairs[i] >> 32);
    }
    uint32_t at = 0;
    for (size_t k = 0; k < n_ids; k++) {
        ls_plist *pl = &inv->lists[ids[k]];
        pl->at = at;
        at += pl->in_doc;
    }
    for (size_t i = 0; i < inv->npairs; i++) /* positions grouped by id, still ascending */
        pos[inv->lists[inv->pairs[i] >> 32].at++] = (uint32_t)inv->pairs[i];
    int rc = LS_OK;
    for (size_t k = 0, from = 0; k < n_ids; k++) {
        ls_plist *pl = &inv->lists[ids[k]];
        uint32_t tf = pl->in_doc;
        pl->in_doc = 0;
        if (rc != LS_OK)
            continue; /* keep clearing the counts */
        size_t before = pl->buf.cap;
        uint32_t gap = pl->df ? doc - pl->last_doc - 1 : doc;
        if (ls_buf_put_vbyte(&pl->buf, gap) != LS_OK || ls_buf_put_vbyte(&pl->buf, tf) != LS_OK)
            rc = LS_ENOMEM;
        if (rc == LS_OK && !inv->counts_only && ls_positions_put(&pl->buf, pos + from, tf) != LS_OK)
            rc = LS_ENOMEM;
        from += tf;
        inv->postings_bytes += pl->buf.cap - before;
        pl->last_doc = doc;
        pl->df++;
    }
    return rc;
}

void ls_inverter_iter_init(const ls_inverter *inv, uint32_t key_id, ls_inverter_iter *it)
{
    const ls_plist *pl = &inv->lists[key_id];
    it->positions = !inv->counts_only;
    it->p = pl->buf.data;
    it->end = pl->buf.data + pl->buf.len;
    it->left = pl->df;
    it->doc = 0;
    it->started = 0;
}

int ls_inverter_iter_next(ls_inverter_iter *it, uint32_t *doc, uint32_t *tf, const uint8_t **pos,
                          size_t *pos_len)
{
    if (it->left == 0)
        return 0;
    uint32_t gap = 0, n = 0;
    ls_vbyte_get(&it->p, it->end, &gap);
    ls_vbyte_get(&it->p, it->end, &n);
    it->doc = it->started ? it->doc + gap + 1 : gap;
    it->started = 1;
    const uint8_t *start = it->p;
    if (it->positions)
        ls_positions_skip(&it->p, it->end, n);
    it->left--;
    *doc = it->doc;
    *tf = n;
    *pos = start;
    *pos_len = (size_t)(it->p - start);
    return 1;
}

int ls_inverter_end_doc(ls_inverter *inv, uint32_t doc)
{
    int rc = inv->npairs > 0 ? emit(inv, doc) : LS_OK;
    inv->npairs = 0;
    return rc;
}

int ls_inverter_add(ls_inverter *inv, ls_analyzer *an, const char *title, size_t title_len,
                    const char *body, size_t body_len, ls_error *err)
{
    if (inv->ndocs >= LS_MAX_SEGMENT_DOCS)
        return ls_error_set(err, LS_ELIMIT, "segment holds too many documents");
    inv->npairs = 0;
    ls_doc_counts c;
    int rc = ls_doc_keys(an, title, title_len, body, body_len, push_pair, inv, &c);
    if (rc == LS_OK)
        rc = emit(inv, inv->ndocs);
    if (rc != LS_OK)
        return rc == LS_ELIMIT
                   ? ls_error_set(err, rc, "document has too many words (over 2^32 positions)")
                   : ls_error_set(err, LS_ENOMEM, "out of memory indexing a document");
    uint8_t e[LS_DOCLEN_ENTRY];
    ls_put_u32le(e, c.tokens_all);
    ls_put_u32le(e + 4, c.tokens_title);
    ls_put_u32le(e + 8, c.body_start);
    if (ls_buf_append(&inv->lens, e, sizeof e) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    inv->ndocs++;
    inv->tokens_all += c.tokens_all;
    inv->tokens_title += c.tokens_title;
    return LS_OK;
}
