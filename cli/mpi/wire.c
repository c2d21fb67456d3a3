/* SPDX-License-Identifier: MIT */
/*
 * wire.c - see wire.h.
 */
#include "wire.h"

#include <string.h>

void wire_u64(cli_buf *b, uint64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    cli_buf_put(b, le, 8);
}

void wire_f64(cli_buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    wire_u64(b, bits);
}

void wire_bytes(cli_buf *b, const void *p, size_t len)
{
    wire_u64(b, len);
    if (len > 0)
        cli_buf_put(b, p, len);
}

void wire_reader_init(wire_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->end = r->p + len;
    r->bad = p == NULL && len > 0;
}

uint64_t wire_get_u64(wire_reader *r)
{
    if (r->bad || r->end - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

double wire_get_f64(wire_reader *r)
{
    uint64_t bits = wire_get_u64(r);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

const char *wire_get_bytes(wire_reader *r, size_t *len)
{
    uint64_t n = wire_get_u64(r);
    *len = 0;
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += n;
    *len = (size_t)n;
    return s;
}
