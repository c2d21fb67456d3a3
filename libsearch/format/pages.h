/* SPDX-License-Identifier: MIT */
/*
 * pages.h - checked pages of a file's data (FORMAT.md "PagedData"), for the postings and
 * positions files, which queries read in small scattered pieces:
 *   PagedBody --> Data, PageCheck u32^P, DataLength u64        (P = ceil(DataLength / 4096))
 * PageCheck i is the block check (codec/blockcheck.h) of Data[4096 i, 4096 (i + 1)). Before a
 * reader decodes bytes it verifies the pages they lie in; a page verified once is remembered
 * in a bitmap shared by every thread of the process (the segment is shared too), so each page
 * costs one hash per process, and a damaged byte is always an error, never a wrong answer.
 * Four bytes per 4 KiB: 0.1% of the file, against 8 bytes per term for per-list checks.
 */
#ifndef LS_FORMAT_PAGES_H
#define LS_FORMAT_PAGES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/fileio.h"

typedef struct ls_pages {
    const uint8_t *data;
    size_t len;
    const uint8_t *checks;
    size_t npages;
    atomic_uint_least64_t *ok; /* bit i: page i verified */
} ls_pages;

/** Reads the page table at the end of body[0..body_len). @return LS_OK, LS_ECORRUPT or
 *  LS_ENOMEM. */
int ls_pages_open(ls_pages *pg, const uint8_t *body, size_t body_len);
void ls_pages_close(ls_pages *pg);

/** Verifies the pages holding data[off, off + n) (slow path of ls_pages_ok). */
int ls_pages_verify(const ls_pages *pg, size_t off, size_t n);

/** @return LS_OK when the bytes [p, p + n) of the data lie in verified pages (verifying them
 *  first when needed), LS_ECORRUPT when a page fails or the range leaves the data. */
static inline int ls_pages_ok(const ls_pages *pg, const uint8_t *p, size_t n)
{
    size_t off = (size_t)(p - pg->data);
    if (p < pg->data || off > pg->len || n > pg->len - off)
        return -6; /* LS_ECORRUPT */
    if (n == 0)
        return 0;
    size_t a = off / LS_PAGE_SIZE, b = (off + n - 1) / LS_PAGE_SIZE;
    if (a == b && (atomic_load_explicit(&pg->ok[a / 64], memory_order_acquire) >> (a % 64) & 1))
        return 0;
    return ls_pages_verify(pg, off, n);
}

#endif
