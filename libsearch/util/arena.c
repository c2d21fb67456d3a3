/* SPDX-License-Identifier: MIT */
/*
 * arena.c - bump allocation: a first block of 1 KiB, then blocks of at least 16 KiB.
 */
#include "util/arena.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

struct ls_arena_block {
    ls_arena_block *next;
    size_t used, cap;
    _Alignas(8) unsigned char data[];
};

void *ls_arena_alloc(ls_arena *a, size_t n)
{
    if (n > SIZE_MAX - 64)
        return NULL;
    n = (n + 7) & ~(size_t)7;
    ls_arena_block *b = a->head;
    if (b == NULL || b->cap - b->used < n) {
        /* the first block within the allocator's small, cached sizes (a few hits fit), the
         * next ones 16 KiB */
        size_t want = b == NULL ? 1024 - sizeof *b : 16384;
        size_t cap = n > want ? n : want;
        b = ls_malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *ls_arena_strndup(ls_arena *a, const char *s, size_t len)
{
    char *d = ls_arena_alloc(a, len + 1);
    if (d != NULL) {
        if (len)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void ls_arena_free(ls_arena *a)
{
    ls_arena_block *b = a->head;
    while (b != NULL) {
        ls_arena_block *n = b->next;
        ls_free(b);
        b = n;
    }
    a->head = NULL;
}
