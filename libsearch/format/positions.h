/* SPDX-License-Identifier: MIT */
/*
 * positions.h - token positions of one document in one term's list (FORMAT.md "Positions"),
 * the encoder and the bounded decoders side by side:
 *   DocPositions --> VByte(first position), VByte(delta)^(tf - 1)      (delta >= 1)
 * The inverter encodes them as documents arrive, the segment writer and the merger copy them
 * as bytes, and cursors decode them only for phrase matching and the body filter.
 */
#ifndef LS_FORMAT_POSITIONS_H
#define LS_FORMAT_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/buf.h"

/** Appends the encoding of n ascending positions. @return LS_OK or LS_ENOMEM. */
int ls_positions_put(ls_buf *b, const uint32_t *pos, uint32_t n);

/** Moves *p past n positions: one document's tf, or the sum over documents in a row.
 *  @return LS_OK or LS_ECORRUPT (truncated, or a value over LS_VBYTE_MAX32 bytes). */
int ls_positions_skip(const uint8_t **p, const uint8_t *end, size_t n);

/** How ls_positions_skip_with reads: 16-byte SSE2 vectors where compiled for (x86-64 always;
 *  what ls_positions_skip does; 32-byte AVX2 ones measured slower on phrases), or byte by
 *  byte (the reference, and every other processor). */
enum { LS_SKIP_SSE2, LS_SKIP_BYTES };
/** ls_positions_skip by a chosen path (tests hold every path to the same answer). */
int ls_positions_skip_with(const uint8_t **p, const uint8_t *end, size_t n, int how);

/**
 * Reads the position after *cur from *p (the first of a document's when first is nonzero) and
 * moves *p past it. Gaps of one and two bytes (nearly all of them) are read inline, without a
 * branch between the two. @return LS_OK, or LS_ECORRUPT when the bytes end early, the value
 * is too long, a gap is 0 or the sum wraps (then *p and *cur are unchanged).
 */
static inline int ls_positions_next(const uint8_t **p, const uint8_t *end, uint32_t *cur,
                                    int first)
{
    const uint8_t *q = *p;
    uint32_t x;
    if (end - q >= 2 && (q[0] & q[1] & 0x80) == 0) {
        uint32_t two = (uint32_t)q[0] >> 7; /* the second byte counts when the first goes on */
        x = (q[0] & 0x7Fu) | ((uint32_t)q[1] << 7 & (0u - two));
        q += 1 + two;
    } else if (ls_vbyte_get(&q, end, &x) != 0) {
        return LS_ECORRUPT;
    }
    if (first) {
        *cur = x;
    } else {
        if (x == 0 || x > UINT32_MAX - *cur)
            return LS_ECORRUPT;
        *cur += x;
    }
    *p = q;
    return LS_OK;
}

/**
 * Decodes one document's tf positions into out[0..tf) and moves *p past them.
 * @return LS_OK, or LS_ECORRUPT when the bytes end early, a delta is 0 or the sum wraps.
 */
int ls_positions_decode(const uint8_t **p, const uint8_t *end, uint32_t tf, uint32_t *out);

/** The largest (last) of one document's tf positions in p[0..end), without storing them.
 *  @return LS_OK or LS_ECORRUPT. */
int ls_positions_last(const uint8_t *p, const uint8_t *end, uint32_t tf, uint32_t *last);

#endif
