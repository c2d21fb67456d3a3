/* SPDX-License-Identifier: MIT */
/*
 * out_snippet.c - makes stored text safe and compact to print: runs of whitespace and control
 * characters (C0, DEL, C1, U+2028/9) become one space, invalid UTF-8 becomes U+FFFD, and match
 * spans are carried over to the new byte offsets. Shared by the text and JSON formats.
 */
#include <stdlib.h>
#include <string.h>

#include "out.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (no overlongs, surrogates or > U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail, unsigned long *cp_out)
{
    unsigned char c = s[0];
    size_t n;
    unsigned long cp, min;
    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *cp_out = cp;
    return n;
}

static int is_space_cp(unsigned long cp)
{
    return cp < 0x20 || cp == ' ' || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029;
}

int cli_utf8_fix(const char *s, size_t len, cli_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned long cp;
        size_t n = utf8_len(u + i, len - i, &cp);
        if (n == 0) {
            cli_buf_put(out, REPLACEMENT, 3);
            i++;
        } else {
            cli_buf_put(out, s + i, n);
            i += n;
        }
    }
    return cli_buf_cstr(out) == NULL ? -1 : 0;
}

typedef struct flattener {
    cli_flat *out;
    int pending_space; /* a whitespace run was seen and not yet written */
} flattener;

static void flush_space(flattener *fl)
{
    if (fl->pending_space && fl->out->text.len > 0)
        cli_buf_putc(&fl->out->text, ' ');
    fl->pending_space = 0;
}

/* Consumes one character at s[i]; returns its length in bytes. */
static size_t take_char(flattener *fl, const char *s, size_t i, size_t len)
{
    unsigned long cp = 0;
    size_t n = utf8_len((const unsigned char *)s + i, len - i, &cp);
    if (n > 0 && is_space_cp(cp)) {
        fl->pending_space = 1;
        return n;
    }
    flush_space(fl);
    if (n == 0) {
        cli_buf_put(&fl->out->text, REPLACEMENT, 3);
        return 1;
    }
    cli_buf_put(&fl->out->text, s + i, n);
    return n;
}

/* Walks s and its match spans together; spans start after any pending space is written and
 * end before the next one, so they never include the collapsed whitespace. */
int cli_flatten(const char *s, size_t len, const ls_span *matches, size_t n_matches,
                cli_flat *out)
{
    flattener fl = {out, 0};
    size_t m = 0, start = 0, i = 0;
    int in = 0;
    if (n_matches > 0 && (out->spans = calloc(n_matches, sizeof *out->spans)) == NULL)
        return -1;
    for (;;) {
        if (in && i >= matches[m].offset + matches[m].length) {
            out->spans[out->n_spans].offset = start;
            out->spans[out->n_spans++].length = out->text.len - start;
            in = 0;
            m++;
        }
        while (!in && m < n_matches &&
               (matches[m].offset < i || matches[m].length == 0 || matches[m].offset > len ||
                matches[m].length > len - matches[m].offset))
            m++;
        if (!in && m < n_matches && matches[m].offset == i) {
            flush_space(&fl);
            start = out->text.len;
            in = 1;
        }
        if (i >= len)
            break;
        i += take_char(&fl, s, i, len);
    }
    return cli_buf_cstr(&out->text) == NULL ? -1 : 0;
}

void cli_flat_free(cli_flat *f)
{
    cli_buf_free(&f->text);
    free(f->spans);
    f->spans = NULL;
    f->n_spans = 0;
}
