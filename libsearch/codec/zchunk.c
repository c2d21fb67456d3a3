/* SPDX-License-Identifier: MIT */
/*
 * zchunk.c - zlib-wrapped deflate of whole in-memory chunks for stored fields (FORMAT.md
 * "StoredChunk"), by libdeflate both ways (the zlib format: older indexes, written by zlib,
 * read the same). Owns the codec handling only: chunk boundaries and the offset table belong
 * to format/stored. libdeflate's allocations (one per writer, one per inflated chunk) are
 * preceded by one through util/alloc, so fault injection reaches them. Decompression trusts
 * nothing: it stops at expect_len bytes of output.
 */
#include "codec/zchunk.h"

#include <libdeflate.h>
#include <stdint.h>

#include "libsearch.h"
#include "util/alloc.h"

/* The writer: libdeflate (the same zlib format, whole buffers, its tables kept per writer) at
 * level 1. First 298 MB of the kernel tree in 16 KiB chunks (bench/zchunk_speed.c): zlib level
 * 3, a stream per chunk, 3.14 s and 73.4 MB; libdeflate level 1 1.09 s and 72.3 MB, level 3
 * 1.69 s and 69.8 MB, level 6 2.37 s and 66.7 MB. Readers inflate any level. */
#define ZCHUNK_LEVEL 1

struct ls_zchunk_writer {
    struct libdeflate_compressor *c;
};

ls_zchunk_writer *ls_zchunk_writer_new(void)
{
    ls_zchunk_writer *z = ls_malloc(sizeof *z); /* through util/alloc: fault injection */
    if (z == NULL)
        return NULL;
    if ((z->c = libdeflate_alloc_compressor(ZCHUNK_LEVEL)) == NULL) {
        ls_free(z);
        return NULL;
    }
    return z;
}

void ls_zchunk_writer_free(ls_zchunk_writer *z)
{
    if (z == NULL)
        return;
    libdeflate_free_compressor(z->c);
    ls_free(z);
}

/* The larger of zlib's compressBound() (computed in size_t) and libdeflate's bound, saturated
 * at SIZE_MAX. */
size_t ls_zchunk_bound(size_t n)
{
    size_t extra = (n >> 12) + (n >> 14) + (n >> 25) + 13;
    if (n > SIZE_MAX - extra)
        return SIZE_MAX;
    size_t zb = n + extra, lb = libdeflate_zlib_compress_bound(NULL, n);
    return lb < n ? SIZE_MAX : lb > zb ? lb : zb;
}

int ls_zchunk_compress(ls_zchunk_writer *z, const void *in, size_t n, void *out,
                       size_t *out_len)
{
    size_t cap = ls_zchunk_bound(n);
    if (cap == SIZE_MAX)
        return LS_ELIMIT;
    size_t got = libdeflate_zlib_compress(z->c, in, n, out, cap);
    if (got == 0)
        return LS_ELIMIT; /* cannot happen: cap is libdeflate's own bound or more */
    *out_len = got;
    return LS_OK;
}

/*
 * libdeflate inflates the whole chunk at once into out[0..expect_len) (2.6x zlib's inflate on
 * the kernel's chunks, make bench-zchunk), checking the Adler-32; the stream must give exactly
 * expect_len bytes and end exactly at in[n): a shorter or longer stream, or trailing bytes,
 * are corruption.
 */
int ls_zchunk_decompress(const void *in, size_t n, void *out, size_t expect_len)
{
    void *probe = ls_malloc(1); /* fault injection reaches libdeflate's allocation here */
    if (probe == NULL)
        return LS_ENOMEM;
    ls_free(probe);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL)
        return LS_ENOMEM;
    size_t used = 0, got = 0;
    enum libdeflate_result r =
        libdeflate_zlib_decompress_ex(d, in, n, out, expect_len, &used, &got);
    libdeflate_free_decompressor(d);
    return r == LIBDEFLATE_SUCCESS && used == n && got == expect_len ? LS_OK : LS_ECORRUPT;
}
