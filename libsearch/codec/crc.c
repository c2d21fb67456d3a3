/* SPDX-License-Identifier: MIT */
/*
 * crc.c - CRC-32 (zlib/IEEE 802.3 polynomial, reflected, as in gzip and PNG) over buffers of
 * any length, by zlib's crc32(). Used by every file footer and the manifest (FORMAT.md
 * "Footer"); it does not decide what is checksummed.
 */
#include "codec/crc.h"

#include <limits.h>
#include <zlib.h>

/*
 * zlib's crc32() takes a uInt length (32 bits on common ABIs), so longer buffers go in
 * pieces; a 1 GiB piece keeps the pieces aligned. n == 0 must not reach zlib: crc32() with a
 * NULL buffer returns the initial value 0 instead of continuing crc.
 */
uint32_t ls_crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    uLong c = crc;
    const size_t piece = (size_t)1 << 30 < (size_t)UINT_MAX ? (size_t)1 << 30 : (size_t)UINT_MAX;

    while (n > 0) {
        size_t k = n < piece ? n : piece;
        c = crc32(c, b, (uInt)k);
        b += k;
        n -= k;
    }
    return (uint32_t)c;
}
