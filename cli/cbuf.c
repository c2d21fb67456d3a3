/* SPDX-License-Identifier: MIT */
/*
 * cbuf.c - growable byte string with overflow-checked doubling and a sticky out-of-memory
 * flag, so callers building text need no per-append error paths.
 */
#include "cbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ensures room for `extra` more bytes plus a NUL. */
static int reserve(cli_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void cli_buf_put(cli_buf *b, const void *data, size_t len)
{
    if (reserve(b, len) != 0)
        return;
    if (len > 0)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void cli_buf_putc(cli_buf *b, char c)
{
    cli_buf_put(b, &c, 1);
}

void cli_buf_printf(cli_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *cli_buf_cstr(cli_buf *b)
{
    if (reserve(b, 0) != 0)
        return NULL;
    b->p[b->len] = '\0';
    return b->p;
}

void cli_buf_free(cli_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
