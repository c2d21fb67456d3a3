/* SPDX-License-Identifier: MIT */
/*
 * cbuf.h - a growable byte string for the CLI (fingerprints, flattened snippets). Allocation
 * failure is sticky: append freely, check `oom` once at the end.
 */
#ifndef CISEARCH_CBUF_H
#define CISEARCH_CBUF_H

#include <stddef.h>

typedef struct cli_buf {
    char *p;    /* NUL-terminated when len > 0 or after cli_buf_cstr */
    size_t len;
    size_t cap;
    int oom;    /* an append failed; contents are incomplete */
} cli_buf;

#define CLI_BUF_INIT {NULL, 0, 0, 0}

void cli_buf_put(cli_buf *b, const void *data, size_t len);
void cli_buf_putc(cli_buf *b, char c);
void cli_buf_printf(cli_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** @return the contents as a C string ("" when empty), or NULL after an allocation failure. */
const char *cli_buf_cstr(cli_buf *b);
void cli_buf_free(cli_buf *b);

#endif
