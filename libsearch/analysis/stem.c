/* SPDX-License-Identifier: MIT */
/*
 * stem.c - wraps libstemmer (Porter's Snowball stemmers) for one analyzer, with a direct-mapped
 * cache of recent stems: word frequencies are Zipfian, so most tokens repeat a recent word and
 * skip the Snowball program, which otherwise costs more than all the rest of analysis.
 * libstemmer allocates with plain malloc internally; this file's own memory uses util/alloc.
 */
#include "analysis/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

/* 64-byte slots; words (and stems) longer than CACHE_WORD bytes bypass the cache. */
#define CACHE_WORD 31
#ifndef LS_STEM_CACHE_SLOTS
#define LS_STEM_CACHE_SLOTS 4096 /* power of two; 256 KiB per analyzer */
#endif

typedef struct slot {
    uint8_t key_len; /* 0: empty (words are never empty) */
    uint8_t stem_len;
    char key[CACHE_WORD];
    char stem[CACHE_WORD];
} slot;

struct ls_stemmer {
    struct sb_stemmer *sb;
    slot *cache; /* LS_STEM_CACHE_SLOTS slots */
};

/* FNV-1a: words are short, and its low bits are good enough for a power-of-two table. */
static uint32_t hash_word(const char *w, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static int is_listed(const char *language)
{
    for (const char **l = sb_stemmer_list(); *l != NULL; l++)
        if (strcmp(*l, language) == 0)
            return 1;
    return 0;
}

/* "unknown language 'x'; use none or: arabic ...", listing as many names as the message holds
 * and ending in "..." when some are left out. */
static int unknown_language(const char *language, ls_error *err)
{
    char msg[LS_ERROR_MESSAGE_SIZE];
    int w = snprintf(msg, sizeof msg, "unknown language '%.31s'; use none or:", language);
    size_t used = w > 0 ? (size_t)w : 0; /* at most 34 + 31 bytes: no truncation */
    for (const char **l = sb_stemmer_list(); *l != NULL; l++) {
        /* Invariant: used + 4 < sizeof msg, so " ..." always fits. */
        size_t n = strlen(*l);
        size_t need = 1 + n + (l[1] != NULL ? 4 : 0);
        if (used + need >= sizeof msg) {
            memcpy(msg + used, " ...", 4);
            used += 4;
            break;
        }
        msg[used++] = ' ';
        memcpy(msg + used, *l, n);
        used += n;
    }
    msg[used] = '\0';
    return ls_error_set(err, LS_EINVAL, "%s", msg);
}

int ls_stemmer_new(const char *language, ls_stemmer **out, ls_error *err)
{
    *out = NULL;
    if (strcmp(language, "none") == 0)
        return LS_OK;
    struct sb_stemmer *sb = sb_stemmer_new(language, "UTF_8");
    if (sb == NULL) {
        /* libstemmer returns NULL both for an unknown name and when malloc fails. */
        if (is_listed(language))
            return ls_error_set(err, LS_ENOMEM, "out of memory making the %s stemmer",
                                language);
        return unknown_language(language, err);
    }
    ls_stemmer *st = ls_malloc(sizeof *st);
    slot *cache = ls_calloc(LS_STEM_CACHE_SLOTS, sizeof *cache);
    if (st == NULL || cache == NULL) {
        ls_free(st);
        ls_free(cache);
        sb_stemmer_delete(sb);
        return ls_error_set(err, LS_ENOMEM, "out of memory making the %s stemmer", language);
    }
    st->sb = sb;
    st->cache = cache;
    *out = st;
    return LS_OK;
}

void ls_stemmer_free(ls_stemmer *st)
{
    if (st == NULL)
        return;
    sb_stemmer_delete(st->sb);
    ls_free(st->cache);
    ls_free(st);
}

const char *ls_stemmer_stem(ls_stemmer *st, const char *w, size_t len, size_t *len_out)
{
    if (st == NULL) {
        *len_out = len;
        return w;
    }
    slot *e = NULL;
    if (len <= CACHE_WORD) {
        e = &st->cache[hash_word(w, len) & (LS_STEM_CACHE_SLOTS - 1)];
        if (e->key_len == len && memcmp(e->key, w, len) == 0) {
            *len_out = e->stem_len;
            return e->stem;
        }
    }
    /* Words reaching here are at most LS_MAX_TERM_BYTES, far below INT_MAX. */
    const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)len);
    if (r == NULL)
        return NULL;
    size_t n = (size_t)sb_stemmer_length(st->sb);
    if (e != NULL && n <= CACHE_WORD) {
        e->key_len = (uint8_t)len;
        memcpy(e->key, w, len);
        e->stem_len = (uint8_t)n;
        memcpy(e->stem, r, n);
    }
    *len_out = n;
    return (const char *)r;
}
