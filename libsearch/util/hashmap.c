/* SPDX-License-Identifier: MIT */
/*
 * hashmap.c - string interning with open addressing.
 */
#include "util/hashmap.h"

#include <string.h>

#include "libsearch.h"
#include "util/alloc.h"

uint32_t ls_hash_bytes(const void *p, size_t n)
{
    /* FNV-1a over 8-byte words with a final avalanche: fast on short terms, good enough
     * spread for linear probing. */
    const uint8_t *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    while (n--)
        h = (h ^ *s++) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

static int grow(ls_strtab *t)
{
    size_t ncap = t->cap ? t->cap * 2 : t->first_cap > 16 ? t->first_cap : 16;
    uint32_t *ns = ls_calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return LS_ENOMEM;
    for (size_t i = 0; i < t->count; i++) {
        size_t j = t->ents[i].hash & (ncap - 1);
        while (ns[j] != 0)
            j = (j + 1) & (ncap - 1);
        ns[j] = (uint32_t)i + 1;
    }
    ls_free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return LS_OK;
}

static size_t probe(const ls_strtab *t, const void *key, size_t len, uint32_t h)
{
    size_t j = h & (t->cap - 1);
    for (;;) {
        uint32_t s = t->slots[j];
        if (s == 0)
            return j;
        const ls_strtab_ent *e = &t->ents[s - 1];
        if (e->hash == h && e->len == len && memcmp(t->keys.data + e->off, key, len) == 0)
            return j;
        j = (j + 1) & (t->cap - 1);
    }
}

int64_t ls_strtab_find(const ls_strtab *t, const void *key, size_t len)
{
    if (t->cap == 0)
        return -1;
    size_t j = probe(t, key, len, ls_hash_bytes(key, len));
    return t->slots[j] ? (int64_t)t->slots[j] - 1 : -1;
}

int ls_strtab_intern(ls_strtab *t, const void *key, size_t len, uint32_t *id_out, int *is_new)
{
    return ls_strtab_intern_hashed(t, key, len, ls_hash_bytes(key, len), id_out, is_new);
}

int ls_strtab_intern_hashed(ls_strtab *t, const void *key, size_t len, uint32_t h,
                            uint32_t *id_out, int *is_new)
{
    if (len > UINT32_MAX || t->count >= UINT32_MAX - 1)
        return LS_ENOMEM;
    if ((t->count + 1) * 2 > t->cap && grow(t) != LS_OK)
        return LS_ENOMEM;
    size_t j = probe(t, key, len, h);
    if (t->slots[j] != 0) {
        *id_out = t->slots[j] - 1;
        if (is_new)
            *is_new = 0;
        return LS_OK;
    }
    if (t->count == t->ents_cap) {
        size_t ncap = t->ents_cap ? t->ents_cap * 2 : t->first_cap > 8 ? t->first_cap : 8;
        ls_strtab_ent *ne = ls_reallocarray(t->ents, ncap, sizeof *ne);
        if (ne == NULL)
            return LS_ENOMEM;
        t->ents = ne;
        t->ents_cap = ncap;
    }
    uint64_t off = t->keys.len;
    if (ls_buf_append(&t->keys, key, len) != LS_OK)
        return LS_ENOMEM;
    t->ents[t->count] = (ls_strtab_ent){off, (uint32_t)len, h};
    t->slots[j] = (uint32_t)t->count + 1;
    *id_out = (uint32_t)t->count++;
    if (is_new)
        *is_new = 1;
    return LS_OK;
}

size_t ls_strtab_memory(const ls_strtab *t)
{
    return t->cap * sizeof *t->slots + t->ents_cap * sizeof *t->ents + t->keys.cap;
}

void ls_strtab_free(ls_strtab *t)
{
    ls_free(t->slots);
    ls_free(t->ents);
    ls_buf_free(&t->keys);
    memset(t, 0, sizeof *t);
}
