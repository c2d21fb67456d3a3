/* SPDX-License-Identifier: MIT */
/*
 * inverter.c - builds per-term posting buffers from analyzed documents.
 * Per document: every token is interned (key = field byte + term) and its (id, position)
 * pair collected; the pairs are sorted, then each id's group is appended to its buffer as
 * VByte(doc gap), VByte(tf), VByte(position delta)^tf.
 */
#include "index/inverter.h"

#include <stdlib.h>
#include <string.h>

#include "format/doclens.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/error.h"

void ls_inverter_init(ls_inverter *inv) { memset(inv, 0, sizeof *inv); }

void ls_inverter_free(ls_inverter *inv)
{
    for (size_t i = 0; i < inv->keys.count; i++)
        ls_buf_free(&inv->lists[i].buf);
    ls_free(inv->lists);
    ls_strtab_free(&inv->keys);
    ls_buf_free(&inv->lens);
    ls_free(inv->pairs);
    memset(inv, 0, sizeof *inv);
}

size_t ls_inverter_memory(const ls_inverter *inv)
{
    return inv->postings_bytes + ls_strtab_memory(&inv->keys) +
           inv->lists_cap * sizeof *inv->lists + inv->lens.cap + inv->pairs_cap * 8;
}

typedef struct collect_ctx {
    ls_inverter *inv;
    int title;
    uint32_t count;
} collect_ctx;

static int push_pair(ls_inverter *inv, char field, const ls_token *tok)
{
    uint8_t key[LS_MAX_TERM_BYTES + 1];
    key[0] = (uint8_t)field;
    memcpy(key + 1, tok->text, tok->len);
    if (inv->keys.count >= inv->lists_cap) {
        size_t ncap = inv->lists_cap ? inv->lists_cap * 2 : 1024;
        ls_plist *nl = ls_reallocarray(inv->lists, ncap, sizeof *nl);
        if (nl == NULL)
            return LS_ENOMEM;
        inv->lists = nl;
        inv->lists_cap = ncap;
    }
    uint32_t id;
    int is_new;
    if (ls_strtab_intern(&inv->keys, key, tok->len + 1, &id, &is_new) != LS_OK)
        return LS_ENOMEM;
    if (is_new)
        memset(&inv->lists[id], 0, sizeof inv->lists[id]);
    if (inv->npairs == inv->pairs_cap) {
        size_t ncap = inv->pairs_cap ? inv->pairs_cap * 2 : 4096;
        uint64_t *np = ls_reallocarray(inv->pairs, ncap, sizeof *np);
        if (np == NULL)
            return LS_ENOMEM;
        inv->pairs = np;
        inv->pairs_cap = ncap;
    }
    inv->pairs[inv->npairs++] = (uint64_t)id << 32 | tok->pos;
    return LS_OK;
}

static int collect(const ls_token *tok, void *payload)
{
    collect_ctx *c = payload;
    int rc = push_pair(c->inv, LS_FIELD_KEY_ALL, tok);
    if (rc == LS_OK && c->title)
        rc = push_pair(c->inv, LS_FIELD_KEY_TITLE, tok);
    c->count++;
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Appends this document's postings to each term's buffer. */
static int emit(ls_inverter *inv, uint32_t doc)
{
    qsort(inv->pairs, inv->npairs, sizeof *inv->pairs, cmp_u64);
    size_t i = 0;
    while (i < inv->npairs) {
        uint32_t id = (uint32_t)(inv->pairs[i] >> 32);
        size_t j = i;
        while (j < inv->npairs && (uint32_t)(inv->pairs[j] >> 32) == id)
            j++;
        ls_plist *pl = &inv->lists[id];
        size_t before = pl->buf.cap;
        uint32_t gap = pl->df ? doc - pl->last_doc - 1 : doc;
        if (ls_buf_put_vbyte(&pl->buf, gap) != LS_OK ||
            ls_buf_put_vbyte(&pl->buf, (uint32_t)(j - i)) != LS_OK)
            return LS_ENOMEM;
        uint32_t prev = 0;
        for (size_t k = i; k < j; k++) {
            uint32_t pos = (uint32_t)inv->pairs[k];
            if (ls_buf_put_vbyte(&pl->buf, pos - prev) != LS_OK)
                return LS_ENOMEM;
            prev = pos;
        }
        inv->postings_bytes += pl->buf.cap - before;
        pl->last_doc = doc;
        pl->df++;
        i = j;
    }
    return LS_OK;
}

int ls_inverter_add(ls_inverter *inv, ls_analyzer *an, const char *title, size_t title_len,
                    const char *body, size_t body_len, ls_error *err)
{
    if (inv->ndocs >= INT32_MAX)
        return ls_error_set(err, LS_ELIMIT, "segment holds too many documents");
    inv->npairs = 0;
    collect_ctx c = {inv, 1, 0};
    uint32_t title_words = 0, end_pos = 0;
    int rc = ls_analyze(an, title, title_len, 0, 0, collect, &c, &title_words);
    uint32_t ntitle = c.count;
    c.title = 0;
    if (rc == LS_OK && title_words > UINT32_MAX - 2)
        rc = LS_ELIMIT;
    if (rc == LS_OK)
        rc = ls_analyze(an, body, body_len, title_words + 1, 0, collect, &c, &end_pos);
    if (rc == LS_OK && end_pos < title_words + 1)
        rc = LS_ELIMIT; /* positions wrapped */
    if (rc == LS_OK)
        rc = emit(inv, inv->ndocs);
    if (rc != LS_OK)
        return rc == LS_ELIMIT
                   ? ls_error_set(err, rc, "document has too many words (over 2^32 positions)")
                   : ls_error_set(err, LS_ENOMEM, "out of memory indexing a document");
    uint8_t e[LS_DOCLEN_ENTRY];
    ls_put_u32le(e, c.count);
    ls_put_u32le(e + 4, ntitle);
    ls_put_u32le(e + 8, title_words + 1);
    if (ls_buf_append(&inv->lens, e, sizeof e) != LS_OK)
        return ls_error_set(err, LS_ENOMEM, "out of memory");
    inv->ndocs++;
    inv->tokens_all += c.count;
    inv->tokens_title += ntitle;
    return LS_OK;
}
