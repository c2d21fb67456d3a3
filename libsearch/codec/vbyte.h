/* SPDX-License-Identifier: MIT */
/*
 * vbyte.h - variable-byte integers: 7 bits a byte, least significant group first, high bit set
 * on every byte but the last (FORMAT.md "VByte"). Decoders are bounded: they never read at or
 * past `end` and report truncated or over-long input.
 */
#ifndef LS_CODEC_VBYTE_H
#define LS_CODEC_VBYTE_H

#include <stddef.h>
#include <stdint.h>

#define LS_VBYTE_MAX32 5
#define LS_VBYTE_MAX64 10

/** Writes v at out (room for LS_VBYTE_MAX32 bytes). @return bytes written (1..5). */
size_t ls_vbyte_put(uint8_t *out, uint32_t v);
/** Writes v at out (room for LS_VBYTE_MAX64 bytes). @return bytes written (1..10). */
size_t ls_vbyte_put64(uint8_t *out, uint64_t v);
/** @return the encoded size of v. */
size_t ls_vbyte_len(uint32_t v);

/**
 * Reads one value from *pos, never touching `end` or beyond; advances *pos past it.
 * @return 0, or -1 when the input ends inside the value or the value does not fit 32 bits
 *         (then *pos is unchanged).
 */
int ls_vbyte_get_slow(const uint8_t **pos, const uint8_t *end, uint32_t *out);
static inline int ls_vbyte_get(const uint8_t **pos, const uint8_t *end, uint32_t *out)
{
    const uint8_t *p = *pos;
    if (p < end && *p < 0x80) { /* the common one-byte case, inlined */
        *out = *p;
        *pos = p + 1;
        return 0;
    }
    return ls_vbyte_get_slow(pos, end, out);
}
/** As ls_vbyte_get for 64-bit values (inline: dictionary scans read two per entry). */
static inline int ls_vbyte_get64(const uint8_t **pos, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pos;
    uint64_t v = 0;
    for (unsigned i = 0; i < LS_VBYTE_MAX64; i++) {
        if (p >= end)
            return -1;
        uint8_t b = *p++;
        if (i == LS_VBYTE_MAX64 - 1 && b > 0x01)
            return -1;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (b < 0x80) {
            *out = v;
            *pos = p;
            return 0;
        }
    }
    return -1;
}

#endif
