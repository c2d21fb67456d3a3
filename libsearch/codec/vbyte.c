/* SPDX-License-Identifier: MIT */
/*
 * vbyte.c - variable-byte integers, 32 and 64 bit (FORMAT.md "VByte"): 7 bits a byte, least
 * significant group first, high bit set on every byte but the last. Decoders are bounded by
 * `end`, reject truncated values and values wider than their type, and accept non-minimal
 * encodings that still fit (they decode to the same number). Block data is in bitpack.c.
 */
#include "codec/vbyte.h"

size_t ls_vbyte_put(uint8_t *out, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t ls_vbyte_put64(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t ls_vbyte_len(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/*
 * The 32-bit value may take at most LS_VBYTE_MAX32 bytes, and its 5th byte carries bits 28..31
 * only: a 5th byte above 0x0F either continues (over-long) or sets bits past 31.
 */
int ls_vbyte_get_slow(const uint8_t **pos, const uint8_t *end, uint32_t *out)
{
    const uint8_t *p = *pos;
    uint32_t v = 0;

    for (unsigned i = 0; i < LS_VBYTE_MAX32; i++) {
        if (p >= end)
            return -1;
        uint8_t b = *p++;
        if (i == LS_VBYTE_MAX32 - 1 && b > 0x0F)
            return -1;
        v |= (uint32_t)(b & 0x7F) << (7 * i);
        if (b < 0x80) {
            *out = v;
            *pos = p;
            return 0;
        }
    }
    return -1; /* not reached: the 5th byte either ends the value or was rejected */
}

/* As above with LS_VBYTE_MAX64 bytes, the 10th of which carries bit 63 only. */
