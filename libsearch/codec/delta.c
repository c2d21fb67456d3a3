/* SPDX-License-Identifier: MIT */
/*
 * delta.c - in-place delta coding of non-decreasing u32 sequences (doc ids, positions) against
 * a base, and its inverse, the prefix sum (FORMAT.md "BitPacked128": blocks hold deltas; the
 * base is the last doc id of the previous block). Bit packing itself is in bitpack.c.
 */
#include "codec/bitpack.h"

/*
 * Walks backwards so each element is reduced by its still-unmodified predecessor. Arithmetic
 * is modulo 2^32, so a sequence that breaks the precondition still round-trips exactly.
 */
void ls_delta_encode(uint32_t *v, size_t n, uint32_t base)
{
    if (n == 0)
        return;
    for (size_t i = n - 1; i > 0; i--)
        v[i] -= v[i - 1];
    v[0] -= base;
}

/* The running sum is carried in a register, not reloaded from v. */
void ls_delta_decode(uint32_t *v, size_t n, uint32_t base)
{
    uint32_t acc = base;
    for (size_t i = 0; i < n; i++) {
        acc += v[i];
        v[i] = acc;
    }
}
