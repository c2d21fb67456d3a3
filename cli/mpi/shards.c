/* SPDX-License-Identifier: MIT */
/*
 * shards.c - see shards.h.
 */
#include "shards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../cbuf.h"
#include "../cli.h"

/* The pattern with "%d" as n and "%%" as '%'; NULL when it has another '%' or no "%d"
 * (but none is fine when there is one shard). */
static char *name_of(const char *pattern, unsigned n, unsigned total)
{
    cli_buf b = CLI_BUF_INIT;
    int marks = 0;
    for (const char *p = pattern; *p; p++) {
        if (*p != '%') {
            cli_buf_putc(&b, *p);
        } else if (p[1] == '%') {
            cli_buf_putc(&b, '%');
            p++;
        } else if (p[1] == 'd') {
            cli_buf_printf(&b, "%u", n);
            marks++;
            p++;
        } else {
            marks = -100;
            break;
        }
    }
    if (b.oom || marks < 0 || marks > 1 || (marks == 0 && total > 1) || b.len == 0) {
        cli_buf_free(&b);
        return NULL;
    }
    char *s = strdup(cli_buf_cstr(&b));
    cli_buf_free(&b);
    return s;
}

int shards_init(shards *s, const char *pattern, unsigned total, int rank, int size)
{
    memset(s, 0, sizeof *s);
    if (total == 0 || total > 100000) {
        cli_error("--shards wants a number from 1 to 100000");
        return -1;
    }
    if (total < (unsigned)size) {
        cli_error("%u shards for %d ranks: every rank needs a shard (--shards N, N >= ranks)",
                  total, size);
        return -1;
    }
    s->total = total;
    s->dirs = calloc(total, sizeof *s->dirs);
    s->owned = calloc(total / (unsigned)size + 1, sizeof *s->owned);
    if (s->dirs == NULL || s->owned == NULL) {
        cli_error("out of memory");
        return -1;
    }
    for (unsigned i = 0; i < total; i++) {
        s->dirs[i] = name_of(pattern, i, total);
        if (s->dirs[i] == NULL) {
            cli_error("--shard '%s': a directory name with one %%d for the shard number "
                      "(%%%% for a %%; no %%d only with one shard)", pattern);
            return -1;
        }
        if (i % (unsigned)size == (unsigned)rank)
            s->owned[s->n_owned++] = i;
    }
    return 0;
}

void shards_free(shards *s)
{
    for (unsigned i = 0; s->dirs != NULL && i < s->total; i++)
        free(s->dirs[i]);
    free(s->dirs);
    free(s->owned);
    memset(s, 0, sizeof *s);
}

unsigned shards_of_id(const shards *s, const char *id, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32_z(c, (const Bytef *)id, len);
    return (unsigned)(c % s->total);
}
