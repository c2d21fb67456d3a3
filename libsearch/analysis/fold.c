/* SPDX-License-Identifier: MIT */
/*
 * fold.c - word normalization with utf8proc, without allocating: each code point is
 * decomposed (compatibility + case fold + mark stripping) by utf8proc_decompose_char into a
 * bounded int32 scratch, which utf8proc_reencode composes back (NFKC) and encodes as UTF-8.
 * ASCII is handled without utf8proc: in an ASCII word, and code point by code point elsewhere.
 */
#include "analysis/fold.h"

#include <string.h>
#include <utf8proc.h>

#define DECOMPOSE_OPTS                                                                             \
    (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)
#define COMPOSE_OPTS (UTF8PROC_COMPOSE | UTF8PROC_STABLE)

/* The longest full decomposition in Unicode is 18 code points (U+FDFA); anything longer than
 * this buffer would be a utf8proc change, and such a code point is dropped rather than cut. */
#define ONE_CHAR_MAX 32

static unsigned char ascii_lower(unsigned char c)
{
    return (unsigned char)((unsigned)c - 'A' < 26u ? c + ('a' - 'A') : c);
}

size_t ls_fold_ascii(const char *w, size_t len, char *out)
{
    const unsigned char *s = (const unsigned char *)w;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c == '\'')
            continue;
        if (c >= 0x80) { /* the 3 bytes of U+2019, the only non-ASCII an ASCII word holds */
            i += 2;
            continue;
        }
        if (n == LS_MAX_TERM_BYTES)
            return LS_FOLD_TOO_LONG;
        out[n++] = (char)ascii_lower(c);
    }
    out[n] = '\0';
    return n;
}

static int keeps(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Appends the folded code points of cp to scratch[*n..]; 0 when that would pass the bound. */
static int push_folded(int32_t *scratch, size_t *n, int32_t cp)
{
    if (cp < 0x80) {
        if (cp == '\'')
            return 1;
        if (*n == LS_FOLD_MAX_CODEPOINTS)
            return 0;
        scratch[(*n)++] = ascii_lower((unsigned char)cp);
        return 1;
    }
    if (cp == 0x2019)
        return 1;
    int32_t one[ONE_CHAR_MAX];
    int boundclass = 0;
    utf8proc_ssize_t r =
        utf8proc_decompose_char(cp, one, ONE_CHAR_MAX, DECOMPOSE_OPTS, &boundclass);
    if (r < 0 || r > ONE_CHAR_MAX)
        return 1;
    for (utf8proc_ssize_t j = 0; j < r; j++) {
        if (!keeps(one[j]))
            continue;
        if (*n == LS_FOLD_MAX_CODEPOINTS)
            return 0;
        scratch[(*n)++] = one[j];
    }
    return 1;
}

size_t ls_fold_utf8(int32_t *scratch, const char *w, size_t len, char *out)
{
    const uint8_t *s = (const uint8_t *)w;
    size_t n = 0, i = 0;
    while (i < len) {
        int32_t cp = s[i];
        size_t k = 1;
        if (cp >= 0x80) {
            size_t avail = len - i < 4 ? len - i : 4;
            utf8proc_ssize_t r = utf8proc_iterate(s + i, (utf8proc_ssize_t)avail, &cp);
            if (r <= 0) { /* not from words.c; skip the byte as words.c would */
                i++;
                continue;
            }
            k = (size_t)r;
        }
        i += k;
        if (!push_folded(scratch, &n, cp))
            return LS_FOLD_TOO_LONG;
    }
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    utf8proc_ssize_t bytes = utf8proc_reencode(scratch, (utf8proc_ssize_t)n, COMPOSE_OPTS);
    if (bytes < 0) {
        out[0] = '\0';
        return 0;
    }
    if ((size_t)bytes > LS_MAX_TERM_BYTES)
        return LS_FOLD_TOO_LONG;
    memcpy(out, scratch, (size_t)bytes);
    out[bytes] = '\0';
    return (size_t)bytes;
}
