/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - allocation wrappers with a fault-injection countdown for tests.
 */
#include "util/alloc.h"

#include "libsearch.h"
#include "util/countdown.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The test hook's countdown, atomic: index threads allocate too. */
static atomic_long fail_countdown = -1;

void ls_alloc_fail_after(long n) { atomic_store_explicit(&fail_countdown, n, memory_order_relaxed); }

static int should_fail(void) { return ls_countdown_hit(&fail_countdown); }

void *ls_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *ls_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *ls_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void *ls_reallocarray(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return ls_realloc(p, count * size);
}

void ls_free(void *p) { free(p); }

char *ls_strndup(const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = ls_malloc(len + 1);
    if (d == NULL)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

int ls_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return LS_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return LS_ENOMEM;
        ncap *= 2;
    }
    void **p = arr;
    void *nv = ls_reallocarray(*p, ncap, size);
    if (nv == NULL)
        return LS_ENOMEM;
    *p = nv;
    *cap = ncap;
    return LS_OK;
}
