/* SPDX-License-Identifier: MIT */
/*
 * filestamp.c - file stamps for directory sync (see filestamp.h).
 */
#include "filestamp.h"

#include <xxhash.h>

cli_stamp cli_stamp_of(const struct stat *st)
{
    cli_stamp s;
    s.size = (uint64_t)st->st_size;
    s.mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
    s.hash = 0;
    return s;
}

uint64_t cli_stamp_hash(const void *data, size_t len) { return XXH3_64bits(data, len); }

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void cli_stamp_encode(const cli_stamp *s, uint8_t out[CLI_STAMP_BYTES])
{
    put64(out, s->size);
    put64(out + 8, s->mtime_ns);
    put64(out + 16, s->hash);
}

int cli_stamp_decode(const void *p, size_t len, cli_stamp *out)
{
    if (p == NULL || len != CLI_STAMP_BYTES)
        return -1;
    out->size = get64(p);
    out->mtime_ns = get64((const uint8_t *)p + 8);
    out->hash = get64((const uint8_t *)p + 16);
    return 0;
}
