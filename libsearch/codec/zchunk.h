/* SPDX-License-Identifier: MIT */
/*
 * zchunk.h - zlib (deflate, zlib wrapper) compression of whole chunks held in memory, used by
 * stored fields (FORMAT.md "StoredChunk").
 */
#ifndef LS_CODEC_ZCHUNK_H
#define LS_CODEC_ZCHUNK_H

#include <stddef.h>

/** @return the largest compressed size of n input bytes. */
size_t ls_zchunk_bound(size_t n);
/**
 * Compresses in[0..n) into out (room for ls_zchunk_bound(n)); *out_len receives the size.
 * @return LS_OK, LS_ENOMEM or LS_ELIMIT (n over what zlib takes in one call).
 */
int ls_zchunk_compress(const void *in, size_t n, void *out, size_t *out_len);
/**
 * Decompresses in[0..n) into out, which must come to exactly expect_len bytes.
 * @return LS_OK, LS_ECORRUPT (bad stream, or a size other than expect_len), LS_ENOMEM.
 */
int ls_zchunk_decompress(const void *in, size_t n, void *out, size_t expect_len);

#endif
