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

/* Unicode White_Space plus the C0/C1 controls (which could drive a terminal). */
static int is_space_cp(unsigned long cp)
{
    return cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
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
    int in_match;      /* inside a match span of the input */
    int started;       /* the current match has written its first visible byte */
    size_t start;      /* where in the output the current match began */
} flattener;

/* Writes one visible character (after the space a whitespace run left pending). A match
 * begins at its first visible character, so spans never include collapsed whitespace. */
static void put_visible(flattener *fl, const char *p, size_t n)
{
    if (fl->pending_space && fl->out->text.len > 0)
        cli_buf_putc(&fl->out->text, ' ');
    fl->pending_space = 0;
    if (fl->in_match && !fl->started) {
        fl->start = fl->out->text.len;
        fl->started = 1;
    }
    cli_buf_put(&fl->out->text, p, n);
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
    if (n == 0) {
        put_visible(fl, REPLACEMENT, 3);
        return 1;
    }
    put_visible(fl, s + i, n);
    return n;
}

static void end_match(flattener *fl)
{
    cli_flat *out = fl->out;
    if (fl->started) {
        out->spans[out->n_spans].offset = fl->start;
        out->spans[out->n_spans++].length = out->text.len - fl->start;
    }
    fl->in_match = 0;
    fl->started = 0;
}

static int bad_span(const ls_span *m, size_t i, size_t len)
{
    return m->offset < i || m->length == 0 || m->offset > len || m->length > len - m->offset;
}

/* Walks s and its match spans together; spans that overlap an earlier one, are empty or
 * reach past the text are dropped. */
int cli_flatten(const char *s, size_t len, const ls_span *matches, size_t n_matches,
                cli_flat *out)
{
    flattener fl = {out, 0, 0, 0, 0};
    size_t m = 0, i = 0;
    if (n_matches > 0 && (out->spans = calloc(n_matches, sizeof *out->spans)) == NULL)
        return -1;
    for (;;) {
        if (fl.in_match && i >= matches[m].offset + matches[m].length) {
            end_match(&fl);
            m++;
        }
        while (!fl.in_match && m < n_matches && bad_span(&matches[m], i, len))
            m++;
        if (!fl.in_match && m < n_matches && matches[m].offset == i)
            fl.in_match = 1;
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
