/* SPDX-License-Identifier: MIT */
/*
 * arena.h - a bump allocator freed all at once; holds everything an ls_hits returns.
 */
#ifndef LS_UTIL_ARENA_H
#define LS_UTIL_ARENA_H

#include <stddef.h>

typedef struct ls_arena_block ls_arena_block;
typedef struct ls_arena {
    ls_arena_block *head;
} ls_arena;

/** @return 8-byte aligned zeroed memory, or NULL. */
void *ls_arena_alloc(ls_arena *a, size_t n);
/** Copies s[0..len) with a NUL. */
char *ls_arena_strndup(ls_arena *a, const char *s, size_t len);
void ls_arena_free(ls_arena *a);

#endif
