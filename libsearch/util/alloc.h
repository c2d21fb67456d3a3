/* SPDX-License-Identifier: MIT */
/*
 * alloc.h - every allocation of the library goes through here, so tests can make the Nth
 * allocation fail (ls_alloc_fail_after) and prove that each failure is reported, not crashed on.
 */
#ifndef LS_UTIL_ALLOC_H
#define LS_UTIL_ALLOC_H

#include <stddef.h>

void *ls_malloc(size_t n);
void *ls_calloc(size_t count, size_t size);
void *ls_realloc(void *p, size_t n);
/** realloc of count*size bytes with overflow check; NULL on overflow or failure. */
void *ls_reallocarray(void *p, size_t count, size_t size);
void ls_free(void *p);
/** Makes the array *(void **)arr, of *cap elements of `size` bytes, hold at least `need`
 *  (doubling, from 16): the one growth policy of the library's arrays. On failure the array
 *  is unchanged. @return LS_OK or LS_ENOMEM. */
int ls_grow(void *arr, size_t *cap, size_t need, size_t size);
/** Copies s[0..len) and adds a NUL. */
char *ls_strndup(const char *s, size_t len);

/** Test hook: after n more successful allocations every allocation fails; -1 turns it off.
 *  Process-wide and not thread-safe: for single-threaded tests only. */
void ls_alloc_fail_after(long n);

#endif
