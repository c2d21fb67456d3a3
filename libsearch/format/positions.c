/* SPDX-License-Identifier: MIT */
/*
 * positions.c - FORMAT.md "Positions" (see positions.h).
 */
#include "format/positions.h"

#include "codec/vbyte.h"
#include "libsearch.h"

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

int ls_positions_skip(const uint8_t **p, const uint8_t *end, uint32_t tf)
{
    const uint8_t *q = *p;
    if (tf > (size_t)(end - q)) /* every position takes at least one byte */
        return LS_ECORRUPT;
    /* A value ends at a byte under 0x80; only the count matters here, and a value longer
     * than LS_VBYTE_MAX32 bytes is damage as ls_vbyte_get says. */
    unsigned run = 0;
    while (tf > 0) {
        if (q >= end || ++run > LS_VBYTE_MAX32)
            return LS_ECORRUPT;
        if (*q++ < 0x80) {
            tf--;
            run = 0;
        }
    }
    *p = q;
    return LS_OK;
}

int ls_positions_decode(const uint8_t **p, const uint8_t *end, uint32_t tf, uint32_t *out)
{
    const uint8_t *q = *p;
    if (tf > (size_t)(end - q))
        return LS_ECORRUPT;
    uint32_t cur = 0;
    for (uint32_t k = 0; k < tf; k++) {
        uint32_t x;
        /* Gaps of one and two bytes inline (nearly all of them); longer ones the careful way. */
        if (q < end && *q < 0x80) {
            x = *q++;
        } else if (end - q >= 2 && q[1] < 0x80) {
            x = (uint32_t)(q[0] & 0x7F) | (uint32_t)q[1] << 7;
            q += 2;
        } else if (ls_vbyte_get_slow(&q, end, &x) != 0) {
            return LS_ECORRUPT;
        }
        if ((k > 0 && x == 0) || x > UINT32_MAX - cur)
            return LS_ECORRUPT;
        cur += x;
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
