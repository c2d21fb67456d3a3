/* SPDX-License-Identifier: MIT */
/*
 * buf.c - growable byte buffer.
 */
#include "util/buf.h"

#include <string.h>

#include "codec/vbyte.h"
#include "libsearch.h"
#include "util/alloc.h"

int ls_buf_reserve(ls_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return LS_OK;
    if (extra > SIZE_MAX / 2 - b->len)
        return LS_ENOMEM;
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    uint8_t *d = ls_realloc(b->data, cap);
    if (d == NULL)
        return LS_ENOMEM;
    b->data = d;
    b->cap = cap;
    return LS_OK;
}

int ls_buf_append(ls_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return LS_OK;
    if (ls_buf_reserve(b, n) != LS_OK)
        return LS_ENOMEM;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return LS_OK;
}

int ls_buf_put_u8(ls_buf *b, uint8_t v) { return ls_buf_append(b, &v, 1); }

int ls_buf_put_u32(ls_buf *b, uint32_t v)
{
    uint8_t t[4];
    ls_put_u32le(t, v);
    return ls_buf_append(b, t, 4);
}

int ls_buf_put_u64(ls_buf *b, uint64_t v)
{
    uint8_t t[8];
    ls_put_u64le(t, v);
    return ls_buf_append(b, t, 8);
}

int ls_buf_put_vbyte(ls_buf *b, uint32_t v)
{
    if (ls_buf_reserve(b, LS_VBYTE_MAX32) != LS_OK)
        return LS_ENOMEM;
    b->len += ls_vbyte_put(b->data + b->len, v);
    return LS_OK;
}

int ls_buf_put_vbyte64(ls_buf *b, uint64_t v)
{
    if (ls_buf_reserve(b, LS_VBYTE_MAX64) != LS_OK)
        return LS_ENOMEM;
    b->len += ls_vbyte_put64(b->data + b->len, v);
    return LS_OK;
}

void ls_buf_free(ls_buf *b)
{
    ls_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
