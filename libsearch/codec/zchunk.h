/* SPDX-License-Identifier: MIT */
/*
 * zchunk.h - zlib-format (deflate, zlib wrapper) compression of whole chunks held in memory,
 * used by stored fields (FORMAT.md "StoredChunk"), by libdeflate.
 */
#ifndef LS_CODEC_ZCHUNK_H
#define LS_CODEC_ZCHUNK_H

#include <stddef.h>

/** A compressor, kept for many chunks (its tables are set up once). */
typedef struct ls_zchunk_writer ls_zchunk_writer;

/** @return a compressor, or NULL when out of memory. */
ls_zchunk_writer *ls_zchunk_writer_new(void);
void ls_zchunk_writer_free(ls_zchunk_writer *z);
/** @return the largest compressed size of n input bytes (SIZE_MAX when it overflows). */
size_t ls_zchunk_bound(size_t n);
/**
 * Compresses in[0..n) into out (room for ls_zchunk_bound(n)); *out_len receives the size.
 * @return LS_OK or LS_ELIMIT (n so large its bound overflows).
 */
int ls_zchunk_compress(ls_zchunk_writer *z, const void *in, size_t n, void *out,
                       size_t *out_len);
/**
 * Decompresses in[0..n) into out, which must come to exactly expect_len bytes.
 * @return LS_OK, LS_ECORRUPT (bad stream, or a size other than expect_len), LS_ENOMEM.
 */
int ls_zchunk_decompress(const void *in, size_t n, void *out, size_t expect_len);

#endif
