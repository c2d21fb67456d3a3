/* SPDX-License-Identifier: MIT */
/*
 * pages.c - page tables and page verification (FORMAT.md "PagedData", see pages.h).
 */
#include "format/pages.h"

#include <string.h>

#include "codec/blockcheck.h"
#include "libsearch.h"
#include "util/alloc.h"
#include "util/buf.h"

int ls_pages_open(ls_pages *pg, const uint8_t *body, size_t body_len)
{
    memset(pg, 0, sizeof *pg);
    if (body_len < 8)
        return LS_ECORRUPT;
    uint64_t len = ls_get_u64le(body + body_len - 8);
    uint64_t np = (len + LS_PAGE_SIZE - 1) / LS_PAGE_SIZE;
    if (len > body_len || np * 4 + 8 + len != body_len)
        return LS_ECORRUPT;
    pg->data = body;
    pg->len = (size_t)len;
    pg->checks = body + len;
    pg->npages = (size_t)np;
    size_t words = pg->npages / 64 + 1;
    pg->ok = ls_calloc(words, sizeof *pg->ok);
    if (pg->ok == NULL)
        return LS_ENOMEM;
    for (size_t i = 0; i < words; i++)
        atomic_init(&pg->ok[i], 0);
    return LS_OK;
}

void ls_pages_close(ls_pages *pg)
{
    ls_free((void *)pg->ok);
    memset(pg, 0, sizeof *pg);
}

int ls_pages_verify(const ls_pages *pg, size_t off, size_t n)
{
    if (off > pg->len || n > pg->len - off)
        return LS_ECORRUPT;
    if (n == 0)
        return LS_OK;
    for (size_t i = off / LS_PAGE_SIZE; i <= (off + n - 1) / LS_PAGE_SIZE; i++) {
        uint64_t bit = (uint64_t)1 << (i % 64);
        if (atomic_load_explicit(&pg->ok[i / 64], memory_order_acquire) & bit)
            continue;
        size_t start = i * LS_PAGE_SIZE;
        size_t len = pg->len - start < LS_PAGE_SIZE ? pg->len - start : LS_PAGE_SIZE;
        if (ls_blockcheck(pg->data + start, len) != ls_get_u32le(pg->checks + 4 * i))
            return LS_ECORRUPT;
        atomic_fetch_or_explicit(&pg->ok[i / 64], bit, memory_order_release);
    }
    return LS_OK;
}
