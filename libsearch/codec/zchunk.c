/* SPDX-License-Identifier: MIT */
/*
 * zchunk.c - zlib-wrapped deflate of whole in-memory chunks for stored fields (FORMAT.md
 * "StoredChunk"): libdeflate compresses, zlib inflates. Owns the codec handling only: chunk
 * boundaries and the offset table belong to format/stored. zlib's allocations go through
 * util/alloc so fault injection reaches them (libdeflate's one allocation per writer is
 * preceded by one that does). Decompression trusts nothing: it stops at expect_len bytes of
 * output.
 */
#include "codec/zchunk.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "libsearch.h"
#include "util/alloc.h"

/* The writer: libdeflate (the same zlib format, whole buffers, its tables kept per writer) at
 * level 1. First 298 MB of the kernel tree in 16 KiB chunks (bench/zchunk_speed.c): zlib level
 * 3, a stream per chunk, 3.14 s and 73.4 MB; libdeflate level 1 1.09 s and 72.3 MB, level 3
 * 1.69 s and 69.8 MB, level 6 2.37 s and 66.7 MB. Readers inflate any level. */
#define ZCHUNK_LEVEL 1

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
