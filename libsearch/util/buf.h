/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer (amortized doubling), used by encoders and writers.
 * Appends return LS_OK or LS_ENOMEM; on failure the buffer keeps its old contents.
 */
#ifndef LS_UTIL_BUF_H
#define LS_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ls_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} ls_buf;

#define LS_BUF_INIT {NULL, 0, 0}

/** Ensures room for `extra` more bytes. @return LS_OK or LS_ENOMEM. */
int ls_buf_reserve(ls_buf *b, size_t extra);
int ls_buf_append(ls_buf *b, const void *p, size_t n);
int ls_buf_put_u8(ls_buf *b, uint8_t v);
/** Little-endian fixed-width appends. */
int ls_buf_put_u32(ls_buf *b, uint32_t v);
int ls_buf_put_u64(ls_buf *b, uint64_t v);
/** Variable-byte appends (codec/vbyte.h encoding). */
int ls_buf_put_vbyte(ls_buf *b, uint32_t v);
int ls_buf_put_vbyte64(ls_buf *b, uint64_t v);
void ls_buf_free(ls_buf *b);

static inline void ls_put_u16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t ls_get_u16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void ls_put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t ls_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void ls_put_u64le(uint8_t *p, uint64_t v)
{
    ls_put_u32le(p, (uint32_t)v);
    ls_put_u32le(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t ls_get_u64le(const uint8_t *p)
{
    return (uint64_t)ls_get_u32le(p) | (uint64_t)ls_get_u32le(p + 4) << 32;
}

#endif
