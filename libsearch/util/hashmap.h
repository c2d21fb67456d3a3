/* SPDX-License-Identifier: MIT */
/*
 * hashmap.h - a string interning table: byte strings to dense ids 0, 1, 2, ... in insertion
 * order, keys kept in one arena (no allocation per key). Open addressing, linear probing,
 * power-of-two capacity, load at most 1/2. Used by the inverter (term -> postings buffer) and
 * by query planning (distinct terms).
 */
#ifndef LS_UTIL_HASHMAP_H
#define LS_UTIL_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct ls_strtab_ent {
    uint64_t off; /* key offset in the arena */
    uint32_t len;
    uint32_t hash;
} ls_strtab_ent;

typedef struct ls_strtab {
    uint32_t *slots; /* id + 1, 0 = empty */
    size_t cap;      /* slots, power of two */
    ls_strtab_ent *ents;
    size_t count, ents_cap;
    ls_buf keys;
    size_t first_cap; /* room made by the first key (0: a few keys; a writer's term table
                         sets more) */
} ls_strtab;

#define LS_STRTAB_INIT {NULL, 0, NULL, 0, 0, LS_BUF_INIT, 0}

/** Finds or adds key. *id_out gets its id; *is_new (may be NULL) whether it was added.
 *  @return LS_OK or LS_ENOMEM. */
int ls_strtab_intern(ls_strtab *t, const void *key, size_t len, uint32_t *id_out, int *is_new);
/** ls_strtab_intern of a key whose ls_hash_bytes the caller has already (h). */
int ls_strtab_intern_hashed(ls_strtab *t, const void *key, size_t len, uint32_t h,
                            uint32_t *id_out, int *is_new);
/** @return the id of key, or -1. */
int64_t ls_strtab_find(const ls_strtab *t, const void *key, size_t len);
/** @return the key bytes of id (borrowed until the next intern). */
static inline const uint8_t *ls_strtab_key(const ls_strtab *t, uint32_t id, size_t *len)
{
    *len = t->ents[id].len;
    return t->keys.data + t->ents[id].off;
}
/** @return bytes of memory held. */
size_t ls_strtab_memory(const ls_strtab *t);
void ls_strtab_free(ls_strtab *t);
/** A fast 32-bit hash of bytes. */
uint32_t ls_hash_bytes(const void *p, size_t n);

#endif
