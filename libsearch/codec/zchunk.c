/* SPDX-License-Identifier: MIT */
/*
 * zchunk.c - zlib-wrapped deflate (level 3) of whole in-memory chunks for stored fields
 * (FORMAT.md "StoredChunk"). Owns the zlib stream handling only: chunk boundaries and the
 * offset table belong to format/stored. zlib's allocations go through util/alloc so fault
 * injection reaches them. Decompression trusts nothing: it stops at expect_len bytes of output.
 */
#include "codec/zchunk.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "libsearch.h"
#include "util/alloc.h"

/* Deflate level of the writer (readers inflate any): 3, zlib's fast matcher. Kernel tree, first
 * 298 MB, bodies stored: indexing 11.75 s at level 6, 9.52 s at 3, 9.23 s at 2; stored
 * bodies 61.9, 68.6 and 70.4 MB. */
#define ZCHUNK_LEVEL 3
#define ZCHUNK_WINDOW_BITS 15 /* zlib wrapper, 32 KiB window: what compressBound assumes */
#define ZCHUNK_MEM_LEVEL 8

static voidpf zalloc_cb(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return ls_reallocarray(NULL, items, size);
}

static void zfree_cb(voidpf opaque, voidpf p)
{
    (void)opaque;
    ls_free(p);
}

/* zlib counts in uInt: hand it at most this much input or output at a time. */
static uInt piece(size_t *left)
{
    size_t k = *left < (size_t)UINT_MAX ? *left : (size_t)UINT_MAX;
    *left -= k;
    return (uInt)k;
}

/* zlib's compressBound() formula, computed in size_t and saturated at SIZE_MAX. */
size_t ls_zchunk_bound(size_t n)
{
    size_t extra = (n >> 12) + (n >> 14) + (n >> 25) + 13;
    return n > SIZE_MAX - extra ? SIZE_MAX : n + extra;
}

int ls_zchunk_compress(const void *in, size_t n, void *out, size_t *out_len)
{
    size_t cap = ls_zchunk_bound(n);
    if (cap == SIZE_MAX)
        return LS_ELIMIT;

    z_stream s;
    memset(&s, 0, sizeof s);
    s.zalloc = zalloc_cb;
    s.zfree = zfree_cb;
    if (deflateInit2(&s, ZCHUNK_LEVEL, Z_DEFLATED, ZCHUNK_WINDOW_BITS, ZCHUNK_MEM_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return LS_ENOMEM; /* the only way a valid init fails */

    size_t in_left = n, out_left = cap;
    int rc = LS_OK;
    s.next_in = (z_const Bytef *)in;
    s.next_out = out;
    for (;;) {
        if (s.avail_in == 0)
            s.avail_in = piece(&in_left);
        if (s.avail_out == 0) {
            if (out_left == 0) {
                rc = LS_ELIMIT; /* cannot happen: cap is zlib's own bound */
                break;
            }
            s.avail_out = piece(&out_left);
        }
        int zrc = deflate(&s, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
        if (zrc == Z_STREAM_END)
            break;
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            /* deflate() allocates nothing after init; Z_STREAM_ERROR means misuse */
            rc = zrc == Z_MEM_ERROR ? LS_ENOMEM : LS_ELIMIT;
            break;
        }
    }
    if (rc == LS_OK)
        *out_len = cap - out_left - s.avail_out;
    deflateEnd(&s);
    return rc;
}

/* What inflate()'s code means for a chunk read from disk; Z_OK means "go on". */
static int inflate_status(int zrc, const z_stream *s, size_t in_left)
{
    switch (zrc) {
    case Z_OK:
        return LS_OK;
    case Z_BUF_ERROR:
        /* No progress: with output room left that means the input ran out (truncated). */
        return s->avail_in == 0 && in_left == 0 ? LS_ECORRUPT : LS_OK;
    case Z_MEM_ERROR:
        return LS_ENOMEM;
    default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
        return LS_ECORRUPT;
    }
}

/*
 * Output goes to out[0..expect_len) only. Once that is full, inflate gets a one-byte spare
 * buffer: if it writes there, the stream holds more than expect_len bytes. The stream must
 * also end exactly at in[n): trailing bytes are corruption too.
 */
int ls_zchunk_decompress(const void *in, size_t n, void *out, size_t expect_len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    s.zalloc = zalloc_cb;
    s.zfree = zfree_cb;
    if (inflateInit(&s) != Z_OK)
        return LS_ENOMEM;

    size_t in_left = n, out_left = expect_len;
    unsigned char spare;
    int spare_given = 0, rc = LS_OK;
    s.next_in = (z_const Bytef *)in;
    s.next_out = out;
    for (;;) {
        if (s.avail_in == 0)
            s.avail_in = piece(&in_left);
        if (s.avail_out == 0) {
            if (out_left > 0) {
                s.avail_out = piece(&out_left);
            } else if (!spare_given) {
                s.next_out = &spare;
                s.avail_out = 1;
                spare_given = 1;
            }
        }
        int zrc = inflate(&s, Z_NO_FLUSH);
        if (spare_given && s.avail_out == 0) {
            rc = LS_ECORRUPT; /* longer than expect_len */
            break;
        }
        if (zrc == Z_STREAM_END) {
            if (!spare_given && (out_left > 0 || s.avail_out > 0))
                rc = LS_ECORRUPT; /* shorter than expect_len */
            else if (s.avail_in > 0 || in_left > 0)
                rc = LS_ECORRUPT; /* bytes after the end of the stream */
            break;
        }
        rc = inflate_status(zrc, &s, in_left);
        if (rc != LS_OK)
            break;
    }
    inflateEnd(&s);
    return rc;
}
