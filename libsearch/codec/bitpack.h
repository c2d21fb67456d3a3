/* SPDX-License-Identifier: MIT */
/*
 * bitpack.h - binary packing of blocks of 128 unsigned 32-bit integers with one bit width per
 * block (Lemire & Boytsov, "Decoding billions of integers per second through vectorization",
 * 2015, the BP128 layout simplified to a plain little-endian bit stream; FORMAT.md "BitPacked128").
 * A block of width w takes exactly 16*w bytes: value i occupies bits [i*w, (i+1)*w) of the
 * little-endian stream. Width 0 means all values are zero and takes no bytes.
 */
#ifndef LS_CODEC_BITPACK_H
#define LS_CODEC_BITPACK_H

#include <stddef.h>
#include <stdint.h>

#define LS_BLOCK 128

/** @return the smallest width (0..32) that holds every value of in[0..128). */
unsigned ls_bp128_width(const uint32_t *in);
/** @return bytes a block of width w takes: 16*w. */
static inline size_t ls_bp128_size(unsigned width) { return (size_t)width * 16; }
/** Packs in[0..128) (each < 2^width) at out (16*width bytes). */
void ls_bp128_pack(const uint32_t *in, unsigned width, uint8_t *out);
/** Unpacks 16*width bytes at in into out[0..128). width must be 0..32 (caller checks). */
void ls_bp128_unpack(const uint8_t *in, unsigned width, uint32_t *out);

/** In-place deltas: v[i] -= v[i-1], v[0] -= base. Requires a non-decreasing sequence >= base. */
void ls_delta_encode(uint32_t *v, size_t n, uint32_t base);
/** In-place prefix sums: inverse of ls_delta_encode. */
void ls_delta_decode(uint32_t *v, size_t n, uint32_t base);

#endif
