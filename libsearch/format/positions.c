/* SPDX-License-Identifier: MIT */
/*
 * positions.c - FORMAT.md "Positions" (see positions.h).
 */
#include "format/positions.h"

#include "codec/vbyte.h"
#include "libsearch.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

int ls_positions_put(ls_buf *b, const uint32_t *pos, uint32_t n)
{
    uint32_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (ls_buf_put_vbyte(b, pos[i] - prev) != LS_OK)
            return LS_ENOMEM;
        prev = pos[i];
    }
    return LS_OK;
}

/* Five continuation bytes (0x80 and up) in a row make a value too long for 32 bits
 * (LS_VBYTE_MAX32): m has a set bit for each continuation byte. */
#define CONT_RUN_BAD(m) ((m) & (m) >> 1 & (m) >> 2 & (m) >> 3 & (m) >> 4)

/* The skip's last stretch, byte by byte: only the count matters, and a value longer than
 * LS_VBYTE_MAX32 bytes is damage as ls_vbyte_get says. run: bytes of the value under way. */
static int skip_bytes(const uint8_t **p, const uint8_t *end, size_t n, unsigned run)
{
    const uint8_t *q = *p;
    while (n > 0) {
        if (q >= end || ++run > LS_VBYTE_MAX32)
            return LS_ECORRUPT;
        if (*q++ < 0x80) {
            n--;
            run = 0;
        }
    }
    *p = q;
    return LS_OK;
}

#if defined(__SSE2__)
/* Set bits of a 16-bit mask, inline (the builtin is a library call without -mpopcnt). */
static inline uint32_t popcount16(uint32_t x)
{
    x -= x >> 1 & 0x5555u;
    x = (x & 0x3333u) + (x >> 2 & 0x3333u);
    x = (x + (x >> 4)) & 0x0F0Fu;
    return (x + (x >> 8)) & 0x1Fu;
}

/* Sixteen bytes at a time while the skip goes past them: a chunk in which fewer than n values
 * end is consumed whole. prev holds the continuation bits of the 16 bytes before q (0 at the
 * start), so a too-long run across two chunks is seen too; then the bytes left. */
static int skip_sse2(const uint8_t **p, const uint8_t *end, size_t n, uint32_t prev)
{
    const uint8_t *q = *p;
    while (end - q >= 16) {
        uint32_t cont = (uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)q));
        uint32_t ends = 16 - popcount16(cont);
        if (ends >= n)
            break;
        uint32_t w = cont << 16 | prev;
        if (CONT_RUN_BAD(w))
            return LS_ECORRUPT;
        n -= ends;
        q += 16;
        prev = cont;
    }
    /* the continuation bytes that end the last chunk begin the value finished below */
    int rc = skip_bytes(&q, end, n, (unsigned)__builtin_clz((~prev & 0xFFFFu) << 16));
    if (rc == LS_OK)
        *p = q;
    return rc;
}
#endif

int ls_positions_skip_with(const uint8_t **p, const uint8_t *end, size_t n, int how)
{
    if (n > (size_t)(end - *p)) /* every position takes at least one byte */
        return LS_ECORRUPT;
#if defined(__SSE2__)
    if (how != LS_SKIP_BYTES)
        return skip_sse2(p, end, n, 0);
#endif
    (void)how;
    return skip_bytes(p, end, n, 0);
}

int ls_positions_skip(const uint8_t **p, const uint8_t *end, size_t n)
{
    return ls_positions_skip_with(p, end, n, LS_SKIP_SSE2);
}

int ls_positions_decode(const uint8_t **p, const uint8_t *end, uint32_t tf, uint32_t *out)
{
    const uint8_t *q = *p;
    if (tf > (size_t)(end - q))
        return LS_ECORRUPT;
    uint32_t cur = 0;
    for (uint32_t k = 0; k < tf; k++) {
        if (ls_positions_next(&q, end, &cur, k == 0) != LS_OK)
            return LS_ECORRUPT;
        out[k] = cur;
    }
    *p = q;
    return LS_OK;
}

int ls_positions_last(const uint8_t *p, const uint8_t *end, uint32_t tf, uint32_t *last)
{
    uint32_t cur = 0;
    if (tf > (size_t)(end - p))
        return LS_ECORRUPT;
    for (uint32_t k = 0; k < tf; k++) {
        uint32_t x;
        if (ls_vbyte_get(&p, end, &x) != 0 || (k > 0 && x == 0) || x > UINT32_MAX - cur)
            return LS_ECORRUPT;
        cur += x;
    }
    *last = cur;
    return LS_OK;
}
