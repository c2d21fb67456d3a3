/* SPDX-License-Identifier: MIT */
/*
 * bitpack.c - binary packing of 128-integer blocks with one width per block (FORMAT.md
 * "BitPacked128"), after Lemire & Boytsov, "Decoding billions of integers per second through
 * vectorization" (SPE 2015), simplified to a plain little-endian bit stream: value i occupies
 * bits [i*w, (i+1)*w), so a block takes exactly 16*w bytes. Delta coding lives in delta.c.
 */
#include "codec/bitpack.h"

#include <assert.h>
#include <string.h>

#if defined(__GNUC__)
#define BP_INLINE static inline __attribute__((always_inline))
#else
#define BP_INLINE static inline
#endif

#define BP_MASK(w) ((UINT64_C(1) << (w)) - 1)

unsigned ls_bp128_width(const uint32_t *in)
{
    uint32_t acc = 0;
    for (unsigned i = 0; i < LS_BLOCK; i++)
        acc |= in[i];
#if defined(__GNUC__)
    return acc ? 32u - (unsigned)__builtin_clz(acc) : 0u;
#else
    unsigned w = 0;
    while (acc) {
        w++;
        acc >>= 1;
    }
    return w;
#endif
}

/*
 * The writer is not the hot path: a byte accumulator is simple and obviously writes exactly
 * 16*width bytes (128*width bits always end on a byte boundary). Bits above `width` are
 * masked off so a caller's out-of-range value cannot spill into its neighbour.
 */
void ls_bp128_pack(const uint32_t *in, unsigned width, uint8_t *out)
{
    assert(width <= 32);
    const uint64_t mask = BP_MASK(width);
    uint64_t acc = 0;
    unsigned bits = 0; /* < 8 between values, so acc never holds more than 7 + 32 bits */

    for (unsigned i = 0; i < LS_BLOCK; i++) {
        acc |= ((uint64_t)in[i] & mask) << bits;
        bits += width;
        while (bits >= 8) {
            *out++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
}

/*
 * Decode kernel. ls_bp128_unpack is the inner loop of every postings cursor, so it is written
 * for the optimizer rather than for brevity:
 *
 * - One function per width (BP_DEFINE_UNPACK), reached through a switch that compiles to a
 *   jump table. Inside, the width is a compile-time constant and the 64 extractions of a half
 *   block are written out by macro (BP_REP64) with constant indices, so every word index,
 *   shift and mask is an immediate and the "does this value straddle two words" test is
 *   resolved at compile time: no loop counter, no variable shifts, no branches.
 * - 64 values of width w fill exactly w 64-bit words, so a block is two identical halves of
 *   w words each; the kernel handles a half and runs twice.
 * - Words are read as little-endian 64-bit loads through memcpy (one mov on x86-64 and
 *   AArch64, a byte swap on big-endian hosts), never through a cast pointer: the input has no
 *   alignment and must not be type-punned. `restrict` tells the compiler that storing to out
 *   cannot change in, so each word is loaded once and kept in a register.
 * - Only words 0..2w-1 of the block are ever loaded, i.e. bytes [0, 16*w): a straddling value
 *   always ends inside the half's last word, so the kernel never reads past the block even
 *   when it ends at the end of a mapping.
 * Byte-granular unaligned loads would save the straddle OR but read up to 7 bytes beyond the
 * block, and SIMD layouts (true BP128 interleaving) would change the on-disk format.
 */
BP_INLINE uint64_t load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Bits [bit, bit+w) of the little-endian word stream at in; bit and w are constants. */
BP_INLINE uint32_t bp_get(const uint8_t *restrict in, unsigned bit, unsigned w)
{
    const unsigned k = bit >> 6, s = bit & 63;
    uint64_t v = load64le(in + 8 * k) >> s;
    if (s + w > 64)
        v |= load64le(in + 8 * (k + 1)) << (64 - s);
    return (uint32_t)(v & BP_MASK(w));
}

#define BP_GET(W, j) out[j] = bp_get(in, (j) * (W), (W));
#define BP_REP8(W, j)                                                                              \
    BP_GET(W, (j) + 0) BP_GET(W, (j) + 1) BP_GET(W, (j) + 2) BP_GET(W, (j) + 3)                    \
    BP_GET(W, (j) + 4) BP_GET(W, (j) + 5) BP_GET(W, (j) + 6) BP_GET(W, (j) + 7)
#define BP_REP64(W)                                                                                \
    BP_REP8(W, 0) BP_REP8(W, 8) BP_REP8(W, 16) BP_REP8(W, 24)                                      \
    BP_REP8(W, 32) BP_REP8(W, 40) BP_REP8(W, 48) BP_REP8(W, 56)

#define BP_DEFINE_UNPACK(W)                                                                        \
    static void unpack##W(const uint8_t *restrict in, uint32_t *restrict out)                      \
    {                                                                                              \
        for (unsigned half = 0; half < 2; half++) {                                                \
            BP_REP64(W)                                                                            \
            in += 8 * (W);                                                                         \
            out += 64;                                                                             \
        }                                                                                          \
    }

BP_DEFINE_UNPACK(1)
BP_DEFINE_UNPACK(2)
BP_DEFINE_UNPACK(3)
BP_DEFINE_UNPACK(4)
BP_DEFINE_UNPACK(5)
BP_DEFINE_UNPACK(6)
BP_DEFINE_UNPACK(7)
BP_DEFINE_UNPACK(8)
BP_DEFINE_UNPACK(9)
BP_DEFINE_UNPACK(10)
BP_DEFINE_UNPACK(11)
BP_DEFINE_UNPACK(12)
BP_DEFINE_UNPACK(13)
BP_DEFINE_UNPACK(14)
BP_DEFINE_UNPACK(15)
BP_DEFINE_UNPACK(16)
BP_DEFINE_UNPACK(17)
BP_DEFINE_UNPACK(18)
BP_DEFINE_UNPACK(19)
BP_DEFINE_UNPACK(20)
BP_DEFINE_UNPACK(21)
BP_DEFINE_UNPACK(22)
BP_DEFINE_UNPACK(23)
BP_DEFINE_UNPACK(24)
BP_DEFINE_UNPACK(25)
BP_DEFINE_UNPACK(26)
BP_DEFINE_UNPACK(27)
BP_DEFINE_UNPACK(28)
BP_DEFINE_UNPACK(29)
BP_DEFINE_UNPACK(30)
BP_DEFINE_UNPACK(31)
BP_DEFINE_UNPACK(32)

#define BP_CASE(W)                                                                                 \
    case W:                                                                                        \
        unpack##W(in, out);                                                                        \
        return;

void ls_bp128_unpack(const uint8_t *in, unsigned width, uint32_t *out)
{
    switch (width) {
    case 0:
        memset(out, 0, LS_BLOCK * sizeof *out);
        return;
    BP_CASE(1) BP_CASE(2) BP_CASE(3) BP_CASE(4) BP_CASE(5) BP_CASE(6) BP_CASE(7) BP_CASE(8)
    BP_CASE(9) BP_CASE(10) BP_CASE(11) BP_CASE(12) BP_CASE(13) BP_CASE(14) BP_CASE(15) BP_CASE(16)
    BP_CASE(17) BP_CASE(18) BP_CASE(19) BP_CASE(20) BP_CASE(21) BP_CASE(22) BP_CASE(23) BP_CASE(24)
    BP_CASE(25) BP_CASE(26) BP_CASE(27) BP_CASE(28) BP_CASE(29) BP_CASE(30) BP_CASE(31) BP_CASE(32)
    default:
        /* A programmer error (callers validate widths read from disk); read nothing. */
        assert(width <= 32);
        memset(out, 0, LS_BLOCK * sizeof *out);
        return;
    }
}
